# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.failover: move a Front End's users and sessions to the rest of its pool
(Invoke-CsComputerFailOver) and bring it back (Invoke-CsComputerFailBack)."""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.state import maintenance as steps
from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain.maintenance import Marker
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan
from ansible_collections.sfb.server.plugins.plugin_utils.state.topology import LOCAL_COMPUTER


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
    }

    def execute(self, host, args, task_vars):
        if args["wait_time"] < 1 or (args["draining_timeout"] is not None and args["draining_timeout"] < 1):
            raise SfbError("wait_time and draining_timeout are positive numbers of seconds.")
        computer = host.read(LOCAL_COMPUTER)
        if not computer.output(0):
            raise SfbError(f"{host.name} is not a computer of the published topology.",
                           hint="Only servers of a Front End pool can be failed over.")
        fqdn = str(computer.output(0)[0].get("Fqdn") or computer.output(0)[0].get("Identity")).lower()
        found = steps.read_marker(host)
        marker = found.marker
        failed_over = bool(marker and marker.failed_over)
        before = {"failed_over": failed_over}
        if args["state"] == "failed_over":
            if failed_over:
                return {"changed": False, "computer": fqdn, "failed_over": True, "marker": marker.to_result()}
            marker = marker or Marker(phase="failing_over", reason=args["reason"], started=host.now())
            marker.failed_over = True
            marker.phase = "failed_over"
            parameters = {"ComputerName": fqdn, "WaitTime": timespan(args["wait_time"])}
            if args["draining_timeout"] is not None:
                parameters["DrainingTimeout"] = timespan(args["draining_timeout"])
            # The marker first: if the controller dies while the cmdlet drains, the next run knows.
            plan = Plan.of(*steps.write_marker(marker, found.key_exists),
                           CmdletCall("Invoke-CsComputerFailOver", parameters))
        else:
            if not failed_over:
                return {"changed": False, "computer": fqdn, "failed_over": False,
                        "marker": marker.to_result() if marker else None}
            marker.failed_over = False
            marker.phase = "failed_back"
            plan = Plan.of(CmdletCall("Invoke-CsComputerFailBack",
                                      {"ComputerName": fqdn, "WaitTime": timespan(args["wait_time"])}),
                           *steps.write_marker(marker, True))
        started = host.now()
        result = self.converge(host, plan, before, {"failed_over": args["state"] == "failed_over"})
        result.update(computer=fqdn, failed_over=args["state"] == "failed_over", marker=marker.to_result(),
                      seconds=int(host.now() - started))
        return result
