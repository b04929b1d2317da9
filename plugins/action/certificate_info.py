# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.certificate_info: which certificates serve which uses, and what is wrong with them."""

from __future__ import annotations

import datetime

from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.state import deployment as deploy_state
from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import deployment as dep
from ansible_collections.sfb.server.plugins.plugin_utils.domain import topology_document
from ansible_collections.sfb.server.plugins.plugin_utils.state.deployment import certificate_reads as reads, evaluate


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "sip_domains": {"type": "list", "elements": "str", "default": []},
        "subject_alternative_names": {"type": "list", "elements": "str", "default": []},
        "renew_before_days": {"type": "int", "default": 30},
    }
    INPUT_CHECKS = {"sip_domains": inputs.each(inputs.sip_domain),
                    "subject_alternative_names": inputs.each(inputs.certificate_name), "renew_before_days": inputs.days}

    def execute(self, host, args, task_vars):
        answer = host.read(*reads(False), *reads(True)[2:3])
        step = deploy_state.certificate_answer(answer)
        placement = deploy_state.placement_from(step["computer"], step["pools"])
        # The names come from the published topology, as sfb.server.certificate judges them; an unreadable
        # topology document stops the report (UnreadableOutput) rather than judge against fewer names.
        topology = topology_document.read_names(step["topology"])
        web_service = topology_document.web_services_of(step["web_services"], placement.pool)
        now = datetime.datetime.fromtimestamp(host.now(), tz=datetime.timezone.utc)
        store, intermediates, roots = step["store"], step["intermediates"], step["roots"]
        # The uses of the server's roles (Environmental requirements, Certificates); OAuthTokenIssuer on
        # Front Ends only, where replication puts it.
        uses, names = {}, []
        for group in dep.certificate_groups(placement.roles):
            group_names = dep.certificate_names(group, placement.fqdn, placement.pool, topology, web_service,
                                                args["sip_domains"], args["subject_alternative_names"])
            names += [n for n in group_names if n not in names]
            uses.update(evaluate(group, step["assigned"], store, intermediates, roots, group_names, now,
                                 args["renew_before_days"]))
        if dep.OAUTH_ROLE in placement.roles:
            global_assigned = answer.output(len(deploy_state.CERTIFICATE_READ_STEPS))
            uses.update(evaluate([dep.OAUTH_USE], global_assigned, store, intermediates, roots, [], now,
                                 args["renew_before_days"]))
        return {
            "changed": False,
            "required_names": names,
            "certificates": {u: (v.to_result() if v else None) for u, v in uses.items()},
            "invalid": {u: (dep.describe_problems(v) if v else "no certificate assigned")
                        for u, v in uses.items() if v is None or not v.valid},
            "store": [{"thumbprint": c.get("Thumbprint"), "subject": c.get("Subject"), "not_after": c.get("NotAfter"),
                       "names": dep.dns_names(c), "friendly_name": c.get("FriendlyName")} for c in store],
        }
