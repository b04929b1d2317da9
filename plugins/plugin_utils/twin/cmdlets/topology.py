# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-only topology cmdlets on the twin: Get-CsServerVersion, Get-CsComputer, Get-CsPool, Get-CsSite."""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.twin import knowledge
from ansible_collections.sfb.server.plugins.plugin_utils.twin.cmdlets import Call, CmdletError, cmdlet


def _not_found(kind: str, identity) -> CmdletError:
    return CmdletError(f'Cannot find "{kind}" "{identity}" because it does not exist.', "ObjectNotFound",
                       "IdentityNotFound")


@cmdlet("Get-CsServerVersion")
def get_server_version(call: Call):
    server = call.server
    return [knowledge.format_server_version(server["product"], server["version"])]


def _computer(server: dict) -> dict:
    return {"Identity": server["fqdn"], "Fqdn": server["fqdn"], "Pool": server["pool"]}


@cmdlet("Get-CsComputer")
def get_computer(call: Call):
    servers = list(call.world.servers.values())
    if call.switch("Local"):
        servers = [call.server]
    if call.get("Identity") is not None:
        servers = [s for s in servers if s["fqdn"] == str(call.get("Identity")).lower()]
        if not servers:
            raise _not_found("Computer", call.get("Identity"))
    if call.get("Pool") is not None:
        servers = [s for s in servers if s["pool"] == str(call.get("Pool")).lower()]
    return [_computer(s) for s in servers]


def _pool(pool: dict) -> dict:
    services = []
    for role in pool["roles"]:
        for service_type in knowledge.topology_service_types(role):
            identity = f"{service_type}:{pool['fqdn']}"
            if identity not in services:
                services.append(identity)
    return {
        "Identity": pool["fqdn"],
        "Fqdn": pool["fqdn"],
        "Site": f"Site:{pool['site']}",
        "Computers": list(pool["servers"]),
        "Services": services,
    }


@cmdlet("Get-CsPool")
def get_pool(call: Call):
    pools = list(call.world.pools.values())
    if call.get("Identity") is not None:
        pools = [p for p in pools if p["fqdn"] == str(call.get("Identity")).lower()]
        if not pools:
            raise _not_found("Pool", call.get("Identity"))
    if call.get("Site") is not None:
        wanted = str(call.get("Site")).lower().removeprefix("site:")
        pools = [p for p in pools if p["site"].lower() == wanted]
    return [_pool(p) for p in pools]


@cmdlet("Get-CsSite")
def get_site(call: Call):
    sites = list(call.world.sites.values())
    if call.get("Identity") is not None:
        wanted = str(call.get("Identity")).lower().removeprefix("site:")
        sites = [s for s in sites if s["name"].lower() == wanted]
        if not sites:
            raise _not_found("Site", call.get("Identity"))
    return [{"Identity": f"Site:{s['name']}", "SiteId": s["site_id"], "DisplayName": s["name"]} for s in sites]
