# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.local_store: Deployment Wizard step 1, the local configuration store, checked by replication.

Microsoft does not document which commands step 1 runs (sfb_facts 10). This module reaches its
documented outcome (a read-only copy of the Central Management store, kept by replication) with
documented cmdlets: Enable-CsReplica ("adds the local computer to the replication path") and
Invoke-CsManagementStoreReplication, or Import-CsConfiguration -LocalStore from a file made with
Export-CsConfiguration for servers that cannot reach the store (Edge). It then waits until
Get-CsManagementStoreReplicationStatus reports the replica UpToDate, rather than trusting the step.
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError, WaitTimedOut
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan


def status_call(fqdn: str) -> CmdletCall:
    return CmdletCall("Get-CsManagementStoreReplicationStatus", {"ReplicaFqdn": fqdn},
                      select=("ReplicaFqdn", "UpToDate", "LastStatusReport", "LastUpdateCreation", "ProductVersion"))


def up_to_date(states: list[dict]) -> bool:
    return bool(states) and all(s.get("UpToDate") is True or str(s.get("UpToDate")).lower() == "true" for s in states)


def plan_for(source: str, fqdn: str, configuration_file: str | None) -> Plan:
    # Enable-CsReplica is sent whenever the replica is not up to date: a replica that is listed but
    # stale may still be missing from the replication path, and enabling it again changes nothing else.
    steps = []
    if source == "file":
        steps.append(CmdletCall("Import-CsConfiguration", {"FileName": configuration_file, "LocalStore": True}))
    steps.append(CmdletCall("Enable-CsReplica"))
    if source == "cms":
        steps.append(CmdletCall("Invoke-CsManagementStoreReplication", {"ReplicaFqdn": fqdn}))
    return Plan.of(*steps)


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "source": {"type": "str", "choices": ["cms", "file"], "default": "cms"},
        "configuration_file": {"type": "str"},
        "server_fqdn": {"type": "str"},
        "replication_timeout": {"type": "int", "default": 900},
        "poll_interval": {"type": "int", "default": 30},
    }
    REQUIRED_IF = [["source", "file", ["configuration_file"]]]

    def execute(self, host, args, task_vars):
        fqdn = (args["server_fqdn"] or str(task_vars.get("inventory_hostname", ""))).lower()
        before = host.read(status_call(fqdn)).output(0)
        if up_to_date(before):
            return {"changed": False, "replica": before[0], "server_fqdn": fqdn}
        plan = plan_for(args["source"], fqdn, args["configuration_file"])
        result = self.converge(host, plan, {"replica": before[0] if before else None},
                               {"replica": {"ReplicaFqdn": fqdn, "UpToDate": True}})
        result["server_fqdn"] = fqdn
        if self.check_mode:
            return result
        try:
            states = host.wait_until(lambda: host.read(status_call(fqdn)).output(0), up_to_date,
                                     args["replication_timeout"], args["poll_interval"],
                                     f"the local configuration store of {fqdn} to be up to date")
        except WaitTimedOut as exc:
            raise SfbError(
                f"{host.name}: step 1 ran, but Get-CsManagementStoreReplicationStatus does not report the "
                f"replica {fqdn} up to date after {args['replication_timeout']} seconds.",
                hint="Check the Replica Replicator Agent service (RTCREPLICA) and that the Central Management "
                "store can reach the server (SMB 445 from the CMS, or re-import the exported file on Edge).",
                last_answer=exc.details.get("last_answer")) from None
        result["replica"] = states[0]
        return result
