#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: core_components
short_description: Install the Skype for Business Server core components, unattended
description:
  - Never runs the interactive C(Setup.exe), which asks to install Visual C++ and to accept the licence
    ("Install Skype for Business Server on servers in the topology"). Instead, each in its own plan with its
    own exit codes - the media's Visual C++ redistributable (C(vcredist_x64.exe /install /quiet /norestart);
    0, 1638 already installed, 3010 restart), the core components MSI (C(msiexec /i <media>\\Setup\\ocscore.msi
    /qn /norestart); 0, 3010 and 1641 restart) and C(<install>\\Deployment\\Bootstrapper.exe /BootstrapLocalMgmt
    /SourceDirectory:<media>), which installs the local management store (SQL Server Express, RTCLocal).
  - The release (2015, 2019 or Subscription Edition) is read from the media's version information
    (C(Get-Item)) and, once installed, from the Windows Installer entry "<product>, Core Components";
    it is never assumed.
  - Idempotent - a step whose outcome is there is skipped (the redistributable's uninstall entry, the core
    components entry and C(<install_path>\\Deployment\\Bootstrapper.exe), the C(MSSQL$RTCLOCAL) service).
  - When a step exits with a restart code the server is restarted (M(ansible.windows.win_reboot) on real
    servers) before the next one.
  - SQL Server Express needs DPAPI - the task must run with C(become) and C(become_method=runas), or it
    fails at once, before anything is read.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  setup_path:
    description:
      - Full path of C(Setup.exe) on the server (media mounted or copied), usually C(<media>\\Setup\\amd64\\Setup.exe).
        It is not run; its folder holds the redistributable and C(Setup\\ocscore.msi).
    type: str
    default: D:\Setup\amd64\Setup.exe
  install_path:
    description:
      - Installation folder, on any drive (seed 002 - not only the system drive). Defaults to the
        product's folder under C(C:\\Program Files).
    type: str
  install_dir_argument:
    description:
      - How the folder is given to C(msiexec /i ocscore.msi); C({path}) is replaced by O(install_path).
        Microsoft does not document this property; the default is an assumption, and the module checks the
        result with C(Test-Path).
    type: str
    default: "INSTALLDIR={path}"
  reboot_timeout:
    description:
      - Seconds to wait for the server to come back when setup asks for a restart.
    type: int
    default: 1800
notes:
  - Setup.exe exit codes are not documented; 0 is success and 3010 (the Windows Installer convention)
    is read as success with a restart required.
seealso:
  - module: sfb.server.prerequisites_info
  - module: sfb.server.local_store
extends_documentation_fragment:
  - sfb.server.change
"""

EXAMPLES = r"""
- name: Install the core components on the data drive
  sfb.server.core_components:
    setup_path: D:\Setup\amd64\Setup.exe
    install_path: E:\Program Files\Skype for Business Server 2019
"""

RETURN = r"""
product:
  description: C(2015), C(2019) or C(SE).
  returned: success
  type: str
version:
  description: The version installed (or on the media).
  returned: success
  type: str
install_path:
  description: The installation folder.
  returned: success
  type: str
commands:
  description: The commands run (or that would run in check mode).
  returned: changed
  type: list
  elements: str
rebooted:
  description: Whether the server was restarted because setup asked for it.
  returned: changed and not check mode
  type: bool
round_trips:
  description: Round trips to the server.
  returned: always
  type: int
"""
