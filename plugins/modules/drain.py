#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: drain
short_description: Prevent new connections to a Skype for Business server and return it to service
description:
  - With O(state=drained), the server (or the services in O(services)) stops taking new connections
    with C(Stop-CsWindowsService -Graceful); existing sessions continue until they end naturally. The
    cmdlet itself waits for them ("control will not be returned until the command has completed"), on
    the server, bounded by O(timeout); the marker, the startup types, the stop and the marker's
    confirmation are one round trip. With O(timeout=0) the stop is sent with C(-NoWait) and O(at_limit)
    applies at once to whatever still runs.
  - Before anything else changes, the module writes a maintenance marker on the server
    (registry value C(HKLM:\SOFTWARE\sfb.server\Maintenance\State)) holding the services' original
    startup types, then sets them to O(startup_type) so that a restart does not re-admit traffic.
    A run interrupted at any point (controller killed, connection lost) leaves the marker; the next
    run of either state reads it and completes or restores the server.
  - With O(state=serving), the startup types remembered in the marker are restored, the services are
    started with C(Start-CsWindowsService) and the marker is cleared (its value set to empty).
  - Warns when the pool does not use DNS load balancing, naming the features that then lose
    connections (Attendant, Conference Announcement, Response Group, Announcement, Call Park).
version_added: 0.1.0
attributes:
  check_mode:
    support: full
    description: The plan is described in C(commands); nothing changes on the server.
  diff_mode:
    support: full
    description: Services' status and startup types, and the marker, before and after.
  platform:
    support: full
    platforms: windows
    description: Runs on Windows servers, and on the twin.
author:
  - sfb.server contributors (!UNKNOWN)
options:
  state:
    description:
      - V(drained) prevents new connections and waits for the sessions to end.
      - V(serving) returns the server to service.
    type: str
    choices: [drained, serving]
    default: drained
  services:
    description:
      - Windows service names to drain, as the Windows services list groups them (for example
        C(RTCSRV) or C(RTCMEDSRV)).
      - Empty means the whole server (every Skype for Business service).
    type: list
    elements: str
    default: []
  timeout:
    description:
      - Seconds to wait for the drained services to stop before O(at_limit) applies.
    type: int
    default: 3600
  poll_interval:
    description:
      - Kept for compatibility; the module no longer polls (the graceful stop waits on the server).
    type: int
    default: 30
  at_limit:
    description:
      - What to do when O(timeout) passes with sessions left.
      - V(fail) leaves the server draining (marker kept) and fails the task.
      - V(stop_anyway) stops the services without waiting, which cuts the remaining sessions.
    type: str
    choices: [fail, stop_anyway]
    default: fail
  startup_type:
    description:
      - Startup type of the drained services during the maintenance. Services already Disabled stay so.
    type: str
    choices: [Manual, Disabled]
    default: Manual
  reason:
    description:
      - Why the server is drained; kept in the marker for the next administrator.
    type: str
    default: maintenance
  dns_load_balancing:
    description:
      - Whether the server's pool uses DNS load balancing. Set V(false) for a pool behind a hardware
        load balancer only, to be warned about the features that cannot be redirected.
    type: bool
    default: true
  check_quorum:
    description:
      - Before the Front-End service (C(RTCSRV)) of a server in a Windows Fabric pool stops taking
        connections, check that the pool's other Front Ends keep the documented quorum without it, and
        refuse otherwise. The check reads each pool member's C(RTCSRV) status.
    type: bool
    default: true
  known_state:
    description:
      - The server's maintenance state as a module of the same cycle returned it, so that it is not read
        again - the C(state) of M(sfb.server.pool_health_info) O(sfb.server.pool_health_info#module:mode=gate)
        before a drain, or this module's RV(server_state) before O(state=serving).
      - Omit it to read the server first (one more round trip).
    type: dict
notes:
  - Supports check mode (the plan is shown in RV(commands), nothing changes) and diff mode.
  - The account needs local administrator rights (C(Set-Service)) and RTCUniversalServerAdmins.
seealso:
  - module: sfb.server.failover
  - module: sfb.server.service_info
  - name: Stop-CsWindowsService
    description: The cmdlet that prevents new connections.
    link: https://learn.microsoft.com/powershell/module/skypeforbusiness/stop-cswindowsservice
"""

EXAMPLES = r"""
- name: Drain the whole server, at most one hour, fail if sessions remain
  sfb.server.drain:
    timeout: 3600

- name: Drain only the Mediation service, stop it anyway after 20 minutes
  sfb.server.drain:
    services: [RTCMEDSRV]
    timeout: 1200
    at_limit: stop_anyway

- name: Return the server to service
  sfb.server.drain:
    state: serving
"""

RETURN = r"""
state:
  description: The state reached.
  returned: success
  type: str
  sample: drained
services:
  description: The services the module acted on.
  returned: success
  type: list
  elements: str
  sample: [RTCSRV]
sessions:
  description: Sessions the drained services carried when the drain started.
  returned: O(state=drained)
  type: int
  sample: 42
sessions_cut:
  description: Sessions cut when O(at_limit=stop_anyway) applied (0 when the drain finished).
  returned: O(state=drained), not in check mode
  type: int
  sample: 0
drain_seconds:
  description: Seconds the module waited for the sessions to end.
  returned: O(state=drained), not in check mode
  type: int
  sample: 1320
startup_types:
  description: The startup types to restore (drained) or restored (serving), per service.
  returned: success
  type: dict
  sample: {RTCSRV: Automatic}
marker:
  description: The maintenance marker on the server after the task; null once returned to service.
  returned: success
  type: dict
server_state:
  description: What the drain left (services' status, startup types, marker), for O(known_state) of the serve step.
  returned: O(state=drained), not in check mode
  type: dict
commands:
  description: The commands run (or, in check mode, that would run).
  returned: always
  type: list
  elements: str
round_trips:
  description: Round trips made to the server.
  returned: always
  type: int
"""
