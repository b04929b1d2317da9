# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.signin_dns_info: the sip CNAME of each SIP domain, resolved from the controller (seed 003)."""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.controller import dns_lookup
from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.domain import signin
from ansible_collections.sfb.server.plugins.plugin_utils.action import ControllerAction
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument


class ActionModule(ControllerAction):
    """Runs on the controller: the question is what the Internet's DNS says, not a server."""

    ARGUMENT_SPEC = {
        "domains": {"type": "list", "elements": "str", "required": True},
        "resolvers": {"type": "list", "elements": "str", "default": []},
        "port": {"type": "int", "default": 53},
        "timeout": {"type": "float", "default": 5.0},
        "expected_target": {"type": "str", "default": signin.SIP_TARGET},
    }
    INPUT_CHECKS = {
        "domains": inputs.nonempty_list(inputs.each(inputs.sip_domain)),
        # The resolvers are queried by address (controller/dns_lookup.py): names are refused there too.
        "resolvers": inputs.each(inputs.ip_address),
        "port": inputs.port,
        "timeout": inputs.positive_duration,
        "expected_target": inputs.fqdn,
    }

    def work(self, args: dict) -> dict:
        if not args["domains"]:
            raise InvalidArgument("domains must name at least one SIP domain, for example contoso.com.")
        return {**self.check(args), "changed": False}

    @staticmethod
    def check(args: dict) -> dict:
        expected = signin.normalise_domain(args["expected_target"], "expected_target")
        lookups = dns_lookup.resolvers(args["resolvers"], args["port"], args["timeout"])
        domains = []
        for domain in args["domains"]:
            name = signin.normalise_domain(domain)
            if name not in domains:
                domains.append(name)
        checks = [signin.check_sip_cname(domain, lookups, expected).to_dict() for domain in domains]
        return {
            "checks": checks,
            "resolvers": list(lookups),
            "passed": all(c["status"] == signin.PASS for c in checks),
            "records_to_create": [signin.record_to_create(c["target"], expected) for c in checks
                                  if c["status"] == signin.FAIL],
        }
