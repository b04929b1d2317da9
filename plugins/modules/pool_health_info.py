#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: pool_health_info
short_description: Tell whether a Skype for Business server may leave service without hurting its pool
description:
  - V(gate) (the default) and V(preflight) read the server (product, topology, services, maintenance marker,
    optionally C(Get-CsServerPatchVersion) and C(Test-Path) of a cumulative update) in one round trip, then,
    for a Front End of an Enterprise pool of any size (two included), its pool in one more round trip,
    C(Get-CsPoolFabricState -PoolFqdn) (missing replicas), the upgrade readiness
    (C(Get-CsPoolUpgradeReadinessState) on 2015, C(Get-CsUpgradeDomainInfo) on 2019 and later; V(gate) only)
    and every member's Front-End service (C(Get-CsWindowsService -ComputerName)); a member that does not
    answer costs one more round trip and counts as down. The documented quorum table is applied to the pool
    without this server.
  - A C(Busy) readiness is read again after O(busy_wait) seconds, at most O(busy_retries) times; still
    C(Busy), or C(InsufficientActiveFrontEnds), and RV(can_take_out) is false. Missing replicas point to
    C(Reset-CsPoolRegistrarState -PoolFqdn <pool> -ResetType QuorumLossRecovery).
  - Fails closed, before anything changes, on bad input - an unreachable cumulative update (O(cu_path)), a
    cumulative update older than the installed version (O(cu_version)), an Enterprise pool of two Front Ends
    on 2019 - and on output it cannot read (unless O(accept_unreadable_fabric) or
    O(accept_unreadable_readiness) accepts the risk).
  - V(verify) polls, after the server is back, its services, its version (O(cu_version)), its replica
    (C(Get-CsManagementStoreReplicationStatus)) and, for a Front End, the readiness and the fabric against the
    gate's reading, every O(poll_interval) seconds for at most O(verify_timeout) seconds; then waits O(settle)
    seconds.
  - Standard Edition servers and other roles have no pool quorum; RV(can_take_out) is then true.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  mode:
    description: V(gate) before a server leaves service, V(preflight) before a rollout, V(verify) after.
    type: str
    choices: [preflight, gate, verify]
    default: gate
  cu_version:
    description: The version a cumulative update brings; reads C(Get-CsServerPatchVersion) and returns RV(cu).
    type: str
  cu_path:
    description: Full path of C(SkypeServerUpdateInstaller.exe); V(preflight) and V(gate) refuse it when the server cannot reach it.
    type: str
  accept_unreadable_fabric:
    description: Go on when C(Get-CsPoolFabricState)'s text says nothing readable of missing replicas (a warning instead).
    type: bool
    default: false
  accept_unreadable_readiness:
    description: Go on when the readiness object's upgrade domains cannot be read (the pool-level state alone decides).
    type: bool
    default: false
  gate:
    description: With V(verify), the result of V(gate) for the same server.
    type: dict
  verify_timeout:
    description: With V(verify), seconds to poll before failing.
    type: int
    default: 300
  poll_interval:
    description: With V(verify), seconds between two polls.
    type: int
    default: 30
  settle:
    description: With V(verify), seconds to wait once healthy, an administrator's margin (Microsoft's pages name no wait between servers).
    type: int
    default: 0
  busy_retries:
    description: Reads of the readiness state while it answers C(Busy) (the documented rule is 3).
    type: int
    default: 3
  busy_wait:
    description: Seconds between two reads that answered C(Busy) (the documented rule is 10 minutes).
    type: int
    default: 600
  readiness:
    description: Read the upgrade readiness in V(gate) (set V(false) to skip it, for example on a pool being built).
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
uses_failover:
  description: Whether the server follows the Front End procedure (failover; an Enterprise Front End pool of any size).
  returned: success
  type: bool
procedure:
  description: C(front_end_failover), C(standard_edition) or C(graceful_drain).
  returned: success
  type: str
state:
  description:
    - The server's maintenance state, to hand to M(sfb.server.failover) and M(sfb.server.cumulative_update)
      (O(sfb.server.failover#module:known_state)).
  returned: success
  type: dict
down:
  description: The pool's Front Ends whose Front-End service does not run (or that did not answer).
  returned: success
  type: list
  elements: str
patch_version:
  description: The version Get-CsServerPatchVersion reports for the Core Components, with O(cu_version).
  returned: success
  type: str
cu:
  description: With O(cu_version), C(install) or C(at_target).
  returned: success
  type: str
healthy:
  description: With V(verify), the server passed every check.
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
  returned: with V(verify)
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
