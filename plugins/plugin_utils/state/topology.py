# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reads that tell where a server sits in the published topology, shared by every module.

Get-CsPool's Site and Services are identity objects: they come back as their text
("Site:Redmond", "Registrar:pool01.contoso.com"), which is what the documentation shows and what
plugin_utils/domain/topology.py reads.
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.domain import topology, versions
from ansible_collections.sfb.server.plugins.plugin_utils.host.base import Host
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall

SERVER_VERSION = CmdletCall("Get-CsServerVersion", select=("Value",))
LOCAL_COMPUTER = CmdletCall("Get-CsComputer", {"Local": True}, select=("Identity", "Fqdn", "Pool"))
POOLS = CmdletCall("Get-CsPool", select=("Identity", "Fqdn", "Site", "Computers", "Services"),
                   as_text=("Site", "Services"))
# The computer and every pool: enough to place the server, in one round trip.
PLACEMENT_READS = (LOCAL_COMPUTER, POOLS)


def placement_from(computers: list, pools: list) -> topology.Placement:
    """The placement from the answers of LOCAL_COMPUTER and POOLS."""
    return topology.placement(computers[0] if computers else {}, pools)


def product_from(answer: list) -> tuple[versions.Product, str]:
    """The product and version from the answer of SERVER_VERSION."""
    return versions.parse_server_version(str(answer[0]) if answer else "")


def read_placement(host: Host) -> tuple[versions.Product, str, topology.Placement]:
    """The server's product, version and place in the topology, in one round trip."""
    answer = host.read(SERVER_VERSION, *PLACEMENT_READS)
    product, version = product_from(answer.output(0))
    return product, version, placement_from(answer.output(1), answer.output(2))
