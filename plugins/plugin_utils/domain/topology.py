# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the published topology says about a server: its pool, site, roles and edition.

Get-CsPool lists a pool's computers and the topology services it hosts, as identities of the form
"Type:pool.fqdn" (the types are the switches of Get-CsService: UserServer, Registrar, Director,
MediationServer, EdgeServer, PersistentChatServer ...). Server roles are read from those types.
"""

from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError

# Topology service type -> the server role it implies.
ROLE_OF_SERVICE_TYPE = {
    "UserServer": "FrontEnd",
    "Director": "Director",
    "MediationServer": "Mediation",
    "EdgeServer": "Edge",
    "PersistentChatServer": "PersistentChat",
}

# Server role -> the topology service types a pool holding it lists.
SERVICE_TYPES_OF_ROLE = {
    "FrontEnd": ("Registrar", "UserServer", "WebServer", "ConferencingServer", "ApplicationServer"),
    "Director": ("Director", "WebServer"),
    "Mediation": ("MediationServer",),
    "Edge": ("EdgeServer",),
    "PersistentChat": ("PersistentChatServer",),
}

# Windows Fabric runs an Enterprise Front End pool of three or more servers (seed 002, step 4).
FABRIC_MINIMUM_SERVERS = 3


@dataclass(frozen=True)
class Placement:
    fqdn: str
    pool: str
    site: str
    roles: tuple[str, ...]
    edition: str
    pool_servers: tuple[str, ...]

    @property
    def uses_fabric(self) -> bool:
        """Start-CsPool (not Start-CsWindowsService) starts this server's pool."""
        return (self.edition == "Enterprise" and "FrontEnd" in self.roles
                and len(self.pool_servers) >= FABRIC_MINIMUM_SERVERS)


def site_name(identity: str) -> str:
    return identity.split(":", 1)[1] if identity and identity.lower().startswith("site:") else identity


def roles_of(service_identities) -> tuple[str, ...]:
    roles = []
    for identity in service_identities or ():
        service_type = str(identity).split(":", 1)[0]
        role = ROLE_OF_SERVICE_TYPE.get(service_type)
        if role and role not in roles:
            roles.append(role)
    return tuple(roles)


def edition_of(pool_fqdn: str, computers) -> str:
    # Topology Builder gives a Standard Edition server's pool the server's own FQDN; an
    # Enterprise pool always has an FQDN of its own, even with a single member.
    computers = [c.lower() for c in computers or ()]
    return "Standard" if computers == [pool_fqdn.lower()] else "Enterprise"


def placement(computer: dict, pools: list[dict]) -> Placement:
    """Where Get-CsComputer -Local and Get-CsPool place a server."""
    fqdn = str(computer.get("Fqdn") or computer.get("Identity") or "").lower()
    pool_fqdn = str(computer.get("Pool") or "").lower()
    pool = next((p for p in pools if str(p.get("Fqdn") or p.get("Identity") or "").lower() == pool_fqdn), None)
    if not fqdn or pool is None:
        raise SfbError(
            f"The server {fqdn or '(unknown)'} is not in a pool of the published topology.",
            hint="Publish the topology with Topology Builder (it must list this server) before managing it.",
        )
    computers = tuple(_computer_fqdn(c) for c in pool.get("Computers") or ())
    return Placement(
        fqdn=fqdn,
        pool=pool_fqdn,
        site=site_name(str(pool.get("Site") or "")),
        roles=roles_of(pool.get("Services")),
        edition=edition_of(pool_fqdn, computers),
        pool_servers=computers,
    )


def _computer_fqdn(computer) -> str:
    # Get-CsPool's Computers holds objects; converted to JSON they carry Fqdn (or Identity).
    if isinstance(computer, dict):
        computer = computer.get("Fqdn") or computer.get("Identity") or ""
    return str(computer).lower()
