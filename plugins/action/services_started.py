# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.services_started: Deployment Wizard step 4, start the services and check they run.

Seed 002 step 4: an Enterprise Edition Front End pool of three or more servers uses Windows Fabric
and is started with Start-CsPool; every other role, Standard Edition included, with
Start-CsWindowsService. "The command to start services ... may not reflect the actual state": the
module verifies with Get-CsWindowsService until every service is Running or the wait ends, and
names the services that did not get there. Windows Firewall must be running the first time the
services start (seed 002 caution), so the module checks MpsSvc first.
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.state import deployment as deploy_state
from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import deployment as dep
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError, WaitTimedOut
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan


def service_reads(targets: list[str], local: str) -> list[CmdletCall]:
    return [deploy_state.local_services(None if t == local else t) for t in targets]


def states_from(targets: list[str], answer) -> dict[str, list[dict]]:
    return {t: answer.output(i) for i, t in enumerate(targets)}


def start_plan(uses_fabric: bool, pool: str, skip: list[str]) -> Plan:
    if uses_fabric:
        parameters = {"PoolFqdn": pool, "Confirm": False}
        if skip:
            parameters["SkipServer"] = list(skip)
        return Plan.of(CmdletCall("Start-CsPool", parameters))
    return Plan.of(CmdletCall("Start-CsWindowsService"))


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "ready_servers": {"type": "list", "elements": "str"},
        "timeout": {"type": "int", "default": 900},
        "poll_interval": {"type": "int", "default": 15},
    }
    # Ready servers are named as the topology names them: a short name would match no server.
    INPUT_CHECKS = {"ready_servers": inputs.each(inputs.fqdn), "timeout": inputs.duration,
                    "poll_interval": inputs.duration}

    def execute(self, host, args, task_vars):
        computer, pools = deploy_state.placement_reads()
        # The local services come with the first read: a server outside a Windows Fabric pool needs no other.
        first = host.read(computer, pools, CmdletCall("Get-Service", {"Name": dep.FIREWALL_SERVICE}, select=("Status",)),
                          deploy_state.local_services())
        placement = deploy_state.placement_from(first.output(0), first.output(1))
        firewall = str(first.output(2)[0].get("Status")) if first.output(2) else "not installed"
        targets = list(placement.pool_servers) if placement.uses_fabric else [placement.fqdn]
        ready = [r.lower() for r in (args["ready_servers"] or targets)]
        targets = [t for t in targets if t in ready] if placement.uses_fabric else targets
        reads = service_reads(targets, placement.fqdn)

        def probe():
            return states_from(targets, host.read(*reads))

        before = probe() if placement.uses_fabric else {placement.fqdn: first.output(3)}
        late = dep.not_running(before)
        base = {"pool": placement.pool, "uses_fabric": placement.uses_fabric, "servers": targets}
        if not late:
            return {"changed": False, **base, "services": _summary(before), "not_running": {}}
        if firewall != "Running":
            raise SfbError(f"{host.name}: the Windows Firewall service (MpsSvc) is {firewall}; the services must not "
                           "be started for the first time without it (seed 002 caution).",
                           hint="Start-Service MpsSvc (and set it to Automatic), then run again.")
        skip = []
        if placement.uses_fabric:
            skip, _unused = dep.start_check(list(placement.pool_servers), ready)
        plan = start_plan(placement.uses_fabric, placement.pool, skip)
        result = {"changed": True, "commands": plan.describe(), **base, "skipped": skip}
        if self.diff_mode:
            result["diff"] = {"before": {"not_running": late}, "after": {"not_running": {}}}
        if self.check_mode:
            result["not_running"] = late
            return result
        started = host.run(plan)
        result["transcript"] = started.transcript()
        # The start command's word is not the services' state (seed 002): its error, if any, is
        # reported beside what the services really do.
        start_error = started.failed().error.message if started.failed() else None
        try:
            after = host.wait_until(probe, lambda s: not dep.not_running(s), args["timeout"], args["poll_interval"],
                                    f"the services of {', '.join(targets)} to run")
        except WaitTimedOut as exc:
            after = exc.details.get("last_answer") or probe()
        late = dep.not_running(after)
        result.update(services=_summary(after), not_running=late, start_error=start_error)
        if late:
            listing = "; ".join(f"{server}: {', '.join(names)}" for server, names in late.items())
            raise SfbError(f"{host.name}: after {args['timeout']} seconds these services are not Running: {listing}."
                           + (f" The start command said: {start_error}" if start_error else ""),
                           hint="Open the event log of those servers (Lync Server log) for the service's error, fix it "
                           "and run again; services already running are left as they are.",
                           not_running=late, start_error=start_error, pool=placement.pool)
        return result


def _summary(states: dict[str, list[dict]]) -> dict:
    return {server: {str(s.get("Name")): str(s.get("Status")) for s in services} for server, services in states.items()}
