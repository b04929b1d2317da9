# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reads and writes shared by the maintenance modules (drain, failover, pool_health_info).

The maintenance marker lives on the server (domain/maintenance.py says why); these helpers build the
documented calls that read and write it, and read the Skype for Business services with their
startup types.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ansible_collections.sfb.server.plugins.plugin_utils.domain import services as service_model
from ansible_collections.sfb.server.plugins.plugin_utils.domain.maintenance import MARKER_KEY, MARKER_VALUE, Marker
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument, SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.base import Host
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan


@dataclass
class MarkerState:
    marker: Marker | None
    key_exists: bool


def read_marker(host: Host) -> MarkerState:
    """The marker of the server, in one round trip (Test-Path, then the value when the key exists)."""
    answer = host.run(Plan.of(
        CmdletCall("Test-Path", {"Path": MARKER_KEY}, select=("Value",)),
        CmdletCall("Get-ItemProperty", {"Path": MARKER_KEY, "Name": [MARKER_VALUE]}, select=(MARKER_VALUE,)),
    ))
    first = answer.results[0]
    if not first.ok:
        answer.raise_for_failure()
    return marker_from(first, answer.results[1] if len(answer.results) > 1 else None)


def marker_from(exists, text) -> MarkerState:
    """The marker from the answers of its two reads: Test-Path of the key, then its value (a
    StepResult, or None when the plan stopped before it)."""
    if not (exists.output and exists.output[0] is True):
        return MarkerState(None, False)
    if text is None or not text.ok or not text.output:
        # The key without the value: an empty marker, nothing in progress.
        return MarkerState(None, True)
    return MarkerState(Marker.from_text(text.output[0].get(MARKER_VALUE)), True)


def write_marker(marker: Marker, key_exists: bool) -> list[CmdletCall]:
    # New-Item -Force on an existing registry key would recreate it empty: only create it when absent.
    steps = [] if key_exists else [CmdletCall("New-Item", {"Path": MARKER_KEY, "Force": True})]
    steps.append(CmdletCall("New-ItemProperty", {"Path": MARKER_KEY, "Name": MARKER_VALUE, "Value": marker.to_text(),
                                                 "PropertyType": "String", "Force": True}))
    return steps


def clear_marker() -> CmdletCall:
    """An empty value means no maintenance in progress; the key stays (it is ours and harmless)."""
    return CmdletCall("Set-ItemProperty", {"Path": MARKER_KEY, "Name": MARKER_VALUE, "Value": ""})


def read_services(host: Host) -> list[service_model.ServiceState]:
    answer = host.read(CmdletCall("Get-CsWindowsService",
                                  select=("Name", "DisplayName", "Status", "ActivityLevel", "RoleName")))
    return [service_model.from_cmdlet(obj) for obj in answer.output(0)]


def read_startup_types(host: Host, names: list[str]) -> dict[str, str]:
    if not names:
        return {}
    answer = host.read(CmdletCall("Get-Service", {"Name": list(names)}, select=("Name", "StartType")))
    return {str(obj["Name"]): str(obj["StartType"]) for obj in answer.output(0)}


def choose_services(states: list[service_model.ServiceState], wanted: list[str]) -> list[str]:
    """The services a drain targets: the named ones (checked), or every service of the server."""
    known = {s.name.lower(): s.name for s in states}
    if not wanted:
        return [s.name for s in states]
    unknown = [w for w in wanted if w.lower() not in known]
    if unknown:
        raise SfbError(
            f"The server has no Skype for Business service named {', '.join(unknown)}.",
            hint=f"Its services are {', '.join(sorted(known.values()))}. Name a service as the Windows "
            "services list groups them (seed 000): for example RTCSRV for the Front-End service.",
        )
    return [known[w.lower()] for w in wanted]


def front_ends_running(host: Host, servers: list[str]) -> dict[str, bool]:
    """RTCSRV of each pool member, asked from this server (-ComputerName), one round trip each so that
    a member that does not answer cannot hide the others. Not answering counts as not running: that is
    the safe side for the quorum."""
    running = {}
    for fqdn in servers:
        call = CmdletCall("Get-CsWindowsService", {"Name": "RTCSRV", "ComputerName": fqdn, "ExcludeActivityLevel": True},
                          select=("Name", "Status"))
        answer = host.run(Plan.of(call))
        running[fqdn] = answer.ok and any(str(o.get("Status")) == "Running" for o in answer.output(0))
    return running


# Every service's startup type: the services' names are known only from Get-CsWindowsService's answer, and
# one more round trip costs more than the longer list.
STARTUP_TYPES = CmdletCall("Get-Service", select=("Name", "StartType"))


def startup_types_of(services: list[service_model.ServiceState], objects) -> dict[str, str]:
    """Get-Service's answer, kept to the Skype for Business services."""
    names = {s.name.lower() for s in services}
    return {str(o["Name"]): str(o["StartType"]) for o in objects if str(o.get("Name")).lower() in names}


@dataclass
class DrainState:
    """What a drain decides from, in one round trip: the Skype for Business services, their startup
    types and the marker."""

    services: list[service_model.ServiceState]
    startup_types: dict[str, str]
    marker: MarkerState


def read_drain_state(host: Host) -> DrainState:
    """Get-CsWindowsService, Get-Service (every service: their names are known only from the first
    answer, and one more round trip costs more than the longer list) and the marker, in one plan. The
    marker's value is read last: Get-ItemProperty fails when it is absent."""
    reads = [
        ("services", CmdletCall("Get-CsWindowsService", select=("Name", "DisplayName", "Status", "ActivityLevel", "RoleName"))),
        ("startup", STARTUP_TYPES),
        ("marker_exists", CmdletCall("Test-Path", {"Path": MARKER_KEY}, select=("Value",))),
        ("marker_text", CmdletCall("Get-ItemProperty", {"Path": MARKER_KEY, "Name": [MARKER_VALUE]}, select=(MARKER_VALUE,))),
    ]
    answer = host.run(Plan.of(*(call for _name, call in reads)))
    results = dict(zip((name for name, _call in reads), answer.results))
    for name in ("services", "startup", "marker_exists"):
        if name not in results or not results[name].ok:
            answer.raise_for_failure()
    services = [service_model.from_cmdlet(obj) for obj in results["services"].output]
    startup = startup_types_of(services, results["startup"].output)
    return DrainState(services, startup, marker_from(results["marker_exists"], results.get("marker_text")))


def drain_state_from(handed: dict) -> DrainState:
    """The DrainState a module of the same cycle handed on (the gate's `state`, the drain's `server_state`):
    services' status, startup types and the marker, read or written by that module a task earlier."""
    try:
        services = [service_model.ServiceState(str(name), str(name), str(status), "", ())
                    for name, status in dict(handed["services"]).items()]
        startup = {str(k): str(v) for k, v in dict(handed["startup_types"]).items()}
        marker = handed.get("marker")
        key_exists = bool(handed["marker_key_exists"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidArgument(f"known_state is not a maintenance state this collection returned (missing {exc}).",
                              hint="Hand the `state` of pool_health_info mode=gate or the `server_state` of drain, "
                              "or leave it out.") from None
    return DrainState(services, startup, MarkerState(Marker.from_text(json.dumps(marker)) if marker else None,
                                                     key_exists))
