#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pool_health_info
short_description: Tell whether a Skype for Business server may leave service without hurting its pool
description:
  - For a Front End of an Enterprise pool that runs Windows Fabric (three or more Front Ends), reads
    C(Get-CsPoolFabricState -PoolFqdn) (missing replicas), the pool's upgrade readiness
    (C(Get-CsPoolUpgradeReadinessState) on Skype for Business Server 2015, C(Get-CsUpgradeDomainInfo) on
    2019 and later; a C(Busy) answer is read again after O(busy_wait) seconds, at most O(busy_retries)
    times, as Microsoft's upgrade procedure says), which Front Ends run (C(Get-CsWindowsService
    -ComputerName)), and applies the documented quorum table to the pool without this server.
  - Also reads the server's replication state and its maintenance marker (see M(sfb.server.drain)).
  - Standard Edition servers and other roles have no pool quorum; RV(can_take_out) is then true.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  busy_retries:
    description: Reads of the readiness state while it answers C(Busy) (the documented rule is 3).
    type: int
    default: 3
  busy_wait:
    description: Seconds between two reads that answered C(Busy) (the documented rule is 10 minutes).
    type: int
    default: 600
  readiness:
    description: Read the upgrade readiness (set V(false) to skip it, for example on a pool being built).
    type: bool
    default: true
extends_documentation_fragment:
  - sfb.server.info
seealso:
  - module: sfb.server.failover
  - name: Get-CsPoolFabricState
    description: The fabric state cmdlet.
    link: https://learn.microsoft.com/powershell/module/skypeforbusiness/get-cspoolfabricstate
"""

EXAMPLES = r"""
- name: May this server be patched now?
  sfb.server.pool_health_info:
  register: sfb_health

- name: Refuse when it may not
  ansible.builtin.assert:
    that: sfb_health.can_take_out
    fail_msg: "{{ sfb_health.reasons | join('; ') }}"
"""

RETURN = r"""
can_take_out:
  description: Whether the server may leave service now.
  returned: success
  type: bool
reasons:
  description: Why not, one sentence each.
  returned: success
  type: list
  elements: str
server:
  description: The server's FQDN.
  returned: success
  type: str
pool:
  description: The pool's FQDN.
  returned: success
  type: str
product:
  description: 2015, 2019 or SE.
  returned: success
  type: str
version:
  description: The version Get-CsServerVersion reports.
  returned: success
  type: str
edition:
  description: Standard or Enterprise.
  returned: success
  type: str
uses_fabric:
  description: Whether the pool runs Windows Fabric (and has a quorum to keep).
  returned: success
  type: bool
quorum:
  description: The pool's Front Ends, those running, the rule (C(required) of the first C(among_first)), and whether it holds now and without this server.
  returned: success
  type: dict
fabric:
  description: The text of Get-CsPoolFabricState and the missing replicas read from it (null when it does not say).
  returned: success
  type: dict
readiness:
  description: PoolUpgradeState, whether this server's upgrade domain is ReadyforUpgrade, and how many reads it took.
  returned: success
  type: dict
replication:
  description: Whether the server's replica is up to date (Get-CsManagementStoreReplicationStatus).
  returned: success
  type: dict
marker:
  description: The maintenance marker on the server, null when no maintenance is in progress.
  returned: success
  type: dict
in_maintenance:
  description: Whether a maintenance marker is present (an interrupted run left this server half-finished).
  returned: success
  type: bool
"""
