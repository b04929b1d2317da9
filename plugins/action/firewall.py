# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.firewall: the Windows Firewall rules (and IPsec exemptions) a server's roles need."""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.state import firewall as firewall_state
from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import ports
from ansible_collections.sfb.server.plugins.plugin_utils.domain import roles as role_catalog
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument
from ansible_collections.sfb.server.plugins.plugin_utils.state.topology import PLACEMENT_READS, placement_from

TOPOLOGY_READS = PLACEMENT_READS


ROLE = inputs.hinted(inputs.choice(*role_catalog.ROLES), f"Known roles: {', '.join(role_catalog.ROLES)}.")


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "roles": {"type": "list", "elements": "str"},
        "central_management_store": {"type": "bool", "default": False},
        "ipsec_exemptions": {"type": "bool", "default": False},
        "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
        "prune": {"type": "bool", "default": True},
    }
    INPUT_CHECKS = {"roles": inputs.nonempty_list(inputs.unique(inputs.each(ROLE)))}

    def execute(self, host, args, task_vars):
        given_roles = args["roles"]
        if given_roles is not None:
            roles = list(ports.check_server_roles(given_roles, "roles"))
            answer = host.read(*firewall_state.reads())
            offset = 0
        else:
            # Roles from the published topology, read in the same round trip as the rules.
            answer = host.read(*TOPOLOGY_READS, *firewall_state.reads())
            computers = answer.output(0)
            placement = placement_from(computers, answer.output(1))
            roles = list(placement.roles)
            if not roles:
                raise InvalidArgument(f"The topology gives {placement.fqdn} no server role this collection knows.",
                                      hint="Give the roles explicitly with the roles option.")
            offset = len(TOPOLOGY_READS)
        current = firewall_state.Current.from_answers(answer.output(offset), answer.output(offset + 1),
                                                      answer.output(offset + 2))
        if args["state"] == "present":
            wanted = ports.firewall_rules(roles, args["central_management_store"])
            wanted_ipsec = ports.ipsec_rules(roles) if args["ipsec_exemptions"] else []
            prune = args["prune"]
        else:
            wanted, wanted_ipsec, prune = [], [], True
        work = firewall_state.reconcile(current, wanted, wanted_ipsec, prune=prune)
        before = firewall_state.summary(current)
        after = firewall_state.desired_summary(wanted, wanted_ipsec)
        if not prune:
            after["firewall_rules"].update({n: r for n, r in before["firewall_rules"].items() if n not in after["firewall_rules"]})
            after["ipsec_rules"].update({n: r for n, r in before["ipsec_rules"].items() if n not in after["ipsec_rules"]})
        result = self.converge(host, work.plan, before, after)
        result.update({
            "roles": roles,
            "group": ports.GROUP,
            "rules": [r.to_result() for r in wanted],
            "ipsec_rules": [r.to_result() for r in wanted_ipsec],
            "created": work.created,
            "updated": work.updated,
            "removed": work.removed,
            "foreign_rules_seen": sorted(current.foreign),
        })
        return result
