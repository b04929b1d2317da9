# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.pool_health_info: may this server leave service without hurting its pool, and is it healthy
again afterwards? Changes nothing.

mode=preflight and mode=gate read the server's maintenance state and its pool's state once each
(plugin_utils/state/pool.py) in the order of Microsoft's procedures:
- OfficeDocs-SkypeForBusiness Skype/SfbServer/manage/topology/patch-or-update-front-end-servers.md:
  Get-CsPoolFabricState -PoolFqdn; missing replicas -> Reset-CsPoolRegistrarState -ResetType
  QuorumLossRecovery before any patch;
- Lync/LyncServer/lync-server-2013-upgrade-or-update-front-end-servers.md (readiness): Busy -> wait
  10 minutes and read again; Busy three times in a row, or InsufficientActiveFrontEnds -> stop;
- Skype/SfbServer/plan-your-deployment/high-availability-and-disaster-recovery/high-availability.md:
  the quorum table applied to the pool without this server.
The gate adds the readiness reads; the preflight leaves them to the gate of each server.

mode=verify runs after the server is back (failback or return to service): its services run, the
readiness is Ready again, the fabric shows no more missing replicas than before, the server's
replica is up to date (Get-CsManagementStoreReplicationStatus), polled every poll_interval seconds
for at most verify_timeout seconds rather than read once; then it waits `settle` seconds, a margin the
administrator may ask for (neither upgrade page's text names a wait between servers: the readiness the
next server's gate reads is what the Lync 2013 page asks for).
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs, maintenance
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError, WaitTimedOut
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall
from ansible_collections.sfb.server.plugins.plugin_utils.state import pool as pool_state

MODES = ("preflight", "gate", "verify")


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "mode": {"type": "str", "choices": list(MODES), "default": "gate"},
        "readiness": {"type": "bool", "default": True},
        "busy_retries": {"type": "int", "default": 3},
        "busy_wait": {"type": "int", "default": 600},
        "cu_version": {"type": "str"},
        "cu_path": {"type": "str"},
        "accept_unreadable_fabric": {"type": "bool", "default": False},
        "accept_unreadable_readiness": {"type": "bool", "default": False},
        "gate": {"type": "dict"},
        "verify_timeout": {"type": "int", "default": 300},
        "poll_interval": {"type": "int", "default": 30},
        "settle": {"type": "int", "default": 0},
    }
    INPUT_CHECKS = {"busy_retries": inputs.at_least(1, "a whole number"), "busy_wait": inputs.at_least(0),
                    "verify_timeout": inputs.at_least(0), "poll_interval": inputs.at_least(1),
                    "settle": inputs.at_least(0)}

    def execute(self, host, args, task_vars):
        if args["mode"] == "verify":
            return self._verify(host, args)
        server = pool_state.read_server(host, patch_version=bool(args["cu_version"]), cu_path=args["cu_path"])
        if args["cu_path"] and not server.cu_path_exists:
            # Bad input, refused before any server is touched.
            raise SfbError(f"{server.fqdn} cannot reach the cumulative update at {args['cu_path']} (Test-Path: False). "
                           "Nothing was changed.",
                           hint="Put SkypeServerUpdateInstaller.exe on a share every server can read (or copy it to the "
                           "same local path on each), and give that path in rolling_patch_cu_path.")
        if args["cu_version"] and server.patch_version:
            # A CU older than the installed version is bad input: refused before anything changes.
            decision = maintenance.cu_decision(server.patch_version, args["cu_version"], server.fqdn)
        else:
            decision = None
        pool = pool_state.read_pool(
            host, server, readiness=args["readiness"] and args["mode"] == "gate",
            busy_retries=args["busy_retries"], busy_wait=args["busy_wait"],
            accept_unreadable_fabric=args["accept_unreadable_fabric"],
            accept_unreadable_readiness=args["accept_unreadable_readiness"])
        reasons = pool.reasons()
        marker = server.marker.marker
        place = server.placement
        result = {
            "changed": False,
            "server": place.fqdn,
            "pool": place.pool,
            "pool_servers": list(place.pool_servers),
            "product": server.product.key,
            "version": server.version,
            "patch_version": server.patch_version,
            "cu": decision,
            "edition": place.edition,
            "roles": list(place.roles),
            "procedure": server.procedure,
            "uses_failover": server.procedure == maintenance.FRONT_END_FAILOVER,
            "marker": marker.to_result() if marker else None,
            "in_maintenance": marker is not None,
            "state": server.to_result(),
            "services": server.service_status(),
            "members": pool.members,
            "down": pool.down,
            "quorum": pool.verdict.to_result() if pool.verdict else None,
            "fabric": pool.fabric.to_result() if pool.fabric else None,
            "readiness": pool.readiness.to_result() if pool.readiness else None,
            "can_take_out": not reasons,
            "reasons": reasons,
        }
        if pool.fabric is not None and pool.fabric.missing_replicas is None:
            result["warnings"] = ["Get-CsPoolFabricState's answer could not be read and was accepted "
                                  "(accept_unreadable_fabric): read it in `fabric.text` yourself."]
        return result

    def _verify(self, host, args):
        gate = args["gate"]
        if not gate or not gate.get("server") or not gate.get("pool"):
            raise SfbError("mode=verify needs gate: the result of this module's mode=gate for the same server.")
        last: dict = {}

        def probe():
            last.clear()
            last.update(self._health(host, args, gate))
            return last

        try:
            host.wait_until(probe, lambda r: not r["problems"], args["verify_timeout"], args["poll_interval"],
                            "the server to be healthy again")
        except WaitTimedOut:
            raise SfbError(
                f"{gate['server']} is back in service but not healthy after {args['verify_timeout']} seconds: "
                f"{'; '.join(last['problems'])}.",
                hint="Read the server's Lync Server event log. The server is in service (failed back, marker "
                "cleared); the rollout does not go on to the next server of this pool until you run the playbook "
                "again.", health=dict(last)) from None
        if args["settle"]:
            # The administrator's own margin (rolling_patch_settle); no page asks for it.
            host.sleep(args["settle"])
        return {"changed": False, "healthy": True, **last, "settled_seconds": args["settle"]}

    @staticmethod
    def _health(host, args, gate) -> dict:
        """One plan per poll: services, patch version, readiness and fabric (Front Ends of an Enterprise
        pool), the server's replica."""
        failover = gate.get("procedure") == maintenance.FRONT_END_FAILOVER
        reads = [("services", pool_state.SERVICES)]
        if args["cu_version"]:
            reads.append(("patch_version", pool_state.PATCH_VERSION))
        reads.append(("replication", CmdletCall("Get-CsManagementStoreReplicationStatus",
                                                {"ReplicaFqdn": gate["server"]},
                                                select=pool_state.REPLICATION_PROPERTIES)))
        if failover:
            reads += [("fabric", pool_state.fabric_call(gate["pool"])),
                      ("readiness", pool_state.readiness_call(gate["product"]))]
        answers = pool_state.NamedReads(reads).run(host)
        problems = []
        for name, _call in reads:
            result = answers.get(name)
            if result is not None and not result.ok:
                problems.append(f"{_call.describe()} failed: {result.error.message if result.error else 'no answer'}")
        services = {}
        if answers.get("services") is not None and answers["services"].ok:
            services = {str(o.get("Name")): str(o.get("Status")) for o in answers["services"].output}
        stopped = sorted(n for n, s in services.items() if s != "Running")
        if stopped:
            problems.append(f"services not running: {', '.join(stopped)}")
        patch = None
        if args["cu_version"] and answers.get("patch_version") is not None and answers["patch_version"].ok:
            patch = maintenance.core_version(list(answers["patch_version"].output))
            if maintenance.parse_version(patch) != maintenance.parse_version(args["cu_version"]):
                problems.append(f"Get-CsServerPatchVersion says {patch}, not {args['cu_version']}")
        up_to_date = None
        replication = answers.get("replication")
        if replication is not None and replication.ok and replication.output:
            up_to_date = str(replication.output[0].get("UpToDate")).lower() == "true"
            if not up_to_date:
                problems.append("Get-CsManagementStoreReplicationStatus: the server's replica is not UpToDate")
        health = {"services": services, "patch_version": patch, "replication": {"up_to_date": up_to_date}}
        if failover and answers.get("fabric") is not None and answers["fabric"].ok:
            fabric = maintenance.read_fabric(list(answers["fabric"].output), args["accept_unreadable_fabric"])
            before = gate.get("fabric") or {}
            problem = maintenance.fabric_problem(
                gate["pool"], maintenance.FabricState(before.get("missing_replicas"), ()), fabric)
            if problem:
                problems.append(problem)
            health["fabric"] = fabric.to_result()
        if failover and answers.get("readiness") is not None and answers["readiness"].ok:
            objects = list(answers["readiness"].output)
            readiness = maintenance.read_readiness(objects[0] if objects else None, gate["server"], 1,
                                                   args["accept_unreadable_readiness"])
            health["readiness"] = readiness.to_result()
            if readiness.state != maintenance.READY:
                problems.append(f"PoolUpgradeState is {readiness.state}, not Ready yet")
            elif readiness.ready_for_upgrade is False:
                problems.append(f"upgrade domain {readiness.upgrade_domain} is not ReadyforUpgrade yet")
        health["problems"] = problems
        return health
