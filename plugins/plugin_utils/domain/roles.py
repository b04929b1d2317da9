# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Server roles a topology can place on a server, and the Windows services each one runs.

Names are the Windows service names Get-CsWindowsService reports (RTCSRV, RTCMEDSRV ...). Services
shared by every role (replica replicator, centralized logging agent) appear once per server.
`carries_sessions` marks the services whose ActivityLevel counts user sessions and calls: those
are the ones a graceful drain waits for.
"""

from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    display_name: str
    role: str
    carries_sessions: bool = False


_COMMON = (
    ServiceSpec("RTCREPLICA", "Skype for Business Server Replica Replicator Agent", "ReplicaReplicatorAgent"),
    ServiceSpec("RTCCLSAGT", "Skype for Business Server Centralized Logging Service Agent", "CentralizedLoggingAgent"),
)

ROLE_SERVICES: dict[str, tuple[ServiceSpec, ...]] = {
    "FrontEnd": (
        ServiceSpec("RTCSRV", "Skype for Business Server Front-End", "Registrar", carries_sessions=True),
        ServiceSpec("RTCASMCU", "Skype for Business Server Application Sharing", "ApplicationSharingServer", True),
        ServiceSpec("RTCAVMCU", "Skype for Business Server Audio/Video Conferencing", "ConferencingServer", True),
        ServiceSpec("RTCDATAMCU", "Skype for Business Server Web Conferencing", "WebConferencingServer", True),
        ServiceSpec("RTCIMMCU", "Skype for Business Server IM Conferencing", "ConferencingServer", True),
        ServiceSpec("RTCATS", "Skype for Business Server Audio Test Service", "ApplicationServer"),
        ServiceSpec("RTCCAA", "Skype for Business Server Conferencing Attendant", "ApplicationServer"),
        ServiceSpec("RTCCAS", "Skype for Business Server Conferencing Announcement", "ApplicationServer"),
        ServiceSpec("RTCCPS", "Skype for Business Server Call Park", "ApplicationServer"),
        ServiceSpec("RTCRGS", "Skype for Business Server Response Group", "ApplicationServer"),
        ServiceSpec("W3SVC", "World Wide Web Publishing Service", "WebServer"),
    ),
    "Director": (
        ServiceSpec("RTCSRV", "Skype for Business Server Front-End", "Director", carries_sessions=True),
        ServiceSpec("W3SVC", "World Wide Web Publishing Service", "WebServer"),
    ),
    "Mediation": (
        ServiceSpec("RTCMEDSRV", "Skype for Business Server Mediation", "MediationServer", carries_sessions=True),
    ),
    "Edge": (
        ServiceSpec("RTCSRV", "Skype for Business Server Access Edge", "EdgeServer", carries_sessions=True),
        ServiceSpec("RTCDATAPROXY", "Skype for Business Server Web Conferencing Edge", "EdgeServer", True),
        ServiceSpec("RTCMRAUTH", "Skype for Business Server Audio/Video Authentication", "EdgeServer"),
        ServiceSpec("RTCMEDIARELAY", "Skype for Business Server Audio/Video Edge", "EdgeServer", True),
    ),
    "PersistentChat": (
        ServiceSpec("RTCCHAT", "Skype for Business Server Persistent Chat", "PersistentChatServer", True),
        ServiceSpec("RTCCHATCOMPLIANCE", "Skype for Business Server Persistent Chat Compliance", "PersistentChatServer"),
    ),
}

ROLES = tuple(ROLE_SERVICES)

# Roles whose servers form a pool that registers users (and so a Windows Fabric pool when
# Enterprise Edition has three or more of them).
FRONT_END = "FrontEnd"


def check_roles(roles) -> list[str]:
    roles = list(roles)
    unknown = [r for r in roles if r not in ROLE_SERVICES]
    if unknown:
        raise SfbError(
            f"Unknown server role(s): {', '.join(map(str, unknown))}.",
            hint=f"Known roles: {', '.join(ROLES)}.",
        )
    if not roles:
        raise SfbError("A server needs at least one role.", hint=f"Known roles: {', '.join(ROLES)}.")
    return roles


def services_for(roles) -> list[ServiceSpec]:
    """The services of a server holding `roles`, each once, in a stable order."""
    seen: dict[str, ServiceSpec] = {}
    for role in check_roles(roles):
        for spec in ROLE_SERVICES[role]:
            seen.setdefault(spec.name, spec)
    for spec in _COMMON:
        seen.setdefault(spec.name, spec)
    return list(seen.values())
