# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Skype for Business Windows services as Get-CsWindowsService reports them.

The cmdlet returns NTService objects with Name, DisplayName, Status, RoleName (a collection) and the
activity level. The activity level's exact text is not documented; the collection only relies on
it holding "Counter=N" pairs, and counts a service as idle when every counter is zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STATUSES = ("Running", "Stopped", "StartPending", "StopPending", "Paused", "PausePending", "ContinuePending")

_COUNT = re.compile(r"=\s*(\d+)")


@dataclass(frozen=True)
class ServiceState:
    name: str
    display_name: str
    status: str
    activity_level: str
    roles: tuple[str, ...]

    @property
    def sessions(self) -> int:
        return activity_count(self.activity_level)

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


def activity_count(activity_level) -> int:
    """Sum of the counters in an ActivityLevel string ("Name=3, Other=1"); 0 when empty."""
    if activity_level is None:
        return 0
    return sum(int(n) for n in _COUNT.findall(str(activity_level)))


def from_cmdlet(obj: dict) -> ServiceState:
    return ServiceState(
        name=str(obj.get("Name") or ""),
        display_name=str(obj.get("DisplayName") or ""),
        status=str(obj.get("Status") or ""),
        activity_level=str(obj.get("ActivityLevel") or ""),
        roles=tuple(str(r) for r in _as_list(obj.get("RoleName"))),
    )


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]
