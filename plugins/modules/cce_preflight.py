#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cce_preflight
short_description: Check and fix the appliance-host problems the Cloud Connector troubleshooting guide lists
description:
  - O(psmodulepath) puts C(C:\Program Files\WindowsPowerShell\Modules), which holds the CloudConnector
    module, on the machine C(PSModulePath), the guide's persistent fix.
  - O(dotnet) checks .NET Framework 4.6.1 or later, needed from 2.1. The module reads the C(Release)
    value of C(HKLM:\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full), at least 394254. It cannot
    install .NET and fails when it is missing.
  - O(ini_state_line) checks that the C([Common]) section of C(CloudConnector.ini) in the appliance
    directory has a C(State) line, and adds C(State=) with O(ini_state_value) when it is missing. The
    value may be empty; the line may not be missing.
  - O(image_mounts) runs C(dism.exe /Cleanup-Wim) when C(Get-WindowsImage -Mounted) shows a mount that
    is not C(Ok) (a failed C(Dismount-WindowsImage), error 0xc1550115).
  - O(reset_module_analysis_cache) deletes O(module_analysis_cache), the remedy for C(Enter-CcUpdate)
    failing with C(Stop-CsWindowsService is not recognized). PowerShell rebuilds the file, so this is a
    one-time action and reports a change each time the file exists.
  - O(defender_exclusions) adds the guide's antivirus exclusions with C(Add-MpPreference), when Windows
    Defender is the antivirus. These are the appliance and site directories, the Cloud Connector program
    folder, C(%ALLUSERSPROFILE%\CloudConnector), the module folder and
    C(Microsoft.Rtc.CCE.ManagementService.exe).
  - Check mode reports what would change and changes nothing.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  dotnet:
    description: Check the .NET Framework release.
    type: bool
    default: true
  ini_state_line:
    description: Check and fix the C(State) line of CloudConnector.ini.
    type: bool
    default: true
  ini_state_value:
    description: The value written after C(State=) when the line is added.
    type: str
    default: ""
  psmodulepath:
    description: Check and fix the machine PSModulePath.
    type: bool
    default: true
  image_mounts:
    description: Check for stuck image mounts and clean them up.
    type: bool
    default: true
  reset_module_analysis_cache:
    description: Delete the ModuleAnalysisCache file of the connecting account.
    type: bool
    default: false
  module_analysis_cache:
    description: Path of the ModuleAnalysisCache file (C($HOME\AppData\Local\Microsoft\Windows\PowerShell\ModuleAnalysisCache)).
    type: str
    default: C:\Users\Administrator\AppData\Local\Microsoft\Windows\PowerShell\ModuleAnalysisCache
  defender_exclusions:
    description: Add the antivirus exclusions to Windows Defender's preferences.
    type: bool
    default: false
  hosts_site_root:
    description: This host holds the shared site root folder (its Local Site Directory is excluded too).
    type: bool
    default: false
seealso:
  - module: sfb.server.cce_info
extends_documentation_fragment:
  - sfb.server.change
"""

EXAMPLES = r"""
- name: Check the appliance host, fix what can be fixed
  sfb.server.cce_preflight:
    defender_exclusions: true

- name: Only report
  sfb.server.cce_preflight:
  check_mode: true
"""

RETURN = r"""
checks:
  description: One entry per check, with what it found and the commands that fix it.
  returned: success
  type: list
  elements: dict
  sample: [{name: ini_state_line, ok: false, fix: ["Set-Content -LiteralPath 'C:\\CCE\\ApplianceRoot\\CloudConnector.ini' -Value ..."],
            detail: "C:\\CCE\\ApplianceRoot\\CloudConnector.ini"}]
commands:
  description: The fixing commands run (or that would run in check mode).
  returned: success
  type: list
  elements: str
"""
