# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Skype for Business Windows services as Get-CsWindowsService reports them.

The cmdlet returns objects with Name, DisplayName, Status, RoleName (a collection) and ActivityLevel
(Get-CsWindowsService.md; Stop-/Start-CsWindowsService.md examples). The collection reads those
properties from the objects (never the table view) and looks their names up without regard to case.

ActivityLevel's format is not documented. What is known (docs/assumptions.md, "Get-CsWindowsService
(ActivityLevel)"; sample Get-CsWindowsService.1): one string of `Counter Name=value` pairs joined by
commas, no spaces around `=` or `,` ("Incoming Requests per Second=0,Messages in Server=0,..."), and
the table view cuts it with "…". A service counts as idle when every counter is zero. A text the
parser cannot read whole raises UnreadableOutput unless the caller accepts the risk.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from ansible_collections.sfb.server.plugins.plugin_utils.errors import (
    ACCEPT_UNREADABLE_VARIABLE, UnreadableOutput, accepts_unreadable,
)

STATUSES = ("Running", "Stopped", "StartPending", "StopPending", "Paused", "PausePending", "ContinuePending")

COMMAND = "Get-CsWindowsService"
# The variable that accepts going on when an ActivityLevel cannot be read (counting what could be
# read, zero when nothing could): a host or group variable, read by the module base (errors.py).
ACCEPT_VARIABLE = f"{ACCEPT_UNREADABLE_VARIABLE}: [{COMMAND}]"

# One pair: a counter name (letters, digits, spaces and the punctuation counter names use), "=", a
# number. A cut ends in "…" (U+2026) or "...".
_PAIR = re.compile(r"^(?P<name>[^=,]*[^=,\s])=(?P<value>-?\d+(?:[.,]\d+)?)$")
_CUT = ("\u2026", "...")


@dataclass(frozen=True)
class ServiceState:
    name: str
    display_name: str
    status: str
    activity_level: str
    roles: tuple[str, ...]
    accept_unreadable: bool = field(default=False, compare=False)

    @property
    def counters(self) -> dict[str, float]:
        return parse_activity_level(self.activity_level, accept_unreadable=self.accept_unreadable, service=self.name)

    @property
    def sessions(self) -> int:
        return activity_count(self.activity_level, accept_unreadable=self.accept_unreadable, service=self.name)

    def to_result(self) -> dict:
        return {
            "name": self.name,
            "display_name": self.display_name,
            "status": self.status,
            "activity_level": self.activity_level,
            "sessions": self.sessions,
            "roles": list(self.roles),
        }


def format_activity_level(sessions: int) -> str:
    return f"Active Connections={sessions}"


def parse_activity_level(text, accept_unreadable: bool = False, service: str = "") -> dict[str, float]:
    """The counters of an ActivityLevel string, by name as written.

    Empty or None: no counters (a service that reports none, or a read with -ExcludeActivityLevel).
    A text cut by the table view, or one that is not `Name=number` pairs joined by commas, raises
    UnreadableOutput; with `accept_unreadable` the pairs that could be read are returned instead.
    """
    if text is None:
        return {}
    text = str(text).strip()
    if not text:
        return {}
    counters: dict[str, float] = {}
    unreadable = []
    cut = text.endswith(_CUT)
    body = text[:-1] if text.endswith("\u2026") else text[:-3] if text.endswith("...") else text
    parts = body.split(",")
    for index, part in enumerate(parts):
        match = _PAIR.match(part.strip())
        if match is None:
            unreadable.append(part)
            continue
        if cut and index == len(parts) - 1:
            # The last pair of a cut text may have lost digits ("=12…" of "=120").
            unreadable.append(part)
            continue
        counters[match.group("name")] = float(match.group("value").replace(",", "."))
    if (unreadable or cut) and not (accept_unreadable or accepts_unreadable(COMMAND)):
        what = f"{COMMAND} ActivityLevel" + (f" of {service}" if service else "")
        raise UnreadableOutput(
            what,
            "the whole ActivityLevel property: 'Counter Name=number' pairs joined by commas"
            + (" (this text is cut, as the table view prints it)" if cut else ""),
            text, accept_with=ACCEPT_VARIABLE,
        )
    return counters


def activity_count(activity_level, accept_unreadable: bool = False, service: str = "") -> int:
    """Sum of the counters of an ActivityLevel string (a rate above zero counts as 1); 0 when empty."""
    counters = parse_activity_level(activity_level, accept_unreadable=accept_unreadable, service=service)
    return int(sum(math.ceil(max(value, 0)) for value in counters.values()))


def prop(obj: Mapping[str, Any], name: str, default=None):
    """A property of a returned object by name, without regard to case, as PowerShell looks it up."""
    if name in obj:
        return obj[name]
    lowered = name.lower()
    for key, value in obj.items():
        if str(key).lower() == lowered:
            return value
    return default


def from_cmdlet(obj: dict, accept_unreadable: bool = False) -> ServiceState:
    return ServiceState(
        name=str(prop(obj, "Name") or ""),
        display_name=str(prop(obj, "DisplayName") or ""),
        status=str(prop(obj, "Status") or ""),
        activity_level=str(prop(obj, "ActivityLevel") or ""),
        roles=tuple(str(r) for r in _as_list(prop(obj, "RoleName"))),
        accept_unreadable=accept_unreadable,
    )


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]
