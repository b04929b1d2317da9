# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.port_check: from this server, test the TCP paths to its peers' ports (seed 004)."""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.domain import ports
from ansible_collections.sfb.server.plugins.plugin_utils.domain import roles as role_catalog
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall

# Test-NetConnection's documented result properties (reference page, Examples 1 and 3).
PROPERTIES = ("ComputerName", "RemoteAddress", "RemotePort", "TcpTestSucceeded", "PingSucceeded")

OPEN, CLOSED, FILTERED, NOT_TESTABLE = "open", "closed", "filtered", "not_testable"


def classify(answer: dict) -> tuple[str, str]:
    """open / closed / filtered from what Test-NetConnection says, with the reason.

    Test-NetConnection does not tell a refused connection from a dropped one; when the TCP test
    fails it pings. A peer that answers the ping but not the port is `closed` (nothing listens, or
    its own firewall refuses the port); one that answers neither is `filtered` (something on the
    path drops the traffic, or the peer is down).
    """
    if answer.get("TcpTestSucceeded") is True:
        return OPEN, ""
    if not answer.get("RemoteAddress"):
        return FILTERED, "the peer's name does not resolve"
    if answer.get("PingSucceeded") is True:
        return CLOSED, "the peer answers ping but not this port"
    return FILTERED, "the peer answers neither this port nor ping"


ROLE = inputs.hinted(inputs.choice(*role_catalog.ROLES), f"Known roles: {', '.join(role_catalog.ROLES)}.")


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "peers": {"type": "list", "elements": "dict", "required": True},
        "fail_on_closed": {"type": "bool", "default": False},
    }
    # A peer is an inventory host: its name may be short when DNS completes it.
    INPUT_CHECKS = {"peers": inputs.nonempty_list(inputs.each(inputs.fields(
        {"fqdn": inputs.host_name, "roles": inputs.nonempty_list(inputs.each(ROLE)),
         "central_management_store": inputs.boolean}, required=("fqdn", "roles"), extra=True)))}

    def execute(self, host, args, task_vars):
        if not args["peers"]:
            raise ports.TopologyError("peers is empty: there is no path to test.",
                                      hint="List the other servers of the inventory with their roles.")
        paths = ports.peer_paths(host.name, args["peers"])
        testable = [p for p in paths if p.testable]
        matrix = []
        if testable:
            answer = host.read(*[CmdletCall("Test-NetConnection", {"ComputerName": p.destination, "Port": int(p.port)},
                                            select=PROPERTIES) for p in testable])
            for index, path in enumerate(testable):
                output = answer.output(index)
                state, reason = classify(output[0] if output else {})
                entry = {**path.to_result(), "state": state}
                if reason:
                    entry["reason"] = reason
                matrix.append(entry)
        matrix += [{**p.to_result(), "state": NOT_TESTABLE} for p in paths if not p.testable]
        closed = [m for m in matrix if m["state"] in (CLOSED, FILTERED)]
        result = {
            "changed": False,
            "paths": matrix,
            "open": sum(1 for m in matrix if m["state"] == OPEN),
            "closed": [{k: m[k] for k in ("destination", "port", "protocol", "state", "service", "purpose", "reason")}
                       for m in closed],
            "not_testable": sum(1 for m in matrix if m["state"] == NOT_TESTABLE),
        }
        if closed and args["fail_on_closed"]:
            first = closed[0]
            raise SfbError(
                f"{len(closed)} path(s) from {host.name} are not open, first {first['destination']} "
                f"{first['protocol']} {first['port']} ({first['state']}): {first['purpose']}",
                hint="Open the port on the peer (sfb.server.firewall) and on the network devices between the servers "
                "(sfb.server.firewall_report lists the rules), then run the check again.",
                closed=result["closed"],
            )
        return result
