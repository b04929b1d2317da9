# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.drain: prevent new connections to a server (or one service), wait for its sessions to end,
keep it from re-admitting traffic after a restart, and return it to service."""

from __future__ import annotations

import copy

from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.state import maintenance as steps
from ansible_collections.sfb.server.plugins.plugin_utils.state import pool as pool_state
from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import maintenance
from ansible_collections.sfb.server.plugins.plugin_utils.errors import PlanTimedOut, SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan


def _stop(names: list[str], whole_server: bool, graceful: bool, wait: bool = False) -> list[CmdletCall]:
    # Stop-CsWindowsService.md: with -Graceful "the service will not completely shut down until all the
    # existing requests have been filled", and without -NoWait "control will not be returned until the
    # command has completed": the cmdlet itself waits for the sessions, in the one round trip.
    flags = ({"Graceful": True} if wait else {"Graceful": True, "NoWait": True}) if graceful else {}
    if whole_server:
        return [CmdletCall("Stop-CsWindowsService", flags)]
    return [CmdletCall("Stop-CsWindowsService", {"Name": name, **flags}) for name in names]


def _start(names: list[str], whole_server: bool) -> list[CmdletCall]:
    if whole_server:
        return [CmdletCall("Start-CsWindowsService")]
    return [CmdletCall("Start-CsWindowsService", {"Name": name}) for name in names]


def _set_startup(changes: dict[str, str]) -> list[CmdletCall]:
    return [CmdletCall("Set-Service", {"Name": name, "StartupType": kind}) for name, kind in changes.items()]


def _handed(status: dict, startup: dict, marker) -> dict:
    """What the drain leaves, in the shape drain_state_from reads: the serve step of the same cycle takes it
    as known_state instead of reading the server again."""
    return {"services": dict(status), "startup_types": dict(startup), "marker": marker.to_result(),
            "marker_key_exists": True}


def dns_warning(whole_server: bool, names: list[str], dns_load_balancing: bool) -> list[str]:
    if dns_load_balancing:
        return []
    scope = "this server" if whole_server else ", ".join(names)
    return [
        f"The pool does not use DNS load balancing: while {scope} prevents new connections, the connections of "
        f"these features cannot be redirected to the pool's other servers and some may be lost when the server "
        f"goes offline (Microsoft's \"Manage Front End Servers\" page): "
        f"{', '.join(maintenance.DNS_LOAD_BALANCING_FEATURES)}."
    ]


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "state": {"type": "str", "choices": ["drained", "serving"], "default": "drained"},
        "services": {"type": "list", "elements": "str", "default": []},
        "timeout": {"type": "int", "default": 3600},
        "poll_interval": {"type": "int", "default": 30},
        "at_limit": {"type": "str", "choices": list(maintenance.AT_LIMIT), "default": "fail"},
        "startup_type": {"type": "str", "choices": list(maintenance.MAINTENANCE_STARTUP_TYPES), "default": "Manual"},
        "reason": {"type": "str", "default": "maintenance"},
        "dns_load_balancing": {"type": "bool", "default": True},
        "check_quorum": {"type": "bool", "default": True},
        "known_state": {"type": "dict"},
    }
    INPUT_CHECKS = {"services": inputs.each(inputs.plain_name(" ,;")), "timeout": inputs.duration,
                    "poll_interval": inputs.positive_duration, "reason": inputs.nonempty}

    def execute(self, host, args, task_vars):
        if args["timeout"] < 0 or args["poll_interval"] < 1:
            raise SfbError("timeout must be 0 or more and poll_interval at least 1 second.",
                           hint=f"Got timeout={args['timeout']} poll_interval={args['poll_interval']}.")
        # A state handed on by the module before it in the same cycle (the gate's, or this module's own
        # server_state after a drain) is not read again: one round trip less per server.
        read = steps.drain_state_from(args["known_state"]) if args["known_state"] else steps.read_drain_state(host)
        states = read.services
        names = steps.choose_services(states, args["services"])
        whole = not args["services"]
        startup = {n: read.startup_types.get(n) for n in names}
        found = read.marker
        if args["state"] == "drained":
            return self._drain(host, args, states, names, whole, startup, found)
        return self._serve(host, names, whole, states, startup, found)

    # -- drained ---------------------------------------------------------------------------

    def _drain(self, host, args, states, names, whole, startup, found):
        status = {s.name: s.status for s in states}
        target = args["startup_type"]
        remembered = maintenance.merge_remembered(found.marker, maintenance.startup_changes(startup, target))
        to_change = {n: target for n in names if startup.get(n) not in (target, "Disabled")}
        to_stop = [n for n in names if status.get(n) != "Stopped"]
        warnings = dns_warning(whole, names, args["dns_load_balancing"])
        sessions = sum(s.sessions for s in states if s.name in names)
        before = {"services": {n: status.get(n) for n in names}, "startup_types": {n: startup.get(n) for n in names},
                  "marker": found.marker.to_result() if found.marker else None}
        # A handed state says which procedure the server follows: only a Windows Fabric Front End has a quorum.
        procedure = (args["known_state"] or {}).get("procedure")
        if args["check_quorum"] and found.marker is None and "RTCSRV" in to_stop \
                and procedure in (None, maintenance.FRONT_END_FAILOVER):
            self._refuse_below_quorum(host)
        if found.marker is not None and not to_change and not to_stop:
            return {"changed": False, "state": "drained", "services": names, "sessions": 0,
                    "startup_types": found.marker.startup_types, "marker": found.marker.to_result(),
                    "warnings": warnings, "server_state": _handed(status, startup, found.marker)}
        marker = found.marker or maintenance.Marker(phase="draining", reason=args["reason"], started=host.now(),
                                                    services=[] if whole else names)
        marker.startup_types = {**remembered, **marker.startup_types}
        marker.phase = "draining"
        after = {"services": {n: "Stopped" for n in names}, "startup_types": {n: to_change.get(n, startup.get(n)) for n in names},
                 "marker": marker.to_result()}
        # The marker goes first: a controller killed after any later step leaves what to restore.
        head = (*steps.write_marker(marker, found.key_exists), *_set_startup(to_change))
        blocking = bool(to_stop) and args["timeout"] > 0
        stop = _stop(to_stop, whole, graceful=True, wait=blocking) if to_stop else []
        described = Plan.of(*head, *stop)
        if self.check_mode:
            result = self.converge(host, described, before, after)
            result.update(state="drained", services=names, sessions=sessions, startup_types=marker.startup_types,
                          marker=marker.to_result(), warnings=warnings)
            return result
        started = host.now()
        drained = copy.deepcopy(marker)
        drained.phase = "drained"
        drained.history.append({"drain_started": started})
        cut = 0
        if blocking:
            # The graceful stop waits on the server for the sessions, bounded by the plan's time limit, and
            # the marker is confirmed `drained` in the same plan: the whole drain is one round trip.
            try:
                host.run(Plan.of(*head, *stop, *steps.write_marker(drained, True),
                                 time_limit=args["timeout"])).raise_for_failure()
            except PlanTimedOut:
                cut = self._at_limit(host, args, names, whole, drained, warnings)
        else:
            # timeout=0: no waiting; what still runs after the graceful stop meets at_limit at once.
            host.run(described).raise_for_failure()
            busy = self._busy(host, names)
            if busy:
                cut = self._at_limit(host, args, names, whole, drained, warnings, busy)
            else:
                host.run(Plan.of(*steps.write_marker(drained, True))).raise_for_failure()
        result = {"changed": True, "commands": described.describe()}
        if self.diff_mode:
            result["diff"] = {"before": before, "after": after}
        result.update(state="drained", services=names, sessions=sessions, startup_types=drained.startup_types,
                      marker=drained.to_result(), warnings=warnings, drain_seconds=int(host.now() - started),
                      sessions_cut=cut,
                      server_state=_handed({**status, **after["services"]}, {**startup, **after["startup_types"]},
                                           drained))
        return result

    @staticmethod
    def _refuse_below_quorum(host) -> None:
        """A Front End of a Windows Fabric pool leaves only when the rest keep the documented quorum."""
        server = pool_state.read_server(host)
        if server.procedure != maintenance.FRONT_END_FAILOVER:
            return
        verdict = pool_state.read_pool(host, server, readiness=False, accept_unreadable_fabric=True).verdict
        if not verdict.can_take_out:
            raise SfbError(
                f"{host.name}: not drained, {'; '.join(verdict.reasons)}.",
                hint="Bring the pool's other Front Ends back first (sfb.server.pool_health_info tells which run). "
                "check_quorum=false skips this check at your own risk.",
                quorum=verdict.to_result(),
            )

    @staticmethod
    def _busy(host, names) -> dict:
        """The drained services that have not stopped yet (a graceful stop ends in Stopped)."""
        return {s.name: s for s in steps.read_services(host) if s.name in names and s.status != "Stopped"}

    def _at_limit(self, host, args, names, whole, drained, warnings, busy=None) -> int:
        """The drain limit passed with sessions left: fail (the server keeps draining, marker kept) or stop the
        rest without waiting (at_limit=stop_anyway) and confirm the marker. Returns the sessions cut."""
        busy = busy if busy is not None else self._busy(host, names)
        sessions = sum(s.sessions for s in busy.values())
        if args["at_limit"] == "fail":
            raise SfbError(
                f"{host.name}: the drain did not finish within {args['timeout']} seconds; "
                f"{sessions} session(s) remain on {', '.join(busy) or 'no service (they stopped meanwhile)'}.",
                hint="The server still prevents new connections and its startup types are changed (the "
                "marker on the server remembers the originals). Wait longer and run again, stop it anyway "
                "with at_limit=stop_anyway, or return it to service with state=serving.",
                sessions_left=sessions,
            )
        host.run(Plan.of(*(_stop(list(busy), whole and len(busy) == len(names), graceful=False) if busy else []),
                         *steps.write_marker(drained, True))).raise_for_failure()
        warnings.append(f"The drain limit of {args['timeout']} seconds was reached with {sessions} session(s) left; "
                        "the services were stopped anyway (at_limit=stop_anyway) and those sessions were cut.")
        return sessions

    # -- serving ---------------------------------------------------------------------------

    def _serve(self, host, names, whole, states, startup, found):
        status = {s.name: s.status for s in states}
        marker = found.marker
        if marker is not None and marker.failed_over:
            raise SfbError(
                f"{host.name} is failed over (Invoke-CsComputerFailOver) by an earlier maintenance.",
                hint="Fail it back first: sfb.server.failover with state=active, then return it to service.")
        restore = {n: kind for n, kind in (marker.startup_types if marker else {}).items()
                   if startup.get(n) != kind and (whole or n in names)}
        to_start = [n for n in names if status.get(n) != "Running"]
        if marker is None and not to_start:
            return {"changed": False, "state": "serving", "services": names, "startup_types": startup, "marker": None}
        plan = Plan.of(*_set_startup(restore), *(_start(to_start, whole) if to_start or marker else []),
                       *([steps.clear_marker()] if marker is not None else []))
        before = {"services": {n: status.get(n) for n in names}, "startup_types": {n: startup.get(n) for n in names},
                  "marker": marker.to_result() if marker else None}
        after = {"services": {n: "Running" for n in names},
                 "startup_types": {n: restore.get(n, startup.get(n)) for n in names}, "marker": None}
        if self.check_mode:
            result = self.converge(host, plan, before, after)
            result.update(state="serving", services=names, startup_types=after["startup_types"], marker=None)
            return result
        # The services are read back at the end of the same plan: one round trip for the change and its check.
        check = CmdletCall("Get-CsWindowsService", select=("Name", "Status"))
        answer = host.run(Plan.of(*plan.steps, check)).raise_for_failure()
        result = {"changed": True, "commands": plan.describe(), "transcript": answer.transcript()}
        if self.diff_mode:
            result["diff"] = {"before": before, "after": after}
        result.update(state="serving", services=names, startup_types=after["startup_types"], marker=None)
        stopped = [str(o.get("Name")) for o in answer.results[-1].output
                   if str(o.get("Name")) in names and str(o.get("Status")) != "Running"]
        if stopped:
            raise SfbError(f"{host.name}: {', '.join(stopped)} did not reach Running after the start.",
                           hint="Read the service's event log on the server, fix the cause and run again.")
        return result
