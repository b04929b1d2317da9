# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.failover: move a Front End's users and sessions to the rest of its pool
(Invoke-CsComputerFailOver) and bring it back (Invoke-CsComputerFailBack).

OfficeDocs-SkypeForBusiness Skype/SfbServer/manage/topology/patch-or-update-front-end-servers.md: on
the server to patch, Invoke-CsComputerFailOver -ComputerName <server> ("moves all services to other
Front End Servers in the pool, and takes this server offline"), apply the patch, then
Invoke-CsComputerFailBack -ComputerName <server>. No graceful stop first: the failover itself
"migrates the users and data, and drains the existing conferences and sessions before the Skype for
Business services are stopped and disabled" (Invoke-CsComputerFailOver.md), bounded by -DrainingTimeout
and -WaitTime.

The marker: each phase is written before the cmdlet and confirmed after it in the same plan, so a
failed or interrupted failover leaves `failing_over` (not done; the next run fails the server over
again before anything else) and never `failed_over`.
"""

from __future__ import annotations


from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.domain import maintenance
from ansible_collections.sfb.server.plugins.plugin_utils.domain.inputs import InputError
from ansible_collections.sfb.server.plugins.plugin_utils.domain.maintenance import Marker
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument, SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan
from ansible_collections.sfb.server.plugins.plugin_utils.state import maintenance as steps
from ansible_collections.sfb.server.plugins.plugin_utils.state.pool import HandedState


def timespan(seconds: int) -> str:
    """A TimeSpan as PowerShell converts it from text: [d.]hh:mm:ss."""
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days}.{text}" if days else text


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "state": {"type": "str", "choices": ["failed_over", "active"], "default": "failed_over"},
        "wait_time": {"type": "int", "default": 3600},
        "draining_timeout": {"type": "int"},
        "reason": {"type": "str", "default": "maintenance"},
        "known_state": {"type": "dict"},
    }
    INPUT_CHECKS = {"wait_time": inputs.positive_duration, "draining_timeout": inputs.duration, "reason": inputs.nonempty}

    def check_inputs(self, args):
        try:
            maintenance.check_timeouts(args["draining_timeout"], args["wait_time"])
        except InvalidArgument as exc:
            return [InputError("draining_timeout", args["draining_timeout"], f"at most wait_time: {exc.msg}")]
        return []

    def execute(self, host, args, task_vars):
        maintenance.check_timeouts(args["draining_timeout"], args["wait_time"])
        known = HandedState.obtain(host, args["known_state"])
        # Invoke-CsComputerFailOver.md: the cmdlet fails a Front End over to the rest of its pool; a
        # server outside an Enterprise Front End pool has no pool to absorb it.
        if known.edition != "Enterprise" or "FrontEnd" not in known.roles:
            raise SfbError(f"{known.server} is not a Front End of an Enterprise pool ({known.edition}, "
                           f"{', '.join(known.roles) or 'no roles'}): it cannot be failed over.",
                           hint="Use sfb.server.drain for Standard Edition servers, Directors, Mediation, Edge "
                           "and Persistent Chat servers.")
        marker = known.marker
        confirmed = bool(marker and marker.failed_over)
        before = {"failed_over": confirmed, "phase": marker.phase if marker else None}
        if args["state"] == "failed_over":
            if confirmed:
                return {"changed": False, "computer": known.server, "failed_over": True,
                        "marker": marker.to_result(), "state": known.to_result(), "seconds": 0}
            marker = marker or Marker(phase="failing_over", reason=args["reason"], started=host.now())
            marker.phase = "failing_over"
            begun = Marker.from_text(marker.to_text())
            marker.failed_over = True
            marker.phase = "failed_over"
            parameters = {"ComputerName": known.server, "WaitTime": timespan(args["wait_time"])}
            if args["draining_timeout"] is not None:
                parameters["DrainingTimeout"] = timespan(args["draining_timeout"])
            plan = Plan.of(*steps.write_marker(begun, known.key_exists),
                           CmdletCall("Invoke-CsComputerFailOver", parameters),
                           *steps.write_marker(marker, True))
        else:
            if marker is None:
                return {"changed": False, "computer": known.server, "failed_over": False, "marker": None,
                        "state": known.to_result(), "seconds": 0}
            # A failover that was begun but not confirmed may still have stopped the services: failing
            # back is what returns such a server, so it is done whatever the phase says.
            begun = Marker.from_text(marker.to_text())
            begun.phase = "failing_back"
            # The marker is cleared after the failback unless a drain left startup types to restore
            # (sfb.server.drain state=serving clears it then).
            if marker.startup_types:
                marker.failed_over = False
                marker.phase = "failed_back"
                last = steps.write_marker(marker, True)
            else:
                marker, last = None, [steps.clear_marker()]
            plan = Plan.of(*steps.write_marker(begun, known.key_exists),
                           CmdletCall("Invoke-CsComputerFailBack",
                                      {"ComputerName": known.server, "WaitTime": timespan(args["wait_time"])}),
                           *last)
        started = host.now()
        result = self.converge(host, plan, before, {"failed_over": args["state"] == "failed_over"})
        known.marker = marker if not self.check_mode else known.marker
        known.key_exists = True if not self.check_mode else known.key_exists
        result.update(computer=known.server, failed_over=args["state"] == "failed_over",
                      marker=marker.to_result() if marker else None, state=known.to_result(),
                      seconds=int(host.now() - started))
        return result
