#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: service_info
short_description: Report the Skype for Business Server services of a server
description:
  - Reads the Skype for Business Server Windows services of the target server with
    C(Get-CsWindowsService) in one round trip and reports each one's name, status, activity level
    and roles.
  - The activity level counts the sessions a service still carries; a drained server reports zero.
  - Works on real servers (WinRM, PSRP, SSH with PowerShell) and on the twin
    (C(ansible_connection=sfb.server.twin)).
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  name:
    description:
      - Windows service names to report, for example C(RTCSRV) or C(RTCMEDSRV).
      - All Skype for Business Server services of the server when empty.
      - A name the server does not have fails the task.
    type: list
    elements: str
    default: []
  activity_level:
    description:
      - Read each service's activity level (sessions and connections).
      - Set to C(false) for a faster read that only needs the status (C(-ExcludeActivityLevel)).
    type: bool
    default: true
extends_documentation_fragment:
  - sfb.server.info
notes:
  - The account needs to be a member of RTCUniversalServerAdmins (or a role that may run
    C(Get-CsWindowsService)).
seealso:
  - module: sfb.server.server_info
  - name: Get-CsWindowsService
    description: The cmdlet this module runs.
    link: https://learn.microsoft.com/powershell/module/skypeforbusiness/get-cswindowsservice
"""

EXAMPLES = r"""
- name: Read every Skype for Business service of the server
  sfb.server.service_info:
  register: sfb_services

- name: Fail when a Front End service is not running
  ansible.builtin.assert:
    that: sfb_services.running
    fail_msg: "Not running: {{ sfb_services.services | rejectattr('status', 'eq', 'Running') | map(attribute='name') | join(', ') }}"

- name: How many sessions does the Front-End service still carry?
  sfb.server.service_info:
    name: [RTCSRV]
  register: front_end

- name: Quick status read without activity levels
  sfb.server.service_info:
    activity_level: false
"""

RETURN = r"""
services:
  description: One entry per service, in the order the server reports them.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: Windows service name.
      type: str
      sample: RTCSRV
    display_name:
      description: Windows service display name.
      type: str
      sample: Skype for Business Server Front-End
    status:
      description: Windows service status (Running, Stopped, StopPending ...).
      type: str
      sample: Running
    activity_level:
      description: The activity level text the cmdlet reports; empty when not read or not applicable.
      type: str
      sample: Active Connections=12
    sessions:
      description: The sum of the counters in O(activity_level).
      type: int
      sample: 12
    roles:
      description: The Skype for Business roles the service belongs to (the cmdlet's C(RoleName)).
      type: list
      elements: str
      sample: [Registrar]
sessions:
  description: Sessions carried by all reported services together.
  returned: success
  type: int
  sample: 12
running:
  description: Whether every reported service is Running.
  returned: success
  type: bool
  sample: true
round_trips:
  description: Round trips made to the server (always 1 for this module).
  returned: always
  type: int
  sample: 1
"""
