# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.client_media_ports: the client media port range of the conferencing configuration.

Seed 004 (client ports, footnote): to configure specific ports for client media, use the
CsConferencingConfiguration cmdlets (ClientMediaPortRangeEnabled, ClientMediaPort, ClientMediaPortRange);
the audio and video ranges need at least 20 ports.
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan

PROPERTIES = ("Identity", "ClientMediaPortRangeEnabled", "ClientMediaPort", "ClientMediaPortRange")
# Seed 004, client ports table: "at least 20 ports required" for the audio and video ranges.
MINIMUM_PORTS = 20
# Set-CsConferencingConfiguration -ClientMediaPort: "between 1024 and 65535, inclusive".
FIRST_PORT, LAST_PORT = 1024, 65535


def check(args: dict) -> None:
    port, count = args["port"], args["range"]
    if port is not None and not FIRST_PORT <= port <= LAST_PORT:
        raise InvalidArgument(f"port {port} is outside {FIRST_PORT}-{LAST_PORT}.",
                              hint="ClientMediaPort must be between 1024 and 65535 (Set-CsConferencingConfiguration).")
    if count is not None and count < MINIMUM_PORTS:
        raise InvalidArgument(f"range {count} is too small: clients need at least {MINIMUM_PORTS} media ports.",
                              hint="Give a range of 20 ports or more (seed 004, client ports).")
    if port is not None and count is not None and port + count - 1 > LAST_PORT:
        raise InvalidArgument(f"the range {port}-{port + count - 1} ends above {LAST_PORT}.",
                              hint=f"Start at {LAST_PORT - count + 1} or lower, or give fewer ports.")


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "identity": {"type": "str", "default": "Global"},
        "enabled": {"type": "bool", "required": True},
        "port": {"type": "int"},
        "range": {"type": "int"},
    }
    INPUT_CHECKS = {
        # Set-CsConferencingConfiguration -Identity: global, site:<name>, or the Web Conferencing service.
        "identity": inputs.config_scope("ConferencingServer"),
        "port": inputs.between(FIRST_PORT, LAST_PORT, "a port"),
        "range": inputs.between(MINIMUM_PORTS, LAST_PORT - FIRST_PORT + 1, "a number of ports"),
    }

    def check_inputs(self, args):
        if args["port"] is None or args["range"] is None:
            return []
        try:
            inputs.port_block("port", args["port"], "range", args["range"])
        except inputs.InputError as exc:
            return [exc]
        return []

    def execute(self, host, args, task_vars):
        check(args)
        current = host.read(CmdletCall("Get-CsConferencingConfiguration", {"Identity": args["identity"]},
                                       select=PROPERTIES)).output(0)
        if not current:
            raise InvalidArgument(f"No conferencing configuration {args['identity']!r}.",
                                  hint="Use Global, or create the site configuration first.")
        before = {name: current[0].get(name) for name in PROPERTIES[1:]}
        wanted = {"ClientMediaPortRangeEnabled": args["enabled"], "ClientMediaPort": args["port"],
                  "ClientMediaPortRange": args["range"]}
        wanted = {k: v for k, v in wanted.items() if v is not None}
        changes = {k: v for k, v in wanted.items() if before.get(k) != v}
        after = {**before, **changes}
        plan = Plan.of(CmdletCall("Set-CsConferencingConfiguration", {"Identity": args["identity"], **changes})) \
            if changes else None
        result = self.converge(host, plan, before, after)
        result["configuration"] = after
        first = after.get("ClientMediaPort")
        count = after.get("ClientMediaPortRange")
        if after.get("ClientMediaPortRangeEnabled") and first is not None and count is not None:
            result["client_ports"] = f"{first}-{int(first) + int(count) - 1}"
        else:
            result["client_ports"] = "1024-65535"
        return result
