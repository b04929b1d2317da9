# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The maintenance read model: a server's maintenance state and its pool's state, each read in as few
plans as the reads allow and handed to the decisions instead of being read again.

- ServerState (one plan): product and version, place in the topology, the Skype for Business
  services, the maintenance marker and, when a cumulative update is in play, Get-CsServerPatchVersion.
- PoolState (one more plan, for an Enterprise Front End pool): Get-CsPoolFabricState, the upgrade
  readiness and the Front-End service of every member, asked from this server. A member that does
  not answer stops the plan at its own step (the runner stops at the first failing step); the read
  goes on from the next member, so a pool costs one round trip plus one per member that is down,
  whatever its size.

Readiness answering Busy is read again after a wait (the documented rule); that is the only reason
for a further round trip.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ansible_collections.sfb.server.plugins.plugin_utils.domain import maintenance, services as service_model
from ansible_collections.sfb.server.plugins.plugin_utils.domain import topology, versions
from ansible_collections.sfb.server.plugins.plugin_utils.domain.maintenance import MARKER_KEY, MARKER_VALUE, Marker
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument, SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.base import Host
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan, PlanResult
from ansible_collections.sfb.server.plugins.plugin_utils.state import topology as topology_state
from ansible_collections.sfb.server.plugins.plugin_utils.state.maintenance import (
    STARTUP_TYPES, MarkerState, marker_from, startup_types_of,
)

SERVICES = CmdletCall("Get-CsWindowsService", select=("Name", "DisplayName", "Status", "ActivityLevel", "RoleName"))
PATCH_VERSION = CmdletCall("Get-CsServerPatchVersion", select=("ComponentName", "Version"))
MARKER_EXISTS = CmdletCall("Test-Path", {"Path": MARKER_KEY}, select=("Value",))
MARKER_TEXT = CmdletCall("Get-ItemProperty", {"Path": MARKER_KEY, "Name": [MARKER_VALUE]}, select=(MARKER_VALUE,))
REPLICATION_PROPERTIES = ("ReplicaFqdn", "UpToDate", "LastUpdateCreation")
# Readiness: both pages' OUTPUTS: Microsoft.Rtc.Management.Hadr.PoolUpgradeState. The names beyond
# PoolUpgradeState are not published (docs/assumptions.md): everything the object holds comes back.
READINESS_PROPERTIES = ("PoolUpgradeState", "TotalFrontends", "TotalActiveFrontends", "UpgradeDomains")


def readiness_call(product_key: str) -> CmdletCall:
    # Get-CsPoolUpgradeReadinessState is documented for Lync 2013 and 2015; 2019 replaced it with
    # Get-CsUpgradeDomainInfo (both pages' DESCRIPTION; office-docs-powershell issue 1613).
    name = "Get-CsPoolUpgradeReadinessState" if product_key == "2015" else "Get-CsUpgradeDomainInfo"
    return CmdletCall(name, select=READINESS_PROPERTIES)


def fabric_call(pool: str) -> CmdletCall:
    return CmdletCall("Get-CsPoolFabricState", {"PoolFqdn": pool}, select=("Value",))


def member_call(fqdn: str) -> CmdletCall:
    return CmdletCall("Get-CsWindowsService", {"Name": "RTCSRV", "ComputerName": fqdn, "ExcludeActivityLevel": True},
                      select=("Name", "Status"))


class NamedReads:
    """A plan whose answers are looked up by the name of each read, not by position."""

    def __init__(self, reads: list[tuple[str, CmdletCall]]):
        self.names = [name for name, _call in reads]
        self.plan = Plan.of(*(call for _name, call in reads))

    def run(self, host: Host) -> dict[str, object]:
        answer: PlanResult = host.run(self.plan)
        return dict(zip(self.names, answer.results))


@dataclass
class ServerState:
    """A server's maintenance state, from one plan."""

    product: versions.Product
    version: str
    placement: topology.Placement
    services: list[service_model.ServiceState]
    marker: MarkerState
    patch_version: str | None = None
    cu_path_exists: bool | None = None
    # The Skype for Business services' startup types (Get-Service): what a drain remembers in the marker.
    startup_types: dict[str, str] = field(default_factory=dict)

    @property
    def fqdn(self) -> str:
        return self.placement.fqdn

    @property
    def procedure(self) -> str:
        return maintenance.procedure_for(self.placement.edition, self.placement.roles)

    @property
    def front_end_running(self) -> bool:
        return any(s.name == "RTCSRV" and s.status == "Running" for s in self.services)

    def service_status(self) -> dict[str, str]:
        return {s.name: s.status for s in self.services}

    def to_result(self) -> dict:
        return {
            "server": self.fqdn, "pool": self.placement.pool, "product": self.product.key, "version": self.version,
            "edition": self.placement.edition, "roles": list(self.placement.roles), "procedure": self.procedure,
            "patch_version": self.patch_version,
            "services": {s.name: s.status for s in self.services},
            "startup_types": dict(self.startup_types),
            "marker": self.marker.marker.to_result() if self.marker.marker else None,
            "marker_key_exists": self.marker.key_exists,
        }


def read_server(host: Host, patch_version: bool = False, cu_path: str | None = None) -> ServerState:
    """The server's maintenance state in one round trip.

    The marker's value is read last: Get-ItemProperty fails when the key or the value is absent, which
    only means "no marker" and must not hide the other reads."""
    reads = [("version", topology_state.SERVER_VERSION), ("computer", topology_state.LOCAL_COMPUTER),
             ("pools", topology_state.POOLS), ("services", SERVICES), ("startup", STARTUP_TYPES)]
    if patch_version:
        reads.append(("patch_version", PATCH_VERSION))
    if cu_path:
        reads.append(("cu_path", CmdletCall("Test-Path", {"Path": cu_path}, select=("Value",))))
    reads += [("marker_exists", MARKER_EXISTS), ("marker_text", MARKER_TEXT)]
    answers = NamedReads(reads).run(host)
    for name in [n for n, _c in reads if n not in ("marker_text",)]:
        result = answers.get(name)
        if result is None or not result.ok:
            failed = result.error.message if result is not None and result.error else "no answer"
            raise SfbError(f"{host.name}: reading its maintenance state failed at {dict(reads)[name].describe()}: "
                           f"{failed}",
                           hint="Get-CsServerPatchVersion needs the November 2015 cumulative update or later on 2015."
                           if name == "patch_version" else "Check that the server answers and runs Skype for Business Server.")
    product, version = topology_state.product_from(list(answers["version"].output))
    place = topology_state.placement_from(list(answers["computer"].output), list(answers["pools"].output))
    services = [service_model.from_cmdlet(obj) for obj in answers["services"].output]
    marker = marker_from(answers["marker_exists"], answers.get("marker_text"))
    patch = maintenance.core_version(list(answers["patch_version"].output)) if patch_version else None
    exists_cu = None
    if cu_path:
        exists_cu = bool(answers["cu_path"].output and answers["cu_path"].output[0] is True)
    startup = startup_types_of(services, answers["startup"].output)
    return ServerState(product, version, place, services, marker, patch, exists_cu, startup)


@dataclass
class PoolState:
    """A pool's state as one Front End sees it, from one plan (plus one per member that is down)."""

    server: ServerState
    members: dict[str, bool] = field(default_factory=dict)  # RTCSRV running, Get-CsPool order
    member_errors: dict[str, str] = field(default_factory=dict)
    fabric: maintenance.FabricState | None = None
    readiness: maintenance.Readiness | None = None
    verdict: maintenance.PoolVerdict | None = None

    @property
    def pool(self) -> str:
        return self.server.placement.pool

    @property
    def down(self) -> list[str]:
        return [m for m, up in self.members.items() if not up]

    def reasons(self) -> list[str]:
        out = list(self.verdict.reasons) if self.verdict else []
        if self.fabric is not None:
            problem = maintenance.fabric_problem(self.pool, None, self.fabric)
            if problem:
                out.append(problem)
        if self.readiness is not None:
            problem = self.readiness.problem(server_out=self.server.marker.marker is not None)
            if problem:
                out.append(problem)
        return out

    def to_result(self) -> dict:
        return {
            "pool": self.pool,
            "members": dict(self.members),
            "down": self.down,
            "member_errors": dict(self.member_errors),
            "fabric": self.fabric.to_result() if self.fabric else None,
            "readiness": self.readiness.to_result() if self.readiness else None,
            "quorum": self.verdict.to_result() if self.verdict else None,
        }


def read_pool(host: Host, server: ServerState, readiness: bool = True, busy_retries: int = 3, busy_wait: int = 600,
              accept_unreadable_fabric: bool = False, accept_unreadable_readiness: bool = False) -> PoolState:
    """Fabric, readiness and every member's Front-End service in one plan (see the module docstring)."""
    state = PoolState(server)
    place = server.placement
    if server.procedure != maintenance.FRONT_END_FAILOVER:
        return state
    maintenance.check_pool_size(len(place.pool_servers), server.product.key, place.pool)
    members = [m.lower() for m in place.pool_servers]
    head = [("fabric", fabric_call(place.pool))]
    if readiness:
        head.append(("readiness", readiness_call(server.product.key)))
    pending = list(members)
    first = True
    attempts = 1
    while True:
        reads = (head if first else []) + [(f"member:{m}", member_call(m)) for m in pending]
        answers = NamedReads(reads).run(host)
        if first:
            for name in [n for n, _c in head]:
                result = answers.get(name)
                if result is None or not result.ok:
                    message = result.error.message if result is not None and result.error else "no answer"
                    raise SfbError(f"{host.name}: {dict(head)[name].describe()} failed: {message}",
                                   hint="The pool cannot be judged without it; nothing was changed. Run it on the "
                                   "server to see why.")
            state.fabric = maintenance.read_fabric(list(answers["fabric"].output), accept_unreadable_fabric)
            if readiness:
                state.readiness = _readiness_of(answers["readiness"], place.fqdn, attempts, accept_unreadable_readiness)
            first = False
        rest = []
        for index, member in enumerate(pending):
            result = answers.get(f"member:{member}")
            if result is None:
                rest = pending[index:]
                break
            state.members[member] = result.ok and any(str(o.get("Status")) == "Running" for o in result.output)
            if not result.ok:
                # Not answering counts as not running: the safe side for the quorum.
                state.member_errors[member] = result.error.message if result.error else "no answer"
        if not rest:
            break
        pending = rest
    state.members = {m: state.members.get(m, False) for m in members}
    while readiness and state.readiness is not None and state.readiness.state == maintenance.BUSY \
            and attempts < busy_retries:
        # "If the value of PoolUpgradeState is Busy, wait for 10 minutes, and then try ... again."
        host.sleep(busy_wait)
        attempts += 1
        answer = host.read(readiness_call(server.product.key))
        state.readiness = _readiness_of(answer.results[0], place.fqdn, attempts, accept_unreadable_readiness)
    state.verdict = maintenance.pool_verdict(members, state.members, place.fqdn, server.product.key,
                                             already_out=server.marker.marker is not None)
    return state


def _readiness_of(result, fqdn: str, attempts: int, accept: bool) -> maintenance.Readiness:
    objects = list(result.output)
    return maintenance.read_readiness(objects[0] if objects else None, fqdn, attempts, accept)


def read_replication(host: Host, fqdn: str) -> dict:
    """Get-CsManagementStoreReplicationStatus -ReplicaFqdn: UpToDate is a boolean (the cmdlet page's
    examples compare it with $False)."""
    answer = host.run(Plan.of(CmdletCall("Get-CsManagementStoreReplicationStatus", {"ReplicaFqdn": fqdn},
                                         select=REPLICATION_PROPERTIES)))
    if not answer.ok or not answer.output(0):
        return {"up_to_date": None}
    state = answer.output(0)[0]
    return {"up_to_date": str(state.get("UpToDate")).lower() == "true",
            "last_update_creation": state.get("LastUpdateCreation")}


class HandedState:
    """The server's maintenance state as a module of the same cycle returned it (`state` option), or as
    read now when none was handed: the marker and placement do not change between two tasks of one
    server's cycle except by the modules themselves, which hand on what they wrote."""

    def __init__(self, server: str, edition: str, roles: list, marker: Marker | None, key_exists: bool,
                 patch_version: str | None = None):
        self.server = server
        self.edition = edition
        self.roles = roles
        self.marker = marker
        self.key_exists = key_exists
        self.patch_version = patch_version

    @classmethod
    def obtain(cls, host, handed: dict | None, patch_version: bool = False) -> "HandedState":
        if handed:
            try:
                marker = handed.get("marker")
                return cls(str(handed["server"]).lower(), str(handed["edition"]), list(handed["roles"]),
                           Marker.from_text(json.dumps(marker)) if marker else None,
                           bool(handed["marker_key_exists"]), handed.get("patch_version"))
            except (KeyError, TypeError) as exc:
                raise InvalidArgument(f"state is not a maintenance state this collection returned (missing {exc}).",
                                      hint="Hand the `state` a module of this collection returned, or leave it out.")
        read = read_server(host, patch_version=patch_version)
        return cls(read.fqdn, read.placement.edition, list(read.placement.roles), read.marker.marker,
                   read.marker.key_exists, read.patch_version)

    def to_result(self) -> dict:
        return {"server": self.server, "edition": self.edition, "roles": self.roles,
                "marker": self.marker.to_result() if self.marker else None,
                "marker_key_exists": self.key_exists, "patch_version": self.patch_version}
