#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cce_info
short_description: Report the versions, directories and update mode of a Cloud Connector appliance
description:
  - Runs on a Skype for Business Cloud Connector Edition (CCE) appliance host.
  - Reads the script, running and backup versions with C(Get-CcVersion -VersionType RunningScripts),
    C(RunningBits) and C(BackupBits) (2.0 and later); before 2.0, where C(Get-CcVersion) does not
    exist, the running version comes from C(Get-CcRunningVersion).
  - Reads the site and appliance directories (C(Get-CcSiteDirectory), C(Get-CcApplianceDirectory)) and,
    from 2.1, the appliance status (C(Get-CcApplianceStatus)).
  - Warns when the running version differs from the script version; the troubleshooting guide says
    there is no High Availability support in that state.
  - The tenant side (each site's C(EnableAutoUpdate), whether an appliance is in maintenance or in the
    HA set) is read by M(sfb.server.cce_tenant_info) in the tenant session.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options: {}
extends_documentation_fragment:
  - sfb.server.info
notes:
  - The documented return type of C(Get-CcVersion) and C(Get-CcApplianceStatus) is not an object with
    named properties; the module reports the text they write to the output stream.
  - RV(appliance.update_mode) is the mode M(sfb.server.cce_update_mode) recorded on the host (registry key
    C(HKLM:\SOFTWARE\sfb.server\CloudConnector)); neither CCE cmdlet reports it.
seealso:
  - module: sfb.server.cce_update_mode
  - module: sfb.server.cce_tenant_info
"""

EXAMPLES = r"""
- name: Read the appliance's versions
  sfb.server.cce_info:
  register: cce

- name: Stop when the appliance runs an older version than its scripts (no HA support)
  ansible.builtin.assert:
    that: cce.appliance.ha_supported
"""

RETURN = r"""
appliance:
  description: What the appliance reported.
  returned: success
  type: dict
  contains:
    script_version:
      description: C(Get-CcVersion -VersionType RunningScripts); null before 2.0.
      type: str
      sample: 2.1.0
    running_version:
      description: C(Get-CcVersion -VersionType RunningBits), or C(Get-CcRunningVersion) before 2.0.
      type: str
      sample: 2.1.0
    backup_version:
      description: C(Get-CcVersion -VersionType BackupBits); null when there is none or before 2.0.
      type: str
      sample: 2.0.1
    version:
      description: The version the module acts on (the script version, else the running version).
      type: str
      sample: 2.1.0
    site_directory:
      description: C(Get-CcSiteDirectory).
      type: str
      sample: \\cce01\CceSite
    appliance_directory:
      description: C(Get-CcApplianceDirectory).
      type: str
      sample: C:\CCE\ApplianceRoot
    appliance_status:
      description: What C(Get-CcApplianceStatus) returned (2.1 and later), as returned.
      type: list
      elements: raw
    update_mode:
      description: Whether the collection put the appliance in update mode and has not taken it out.
      type: bool
    ha_supported:
      description: False when the running and script versions differ.
      type: bool
    certificate_cmdlets:
      description: The renewal cmdlets of the installed version.
      type: dict
      sample: {server: Update-CcServerCertificate, ca: Update-CcCACertificate}
problems:
  description: Problems the module found (versions differ, empty running version ...); Ansible also shows them as warnings.
  returned: success
  type: list
  elements: str
"""
