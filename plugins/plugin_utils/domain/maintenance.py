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
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError

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


def drained(statuses: dict[str, str], services: Iterable[str]) -> bool:
    """Every targeted service has stopped (a graceful stop ends in Stopped once its sessions ended)."""
    return all(statuses.get(name) == "Stopped" for name in services)


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

    def to_result(self) -> dict:
        return {
            "servers": list(self.servers),
            "running": [s for s, up in zip(self.servers, self.running) if up],
            "required": self.required,
            "among_first": self.among_first,
            "quorum_now": self.quorum_now,
            "quorum_without_server": self.quorum_without,
            "can_take_out": self.can_take_out,
            "reasons": list(self.reasons),
        }


def pool_verdict(servers: list[str], running: dict[str, bool], server: str, product_key: str,
                 already_out: bool = False) -> PoolVerdict:
    """Apply the documented quorum table to the pool with `server` taken out.

    `already_out`: the server is the half-finished one of an interrupted run; it is out already, so
    finishing it cannot make things worse, but the pool must still hold quorum without it.
    """
    names = [s.lower() for s in servers]
    flags = tuple(bool(running.get(name)) for name in names)
    rule = quorum_rule(len(names), product_key)
    now = rule.holds(list(flags))
    without = rule.holds([up and name != server.lower() for name, up in zip(names, flags)])
    reasons = []
    if not now:
        reasons.append(
            f"the pool is below quorum already: {sum(flags)} of {len(names)} Front Ends run, it needs "
            f"{rule.required} of the first {rule.among_first}")
    elif not without and not already_out:
        reasons.append(
            f"taking {server} out would leave the pool below quorum ({rule.required} of the first "
            f"{rule.among_first} must run)")
    return PoolVerdict(tuple(names), flags, rule.required, rule.among_first, now, without, tuple(reasons))


# -- Get-CsPoolUpgradeReadinessState / Get-CsUpgradeDomainInfo --------------------------------

READY, BUSY, INSUFFICIENT = "Ready", "Busy", "InsufficientActiveFrontEnds"


@dataclass(frozen=True)
class Readiness:
    state: str
    ready_for_upgrade: bool | None  # of the upgrade domain holding the server; None when unknown
    upgrade_domain: str | None
    attempts: int

    def problem(self) -> str | None:
        """Why the documented procedure says not to go on (samples/Get-CsPoolUpgradeReadinessState)."""
        if self.state == INSUFFICIENT:
            return "PoolUpgradeState is InsufficientActiveFrontEnds: there is an issue with the pool"
        if self.state == BUSY:
            return f"PoolUpgradeState stayed Busy for {self.attempts} consecutive reads: there is an issue with the pool"
        if self.state != READY:
            return f"PoolUpgradeState is {self.state!r}, not Ready"
        if self.ready_for_upgrade is False:
            return f"upgrade domain {self.upgrade_domain} is not ReadyforUpgrade"
        return None


def read_readiness(answer: dict, server: str, attempts: int) -> Readiness:
    """Read a PoolUpgradeState object. Only PoolUpgradeState and ReadyforUpgrade are documented names;
    the upgrade domain list is read leniently (UpgradeDomains with FrontEnds/Name)."""
    state = str(answer.get("PoolUpgradeState") or "")
    domain_name, ready = None, None
    for domain in answer.get("UpgradeDomains") or []:
        if not isinstance(domain, dict):
            continue
        members = [str(m).lower() for m in domain.get("FrontEnds") or []]
        if server.lower() in members:
            domain_name = str(domain.get("UpgradeDomain") or domain.get("Name") or "")
            value = domain.get("ReadyforUpgrade")
            ready = None if value is None else str(value).lower() == "true"
    return Readiness(state=state, ready_for_upgrade=ready, upgrade_domain=domain_name, attempts=attempts)


def missing_replicas(fabric_text: Any) -> int | None:
    """Missing replicas reported by Get-CsPoolFabricState; None when the text does not say.

    The cmdlet returns a String whose layout is not documented; the patch procedure only says to
    recover the pool when it "shows any missing replicas". Lines of the form "...missing replicas...: N"
    are counted; a text that does not mention them yields None (the caller warns and goes on).
    """
    text = "\n".join(map(str, fabric_text)) if isinstance(fabric_text, (list, tuple)) else str(fabric_text or "")
    counts = [int(n) for n in re.findall(r"missing\s+replicas?\D{0,20}?(\d+)", text, re.I)]
    return sum(counts) if counts else None
