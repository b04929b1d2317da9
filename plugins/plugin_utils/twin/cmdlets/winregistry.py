# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small registry per twin server: Test-Path, Get-ItemProperty, New-Item, New-ItemProperty, Set-ItemProperty.

Keys are kept per server as {path: {value name: data}}; paths compare case-insensitively as in the
registry. Only HKLM: paths under SOFTWARE are simulated. Errors are the provider's ("Cannot find path
'...' because it does not exist.", PathNotFound).
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.twin.cmdlets import Call, CmdletError, cmdlet

_ROOTS = ("hklm:\\software",)


def _keys(server: dict) -> dict:
    return server.setdefault("registry", {})


def _norm(path) -> str:
    if isinstance(path, list):
        if len(path) != 1:
            raise CmdletError("The twin's registry takes one path at a time.", "NotImplemented", "ManyPaths")
        path = path[0]
    return str(path).rstrip("\\").lower()


def _exists(server: dict, path: str) -> bool:
    return path in _ROOTS or path in _keys(server)


def _not_found(path, command: str) -> CmdletError:
    return CmdletError(f"Cannot find path '{path}' because it does not exist.", "ObjectNotFound",
                       f"PathNotFound,Microsoft.PowerShell.Commands.{command}")


@cmdlet("Test-Path")
def test_path(call: Call):
    return [_exists(call.server, _norm(call.get("Path") or call.get("LiteralPath")))]


@cmdlet("Get-ItemProperty")
def get_item_property(call: Call):
    given = call.get("Path") or call.get("LiteralPath")
    path = _norm(given)
    if path not in _keys(call.server):
        raise _not_found(given, "GetItemPropertyCommand")
    values = dict(_keys(call.server)[path])
    wanted = call.get("Name")
    if wanted:
        wanted = [wanted] if isinstance(wanted, str) else wanted
        missing = [w for w in wanted if w.lower() not in (k.lower() for k in values)]
        if missing:
            raise CmdletError(f"Property {missing[0]} does not exist at path {given}.", "InvalidArgument",
                              "System.Management.Automation.PSArgumentException,"
                              "Microsoft.PowerShell.Commands.GetItemPropertyCommand")
        values = {k: v for k, v in values.items() if k.lower() in (w.lower() for w in wanted)}
    return [{**values, "PSPath": f"Microsoft.PowerShell.Core\\Registry::{given}"}]


@cmdlet("New-Item")
def new_item(call: Call):
    given = call.get("Path")
    path = _norm(given)
    if call.get("Name"):
        path = f"{path}\\{str(call.get('Name')).lower()}"
    if not path.startswith("hklm:\\software\\"):
        raise CmdletError("The twin simulates registry keys under HKLM:\\SOFTWARE only.", "NotImplemented",
                          "PathNotSimulated")
    keys = _keys(call.server)
    if path in keys and not call.switch("Force"):
        raise CmdletError("A key at this path already exists.", "ResourceExists",
                          "System.IO.IOException,Microsoft.PowerShell.Commands.NewItemCommand")
    parent = path.rsplit("\\", 1)[0]
    if not _exists(call.server, parent):
        if not call.switch("Force"):
            raise _not_found(parent, "NewItemCommand")
        # -Force creates the missing parent keys.
        while parent not in _ROOTS and parent not in keys:
            keys[parent] = {}
            parent = parent.rsplit("\\", 1)[0]
    # INFERENCE (not in the New-Item page): -Force on an existing registry key recreates it empty, the
    # behaviour administrators report; modelled so that code relying on it keeping values fails here.
    keys[path] = {}
    call.world.record(call.server["fqdn"], "registry_key_created", path=path)
    return [{"PSPath": f"Microsoft.PowerShell.Core\\Registry::{given}", "Name": path.rsplit("\\", 1)[1]}]


def _set_value(call: Call, command: str, must_be_new: bool):
    given = call.get("Path") or call.get("LiteralPath")
    path = _norm(given)
    keys = _keys(call.server)
    if path not in keys:
        raise _not_found(given, command)
    name = str(call.get("Name"))
    existing = next((k for k in keys[path] if k.lower() == name.lower()), None)
    if must_be_new and existing is not None and not call.switch("Force"):
        raise CmdletError("The property already exists.", "ResourceExists",
                          f"System.IO.IOException,Microsoft.PowerShell.Commands.{command}")
    if existing is not None:
        del keys[path][existing]
    value = call.get("Value")
    keys[path][name] = "" if value is None else value
    call.world.record(call.server["fqdn"], "registry_value_set", path=path, name=name)
    return [{name: keys[path][name]}] if must_be_new else []


@cmdlet("New-ItemProperty")
def new_item_property(call: Call):
    return _set_value(call, "NewItemPropertyCommand", must_be_new=True)


@cmdlet("Set-ItemProperty")
def set_item_property(call: Call):
    if call.get("Name") is None:
        raise CmdletError("The twin sets one named value at a time; give -Name and -Value.", "NotImplemented",
                          "InputObjectNotSimulated")
    return _set_value(call, "SetItemPropertyCommand", must_be_new=False)
