# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The estate the inventory plugin sfb.server.topology builds: sites, pools, servers and roles.

Two sources:
- the topology document a Front End exports (Get-CsTopology -AsXml saved to a file, its Example 3;
  or an Export-CsConfiguration archive that holds such a document). Microsoft publishes no sample of
  that XML: what this reader expects of it is listed in docs/assumptions.md ("Topology document"),
  and a document that does not match fails closed, saying what is missing;
- a twin world description (the YAML `sfb_twin.py create` reads, docs/twin.md), for rehearsals.
"""

from __future__ import annotations

import io
import re
import zipfile
import xml.etree.ElementTree as ET  # nosec: a document the administrator exported, not remote input
from dataclasses import dataclass, field

import yaml

from ansible_collections.sfb.server.plugins.plugin_utils.domain import topology_document
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError

# Service RoleName (topology document) -> the collection's server role (plugin_utils/domain/roles.py).
# A Registrar alone (no UserServices in its pool) is a Director pool.
SERVICE_ROLES = {
    "UserServices": "FrontEnd",
    "MediationServer": "Mediation",
    "EdgeServer": "Edge",
    "PersistentChatServer": "PersistentChat",
}
REGISTRAR = "Registrar"
EDITIONS = ("Enterprise", "Standard")


class TopologyError(SfbError):
    """A topology document or world description the inventory cannot read: nothing is guessed."""


@dataclass
class Pool:
    fqdn: str
    site: str
    servers: list[str]
    roles: list[str] = field(default_factory=list)
    edition: str | None = None


@dataclass
class Estate:
    source: str
    sites: list[str]
    pools: list[Pool]


# One reader of the document's elements, shared with step 3 (sfb.server.certificate reads the SIP domains
# and simple URLs of the same document: plugin_utils/domain/topology_document.py).
_local, _children, _all = topology_document.local_name, topology_document.children, topology_document.descendants


def _front_end_edition(pool_fqdn: str, servers: list[str]) -> str:
    # A Standard Edition server is a pool of one whose pool FQDN is the server's own FQDN.
    return "Standard" if len(servers) == 1 and servers[0].lower() == pool_fqdn.lower() else "Enterprise"


def _cluster_key(node: ET.Element, where: str) -> tuple[str, str]:
    site, number = node.get("SiteId"), node.get("Number")
    if not site or not number:
        raise TopologyError(f"The topology document has a ClusterId without SiteId or Number ({where}).",
                            hint="Export it again with Get-CsTopology -AsXml; see docs/inventory.md.")
    return site, number


def parse_topology_xml(data: bytes, source: str) -> Estate:
    """The estate of a Get-CsTopology -AsXml document."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise TopologyError(f"{source} is not an XML document: {exc}.",
                            hint="Save the topology with Get-CsTopology -AsXml | Out-File <file>.") from None
    if _local(root.tag) != "Topology":
        raise TopologyError(f"{source}: the root element is {_local(root.tag)}, not Topology.",
                            hint="Give the output of Get-CsTopology -AsXml (docs/inventory.md).")
    sites: dict[str, str] = {}
    for container in _children(root, "Sites"):
        for site in container:
            names = _children(site, "Name")
            site_id = site.get("SiteId")
            if not site_id or not names or not (names[0].text or "").strip():
                raise TopologyError(f"{source}: a site ({_local(site.tag)}) has no SiteId or Name.",
                                    hint="docs/assumptions.md lists what the reader expects of the document.")
            sites[site_id] = names[0].text.strip()
    if not sites:
        raise TopologyError(f"{source}: the document lists no site (Sites/CentralSite).",
                            hint="docs/assumptions.md lists what the reader expects of the document.")
    pools: dict[tuple[str, str], Pool] = {}
    for cluster in _all(root, "Cluster"):
        fqdn = cluster.get("Fqdn")
        ids = _children(cluster, "ClusterId")
        if not fqdn or not ids:
            raise TopologyError(f"{source}: a Cluster has no Fqdn or ClusterId.",
                                hint="docs/assumptions.md lists what the reader expects of the document.")
        key = _cluster_key(ids[0], f"cluster {fqdn}")
        if key[0] not in sites:
            raise TopologyError(f"{source}: cluster {fqdn} names site {key[0]}, which the document does not list.")
        servers = []
        for machine in _children(cluster, "Machine"):
            if not machine.get("Fqdn"):
                raise TopologyError(f"{source}: a Machine of cluster {fqdn} has no Fqdn.")
            servers.append(machine.get("Fqdn").lower())
        pools[key] = Pool(fqdn=fqdn.lower(), site=sites[key[0]], servers=servers)
    if not pools:
        raise TopologyError(f"{source}: the document lists no pool (Clusters/Cluster).",
                            hint="docs/assumptions.md lists what the reader expects of the document.")
    found: dict[tuple[str, str], set[str]] = {key: set() for key in pools}
    for service in _all(root, "Service"):
        ids = _children(service, "ServiceId")
        role_name = ids[0].get("RoleName") if ids else None
        if not role_name:
            raise TopologyError(f"{source}: a Service has no ServiceId RoleName.")
        for installed in _children(service, "InstalledOn"):
            for cluster_id in _children(installed, "ClusterId"):
                key = _cluster_key(cluster_id, f"service {role_name}")
                if key not in pools:
                    raise TopologyError(f"{source}: service {role_name} is installed on cluster {key}, "
                                        "which the document does not list.")
                found[key].add(role_name)
    for key, pool in pools.items():
        names = found[key]
        roles = sorted({SERVICE_ROLES[n] for n in names if n in SERVICE_ROLES})
        if REGISTRAR in names and "UserServices" not in names:
            roles.append("Director")
        pool.roles = sorted(roles)
        if "FrontEnd" in pool.roles:
            pool.edition = _front_end_edition(pool.fqdn, pool.servers)
    server_pools = [p for p in pools.values() if p.roles and p.servers]
    if not server_pools:
        raise TopologyError(f"{source}: no pool carries a server role the collection manages "
                            f"({', '.join(sorted(SERVICE_ROLES))}, Registrar).")
    return Estate(source=source, sites=sorted(set(sites.values())), pools=server_pools)


def read_topology(data: bytes, source: str) -> Estate:
    """A topology document, or an archive (Export-CsConfiguration) holding one."""
    if data[:4] != b"PK\x03\x04":
        return parse_topology_xml(data, source)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise TopologyError(f"{source} looks like a ZIP archive but cannot be read: {exc}.") from None
    members = [m for m in archive.namelist() if m.lower().endswith(".xml")]
    for member in members:
        head = archive.read(member)[:4096].decode("utf-8", "replace")
        if re.search(r"<(\w+:)?Topology[\s>]", head):
            return parse_topology_xml(archive.read(member), f"{source}:{member}")
    raise TopologyError(
        f"{source}: the archive holds no Topology document (XML members: {', '.join(members) or 'none'}).",
        hint="Export the topology alone with Get-CsTopology -AsXml | Out-File Topology.xml, and give that file.")


def read_twin_description(text: str, source: str) -> Estate:
    """The estate of a twin world description (sites, pools, servers, roles, edition)."""
    try:
        description = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TopologyError(f"{source} is not YAML: {exc}.") from None
    if not isinstance(description, dict) or not isinstance(description.get("sites"), list):
        raise TopologyError(f"{source} has no `sites` list: it is not a twin world description (docs/twin.md).")
    sites, pools = [], []
    for i, site in enumerate(description["sites"]):
        if not isinstance(site, dict) or not site.get("name"):
            raise TopologyError(f"{source}: sites[{i}] has no name.")
        sites.append(str(site["name"]))
        for j, pool in enumerate(site.get("pools") or []):
            where = f"{source}: sites[{i}].pools[{j}]"
            if not isinstance(pool, dict) or not pool.get("fqdn") or not pool.get("servers"):
                raise TopologyError(f"{where} needs fqdn and servers.")
            servers = [str(s["fqdn"] if isinstance(s, dict) else s).lower() for s in pool["servers"]]
            roles = sorted(str(r) for r in pool.get("roles") or ["FrontEnd"])
            edition = str(pool.get("edition", "Enterprise")) if "FrontEnd" in roles else None
            if edition is not None and edition not in EDITIONS:
                raise TopologyError(f"{where}: edition {edition} is not one of {', '.join(EDITIONS)}.")
            pools.append(Pool(fqdn=str(pool["fqdn"]).lower(), site=str(site["name"]), servers=servers,
                              roles=roles, edition=edition))
    if not pools:
        raise TopologyError(f"{source} describes no pool.")
    return Estate(source=source, sites=sites, pools=pools)


def group_name(kind: str, value: str) -> str:
    """A group name Ansible accepts: sfb_<kind>_<value>, lower case, only letters, digits and _."""
    safe = re.sub(r"[^a-z0-9_]", "_", value.lower())
    return f"sfb_{kind}_{safe}" if kind else f"sfb_{safe}"


def inventory_layout(estate: Estate) -> dict:
    """groups (name -> hosts) and hostvars (host -> variables) for the estate.

    Groups: sfb (every server), sfb_site_<site>, sfb_<pool host name> (the pool, as the README's
    inventories name it), sfb_role_<role>, sfb_edition_<edition>. Host variables: sfb_site, sfb_pool,
    sfb_roles, sfb_edition (Front End pools only).
    """
    groups: dict[str, list[str]] = {"sfb": []}
    hostvars: dict[str, dict] = {}
    for pool in estate.pools:
        pool_group = group_name("", pool.fqdn.split(".")[0])
        memberships = [group_name("site", pool.site), pool_group] + [group_name("role", r) for r in pool.roles]
        if pool.edition:
            memberships.append(group_name("edition", pool.edition))
        for server in pool.servers:
            if server in hostvars:
                raise TopologyError(f"{estate.source}: server {server} is in two pools "
                                    f"({hostvars[server]['sfb_pool']} and {pool.fqdn}).")
            hostvars[server] = {"sfb_site": pool.site, "sfb_pool": pool.fqdn, "sfb_roles": list(pool.roles)}
            if pool.edition:
                hostvars[server]["sfb_edition"] = pool.edition
            groups["sfb"].append(server)
            for name in memberships:
                groups.setdefault(name, []).append(server)
    return {"groups": groups, "hostvars": hostvars}
