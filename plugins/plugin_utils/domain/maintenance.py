# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Taking a Skype for Business server out of service and bringing it back, as pure decisions.

Seed 000 ("Preventing new connections"): a server that prevents new connections keeps its existing
sessions until they end naturally; after a restart it accepts connections again unless its services
are set not to start by themselves, so the startup type is changed for the maintenance and restored
afterwards. Some features need DNS load balancing for that redirection to work.

The "before" state (the startup types the drain changed, whether the server was failed over, why and
since when) lives on the server itself, in the registry value MARKER_KEY\\MARKER_VALUE, written
before anything else changes. A controller that is killed half-way leaves that marker behind; the
next run reads it, knows which server is half-finished and what to restore.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from ansible_collections.sfb.server.plugins.plugin_utils.domain.quorum import quorum_rule
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument, SfbError, UnreadableOutput

MARKER_KEY = r"HKLM:\SOFTWARE\sfb.server\Maintenance"
MARKER_VALUE = "State"

# Seed 000: the features that need DNS load balancing for "prevent new connections" to redirect their
# connections to the other servers of the pool.
DNS_LOAD_BALANCING_FEATURES = (
    "Attendant",
    "Conference Announcement application",
    "Response Group application",
    "Announcement application",
    "Call Park application",
)

AT_LIMIT = ("fail", "stop_anyway")
MAINTENANCE_STARTUP_TYPES = ("Manual", "Disabled")


@dataclass
class Marker:
    """What a server in maintenance remembers about the state it must return to."""

    phase: str
    reason: str = ""
    started: float = 0.0
    services: list[str] = field(default_factory=list)  # empty: the whole server
    startup_types: dict[str, str] = field(default_factory=dict)  # service -> startup type before
    failed_over: bool = False
    history: list[dict] = field(default_factory=list)

    def to_text(self) -> str:
        return json.dumps({
            "phase": self.phase, "reason": self.reason, "started": self.started, "services": self.services,
            "startup_types": self.startup_types, "failed_over": self.failed_over, "history": self.history,
        }, sort_keys=True)

    @classmethod
    def from_text(cls, text: Any) -> "Marker | None":
        """The marker a registry value holds; None for an empty value (no maintenance in progress)."""
        if text in (None, ""):
            return None
        try:
            data = json.loads(str(text))
            return cls(
                phase=str(data["phase"]),
                reason=str(data.get("reason", "")),
                started=float(data.get("started", 0.0)),
                services=[str(s) for s in data.get("services", [])],
                startup_types={str(k): str(v) for k, v in dict(data.get("startup_types", {})).items()},
                failed_over=bool(data.get("failed_over", False)),
                history=list(data.get("history", [])),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise SfbError(
                f"The maintenance marker {MARKER_KEY}\\{MARKER_VALUE} holds something this collection did "
                f"not write: {str(text)[:200]!r}.",
                hint="Look at the value on the server; restore the services' startup types by hand if "
                "needed, then clear the value (set it to an empty string) and run again.",
            ) from None

    def to_result(self) -> dict:
        return json.loads(self.to_text())


def startup_changes(startup_types: dict[str, str], target: str) -> dict[str, str]:
    """The services whose startup type differs from `target`, with the type to restore later.

    A service already Disabled stays Disabled: the drain never makes a service more startable.
    """
    return {name: kind for name, kind in startup_types.items() if kind not in (target, "Disabled")}


def merge_remembered(marker: Marker | None, current: dict[str, str]) -> dict[str, str]:
    """The original startup types: a marker left by an interrupted run wins over what is set now."""
    remembered = dict(current)
    if marker is not None:
        remembered.update(marker.startup_types)
    return remembered


# -- phases ----------------------------------------------------------------------------------
# Each phase is written to the marker BEFORE its action and confirmed (the phase on the right) only
# after the action succeeded, in the same plan: a failed or interrupted action leaves the phase on
# the left, which the next run takes as "not done" and repeats.
PHASES = {
    "draining": "drained",
    "failing_over": "failed_over",
    "installing_cu": "cu_installed",
    "failing_back": "failed_back",
}

# -- which documented procedure a server follows ----------------------------------------------

FRONT_END_FAILOVER = "front_end_failover"
STANDARD_EDITION = "standard_edition"
GRACEFUL_DRAIN = "graceful_drain"
PROCEDURES = (FRONT_END_FAILOVER, STANDARD_EDITION, GRACEFUL_DRAIN)


def procedure_for(edition: str, roles: Iterable[str]) -> str:
    """The documented procedure of a server.

    - Front End of an Enterprise pool (Windows Fabric, any size, two included): OfficeDocs-SkypeForBusiness
      Skype/SfbServer/manage/topology/patch-or-update-front-end-servers.md (Invoke-CsComputerFailOver,
      patch, Invoke-CsComputerFailBack, one server at a time).
    - Standard Edition server: patch-or-update-a-back-end-or-standard-edition-server.md.
    - Director, Mediation, Edge, Persistent Chat (no Windows Fabric): Stop-CsWindowsService -Graceful
      ("Preventing new connections"), then the update and a restart.
    """
    roles = tuple(roles)
    if edition == "Standard":
        return STANDARD_EDITION
    if "FrontEnd" in roles:
        return FRONT_END_FAILOVER
    return GRACEFUL_DRAIN


def check_timeouts(draining_timeout: int | None, wait_time: int) -> None:
    """Invoke-CsComputerFailOver.md: -WaitTime bounds the whole failover ("If the wait time is
    exceeded, the cmdlet fails and no action is taken"); a -DrainingTimeout longer than it can never
    be reached."""
    if wait_time < 1 or (draining_timeout is not None and draining_timeout < 1):
        raise InvalidArgument("wait_time and draining_timeout are positive numbers of seconds.",
                              hint=f"Got wait_time={wait_time} draining_timeout={draining_timeout}.")
    if draining_timeout is not None and draining_timeout > wait_time:
        raise InvalidArgument(
            f"draining_timeout ({draining_timeout} s) is longer than wait_time ({wait_time} s): the failover "
            "would fail at -WaitTime before the draining timeout could end the sessions.",
            hint="Make draining_timeout at most wait_time (role: rolling_patch_draining_timeout <= "
            "rolling_patch_failover_wait).")


# -- pool health ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolVerdict:
    """Whether one more Front End of an Enterprise pool may leave service, and why not."""

    servers: tuple[str, ...]
    running: tuple[bool, ...]
    required: int
    among_first: int
    quorum_now: bool
    quorum_without: bool
    reasons: tuple[str, ...]

    @property
    def can_take_out(self) -> bool:
        return not self.reasons

    @property
    def down(self) -> list[str]:
        return [s for s, up in zip(self.servers, self.running) if not up]

    def to_result(self) -> dict:
        return {
            "servers": list(self.servers),
            "running": [s for s, up in zip(self.servers, self.running) if up],
            "down": self.down,
            "required": self.required,
            "among_first": self.among_first,
            "quorum_now": self.quorum_now,
            "quorum_without_server": self.quorum_without,
            "can_take_out": self.can_take_out,
            "reasons": list(self.reasons),
        }


def pool_verdict(servers: list[str], running: dict[str, bool], server: str, product_key: str,
                 already_out: bool = False) -> PoolVerdict:
    """Apply the documented quorum table (OfficeDocs-SkypeForBusiness
    Skype/SfbServer/plan-your-deployment/high-availability-and-disaster-recovery/high-availability.md,
    "Pool-level quorum loss") to the pool with `server` taken out. `servers` is in Get-CsComputer /
    Get-CsPool order: "the ones at the top of the list are the first servers".

    `already_out`: the server is the half-finished one of an interrupted run; it is out already, so
    finishing it cannot make things worse, but the pool must still hold quorum without it.
    """
    names = [s.lower() for s in servers]
    flags = tuple(bool(running.get(name)) for name in names)
    rule = quorum_rule(len(names), product_key)
    now = rule.holds(list(flags))
    without = rule.holds([up and name != server.lower() for name, up in zip(names, flags)])
    down = [n for n, up in zip(names, flags) if not up]
    down_text = f" (not running: {', '.join(down)})" if down else ""
    reasons = []
    if not now:
        reasons.append(
            f"the pool is below quorum already: {sum(flags)} of {len(names)} Front Ends run, it needs "
            f"{rule.required} of the first {rule.among_first}{down_text}")
    elif not without and not already_out:
        reasons.append(
            f"taking {server} out would leave the pool below quorum ({rule.required} of the first "
            f"{rule.among_first} of its {len(names)} Front Ends must run){down_text}")
    return PoolVerdict(tuple(names), flags, rule.required, rule.among_first, now, without, tuple(reasons))


def check_pool_size(pool_size: int, product_key: str, pool: str) -> None:
    """high-availability.md: "Skype for Business Server 2019 does not support Enterprise Edition Front
    End pools with two Front End Servers, and will not allow the topology to be published"."""
    if pool_size == 2 and product_key != "2015":
        raise InvalidArgument(
            f"Pool {pool} is an Enterprise pool of two Front Ends on Skype for Business Server {product_key}: "
            "not a supported topology (Topology Builder refuses to publish it), so no documented procedure "
            "applies. Nothing was changed.",
            hint="Add a third Front End to the pool (or move its users to a Standard Edition server) first.")
    quorum_rule(pool_size, product_key)


# -- Get-CsPoolUpgradeReadinessState / Get-CsUpgradeDomainInfo --------------------------------

READY, BUSY, INSUFFICIENT = "Ready", "Busy", "InsufficientActiveFrontEnds"
READINESS_STATES = (READY, BUSY, INSUFFICIENT)
ACCEPT_UNREADABLE_READINESS = "accept_unreadable_readiness=true (role: rolling_patch_accept_unreadable_readiness)"
ACCEPT_UNREADABLE_FABRIC = "accept_unreadable_fabric=true (role: rolling_patch_accept_unreadable_fabric)"


def _prop(obj: Any, *names: str) -> Any:
    """A property looked up case-insensitively (PowerShell property names are); None when absent."""
    if not isinstance(obj, dict):
        return None
    lowered = {str(k).lower(): v for k, v in obj.items()}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def _has(obj: Any, *names: str) -> bool:
    return isinstance(obj, dict) and any(str(k).lower() in {n.lower() for n in names} for k in obj)


@dataclass(frozen=True)
class Readiness:
    state: str
    ready_for_upgrade: bool | None  # of the upgrade domain holding the server; None when unknown
    upgrade_domain: str | None
    attempts: int
    domains_read: bool = True

    def problem(self, server_out: bool = False) -> str | None:
        """Why the documented procedure says not to go on (OfficeDocs-SkypeForBusiness
        Lync/LyncServer/lync-server-2013-upgrade-or-update-front-end-servers.md: "If the value of
        PoolUpgradeState is Busy, wait for 10 minutes, and then try ... again. If you see Busy for at
        least three consecutive times ... or InsufficientActiveFrontEnds, there is an issue with the pool").

        `server_out`: the server is the half-finished one of an interrupted run: its own upgrade domain
        is out already, so it cannot be ReadyforUpgrade."""
        if self.state == INSUFFICIENT:
            return "PoolUpgradeState is InsufficientActiveFrontEnds: there is an issue with the pool"
        if self.state == BUSY:
            return f"PoolUpgradeState stayed Busy for {self.attempts} consecutive reads: there is an issue with the pool"
        if self.ready_for_upgrade is False and not server_out:
            return f"upgrade domain {self.upgrade_domain} is not ReadyforUpgrade"
        return None

    def to_result(self) -> dict:
        return {"state": self.state, "ready_for_upgrade": self.ready_for_upgrade,
                "upgrade_domain": self.upgrade_domain, "attempts": self.attempts, "domains_read": self.domains_read}


def read_readiness(answer: Any, server: str, attempts: int, accept_unreadable: bool = False) -> Readiness:
    """Read a Microsoft.Rtc.Management.Hadr.PoolUpgradeState object by its properties.

    Documented: PoolUpgradeState (Ready | Busy | InsufficientActiveFrontEnds) and, per upgrade domain,
    ReadyforUpgrade (True/False). NOT documented (docs/assumptions.md): the name of the upgrade domain
    list and of its members; they are looked up case-insensitively among UpgradeDomains/UpgradeDomain,
    FrontEnds/Servers/Computers and ReadyforUpgrade/IsReadyForUpgrade. A PoolUpgradeState that is missing
    or not one of the three values stops the job (UnreadableOutput) whatever `accept_unreadable` says;
    an upgrade domain list it cannot read stops it unless `accept_unreadable` (then the pool-level state
    alone decides)."""
    command = "Get-CsPoolUpgradeReadinessState / Get-CsUpgradeDomainInfo"
    raw = _prop(answer, "PoolUpgradeState")
    state = next((s for s in READINESS_STATES if str(raw or "").strip().lower() == s.lower()), None)
    if state is None:
        raise UnreadableOutput(command, "a PoolUpgradeState property of Ready, Busy or InsufficientActiveFrontEnds",
                               answer)
    domains = _prop(answer, "UpgradeDomains", "UpgradeDomain", "UpgradeDomainInfo")
    if isinstance(domains, dict):
        domains = [domains]
    readable = isinstance(domains, list) and domains and all(
        _has(d, "FrontEnds", "Servers", "Computers") and _has(d, "ReadyforUpgrade", "IsReadyForUpgrade")
        for d in domains)
    if not readable:
        if not accept_unreadable:
            raise UnreadableOutput(command, "a list of upgrade domains, each with its Front Ends and ReadyforUpgrade",
                                   answer, accept_with=ACCEPT_UNREADABLE_READINESS)
        return Readiness(state, None, None, attempts, domains_read=False)
    domain_name, ready = None, None
    for domain in domains:
        members = _prop(domain, "FrontEnds", "Servers", "Computers")
        members = [members] if isinstance(members, str) else list(members or [])
        if server.lower() in (str(m).lower() for m in members):
            domain_name = str(_prop(domain, "UpgradeDomain", "Name") or "")
            value = _prop(domain, "ReadyforUpgrade", "IsReadyForUpgrade")
            ready = None if value is None else str(value).strip().lower() == "true"
    return Readiness(state=state, ready_for_upgrade=ready, upgrade_domain=domain_name, attempts=attempts)


# -- Get-CsPoolFabricState ------------------------------------------------------------------


@dataclass(frozen=True)
class FabricState:
    missing_replicas: int | None  # None: accepted as unreadable
    text: tuple[str, ...]

    def to_result(self) -> dict:
        return {"missing_replicas": self.missing_replicas, "text": list(self.text)}


def read_fabric(output: Any, accept_unreadable: bool = False) -> FabricState:
    """Get-CsPoolFabricState returns a String (its OUTPUTS section) whose layout is not published
    (docs/assumptions.md). patch-or-update-front-end-servers.md: "If this cmdlet shows any missing
    replicas, then run ... Reset-CsPoolRegistrarState -ResetType QuorumLossRecovery". Lines of the form
    "... missing replica(s) ...: N" are counted; a text that says nothing of missing replicas stops the
    job unless `accept_unreadable` (then the count is None and the caller warns)."""
    lines = tuple(str(x) for x in (output if isinstance(output, (list, tuple)) else [output]) if x is not None)
    text = "\n".join(lines)
    counts = [int(n) for n in re.findall(r"missing\s+replicas?\D{0,20}?(\d+)", text, re.I)]
    if counts:
        return FabricState(sum(counts), lines)
    if not accept_unreadable:
        raise UnreadableOutput("Get-CsPoolFabricState", "a count of missing replicas", text,
                               accept_with=ACCEPT_UNREADABLE_FABRIC)
    return FabricState(None, lines)


def fabric_problem(pool: str, before: FabricState | None, after: FabricState) -> str | None:
    """Missing replicas now, or more than before the server left (compare before and after, as the
    Lync 2013 upgrade page asks)."""
    if after.missing_replicas is None:
        return None
    if after.missing_replicas and (before is None or before.missing_replicas is None
                                   or after.missing_replicas >= (before.missing_replicas or 0)):
        return (f"Get-CsPoolFabricState reports {after.missing_replicas} missing replica(s) for {pool}: recover "
                f"the pool first with Reset-CsPoolRegistrarState -PoolFqdn {pool} -ResetType QuorumLossRecovery")
    return None


# -- cumulative updates ----------------------------------------------------------------------

# The installer of a Skype for Business Server cumulative update (the CU KB articles, e.g. "Updates
# for Skype for Business Server 2015" / "... 2019"): SkypeServerUpdateInstaller.exe, with /silentmode.
CU_INSTALLER = "SkypeServerUpdateInstaller.exe"
# Exit codes: not published (docs/assumptions.md). 0 is success; 3010 is Windows Installer's
# ERROR_SUCCESS_REBOOT_REQUIRED. Any other code fails the step and points to the installer's log.
CU_SUCCESS_CODES = (0,)
CU_RESTART_CODES = (3010,)


def parse_version(text: Any) -> tuple[int, ...] | None:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+){1,3})\s*", str(text or ""))
    return tuple(int(p) for p in match.group(1).split(".")) if match else None


def core_version(components: list) -> str:
    """The version of the server from Get-CsServerPatchVersion: one object per installed component,
    with ComponentName and Version (docs/assumptions.md); the Core Components' version is the server's.
    Anything else stops the job: the CU step would otherwise be guessed at."""
    for obj in components or []:
        name = str(_prop(obj, "ComponentName") or "")
        version = _prop(obj, "Version")
        if name.lower().endswith("core components") and parse_version(version):
            return str(version).strip()
    raise UnreadableOutput("Get-CsServerPatchVersion", "a component named '... Core Components' with a Version",
                           components)


def cu_decision(installed: str, target: str, server: str) -> str:
    """install | at_target. A CU older than what is installed is refused (the installer cannot
    downgrade; a second run changes nothing)."""
    have, want = parse_version(installed), parse_version(target)
    if want is None:
        raise InvalidArgument(f"cu_version {target!r} is not a version such as 7.0.2046.530.")
    if have is None:
        raise InvalidArgument(f"{server}: installed version {installed!r} is not a version.")
    if have == want:
        return "at_target"
    if have > want:
        raise InvalidArgument(
            f"{server} runs {installed}, newer than the cumulative update's {target}: nothing to install, and a "
            "CU cannot take a server back. Nothing was changed.",
            hint="Give the newest CU's installer and version (rolling_patch_cu_path, rolling_patch_cu_version), "
            "or leave rolling_patch_cu_path empty to install Windows updates only.")
    return "install"


# -- Test-CsDatabase ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DatabaseState:
    databases: tuple[dict, ...]

    @property
    def mirrored(self) -> list[str]:
        return [d["name"] for d in self.databases if d["mirror"]]

    @property
    def behind(self) -> list[str]:
        """Databases whose InstalledVersion is given and differs from ExpectedVersion."""
        return [d["name"] for d in self.databases if d["installed"] and d["installed"] != d["expected"]]

    @property
    def unknown(self) -> list[str]:
        """Databases whose InstalledVersion is blank (Microsoft's own success example shows it blank):
        whether they are behind cannot be told, so the documented update step runs for them."""
        return [d["name"] for d in self.databases if not d["installed"]]

    @property
    def failed(self) -> list[str]:
        return [d["name"] for d in self.databases if not d["succeed"]]

    def to_result(self) -> list[dict]:
        return [dict(d) for d in self.databases]


def read_databases(objects: list) -> DatabaseState:
    """Test-CsDatabase's objects by their properties (OfficeDocs-SkypeForBusiness
    Lync/LyncServer/lync-server-2013-testing-database-configuration.md lists SqlServerFqdn,
    MirrorSqlServerFqdn, DatabaseName, ExpectedVersion, InstalledVersion, Succeed). An answer without
    DatabaseName and Succeed stops the job."""
    rows = []
    for obj in objects or []:
        if not (_has(obj, "DatabaseName") and _has(obj, "Succeed")):
            raise UnreadableOutput("Test-CsDatabase", "objects with DatabaseName, Succeed, ExpectedVersion and "
                                   "InstalledVersion", objects)
        rows.append({
            "name": str(_prop(obj, "DatabaseName")),
            "sql_server": str(_prop(obj, "SqlServerFqdn") or ""),
            "mirror": str(_prop(obj, "MirrorSqlServerFqdn") or "").strip(),
            "expected": str(_prop(obj, "ExpectedVersion") or ""),
            "installed": str(_prop(obj, "InstalledVersion") or ""),
            "succeed": str(_prop(obj, "Succeed")).strip().lower() == "true",
        })
    if not rows:
        raise UnreadableOutput("Test-CsDatabase", "at least one database", objects)
    return DatabaseState(tuple(rows))
