# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.local_store: Deployment Wizard step 1, the local configuration store, checked by replication.

"Install Skype for Business Server on servers in the topology" (OfficeDocs-SkypeForBusiness,
Skype/SfbServer/deploy/install/install-skype-for-business-server.md), step 1: the local configuration
store is "a read-only copy of the Central Management Store"; SQL Server Express is installed for it
(RTCLocal, a DPAPI-bound step: the module needs become). The wizard's commands are not documented;
the documented manual route is the one of the Export-CsConfiguration / Import-CsConfiguration pages
(office-docs-powershell): export the configuration to a .zip, import it with -LocalStore, then
Enable-CsReplica ("adds the local computer to the replication path") and start the Replica
Replicator Agent so that replication keeps the copy current; the outcome is then read with
Get-CsManagementStoreReplicationStatus (UpToDate), not trusted.

An Edge Server (Deploy Edge Servers, deploy-edge-server/deploy-edge-servers.md: "Import from a file
(Recommended for Edge Servers)") takes the exported file copied onto it (source=file), and its
replication is checked from an internal server (state=replicated there, replica_fqdn the Edge).
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import deployment as dep
from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument, SfbError, WaitTimedOut
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan


def status_call(fqdn: str) -> CmdletCall:
    return CmdletCall("Get-CsManagementStoreReplicationStatus", {"ReplicaFqdn": fqdn},
                      select=("ReplicaFqdn", "UpToDate", "LastStatusReport", "LastUpdateCreation", "ProductVersion"))


def up_to_date(states: list[dict]) -> bool:
    return bool(states) and all(s.get("UpToDate") is True or str(s.get("UpToDate")).lower() == "true" for s in states)


def export_call(configuration_file: str) -> CmdletCall:
    # Export-CsConfiguration page, example 1: Export-CsConfiguration -FileName "C:\Config.zip".
    return CmdletCall("Export-CsConfiguration", {"FileName": configuration_file, "Force": True})


def plan_for(source: str, configuration_file: str) -> Plan:
    """Step 1 in the documented order: (export), import into the local store, join the replication
    path, start the replica agent. Enable-CsReplica is sent whenever the replica is not up to date: a
    replica that is listed but stale may still be missing from the replication path."""
    steps = []
    if source == "cms":
        steps.append(export_call(configuration_file))
    steps.append(CmdletCall("Import-CsConfiguration", {"FileName": configuration_file, "LocalStore": True}))
    steps.append(CmdletCall("Enable-CsReplica"))
    steps.append(CmdletCall("Start-CsWindowsService", {"Name": dep.REPLICA_SERVICE}))
    return Plan.of(*steps)


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "state": {"type": "str", "choices": ["present", "exported", "replicated"], "default": "present"},
        "source": {"type": "str", "choices": ["cms", "file"], "default": "cms"},
        "configuration_file": {"type": "str", "default": dep.DEFAULT_CONFIGURATION_FILE},
        "server_fqdn": {"type": "str"},
        "replica_fqdn": {"type": "str"},
        "replication_timeout": {"type": "int", "default": 900},
        "poll_interval": {"type": "int", "default": 30},
    }
    INPUT_CHECKS = {"configuration_file": inputs.windows_path, "server_fqdn": inputs.fqdn, "replica_fqdn": inputs.fqdn,
                    "replication_timeout": inputs.duration, "poll_interval": inputs.duration}

    def execute(self, host, args, task_vars):
        fqdn = (args["server_fqdn"] or str(task_vars.get("inventory_hostname", ""))).lower()
        if not args["configuration_file"]:
            raise InvalidArgument("configuration_file is empty.", hint="Give the path of the exported .zip file.")
        if args["state"] == "exported":
            return self._export(host, args)
        if args["state"] == "replicated":
            replica = (args["replica_fqdn"] or fqdn).lower()
            return self._wait(host, args, replica, {"changed": False, "server_fqdn": replica, "checked_from": fqdn})
        # SQL Server Express for the local store protects its secrets with DPAPI.
        self.require_become(host.name, "step 1 installs SQL Server Express for the local configuration store")
        before = host.read(status_call(fqdn)).output(0) if args["source"] == "cms" else []
        if up_to_date(before):
            return {"changed": False, "replica": before[0], "server_fqdn": fqdn}
        if args["source"] == "file":
            # Whether a file-fed replica (Edge) is current can only be read from an internal server, so
            # the local marker is the Replica Replicator Agent running (ASSUMPTION, docs/assumptions.md).
            present = host.run(Plan.of(
                CmdletCall("Test-Path", {"Path": args["configuration_file"]}),
                CmdletCall("Get-Service", {"Name": dep.REPLICA_SERVICE}, select=("Name", "Status"))))
            if not present.results or not present.results[0].ok:
                present.raise_for_failure()
            agent = present.output(1) if len(present.results) > 1 and present.results[1].ok else []
            if agent and str(agent[0].get("Status")) == "Running":
                return {"changed": False, "server_fqdn": fqdn, "replication_check": "internal"}
            if not (present.output(0) and present.output(0)[0] in (True, "True", "true")):
                raise SfbError(f"{host.name}: the exported configuration {args['configuration_file']} is not on the server.",
                               hint="Export it on an internal server (local_store state=exported, or "
                               "Export-CsConfiguration -FileName) and copy the .zip to this Edge Server (Deploy Edge "
                               "Servers: 'Access the external media you placed that configuration file on').")
        plan = plan_for(args["source"], args["configuration_file"])
        result = self.converge(host, plan, {"replica": before[0] if before else None},
                               {"replica": {"ReplicaFqdn": fqdn, "UpToDate": True}})
        result["server_fqdn"] = fqdn
        if self.check_mode:
            return result
        if args["source"] == "file":
            result["replication_check"] = "internal"  # the role runs state=replicated on an internal server
            return result
        return self._wait(host, args, fqdn, result)

    def _export(self, host, args) -> dict:
        plan = Plan.of(export_call(args["configuration_file"]))
        present = host.read(CmdletCall("Test-Path", {"Path": args["configuration_file"]})).output(0)
        if present and present[0] in (True, "True", "true"):
            return {"changed": False, "configuration_file": args["configuration_file"]}
        result = self.converge(host, plan, {"configuration_file": None},
                               {"configuration_file": args["configuration_file"]})
        result["configuration_file"] = args["configuration_file"]
        return result

    def _wait(self, host, args, fqdn: str, result: dict) -> dict:
        if self.check_mode and result.get("changed"):
            return result
        try:
            states = host.wait_until(lambda: host.read(status_call(fqdn)).output(0), up_to_date,
                                     args["replication_timeout"], args["poll_interval"],
                                     f"the local configuration store of {fqdn} to be up to date")
        except WaitTimedOut as exc:
            raise SfbError(
                f"{host.name}: Get-CsManagementStoreReplicationStatus does not report the replica {fqdn} up to "
                f"date after {args['replication_timeout']} seconds.",
                hint="Check the Replica Replicator Agent service (RTCREPLICA) on the replica and that the Central "
                "Management store can reach it (for an Edge Server: HTTPS 4443 from the internal servers); import "
                "the exported file again on an Edge Server. Then run again: step 1 resumes where it stopped.",
                last_answer=exc.details.get("last_answer")) from None
        result["replica"] = states[0]
        return result
