# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Get-, Start- and Stop-CsWindowsService on the twin."""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.twin import knowledge
from ansible_collections.sfb.server.plugins.plugin_utils.twin import simulation
from ansible_collections.sfb.server.plugins.plugin_utils.twin.cmdlets import (
    Call, CmdletError, Wait, cmdlet, powershell_module,
)

# The twin's answer when a started service does not reach Running.
START_TIMEOUT_SECONDS = 120
# How often a blocking graceful stop looks at the drain, and when it gives up (virtual seconds).
DRAIN_POLL_SECONDS = 300
DRAIN_GIVE_UP_SECONDS = 86400


@powershell_module("SkypeForBusiness")
def _has_skype_module(world, server) -> bool:
    return bool(server["installed"]["core"])


def _target(call: Call) -> dict:
    if call.get("ComputerName"):
        target = call.world.servers.get(str(call.get("ComputerName")).lower())
        # The `unreachable` fault cuts every connection to the server, remote service control included.
        if target is None or not simulation.is_up(target) or target["faults"].get("unreachable"):
            raise CmdletError(f"Cannot connect to computer {call.get('ComputerName')}.",
                              "ResourceUnavailable", "ComputerUnreachable")
        return target
    return call.server


def _selected(call: Call, server: dict) -> list[str]:
    name = call.get("Name")
    if name is None:
        return list(server["services"])
    for candidate in server["services"]:
        if candidate.lower() == str(name).lower():
            return [candidate]
    raise CmdletError(f"Cannot find any service with service name '{name}'.", "ObjectNotFound",
                      "NoServiceFoundForGivenName")


def _view(call: Call, server: dict, name: str) -> dict:
    service = server["services"][name]
    view = {
        "Name": name,
        "DisplayName": service["display_name"],
        "Status": service["status"],
        "RoleName": [service["role"]],
        "ActivityLevel": None,
    }
    # A service reports an ActivityLevel when it carries sessions, or when a published capture shows its
    # counter (RTCCAA "Concurrent Calls=0", sample Get-CsWindowsService.1); the others report none.
    if not call.switch("ExcludeActivityLevel") and (service.get("carries_sessions") or knowledge.has_counter(name)):
        view["ActivityLevel"] = knowledge.format_activity_level(name, simulation.activity(call.world, server, name))
    return view


@cmdlet("Get-CsWindowsService")
def get_windows_service(call: Call):
    server = _target(call)
    return [_view(call, server, name) for name in _selected(call, server)]


@cmdlet("Start-CsWindowsService")
def start_windows_service(call: Call):
    server = _target(call)
    failed = [name for name in _selected(call, server) if not simulation.start_service(call.world, server, name)]
    if failed:
        raise CmdletError(
            f"Service {failed[0]} failed to start within {START_TIMEOUT_SECONDS} seconds.",
            "OperationTimeout", "ServiceStartTimeout")
    return []


@cmdlet("Stop-CsWindowsService")
def stop_windows_service(call: Call):
    server = _target(call)
    keep = set()
    if call.switch("LeaveClsAgentRunning"):
        keep.add("RTCCLSAGT")
    if call.switch("LeaveWebServerRunning"):
        keep.add("W3SVC")
    names = [n for n in _selected(call, server) if n not in keep or call.get("Name")]
    graceful = call.switch("Graceful")
    for name in names:
        simulation.stop_service(call.world, server, name, graceful=graceful)
    if graceful and not call.switch("NoWait"):
        return _wait_for_drain(server["fqdn"], names)
    return []


def _wait_for_drain(fqdn: str, names: list[str]):
    """Without -NoWait a graceful stop returns when the drained services have stopped.

    The twin looks again at least every DRAIN_POLL_SECONDS, so that a service stopped meanwhile by
    someone else (a hard stop, a restart) ends the wait as it would end the real command.
    """
    deadline: list[float] = []

    def check(call: Call):
        if not deadline:
            # A session that never ends: the real cmdlet would wait for ever; so does an
            # administrator at the console, until they give up. The twin gives up after a day.
            deadline.append(call.world.now + DRAIN_GIVE_UP_SECONDS)
        server = call.world.server(fqdn)
        busy = [n for n in names if server["services"][n]["status"] != "Stopped"]
        if not busy or call.world.now >= deadline[0]:
            return []
        ends = [s["end"] for s in server["sessions"] if s["service"] in busy and s["end"] is not None]
        never = len(ends) < sum(1 for s in server["sessions"] if s["service"] in busy)
        last_end = deadline[0] if never else max(ends + [call.world.now]) + 1
        return Wait(until=min(last_end, call.world.now + DRAIN_POLL_SECONDS, deadline[0]), resume=check)

    return Wait(until=0, resume=check)
