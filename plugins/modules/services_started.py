#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: services_started
short_description: Deployment Wizard step 4 - start the services and check that they really run
description:
  - For an Enterprise Edition Front End pool of three or more servers (Windows Fabric) runs C(Start-CsPool)
    once for the pool - run the task on one server of the pool; otherwise C(Start-CsWindowsService) on the server.
  - Before a pool start, checks that enough servers finished steps 1-3 (O(ready_servers)) for the documented
    first-start table (about 85% of the pool); the others are skipped (C(-SkipServer)).
  - Checks that the Windows Firewall service runs (seed 002 - it must the first time services start).
  - Then reads the real service states (C(Get-CsWindowsService), per pool member) until all are Running or
    O(timeout) passes, and fails naming every service that did not get there.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  ready_servers:
    description:
      - FQDNs of the pool's servers that finished steps 1-3. Defaults to every server of the pool.
    type: list
    elements: str
  timeout:
    description:
      - Seconds to wait for every service to be Running.
    type: int
    default: 900
  poll_interval:
    description:
      - Seconds between two reads of the services.
    type: int
    default: 15
notes:
  - Reading the services of the other pool members uses C(Get-CsWindowsService -ComputerName), which needs the
    run account to administer them.
extends_documentation_fragment:
  - sfb.server.change
"""

EXAMPLES = r"""
- name: Step 4 on the first server of each pool
  sfb.server.services_started:
    ready_servers: "{{ groups['sfb_pool01'] }}"
  when: inventory_hostname == groups['sfb_pool01'][0]
"""

RETURN = r"""
pool:
  description: The pool.
  returned: success
  type: str
uses_fabric:
  description: Whether the pool was started with Start-CsPool.
  returned: success
  type: bool
servers:
  description: The servers whose services were checked.
  returned: success
  type: list
  elements: str
skipped:
  description: Pool servers left out of Start-CsPool because they had not finished steps 1-3.
  returned: changed
  type: list
  elements: str
services:
  description: Per server, each service's status after the step.
  returned: success
  type: dict
not_running:
  description: Per server, the services that are not Running.
  returned: always
  type: dict
commands:
  description: The start command run (or that would run in check mode).
  returned: changed
  type: list
  elements: str
round_trips:
  description: Round trips (reads, one start, one read per poll).
  returned: always
  type: int
"""
