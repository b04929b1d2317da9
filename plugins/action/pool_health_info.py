# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.pool_health_info: may this server leave service without hurting its pool?

Reads, in the order of Microsoft's patch procedure (patch-or-update-front-end-servers.md): the pool's
fabric state (missing replicas), the upgrade readiness (Get-CsPoolUpgradeReadinessState on 2015,
Get-CsUpgradeDomainInfo on 2019 and later, a Busy answer read again after a wait, three Busy answers
in a row meaning "there is an issue with the pool"), which Front Ends run, the documented quorum table,
the server's replication state and its maintenance marker. Changes nothing.
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.state import maintenance as steps
from ansible_collections.sfb.server.plugins.plugin_utils.state import topology as topology_state
from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import maintenance
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan

READINESS_PROPERTIES = ("PoolUpgradeState", "TotalFrontends", "TotalActiveFrontends", "UpgradeDomains")


def readiness_call(product_key: str) -> CmdletCall:
    # Get-CsPoolUpgradeReadinessState is documented for Lync 2013 and 2015; 2019 replaced it with
    # Get-CsUpgradeDomainInfo (both pages' DESCRIPTION).
    name = "Get-CsPoolUpgradeReadinessState" if product_key == "2015" else "Get-CsUpgradeDomainInfo"
    return CmdletCall(name, select=READINESS_PROPERTIES)


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "busy_retries": {"type": "int", "default": 3},
        "busy_wait": {"type": "int", "default": 600},
        "readiness": {"type": "bool", "default": True},
    }

    def execute(self, host, args, task_vars):
        if args["busy_retries"] < 1 or args["busy_wait"] < 0:
            raise SfbError("busy_retries is at least 1 and busy_wait 0 or more seconds.")
        product, version, place = topology_state.read_placement(host)
        found = steps.read_marker(host)
        marker = found.marker
        result = {
            "changed": False,
            "server": place.fqdn,
            "pool": place.pool,
            "product": product.key,
            "version": version,
            "edition": place.edition,
            "uses_fabric": place.uses_fabric,
            "marker": marker.to_result() if marker else None,
            "in_maintenance": marker is not None,
        }
        result["replication"] = self._replication(host, place.fqdn)
        if not place.uses_fabric:
            # Standard Edition servers and pools without Windows Fabric have no quorum to keep.
            result.update(can_take_out=True, reasons=[], quorum=None, fabric=None, readiness=None)
            return result
        reasons: list[str] = []
        fabric = host.read(CmdletCall("Get-CsPoolFabricState", {"PoolFqdn": place.pool}, select=("Value",)))
        missing = maintenance.missing_replicas(fabric.output(0))
        if missing:
            reasons.append(f"Get-CsPoolFabricState reports {missing} missing replica(s): recover the pool first "
                           "with Reset-CsPoolRegistrarState -ResetType QuorumLossRecovery")
        running = steps.front_ends_running(host, list(place.pool_servers))
        verdict = maintenance.pool_verdict(list(place.pool_servers), running, place.fqdn, product.key,
                                           already_out=marker is not None)
        reasons.extend(verdict.reasons)
        readiness = None
        if args["readiness"] and verdict.quorum_now:
            readiness = self._readiness(host, product.key, place.fqdn, args)
            problem = readiness.problem()
            # The half-finished server of an interrupted run is out already: its own domain is not ready.
            if problem and not (marker is not None and readiness.state == maintenance.READY):
                reasons.append(problem)
        result.update(
            quorum=verdict.to_result(),
            fabric={"text": [str(line) for line in fabric.output(0)], "missing_replicas": missing},
            readiness=None if readiness is None else {
                "state": readiness.state, "ready_for_upgrade": readiness.ready_for_upgrade,
                "upgrade_domain": readiness.upgrade_domain, "attempts": readiness.attempts},
            can_take_out=not reasons,
            reasons=reasons,
        )
        if missing is None:
            result["warnings"] = ["Get-CsPoolFabricState's answer does not say how many replicas are missing; "
                                  "read it in `fabric.text` before going on."]
        return result

    @staticmethod
    def _readiness(host, product_key: str, fqdn: str, args) -> maintenance.Readiness:
        # "If the value of PoolUpgradeState is Busy, wait for 10 minutes, and then try ... again. If you
        # see Busy for at least three consecutive times ... there is an issue with the pool."
        attempt = 0
        while True:
            attempt += 1
            answer = host.read(readiness_call(product_key))
            state = maintenance.read_readiness(answer.output(0)[0] if answer.output(0) else {}, fqdn, attempt)
            if state.state != maintenance.BUSY or attempt >= args["busy_retries"]:
                return state
            host.sleep(args["busy_wait"])

    @staticmethod
    def _replication(host, fqdn: str) -> dict:
        answer = host.run(Plan.of(CmdletCall("Get-CsManagementStoreReplicationStatus", {"ReplicaFqdn": fqdn},
                                             select=("ReplicaFqdn", "UpToDate", "LastUpdateCreation"))))
        if not answer.ok or not answer.output(0):
            return {"up_to_date": None}
        state = answer.output(0)[0]
        return {"up_to_date": bool(state.get("UpToDate")), "last_update_creation": state.get("LastUpdateCreation")}
