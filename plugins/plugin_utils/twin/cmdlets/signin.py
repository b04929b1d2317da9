# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The machines behind Skype for Business Online sign-in (seed 003) on the twin.

Users' computers and domain controllers are Windows machines that are not Skype for Business
servers: the description adds them with `clients:` and `domain_controllers:`, and the directory's
users with `active_directory:`.

    clients:
      - fqdn: pc01.contoso.com
        registry:                                  # key -> {value name: data}, as winregistry.py keeps it
          'HKLM:\\Software\\Policies\\Microsoft\\Communicator': {TrustModelData: "lync.com, outlook.com"}
    domain_controllers:
      - fqdn: dc01.contoso.com
        time: {source: "time.windows.com,0x9", stratum: 3, offset_seconds: 0.02,
               synchronised: true, service: running, unreachable_references: []}
    active_directory:
      domain: contoso.com
      users:
        - {sam: bob, upn: bob@contoso.com, sip_enabled: false, ou: "OU=Sales"}

The registry cmdlets are answered by winregistry.py (the same `registry` entry of the machine); this
family answers Get-ADUser / Set-ADUser (a domain controller has the ActiveDirectory module) and
w32tm.exe.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import uuid
from typing import Any

from ansible_collections.sfb.server.plugins.plugin_utils.twin import knowledge
from ansible_collections.sfb.server.plugins.plugin_utils.errors import WorldDescriptionError
from ansible_collections.sfb.server.plugins.plugin_utils.twin import description as desc
from ansible_collections.sfb.server.plugins.plugin_utils.twin.cmdlets import (
    Call, CmdletError, ExitCode, cmdlet, executable, powershell_module,
)
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import MACHINE

CLIENT = "client"
DOMAIN_CONTROLLER = "domain_controller"
AD_USER = "ad_user"

desc.FAULTS.setdefault("w32time_stopped", "true: the Windows Time service of the machine is stopped")

_TIME_KEYS = ("source", "stratum", "offset_seconds", "synchronised", "service", "unreachable_references")
_DEFAULT_TIME = {"source": "time.windows.com,0x9", "stratum": 3, "offset_seconds": 0.012, "synchronised": True,
                 "service": "running", "unreachable_references": []}


# -- description ---------------------------------------------------------------------------------


@desc.section("clients")
def _clients(value: Any, builder: desc.WorldBuilder, settings: dict) -> None:
    for i, machine in enumerate(desc._list(value, "clients")):
        _machine(machine, f"clients[{i}]", CLIENT, builder)


@desc.section("domain_controllers")
def _domain_controllers(value: Any, builder: desc.WorldBuilder, settings: dict) -> None:
    for i, machine in enumerate(desc._list(value, "domain_controllers")):
        _machine(machine, f"domain_controllers[{i}]", DOMAIN_CONTROLLER, builder)


def _machine(value: Any, where: str, role: str, builder: desc.WorldBuilder) -> None:
    if isinstance(value, str):
        value = {"fqdn": value}
    machine = desc._mapping(value, where, required=("fqdn",), optional=("registry", "time", "modules", "faults"))
    fqdn = desc._fqdn(machine["fqdn"], f"{where}.fqdn")
    if fqdn in builder.entities.get("server", {}):
        raise WorldDescriptionError(f"{where}: {fqdn} is already a Skype for Business server of the world.")
    registry = {}
    for key, values in desc._mapping(machine.get("registry", {}), f"{where}.registry",
                                     optional=tuple(machine.get("registry", {}) or ())).items():
        path = str(key).rstrip("\\").lower()
        if not path.startswith("hklm:\\software\\"):
            raise WorldDescriptionError(f"{where}.registry: {key!r} is not a key under HKLM:\\Software.")
        registry[path] = dict(desc._mapping(values, f"{where}.registry[{key!r}]", optional=tuple(values or ())))
    time = dict(_DEFAULT_TIME)
    time.update(desc._mapping(machine.get("time", {}), f"{where}.time", optional=_TIME_KEYS))
    if time["service"] not in ("running", "stopped"):
        raise WorldDescriptionError(f"{where}.time.service: running or stopped, not {time['service']!r}.")
    faults = desc._mapping(machine.get("faults", {}), f"{where}.faults", optional=tuple(desc.FAULTS))
    builder.add(MACHINE, fqdn, {
        "fqdn": fqdn,
        "machine_role": role,
        "power": "on",
        "boot_time": builder.start,
        "reboot_until": None,
        # The shape other families read of any Windows machine: nothing of Skype for Business installed.
        "pool": None,
        "installed": {"core": False, "install_path": None, "local_store": False, "components": []},
        "services": {},
        "sessions": [],
        "certificates": [],
        "pending_reboot": False,
        "updates": {"pending": [], "installed": []},
        "faults": dict(faults),
        "registry": registry,
        "time": time,
        "modules": [str(m) for m in desc._list(machine.get("modules", []), f"{where}.modules")],
    }, where)


@desc.section("active_directory")
def _active_directory(value: Any, builder: desc.WorldBuilder, settings: dict) -> None:
    ad = desc._mapping(value, "active_directory", required=("domain",), optional=("users",))
    domain = desc._fqdn(ad["domain"], "active_directory.domain")
    settings["ad_domain"] = domain
    base = ",".join(f"DC={label}" for label in domain.split("."))
    for i, user in enumerate(desc._list(ad.get("users", []), "active_directory.users")):
        where = f"active_directory.users[{i}]"
        user = desc._mapping(user, where, required=("sam",), optional=("upn", "name", "ou", "sip_enabled", "enabled"))
        sam = desc._text(user["sam"], f"{where}.sam")
        name = str(user.get("name", sam))
        container = str(user.get("ou", "CN=Users"))
        dn = f"CN={name},{container},{base}"
        attributes = {}
        if "sip_enabled" in user:
            if not isinstance(user["sip_enabled"], bool):
                raise WorldDescriptionError(f"{where}.sip_enabled: true or false, not {user['sip_enabled']!r}.")
            attributes[knowledge.SIP_ENABLED_ATTRIBUTE] = user["sip_enabled"]
        seed = hashlib.sha1(dn.lower().encode()).hexdigest()
        builder.add(AD_USER, dn.lower(), {
            "dn": dn, "sam": sam, "upn": user.get("upn"), "name": name, "enabled": bool(user.get("enabled", True)),
            "guid": str(uuid.UUID(seed[:32])), "sid": f"S-1-5-21-1004336348-1177238915-682003330-{1100 + i}",
            "attributes": attributes,
        }, where)


# -- Active Directory ------------------------------------------------------------------------------


@powershell_module("ActiveDirectory")
def _has_active_directory_module(world, machine) -> bool:
    # Domain controllers have the AD DS tools, and so do Skype for Business servers (RSAT-ADDS is one
    # of their prerequisites, as deployment.py also says); a user's computer only when RSAT was added.
    return machine.get("machine_role") != CLIENT or "ActiveDirectory" in machine.get("modules", [])


def _base_dn(call: Call) -> str:
    domain = call.world.settings.get("ad_domain")
    if not domain:
        raise CmdletError("Unable to find a default server with Active Directory Web Services running.",
                          "ResourceUnavailable", "ActiveDirectoryServer:1355")
    return ",".join(f"DC={label}" for label in domain.split("."))


def _check_server(call: Call, command: str) -> None:
    server = call.get("Server")
    if server is None:
        return
    machine = call.world.kind(MACHINE).get(str(server).lower())
    if machine is None or machine.get("machine_role") != DOMAIN_CONTROLLER or machine["power"] != "on":
        raise CmdletError(
            "Unable to contact the server. This may be because this server does not exist, it is currently down, "
            "or it does not have the Active Directory Web Services running.", "ResourceUnavailable",
            f"ActiveDirectoryServer:0,Microsoft.ActiveDirectory.Management.Commands.{command}")


def _ldap_value(user: dict, attribute: str):
    lowered = attribute.lower()
    fixed = {"samaccountname": user["sam"], "userprincipalname": user["upn"], "name": user["name"],
             "cn": user["name"], "distinguishedname": user["dn"], "objectclass": "user", "objectcategory": "person"}
    if lowered in fixed:
        return fixed[lowered]
    for name, value in user["attributes"].items():
        if name.lower() == lowered:
            return value
    return None


def _parse_filter(text: str, position: int = 0):
    """A small RFC 4515 reader: (&..), (|..), (!..), (attr=value), (attr=*)."""
    if position >= len(text) or text[position] != "(":
        raise ValueError(position)
    position += 1
    if text[position] in "&|!":
        operator = text[position]
        position += 1
        parts = []
        while position < len(text) and text[position] == "(":
            part, position = _parse_filter(text, position)
            parts.append(part)
        if position >= len(text) or text[position] != ")" or not parts or (operator == "!" and len(parts) != 1):
            raise ValueError(position)
        return (operator, parts), position + 1
    end = text.find(")", position)
    if end < 0 or "=" not in text[position:end]:
        raise ValueError(position)
    attribute, value = text[position:end].split("=", 1)
    return ("=", attribute.strip(), value), end + 1


def _matches(node, user: dict) -> bool:
    if node[0] == "&":
        return all(_matches(part, user) for part in node[1])
    if node[0] == "|":
        return any(_matches(part, user) for part in node[1])
    if node[0] == "!":
        return not _matches(node[1][0], user)
    _unused, attribute, wanted = node
    actual = _ldap_value(user, attribute)
    if wanted == "*":
        return actual is not None
    if isinstance(actual, bool):
        # LDAP Boolean syntax: the strings TRUE and FALSE (RFC 4517, 3.3.3).
        return wanted == ("TRUE" if actual else "FALSE")
    if actual is None:
        return False
    pattern = "^" + ".*".join(re.escape(part) for part in wanted.split("*")) + "$"
    return re.match(pattern, str(actual), re.IGNORECASE) is not None


def _view(user: dict, properties: list[str]) -> dict:
    # The default property set of an ADUser (Get-ADUser.md, Example 3).
    view = {"DistinguishedName": user["dn"], "Enabled": user["enabled"], "GivenName": None, "Name": user["name"],
            "ObjectClass": "user", "ObjectGUID": user["guid"], "SamAccountName": user["sam"], "SID": user["sid"],
            "Surname": None, "UserPrincipalName": user["upn"]}
    wanted = list(user["attributes"]) if "*" in properties else properties
    for name in wanted:
        for attribute, value in user["attributes"].items():
            if attribute.lower() == name.lower():
                view[attribute] = value
    return view


def _find_user(call: Call, identity: Any, command: str) -> dict:
    text = str(identity).lower()
    for user in call.world.kind(AD_USER).values():
        if text in (user["dn"].lower(), user["sam"].lower(), user["guid"].lower(), user["sid"].lower()):
            return user
    raise CmdletError(f"Cannot find an object with identity: '{identity}' under: '{_base_dn(call)}'.",
                      "ObjectNotFound",
                      "ActiveDirectoryCmdlet:Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException,"
                      f"Microsoft.ActiveDirectory.Management.Commands.{command}")


def _as_list(value) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


# One relative distinguished name: attribute type, "=", value (RFC 4514, section 3; commas inside a
# value are escaped with a backslash).
_RDN = re.compile(r"^\s*[A-Za-z][A-Za-z0-9-]*\s*=\s*(?:[^,\\]|\\.)+$")


def _search_base(call: Call, base: str) -> str:
    """-SearchBase "Specifies an Active Directory path to search under" (Get-ADUser.md, MicrosoftDocs/
    windows-powershell-docs docset/winserver2022-ps/activedirectory). A path that is not a distinguished
    name of the domain cannot be searched, and a container that does not exist is not an empty result:
    the search fails, so a check built on it cannot pass on nothing. ASSUMPTION (no page quotes the
    wording): the ActiveDirectory module's messages as administrators publish them, "The supplied
    distinguishedName must belong to one of the following partition(s): ..." (ArgumentException) and
    "Directory object not found" (ADIdentityNotFoundException)."""
    given = call.get("SearchBase")
    if given is None:
        return base
    text = str(given).strip()
    rdns = re.split(r"(?<!\\),", text) if text else []
    wanted = ",".join(r.strip() for r in rdns).lower()
    within = wanted == base.lower() or wanted.endswith("," + base.lower())
    if not rdns or not all(_RDN.match(r) for r in rdns) or not within:
        partitions = f"{base} , CN=Configuration,{base} , CN=Schema,CN=Configuration,{base}"
        raise CmdletError(*knowledge.error("ad_search_base_outside_the_domain", partitions=partitions))
    containers = {base.lower(), f"cn=users,{base}".lower()}
    for user in call.world.kind(AD_USER).values():
        parts = re.split(r"(?<!\\),", user["dn"])
        containers.update(",".join(p.strip() for p in parts[i:]).lower() for i in range(len(parts)))
    if wanted not in containers:
        raise CmdletError(*knowledge.error("ad_search_base_not_found"))
    return wanted


@cmdlet("Get-ADUser")
def get_ad_user(call: Call):
    _check_server(call, "GetADUser")
    base = _base_dn(call)
    properties = _as_list(call.get("Properties"))
    if call.get("Identity") is not None:
        return [_view(_find_user(call, call.get("Identity"), "GetADUser"), properties)]
    if call.get("LDAPFilter") is None:
        raise CmdletError("The twin evaluates -LDAPFilter and -Identity; write the query as an LDAP filter.",
                          "NotImplemented", "FilterNotSimulated")
    try:
        node, end = _parse_filter(str(call.get("LDAPFilter")).strip())
        if end != len(str(call.get("LDAPFilter")).strip()):
            raise ValueError(end)
    except (ValueError, IndexError):
        raise CmdletError("The search filter cannot be recognized", "InvalidArgument",
                          "ActiveDirectoryServer:8254,Microsoft.ActiveDirectory.Management.Commands.GetADUser") from None
    search_base = _search_base(call, base).lower()
    users = [u for u in call.world.kind(AD_USER).values()
             if u["dn"].lower().endswith(search_base) and _matches(node, u)]
    users.sort(key=lambda u: u["dn"].lower())
    return [_view(u, properties) for u in users]


@cmdlet("Set-ADUser")
def set_ad_user(call: Call):
    _check_server(call, "SetADUser")
    if call.get("Identity") is None:
        raise CmdletError("The twin changes users by -Identity.", "NotImplemented", "InstanceNotSimulated")
    user = _find_user(call, call.get("Identity"), "SetADUser")
    replace = call.get("Replace") or {}
    if not isinstance(replace, dict):
        raise CmdletError(f"Cannot convert '{replace}' to the type 'System.Collections.Hashtable' required by "
                          "parameter 'Replace'.", "InvalidArgument",
                          "CannotConvertArgumentNoMessage,Microsoft.ActiveDirectory.Management.Commands.SetADUser")
    for attribute, value in replace.items():
        if attribute.lower() == knowledge.SIP_ENABLED_ATTRIBUTE.lower():
            if isinstance(value, str) and value.upper() in ("TRUE", "FALSE"):
                value = value.upper() == "TRUE"
            if not isinstance(value, bool):
                raise CmdletError("The parameter is incorrect", "InvalidArgument",
                                  "ActiveDirectoryServer:87,Microsoft.ActiveDirectory.Management.Commands.SetADUser")
            attribute = knowledge.SIP_ENABLED_ATTRIBUTE
        user["attributes"][attribute] = value
    call.world.record(call.server["fqdn"], "ad_user_changed", user=user["dn"], replaced=sorted(replace))
    return [_view(user, list(replace))] if call.switch("PassThru") else []


# -- w32tm.exe ---------------------------------------------------------------------------------------

# ASSUMPTION: w32tm's output is not specified in Microsoft's reference; the lines below follow the
# English output administrators publish ("Source: time.windows.com,0x9"; "HH:MM:SS, +00.0123456s";
# "error: 0x800705B4" for a server that does not answer). Exit code of a failed query: the HRESULT.
_SERVICE_NOT_STARTED = "The following error occurred: The service has not been started. (0x80070426)"
_SERVICE_NOT_STARTED_CODE = -2147023834


def _clock_text(moment: float, with_seconds_first: bool = False) -> str:
    stamp = datetime.datetime.fromtimestamp(moment, datetime.timezone.utc)
    if with_seconds_first:
        return stamp.strftime("%H:%M:%S")
    hour = stamp.hour % 12 or 12
    return f"{stamp.month}/{stamp.day}/{stamp.year} {hour}:{stamp:%M:%S} {'AM' if stamp.hour < 12 else 'PM'}"


def _status(call: Call, time: dict) -> str:
    if time["synchronised"]:
        return "\r\n".join([
            "Leap Indicator: 0(no warning)",
            f"Stratum: {time['stratum']} (secondary reference - syncd by (S)NTP)",
            "Precision: -23 (119.209ns per tick)",
            "Root Delay: 0.0312500s",
            "Root Dispersion: 0.0100000s",
            "ReferenceId: 0x14650309 (source IP:  20.101.57.9)",
            f"Last Successful Sync Time: {_clock_text(call.world.now - 600)}",
            f"Source: {time['source']}",
            "Poll Interval: 10 (1024s)",
            "",
        ])
    return "\r\n".join([
        "Leap Indicator: 3(not synchronized)",
        "Stratum: 0 (unspecified)",
        "Precision: -23 (119.209ns per tick)",
        "Root Delay: 0.0000000s",
        "Root Dispersion: 0.0000000s",
        "ReferenceId: 0x00000000 (unspecified)",
        "Last Successful Sync Time: unspecified",
        f"Source: {time['source']}",
        "Poll Interval: 6 (64s)",
        "",
    ])


def _stripchart(call: Call, time: dict, arguments: list[str]) -> ExitCode:
    options = {a.split(":", 1)[0].lower(): (a.split(":", 1)[1] if ":" in a else "") for a in arguments}
    computer = options.get("/computer")
    if not computer:
        return ExitCode(87, "The following arguments were unexpected: /stripchart\r\n")
    samples = max(1, int(options.get("/samples") or 1))
    lines = [f"Tracking {computer} [192.0.2.123:123].", f"Collecting {samples} samples.",
             f"The current time is {_clock_text(call.world.now + time['offset_seconds'])}."]
    unreachable = computer.lower() in (r.lower() for r in time["unreachable_references"])
    for i in range(samples):
        stamp = _clock_text(call.world.now + time["offset_seconds"] + 2 * i, with_seconds_first=True)
        if unreachable:
            lines.append(f"{stamp}, error: 0x800705B4")
        else:
            # The reference's time minus this clock's: a clock ahead prints a negative offset.
            lines.append(f"{stamp}, {-time['offset_seconds']:+011.7f}s")
    return ExitCode(0, "\r\n".join(lines) + "\r\n")


@executable("w32tm.exe", "w32tm")
def w32tm(call: Call):
    machine = call.server
    time = machine.get("time") or _DEFAULT_TIME
    arguments = [a.lower() for a in call.arguments]
    if machine["faults"].get("w32time_stopped") or time["service"] == "stopped":
        return ExitCode(_SERVICE_NOT_STARTED_CODE, _SERVICE_NOT_STARTED + "\r\n")
    if arguments[:2] == ["/query", "/status"]:
        return ExitCode(0, _status(call, time))
    if arguments[:1] == ["/stripchart"]:
        return _stripchart(call, time, call.arguments[1:])
    return ExitCode(87, f"The following arguments were unexpected: {' '.join(call.arguments)}\r\n")
