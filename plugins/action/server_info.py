# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.server_info: product, version and topology placement of a Skype for Business server."""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import topology, versions
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall

READS = (
    CmdletCall("Get-CsServerVersion", select=("Value",)),
    CmdletCall("Get-CsComputer", {"Local": True}, select=("Identity", "Fqdn", "Pool")),
    CmdletCall("Get-CsPool", select=("Identity", "Fqdn", "Site", "Computers", "Services"), as_text=("Site", "Services")),
)


class ActionModule(SfbAction):
    ARGUMENT_SPEC: dict = {}

    def execute(self, host, args, task_vars):
        answer = host.read(*READS)
        product, version = versions.parse_server_version(str(answer.output(0)[0]) if answer.output(0) else "")
        computers = answer.output(1)
        if not computers:
            placement = topology.placement({}, [])
        else:
            placement = topology.placement(computers[0], answer.output(2))
        return {
            "changed": False,
            "server": {
                "fqdn": placement.fqdn,
                "product": product.key,
                "product_name": product.name,
                "version": version,
                "roles": list(placement.roles),
                "pool": placement.pool,
                "pool_servers": list(placement.pool_servers),
                "site": placement.site,
                "edition": placement.edition,
                "uses_fabric": placement.uses_fabric,
            },
        }
