# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Get-Service and Set-Service (Windows PowerShell 5.1) on the twin, for the startup type.

The twin knows the Skype for Business services of each server; Get-Service answers with a
ServiceController's Name, DisplayName, Status and StartType (Set-Service.md, Example 2). Changing the
startup type matters after a restart: simulation.py starts only Automatic services when a server
comes back, which is why seed 000 asks for Manual before a maintenance restart.
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.twin.cmdlets import Call, CmdletError, cmdlet, powershell_module


@powershell_module("Microsoft.PowerShell.Management")
def _has_management_module(world, server) -> bool:
    # A core module of Windows PowerShell 5.1: present on every Windows server.
    return True


def _find(server: dict, name: str, command: str) -> str:
    for candidate in server["services"]:
        if candidate.lower() == str(name).lower():
            return candidate
    raise CmdletError(f"Cannot find any service with service name '{name}'.", "ObjectNotFound",
                      f"NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.{command}")


def _controller(server: dict, name: str) -> dict:
    service = server["services"][name]
    # A service that stopped taking new connections is still Running for the Service Control Manager.
    return {"Name": name, "ServiceName": name, "DisplayName": service["display_name"],
            "Status": service["status"], "StartType": service["startup_type"], "MachineName": "."}


def _local(call: Call) -> dict:
    if call.get("ComputerName") not in (None, [], ".", "localhost"):
        raise CmdletError("The twin answers Get-Service/Set-Service for the local computer only.",
                          "NotImplemented", "RemoteComputerNotSimulated")
    return call.server


@cmdlet("Get-Service")
def get_service(call: Call):
    server = _local(call)
    names = call.get("Name")
    if names is None:
        return [_controller(server, n) for n in server["services"]]
    if isinstance(names, str):
        names = [names]
    return [_controller(server, _find(server, n, "GetServiceCommand")) for n in names]


@cmdlet("Set-Service")
def set_service(call: Call):
    server = _local(call)
    if call.get("Name") is None:
        raise CmdletError("The twin does not take service objects from the pipeline; give -Name.",
                          "NotImplemented", "InputObjectNotSimulated")
    name = _find(server, call.get("Name"), "SetServiceCommand")
    service = server["services"][name]
    startup = call.get("StartupType")
    if startup is not None and service["startup_type"] != str(startup):
        before = service["startup_type"]
        service["startup_type"] = str(startup).capitalize()
        call.world.record(server["fqdn"], "startup_type_changed", service=name, before=before,
                          after=service["startup_type"])
    if call.get("Status") is not None:
        raise CmdletError("The twin changes startup types with Set-Service; start and stop Skype for "
                          "Business services with Start-/Stop-CsWindowsService.", "NotImplemented",
                          "StatusNotSimulated")
    return [_controller(server, name)] if call.switch("PassThru") else []
