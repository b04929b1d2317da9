#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: failover
short_description: Fail a Front End server over to the rest of its pool, or fail it back
description:
  - V(failed_over) runs C(Invoke-CsComputerFailOver -ComputerName <this server>), which migrates the
    server's users and data, drains its conferences and sessions, then stops and disables its
    services so that a restart does not start them.
  - V(active) runs C(Invoke-CsComputerFailBack), which marks the server available again and starts
    its services.
  - Microsoft's procedure, OfficeDocs-SkypeForBusiness
    C(Skype/SfbServer/manage/topology/patch-or-update-front-end-servers.md), uses the failover alone,
    no graceful stop before it.
  - The maintenance marker on the server (see M(sfb.server.drain)) gets C(failing_over) before the
    cmdlet and C(failed_over) after it, in the same plan, so a failover that fails or is interrupted is
    never taken as done, and the next run fails the server over again before it is patched.
  - Refused for a server outside an Enterprise Front End pool (Standard Edition, Director, Edge ...).
version_added: 0.1.0
attributes:
  check_mode:
    support: full
    description: The failover or failback command is described; nothing changes.
  diff_mode:
    support: full
    description: Whether the server is failed over, before and after.
  platform:
    support: full
    platforms: windows
    description: Runs on Windows servers, and on the twin.
author:
  - sfb.server contributors (!UNKNOWN)
options:
  state:
    description: V(failed_over) takes the server out of its pool, V(active) brings it back.
    type: str
    choices: [failed_over, active]
    default: failed_over
  wait_time:
    description:
      - Seconds the cmdlet may take (C(-WaitTime)); when exceeded the cmdlet fails and takes no action.
    type: int
    default: 3600
  draining_timeout:
    description:
      - Seconds after which the failover ends the remaining conferences and sessions and stops the
        services (C(-DrainingTimeout)). Unset, the failover waits for them up to O(wait_time).
      - Must not be longer than O(wait_time) (refused before anything is read).
    type: int
  known_state:
    description:
      - The server's maintenance state as M(sfb.server.pool_health_info) (RV(sfb.server.pool_health_info#module:state))
        or another maintenance module of the same cycle (RV(state)) returned it; saves a round trip.
        Unset, the module reads it.
    type: dict
  reason:
    description: Why; kept in the marker.
    type: str
    default: maintenance
notes:
  - Supports check mode and diff mode.
  - Check the pool first with M(sfb.server.pool_health_info); the cmdlet itself refuses a failover
    the pool cannot absorb.
seealso:
  - module: sfb.server.pool_health_info
  - module: sfb.server.drain
  - name: Invoke-CsComputerFailOver
    description: The cmdlet behind V(failed_over).
    link: https://learn.microsoft.com/powershell/module/skypeforbusiness/invoke-cscomputerfailover
"""

EXAMPLES = r"""
- name: Move this Front End's users to the rest of the pool
  sfb.server.failover:
    state: failed_over
    wait_time: 3600

- name: Return it to the pool
  sfb.server.failover:
    state: active
"""

RETURN = r"""
computer:
  description: The server's FQDN as the topology knows it.
  returned: success
  type: str
  sample: fe01.contoso.com
failed_over:
  description: Whether the server is failed over after the task.
  returned: success
  type: bool
seconds:
  description: Seconds the change took.
  returned: when changed
  type: int
marker:
  description: The maintenance marker after the task.
  returned: success
  type: dict
state:
  description: The server's maintenance state after the task, to hand to the next module of the cycle.
  returned: success
  type: dict
commands:
  description: The commands run (or that would run in check mode).
  returned: always
  type: list
  elements: str
"""
