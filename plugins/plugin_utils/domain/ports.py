# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The port matrix of Skype for Business Server (seed 004) and what follows from it.

The data lives in ports.yml beside this module: the seed's five tables, row by row, in English.
This module reads it, checks it, and answers the questions the firewall modules ask:
- which rows apply to a server, given its roles (a Front End with collocated Mediation has rows
  of its own; the Central Management store host one more);
- the Windows Firewall rules those rows become (one rule per transport and port, in the
  collection's own rule group);
- the IPsec "do not authenticate" exemptions for the roles the IPsec table names;
- which TCP ports a peer listens on, for connectivity checks;
- the firewall report network teams need for an inventory: rules for hardware firewalls, for
  load balancers (the table chosen by the pool's load-balancing type), client ports and IPsec.

Pure Python: no Ansible, no I/O beyond reading ports.yml.
"""

from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Mapping

import yaml

from ansible_collections.sfb.server.plugins.plugin_utils.domain import roles as role_catalog
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument

DATA_FILE = pathlib.Path(__file__).with_name("ports.yml")

SERVER_ROLES = "server_roles"
HLB_ONLY = "hardware_load_balancing_only"
HLB_WITH_DNS = "hardware_load_balancing_with_dns"
CLIENTS = "clients"
IPSEC = "ipsec_exceptions"
PORT_TABLES = (SERVER_ROLES, HLB_ONLY, HLB_WITH_DNS, CLIENTS)
TABLES = PORT_TABLES + (IPSEC,)

# The Windows Firewall / IPsec rule group the collection owns. Rules are found by their name
# prefix and owned only when they also carry this group: a rule of someone else is never changed,
# even if its name looks like ours.
GROUP = "sfb.server"
RULE_PREFIX = "sfb.server-"
IPSEC_PREFIX = RULE_PREFIX + "ipsec-"

TRANSPORTS = ("TCP", "UDP")
LOAD_BALANCING = ("dns", "hardware")
ANY = "Any"

_PORT_TEXT = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


class PortSpecError(InvalidArgument):
    """A port or port range written wrong."""


class TopologyError(InvalidArgument):
    """An inventory or topology the firewall modules cannot plan for."""


# -- ports -----------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class PortRange:
    first: int
    last: int

    @property
    def single(self) -> bool:
        return self.first == self.last

    def __contains__(self, port: int) -> bool:
        return self.first <= port <= self.last

    def __str__(self) -> str:
        return str(self.first) if self.single else f"{self.first}-{self.last}"


def parse_ports(text: Any, where: str = "port") -> tuple[PortRange, ...]:
    """`5061`, `57501-65535` or the seed's pair `67/68` (two ports) as port ranges.

    Raises PortSpecError naming what is wrong: not a number, out of 1-65535, or a range whose
    first port is above its last.
    """
    if isinstance(text, bool) or text is None:
        raise PortSpecError(f"{where}: {text!r} is not a port or a port range.",
                            hint="Write a port as 5061 and a range as 49152-57500.")
    parts = str(text).split("/")
    ranges = []
    for part in parts:
        match = _PORT_TEXT.match(part)
        if not match:
            raise PortSpecError(
                f"{where}: {text!r} is not a port or a port range.",
                hint="Write a port as 5061 and a range as 49152-57500 (first-last, both 1-65535).",
            )
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) else first
        for port in (first, last):
            if not 1 <= port <= 65535:
                raise PortSpecError(f"{where}: port {port} in {text!r} is outside 1-65535.",
                                    hint="TCP and UDP ports run from 1 to 65535.")
        if first > last:
            raise PortSpecError(f"{where}: the range {text!r} starts above its end ({first} > {last}).",
                                hint=f"Write it as {last}-{first}.")
        ranges.append(PortRange(first, last))
    return tuple(ranges)


# -- the matrix ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortRow:
    """One row of a port table of the seed."""

    table: str
    index: int
    role: str
    port: str
    protocol: str
    transport: tuple[str, ...]
    purpose: str
    service: str = ""
    footnote: str = ""
    transport_note: str = ""
    seed_purpose_empty: bool = False
    ranges: tuple[PortRange, ...] = field(default=(), compare=False)

    @property
    def single_port(self) -> int | None:
        return self.ranges[0].first if len(self.ranges) == 1 and self.ranges[0].single else None


@dataclass(frozen=True)
class IpsecRow:
    """One row of the seed's recommended IPsec exceptions."""

    index: int
    name: str
    source: str
    destination: str
    protocol: str
    transport: tuple[str, ...]
    source_port: str
    destination_port: str
    authentication: str


@dataclass(frozen=True)
class RoleScope:
    """Who a row applies to (see `roles:` in ports.yml)."""

    key: str
    label: str
    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()
    central_management_store: bool = False
    office_web_apps: bool = False
    pool_all_of: tuple[str, ...] = ()
    pool_none_of: tuple[str, ...] = ()

    def applies_to_server(self, roles: Iterable[str], central_management_store: bool = False) -> bool:
        held = set(roles)
        if not (self.all_of or self.any_of) or self.office_web_apps:
            return False
        if self.all_of and not set(self.all_of) <= held:
            return False
        if self.any_of and not held & set(self.any_of):
            return False
        if held & set(self.none_of):
            return False
        return central_management_store or not self.central_management_store

    def balances_pool(self, pool_roles: Iterable[str]) -> bool:
        held = set(pool_roles)
        return bool(self.pool_all_of) and set(self.pool_all_of) <= held and not held & set(self.pool_none_of)


@dataclass(frozen=True)
class Matrix:
    tables: Mapping[str, tuple[PortRow, ...]]
    ipsec: tuple[IpsecRow, ...]
    roles: Mapping[str, RoleScope]
    ipsec_targets: Mapping[str, dict]
    footnotes: Mapping[str, str]
    notes: Mapping[str, str]

    def rows(self, table: str) -> tuple[PortRow, ...]:
        return self.tables[table]

    def label(self, role: str) -> str:
        return self.roles[role].label


def _tuple(value) -> tuple[str, ...]:
    return tuple(value or ())


def load(path: pathlib.Path = DATA_FILE) -> Matrix:
    """Read and check ports.yml; a malformed row is a bug in the collection, said plainly."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    scopes = {
        key: RoleScope(
            key=key, label=str(spec["label"]).strip(), all_of=_tuple(spec.get("all_of")),
            any_of=_tuple(spec.get("any_of")), none_of=_tuple(spec.get("none_of")),
            central_management_store=bool(spec.get("central_management_store")),
            office_web_apps=bool(spec.get("office_web_apps")),
            pool_all_of=_tuple(spec.get("pool_all_of")), pool_none_of=_tuple(spec.get("pool_none_of")))
        for key, spec in data["roles"].items()
    }
    for scope in scopes.values():
        named = scope.all_of + scope.any_of + scope.none_of + scope.pool_all_of + scope.pool_none_of
        unknown = sorted(set(named) - set(role_catalog.ROLES))
        if unknown:
            raise ValueError(f"{path.name}: roles.{scope.key} names unknown server roles {unknown}")
    tables = {}
    for table in PORT_TABLES:
        rows = []
        for index, raw in enumerate(data[table]):
            where = f"{path.name}: {table}[{index}]"
            if raw["role"] not in scopes:
                raise ValueError(f"{where}: unknown role {raw['role']!r}")
            transport = _tuple(raw["transport"])
            if not transport or set(transport) - set(TRANSPORTS):
                raise ValueError(f"{where}: transport must be TCP and/or UDP, not {transport}")
            if raw.get("footnote") and raw["footnote"] not in data["footnotes"]:
                raise ValueError(f"{where}: unknown footnote {raw['footnote']!r}")
            rows.append(PortRow(
                table=table, index=index, role=raw["role"], port=str(raw["port"]),
                protocol=str(raw.get("protocol") or ""), transport=transport,
                purpose=str(raw["purpose"]).strip(), service=str(raw.get("service") or ""),
                footnote=str(raw.get("footnote") or ""), transport_note=str(raw.get("transport_note") or ""),
                seed_purpose_empty=bool(raw.get("seed_purpose_empty")),
                ranges=parse_ports(raw["port"], where)))
        tables[table] = tuple(rows)
    targets = dict(data["ipsec_targets"])
    ipsec = []
    for index, raw in enumerate(data[IPSEC]):
        for end in ("source", "destination"):
            if raw[end] not in targets:
                raise ValueError(f"{path.name}: {IPSEC}[{index}]: unknown {end} {raw[end]!r}")
        ipsec.append(IpsecRow(
            index=index, name=raw["name"], source=raw["source"], destination=raw["destination"],
            protocol=raw["protocol"], transport=_tuple(raw["transport"]), source_port=raw["source_port"],
            destination_port=raw["destination_port"], authentication=raw["authentication"]))
    return Matrix(tables=tables, ipsec=tuple(ipsec), roles=scopes, ipsec_targets=targets,
                  footnotes={k: " ".join(str(v).split()) for k, v in data["footnotes"].items()},
                  notes={k: " ".join(str(v).split()) for k, v in data["notes"].items()})


@lru_cache(maxsize=1)
def matrix() -> Matrix:
    return load()


# -- a server's rows and rules ---------------------------------------------------------------


def check_server_roles(roles: Iterable[str], where: str = "roles") -> tuple[str, ...]:
    roles = tuple(roles or ())
    if not roles:
        raise TopologyError(f"{where}: a server needs at least one role.",
                            hint=f"Known roles: {', '.join(role_catalog.ROLES)}.")
    unknown = [r for r in roles if r not in role_catalog.ROLES]
    if unknown:
        raise TopologyError(f"{where}: unknown server role(s) {', '.join(map(str, unknown))}.",
                            hint=f"Known roles: {', '.join(role_catalog.ROLES)}.")
    return roles


def server_rows(roles: Iterable[str], central_management_store: bool = False) -> list[PortRow]:
    """The rows of the server roles table that apply to a server holding `roles`."""
    roles = check_server_roles(roles)
    m = matrix()
    return [row for row in m.rows(SERVER_ROLES)
            if m.roles[row.role].applies_to_server(roles, central_management_store)]


@dataclass(frozen=True)
class FirewallRule:
    """A Windows Firewall rule the collection keeps on a server (inbound, allow)."""

    name: str
    display_name: str
    description: str
    protocol: str
    local_port: tuple[str, ...]
    seed_rows: tuple[int, ...]
    direction: str = "Inbound"
    action: str = "Allow"
    enabled: str = "True"
    profile: str = "Any"

    def to_result(self) -> dict:
        return {"name": self.name, "display_name": self.display_name, "protocol": self.protocol,
                "local_port": list(self.local_port), "direction": self.direction, "action": self.action,
                "enabled": self.enabled == "True", "profile": self.profile, "description": self.description,
                "seed_rows": list(self.seed_rows)}


def firewall_rules(roles: Iterable[str], central_management_store: bool = False) -> list[FirewallRule]:
    """The Windows Firewall rules a server holding `roles` needs, one per transport and port.

    Rows that share a transport and port (443 for web compatibility, mobility and Persistent
    Chat file transfer, 1434 listed twice) become one rule whose description keeps every purpose.
    """
    grouped: dict[tuple[str, str], list[PortRow]] = {}
    for row in server_rows(roles, central_management_store):
        for transport in row.transport:
            for ports in row.ranges:
                grouped.setdefault((transport, str(ports)), []).append(row)
    rules = []
    for (transport, port), rows in grouped.items():
        services = _unique(row.service or matrix().label(row.role) for row in rows)
        purposes = _unique(f"{row.service or matrix().label(row.role)}: {row.purpose}" for row in rows)
        rules.append(FirewallRule(
            name=f"{RULE_PREFIX}{transport}-{port}",
            display_name=f"Skype for Business Server {transport} {port} ({', '.join(services)})",
            description=" | ".join(purposes) + " [seed 004]",
            protocol=transport,
            local_port=(port,),
            seed_rows=tuple(row.index for row in rows),
        ))
    return rules


@dataclass(frozen=True)
class IpsecRule:
    """An IPsec exemption (do not authenticate) the collection keeps on a server."""

    name: str
    display_name: str
    protocol: str
    seed_row: int
    inbound_security: str = "None"
    outbound_security: str = "None"
    mode: str = "Transport"
    enabled: str = "True"

    def to_result(self) -> dict:
        return {"name": self.name, "display_name": self.display_name, "protocol": self.protocol,
                "inbound_security": self.inbound_security, "outbound_security": self.outbound_security,
                "mode": self.mode, "enabled": self.enabled == "True", "seed_row": self.seed_row}


def ipsec_rules(roles: Iterable[str]) -> list[IpsecRule]:
    """The seed's IPsec exemptions that name a role the server holds.

    IPsec rules are not directional: the seed's inbound and outbound rows for one role give the
    same exemption seen from the server, and both are kept so that each rule traces to its row.
    OutboundSecurity None is the documented way to grant an exemption (New-NetIPsecRule page).
    """
    held = set(check_server_roles(roles))
    m = matrix()
    rules = []
    for row in m.ipsec:
        target = row.destination if row.destination != ANY else row.source
        if not held & set(m.ipsec_targets[target]["server_roles"]):
            continue
        for transport in row.transport:
            rules.append(IpsecRule(
                name=f"{IPSEC_PREFIX}{_slug(row.name)}-{transport}",
                display_name=f"Skype for Business Server IPsec exemption: {row.name} ({transport})",
                protocol=transport,
                seed_row=row.index,
            ))
    return rules


# -- peers and paths -------------------------------------------------------------------------


@dataclass(frozen=True)
class Path:
    source: str
    destination: str
    port: str
    transport: str
    purpose: str
    service: str
    testable: bool
    reason: str = ""

    def to_result(self) -> dict:
        result = {"source": self.source, "destination": self.destination, "port": self.port,
                  "protocol": self.transport, "purpose": self.purpose, "service": self.service}
        if not self.testable:
            result["reason"] = self.reason
        return result


def _outgoing(row: PortRow) -> bool:
    purpose = row.purpose.lower()
    return purpose.startswith("outgoing") or "outbound" in purpose


def peer_paths(source: str, peers: Iterable[Mapping[str, Any]]) -> list[Path]:
    """The paths from `source` to the ports each peer listens on, per the server roles table.

    TCP single ports can be tested by connecting. UDP cannot be tested without a listener that
    answers, and a media port range has no listener until a call allocates a port: both are
    reported as not testable rather than guessed.
    """
    paths = []
    for i, peer in enumerate(peers):
        fqdn = str(peer.get("fqdn") or "").lower()
        if not fqdn:
            raise TopologyError(f"peers[{i}]: a peer needs an fqdn.")
        if fqdn == source.lower():
            continue
        seen = set()
        for row in server_rows(check_server_roles(peer.get("roles"), f"peers[{i}].roles"),
                               bool(peer.get("central_management_store"))):
            for transport in row.transport:
                for ports in row.ranges:
                    key = (transport, str(ports))
                    if key in seen:
                        continue
                    seen.add(key)
                    if transport == "UDP":
                        testable, reason = False, "UDP cannot be tested without a listener that answers"
                    elif _outgoing(row):
                        # The ports page calls these rows outgoing/outbound traffic of the server
                        # (5066, 5081, 5082): nothing need listen there, so a TCP test proves nothing.
                        testable, reason = False, "the page describes traffic this server sends: nothing listens there"
                    elif not ports.single:
                        testable, reason = False, "a media port range has no listener until a call uses it"
                    else:
                        testable, reason = True, ""
                    paths.append(Path(source=source.lower(), destination=fqdn, port=str(ports),
                                      transport=transport, purpose=row.purpose,
                                      service=row.service or matrix().label(row.role),
                                      testable=testable, reason=reason))
    return paths


# -- the firewall report ---------------------------------------------------------------------

FIREWALL = "firewall"
LOAD_BALANCER = "load_balancer"
CLIENT = "clients"
IPSEC_KIND = "ipsec"
REPORT_KINDS = (FIREWALL, LOAD_BALANCER, CLIENT, IPSEC_KIND)

REPORT_COLUMNS = {
    FIREWALL: ("Source", "Destination", "Destination pool", "Port", "Protocol", "Application protocol",
               "Role", "Service", "Purpose"),
    LOAD_BALANCER: ("Source", "Destination", "Load balancer", "Load balancing", "Port", "Protocol",
                    "Application protocol", "Purpose"),
    CLIENT: ("Source", "Destination", "Port", "Protocol", "Application protocol", "Purpose", "Note"),
    IPSEC_KIND: ("Rule", "Source", "Destination", "Protocol", "Source port", "Destination port",
                 "Authentication"),
}
REPORT_TITLES = {
    FIREWALL: "Hardware firewalls",
    LOAD_BALANCER: "Load balancers",
    CLIENT: "Clients",
    IPSEC_KIND: "IPsec exceptions",
}
# The seed names no source for server ports: any internal client or server may connect.
INTERNAL_SOURCE = "Internal network (clients and servers)"


@dataclass(frozen=True)
class Pool:
    fqdn: str
    roles: tuple[str, ...]
    servers: tuple[str, ...]
    load_balancing: str
    site: str = ""
    central_management_store: bool = False

    @property
    def load_balanced(self) -> bool:
        return len(self.servers) > 1


def check_topology(pools: Any) -> list[Pool]:
    """Pools from an inventory or topology, checked with errors that name the faulty entry."""
    if not isinstance(pools, list) or not pools:
        raise TopologyError(
            "The inventory or topology has no pool: there is nothing to report on.",
            hint="Give at least one pool with fqdn, roles and servers (the firewall_report role builds "
            "them from the inventory groups), or point the play at the right inventory.",
        )
    checked, seen = [], set()
    for i, pool in enumerate(pools):
        where = f"pools[{i}]"
        if not isinstance(pool, Mapping):
            raise TopologyError(f"{where}: expected a mapping with fqdn, roles and servers.")
        fqdn = str(pool.get("fqdn") or "").strip().lower()
        if not fqdn:
            raise TopologyError(f"{where}: a pool needs an fqdn.")
        if fqdn in seen:
            raise TopologyError(f"{where}: the pool {fqdn} is listed twice.")
        seen.add(fqdn)
        roles = check_server_roles(pool.get("roles"), f"{where} ({fqdn}).roles")
        servers = tuple(str(s).strip().lower() for s in pool.get("servers") or ())
        if not servers:
            raise TopologyError(f"{where} ({fqdn}): a pool needs at least one server.")
        balancing = str(pool.get("load_balancing") or "dns").lower()
        if balancing not in LOAD_BALANCING:
            raise TopologyError(f"{where} ({fqdn}).load_balancing: {balancing!r} is not one of "
                                f"{', '.join(LOAD_BALANCING)}.")
        checked.append(Pool(fqdn=fqdn, roles=roles, servers=servers, load_balancing=balancing,
                            site=str(pool.get("site") or ""),
                            central_management_store=bool(pool.get("central_management_store"))))
    return checked


def report(pools: list[Pool], office_web_apps: Iterable[str] = ()) -> dict[str, list[tuple[str, ...]]]:
    """Every rule network teams must create, per kind, as rows of REPORT_COLUMNS."""
    m = matrix()
    sheets: dict[str, list[tuple[str, ...]]] = {kind: [] for kind in REPORT_KINDS}
    for pool in pools:
        for row in server_rows(pool.roles, pool.central_management_store):
            for transport in row.transport:
                sheets[FIREWALL].append((INTERNAL_SOURCE, ", ".join(pool.servers), pool.fqdn, row.port, transport,
                                         row.protocol, m.label(row.role), row.service, row.purpose))
    owa = [str(s).lower() for s in office_web_apps or ()]
    if owa:
        for row in m.rows(SERVER_ROLES):
            if m.roles[row.role].office_web_apps:
                for transport in row.transport:
                    sheets[FIREWALL].append((", ".join(p.fqdn for p in pools), ", ".join(owa), "", row.port,
                                             transport, row.protocol, m.label(row.role), row.service,
                                             row.purpose))
    for pool in pools:
        if not pool.load_balanced:
            continue
        table = HLB_ONLY if pool.load_balancing == "hardware" else HLB_WITH_DNS
        for row in m.rows(table):
            if m.roles[row.role].balances_pool(pool.roles):
                for transport in row.transport:
                    sheets[LOAD_BALANCER].append((INTERNAL_SOURCE, pool.fqdn, m.label(row.role),
                                                  _balancing_label(pool.load_balancing), row.port, transport,
                                                  row.protocol, row.purpose))
    for row in m.rows(CLIENTS):
        for transport in row.transport:
            sheets[CLIENT].append((m.label(row.role), "Skype for Business Server", row.port, transport,
                                   row.protocol, row.purpose, m.footnotes.get(row.footnote, "")))
    for row in m.ipsec:
        sheets[IPSEC_KIND].append((row.name, _ipsec_end(row.source, pools), _ipsec_end(row.destination, pools),
                                   row.protocol, row.source_port, row.destination_port, row.authentication))
    return sheets


def _balancing_label(balancing: str) -> str:
    return "Hardware load balancing only" if balancing == "hardware" else "DNS load balancing (web traffic on hardware)"


def _ipsec_end(target: str, pools: list[Pool]) -> str:
    m = matrix()
    spec = m.ipsec_targets[target]
    servers = [s for pool in pools if set(pool.roles) & set(spec["server_roles"]) for s in pool.servers]
    label = str(spec["label"])
    return f"{label}: {', '.join(servers)}" if servers else label


def _unique(items: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# -- the matrix for people ---------------------------------------------------------------------

_TABLE_TITLES = {
    SERVER_ROLES: "Ports each server role needs",
    HLB_ONLY: "Hardware load balancer ports, pools with hardware load balancing only",
    HLB_WITH_DNS: "Hardware load balancer ports, pools with DNS load balancing",
    CLIENTS: "Client ports",
}


def markdown_matrix() -> str:
    """The five tables as Markdown, for docs/ports.md (a unit test keeps the page in step)."""
    m = matrix()
    lines = []
    for table in PORT_TABLES:
        lines += [f"### {_TABLE_TITLES[table]}", ""]
        if table == SERVER_ROLES:
            lines += ["| # | Server role | Service | Port | Protocol | Purpose |", "|---|---|---|---|---|---|"]
        else:
            lines += ["| # | Who | Port | Protocol | Purpose |", "|---|---|---|---|---|"]
        for row in m.rows(table):
            port = row.port + ("\\*" if row.footnote else "")
            purpose = row.purpose + (" (the documentation gives no remark)" if row.seed_purpose_empty else "")
            who = m.label(row.role)
            cells = [str(row.index + 1), who] + ([row.service] if table == SERVER_ROLES else []) + [port, row.protocol, purpose]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
        if table == CLIENTS:
            lines += [f"\\* {m.footnotes['client_media_ports']}", ""]
    lines += ["### Recommended IPsec exceptions", "",
              "| # | Rule | Source | Destination | Protocol | Source port | Destination port | Authentication |",
              "|---|---|---|---|---|---|---|---|"]
    for row in m.ipsec:
        cells = [str(row.index + 1), row.name, m.ipsec_targets[row.source]["label"],
                 m.ipsec_targets[row.destination]["label"], row.protocol, row.source_port, row.destination_port,
                 row.authentication]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return "\n".join(lines)
