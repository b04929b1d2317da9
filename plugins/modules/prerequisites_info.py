#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: prerequisites_info
short_description: List what a server lacks before Skype for Business Server can be deployed on it
description:
  - Checks the prerequisites of the Deployment Wizard (seed 002) and returns one list of what is
    missing, each entry with how to fix it.
  - The run account must be a local administrator (directly or through a domain group) and a member
    of C(RTCUniversalServerAdmins); the Windows Firewall service (C(MpsSvc)) must be running; Windows
    must be up to date; the drive of O(install_path) must exist (any drive, not only the system
    drive); once the core components are installed, the server must be in the published topology.
  - Reads with C(Get-LocalGroupMember), C(Get-ADGroupMember -Recursive), C(Get-Service),
    C(Get-ItemProperty) (uninstall entries), C(Get-PSDrive) and, when needed, C(Get-CsComputer);
    searches Windows updates with M(ansible.windows.win_updates) (C(state=searched)).
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  run_account:
    description:
      - The account the deployment runs as, C(DOMAIN\\user). Defaults to the connection's C(ansible_user).
    type: str
  install_path:
    description:
      - The folder Skype for Business Server will be installed in; its drive must exist.
    type: str
  min_free_gb:
    description:
      - Free space, in GB, the drive of O(install_path) must have. No free-space check when unset.
    type: float
  check_updates:
    description:
      - Search for pending Windows updates (one more round trip).
    type: bool
    default: true
  update_categories:
    description:
      - Update categories that count as pending.
    type: list
    elements: str
    default: [CriticalUpdates, SecurityUpdates, UpdateRollups]
  fail_on_missing:
    description:
      - Fail the task when something is missing (the list is in C(error.missing)); with V(false) only report.
    type: bool
    default: true
extends_documentation_fragment:
  - sfb.server.info
notes:
  - Membership of C(RTCUniversalServerAdmins) is read with the ActiveDirectory module (RSAT-ADDS, itself a
    Skype for Business Server prerequisite). A new membership needs a new logon before it counts.
seealso:
  - module: sfb.server.core_components
  - module: sfb.server.windows_update
"""

EXAMPLES = r"""
- name: Check the prerequisites of the deployment
  sfb.server.prerequisites_info:
    run_account: CONTOSO\sfbadmin
    install_path: E:\Program Files\Skype for Business Server 2019
    min_free_gb: 32
"""

RETURN = r"""
ready:
  description: Whether every prerequisite is met.
  returned: success
  type: bool
missing:
  description: What is missing, each with C(check), C(problem) and C(fix).
  returned: success
  type: list
  elements: dict
  sample: [{check: windows_firewall, problem: "The Windows Firewall service (MpsSvc) is Stopped.", fix: "Start it ..."}]
checks:
  description: The raw answers behind the verdict (membership, firewall status, pending updates, product, drives).
  returned: success
  type: dict
round_trips:
  description: Round trips to the server (1 or 2 reads, plus 1 update search).
  returned: always
  type: int
"""
