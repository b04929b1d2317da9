# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.server_info: product, version and topology placement of a Skype for Business server."""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.state.topology import read_placement


class ActionModule(SfbAction):
    ARGUMENT_SPEC: dict = {}

    def execute(self, host, args, task_vars):
        product, version, placement = read_placement(host)
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
