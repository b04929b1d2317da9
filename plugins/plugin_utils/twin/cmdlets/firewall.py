# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Windows Firewall, IPsec rules, Test-NetConnection and the conferencing configuration on the twin.

Each server keeps `firewall: {rules: {...}, ipsec: {...}}`, created on first use with the rules a
Windows Server has out of the box that matter here (a few built-in rules in their own groups), so
that every world has rules this collection does not own. A description may add more per server:

    firewall:
      fe01.contoso.com:
        rules:
          - {name: Contoso-Backup-In, display_name: Backup agent, group: Contoso, protocol: TCP, local_port: ["10000"]}

Cmdlet behaviour follows the NetSecurity and NetTCPIP reference pages
(MicrosoftDocs/windows-powershell-docs, docset/winserver2022-ps): rules are found by name with
wildcards (Get-NetFirewallRule -Name: "Wildcard characters are accepted"); ports and protocol live
in a separate port filter object whose relation to its rule is "always one-to-one" (Get-NetFirewallRule
DESCRIPTION); Test-NetConnection -Port answers TcpTestSucceeded (Example 3).
"""

from __future__ import annotations

import fnmatch
import hashlib
import uuid
from typing import Any

from ansible_collections.sfb.server.plugins.plugin_utils.errors import WorldDescriptionError
from ansible_collections.sfb.server.plugins.plugin_utils.twin import description, knowledge, simulation
from ansible_collections.sfb.server.plugins.plugin_utils.twin.cmdlets import Call, CmdletError, cmdlet, powershell_module

description.FAULTS.update({
    "network_blocks": "list of TCP ports (or '*' for everything, ping included) dropped on the network "
                      "path to this server",
    "firewall_rules_deleted": "list of firewall or IPsec rule names an administrator deletes once (the "
                              "fault clears itself)",
})

# Rules a Windows Server 2019 has before anyone adds one; names and groups as Get-NetFirewallRule
# shows them. They exist so that every world has rules the collection must never touch.
BUILT_IN_RULES = (
    {"name": "RemoteDesktop-UserMode-In-TCP", "display_name": "Remote Desktop - User Mode (TCP-In)",
     "group": "@FirewallAPI.dll,-28752", "display_group": "Remote Desktop", "protocol": "TCP", "local_port": ["3389"]},
    {"name": "WINRM-HTTP-In-TCP", "display_name": "Windows Remote Management (HTTP-In)",
     "group": "@FirewallAPI.dll,-35001", "display_group": "Windows Remote Management", "protocol": "TCP",
     "local_port": ["5985"]},
    {"name": "FPS-SMB-In-TCP", "display_name": "File and Printer Sharing (SMB-In)",
     "group": "@FirewallAPI.dll,-28502", "display_group": "File and Printer Sharing", "protocol": "TCP",
     "local_port": ["445"], "enabled": "False"},
)


@powershell_module("NetSecurity")
def _has_netsecurity(world, server) -> bool:
    return True


@powershell_module("NetTCPIP")
def _has_nettcpip(world, server) -> bool:
    return True


# -- the world -------------------------------------------------------------------------------


def _rule(spec: dict, where: str = "") -> dict:
    local_port = spec.get("local_port", ["Any"])
    if isinstance(local_port, (str, int)):
        local_port = [str(local_port)]
    return {
        "name": str(spec["name"]),
        "display_name": str(spec.get("display_name") or spec["name"]),
        "description": str(spec.get("description") or ""),
        "group": str(spec.get("group") or ""),
        "display_group": str(spec.get("display_group") or spec.get("group") or ""),
        "enabled": str(spec.get("enabled", "True")),
        "direction": str(spec.get("direction", "Inbound")),
        "action": str(spec.get("action", "Allow")),
        "profile": str(spec.get("profile", "Any")),
        "protocol": str(spec.get("protocol", "Any")),
        "local_port": [str(p) for p in local_port],
        "remote_port": ["Any"],
    }


def firewall_of(server: dict) -> dict:
    """The server's firewall state, created with the built-in rules on first use."""
    state = server.get("firewall")
    if state is None:
        state = {"rules": {r["name"]: _rule(r) for r in BUILT_IN_RULES}, "ipsec": {}}
        server["firewall"] = state
    return state


@description.section("firewall")
def _describe_firewall(value: Any, builder, settings: dict) -> None:
    if not isinstance(value, dict):
        raise WorldDescriptionError("firewall: expected a mapping of server FQDN to {rules: [...]}.")
    servers = builder.entities.get("server", {})
    for fqdn, spec in value.items():
        where = f"firewall.{fqdn}"
        server = servers.get(str(fqdn).lower())
        if server is None:
            raise WorldDescriptionError(f"{where}: no server {fqdn} is described under sites.")
        if not isinstance(spec, dict) or set(spec) - {"rules"}:
            raise WorldDescriptionError(f"{where}: expected {{rules: [...]}}.")
        state = firewall_of(server)
        for i, raw in enumerate(spec.get("rules") or []):
            if not isinstance(raw, dict) or "name" not in raw:
                raise WorldDescriptionError(f"{where}.rules[{i}]: a rule needs at least a name.")
            rule = _rule(raw)
            for port in rule["local_port"]:
                if port != "Any":
                    try:
                        knowledge.parse_ports(port, f"{where}.rules[{i}].local_port")
                    except knowledge.PortSpecError as exc:
                        raise WorldDescriptionError(exc.msg, hint=exc.hint) from None
            state["rules"][rule["name"]] = rule


@simulation.advancer
def _administrators_delete_rules(world) -> None:
    for server in world.servers.values():
        names = server.get("faults", {}).pop("firewall_rules_deleted", None)
        if not names:
            continue
        state = firewall_of(server)
        for name in [names] if isinstance(names, str) else names:
            removed = state["rules"].pop(name, None) or state["ipsec"].pop(name, None)
            world.record(server["fqdn"], "firewall_rule_deleted_by_administrator", rule=name,
                         existed=removed is not None)


# -- shared query behaviour ------------------------------------------------------------------


def _matches(value: str, pattern: Any) -> bool:
    patterns = pattern if isinstance(pattern, list) else [pattern]
    return any(fnmatch.fnmatchcase(str(value).lower(), str(p).lower()) for p in patterns)


def _has_wildcard(pattern: Any) -> bool:
    patterns = pattern if isinstance(pattern, list) else [pattern]
    return any(ch in str(p) for p in patterns for ch in "*?[")


def _not_found(cim_class: str, prop: str, value: Any, cmdlet_name: str) -> CmdletError:
    # CIM-based (cdxml) cmdlets fail this way when a query without wildcards matches nothing;
    # with a wildcard they return nothing and no error. (Observed behaviour of the NetSecurity
    # cmdlets; the reference pages do not print the message.)
    return CmdletError(
        f"No {cim_class} objects found with property '{prop}' equal to '{value}'.  Verify the value of "
        "the property and retry.", "ObjectNotFound", f"CmdletizationQuery_NotFound_{prop},{cmdlet_name}")


_QUERY = {"Name": "name", "DisplayName": "display_name", "Group": "group", "DisplayGroup": "display_group",
          "Description": "description", "Enabled": "enabled", "Direction": "direction", "Action": "action"}


def _select(call: Call, items: dict, cim_class: str, name_parameter: str = "Name",
            by_name_only: bool = False) -> list[dict]:
    # Set- and Remove- find rules by name; their other parameters are the new values, not filters.
    chosen = list(items.values())
    for parameter, key in _QUERY.items():
        if by_name_only and parameter != "Name":
            continue
        given = call.get(name_parameter if parameter == "Name" else parameter)
        if given is None:
            continue
        # Each value without a wildcard must match something: the runner's -ErrorAction Stop turns
        # the cmdlet's error for the first value that matches nothing into a failure.
        for value in given if isinstance(given, list) else [given]:
            if not _has_wildcard(value) and not any(_matches(r.get(key, ""), value) for r in chosen):
                raise _not_found(cim_class, "InstanceID" if parameter == "Name" else parameter, value, call.name)
        chosen = [r for r in chosen if _matches(r.get(key, ""), given)]
    return chosen


# -- firewall rules --------------------------------------------------------------------------


def _rule_view(rule: dict) -> dict:
    return {
        "Name": rule["name"],
        "ID": rule["name"],
        "InstanceID": rule["name"],
        "DisplayName": rule["display_name"],
        "Description": rule["description"],
        "Group": rule["group"],
        "DisplayGroup": rule["display_group"],
        "Enabled": rule["enabled"],
        "Profile": rule["profile"],
        "Direction": rule["direction"],
        "Action": rule["action"],
        "PrimaryStatus": "OK",
        "PolicyStoreSource": "PersistentStore",
    }


def _target(call: Call) -> dict:
    """The computer a NetSecurity cmdlet acts on: the local server, or the one its -CimSession names."""
    session = call.get("CimSession")
    if session is None:
        return call.server
    name = str(session[0] if isinstance(session, list) else session).lower()
    target = call.world.servers.get(name)
    if target is None or not simulation.is_up(target):
        raise CmdletError(f"The WinRM client cannot process the request: cannot connect to {name}.",
                          "ConnectionError", "HRESULT 0x80338012")
    return target


def _rules_of(server: dict) -> dict:
    rules = dict(firewall_of(server)["rules"])
    # Cloud Connector VMs keep their rules as {display name: enabled} (cce family): show them too.
    for display_name, enabled in server.get("cce_vm", {}).get("firewall_rules", {}).items():
        rules.setdefault(display_name, _rule({"name": display_name, "display_name": display_name,
                                              "enabled": "True" if enabled else "False"}))
    return rules


@cmdlet("Get-NetFirewallRule")
def get_firewall_rule(call: Call):
    return [_rule_view(r) for r in _select(call, _rules_of(_target(call)), "MSFT_NetFirewallRule")]


def _ports(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(v) for v in values]


def _check_ports(call: Call, protocol: str, local_port: list[str]) -> None:
    if local_port != ["Any"] and protocol.upper() not in ("TCP", "UDP"):
        # New-NetFirewallRule -LocalPort: "a port is only valid when the protocol is TCP or UDP".
        raise CmdletError("The port filter is only valid for the TCP and UDP protocols.", "InvalidArgument",
                          f"HRESULT 0x80070057,{call.name}")
    for port in local_port:
        if port == "Any":
            continue
        try:
            knowledge.parse_ports(port)
        except knowledge.PortSpecError:
            raise CmdletError("The parameter is incorrect.", "InvalidArgument",
                              f"HRESULT 0x80070057,{call.name}") from None


@cmdlet("New-NetFirewallRule")
def new_firewall_rule(call: Call):
    state = firewall_of(call.server)
    name = call.get("Name") or "{" + str(uuid.uuid4()) + "}"
    if name in state["rules"]:
        raise CmdletError("Cannot create a file when that file already exists.", "ResourceExists",
                          "Windows System Error 183,New-NetFirewallRule")
    rule = _rule({
        "name": name, "display_name": call.get("DisplayName"), "description": call.get("Description"),
        "group": call.get("Group"), "enabled": call.get("Enabled", "True"), "direction": call.get("Direction", "Inbound"),
        "action": call.get("Action", "Allow"), "profile": _profile(call.get("Profile", "Any")),
        "protocol": call.get("Protocol", "Any"), "local_port": _ports(call.get("LocalPort", "Any")),
    })
    _check_ports(call, rule["protocol"], rule["local_port"])
    state["rules"][name] = rule
    call.world.record(call.server["fqdn"], "firewall_rule_created", rule=name, group=rule["group"])
    return [_rule_view(rule)]


def _profile(value: Any) -> str:
    return ", ".join(_ports(value))


@cmdlet("Set-NetFirewallRule")
def set_firewall_rule(call: Call):
    if call.get("Name") is None:
        raise CmdletError("The twin sets firewall rules by -Name only.", "NotImplemented")
    chosen = _select(call, firewall_of(call.server)["rules"], "MSFT_NetFirewallRule", by_name_only=True)
    changes = {"NewDisplayName": "display_name", "Description": "description", "Enabled": "enabled",
               "Direction": "direction", "Action": "action", "Protocol": "protocol"}
    for rule in chosen:
        for parameter, key in changes.items():
            if call.get(parameter) is not None:
                rule[key] = str(call.get(parameter))
        if call.get("Profile") is not None:
            rule["profile"] = _profile(call.get("Profile"))
        if call.get("LocalPort") is not None:
            rule["local_port"] = _ports(call.get("LocalPort"))
        _check_ports(call, rule["protocol"], rule["local_port"])
        call.world.record(call.server["fqdn"], "firewall_rule_changed", rule=rule["name"])
    return [_rule_view(r) for r in chosen] if call.switch("PassThru") else []


@cmdlet("Remove-NetFirewallRule")
def remove_firewall_rule(call: Call):
    if call.get("Name") is None:
        raise CmdletError("The twin removes firewall rules by -Name only.", "NotImplemented")
    state = firewall_of(call.server)
    chosen = _select(call, state["rules"], "MSFT_NetFirewallRule", by_name_only=True)
    for rule in chosen:
        del state["rules"][rule["name"]]
        call.world.record(call.server["fqdn"], "firewall_rule_removed", rule=rule["name"], group=rule["group"])
    return [_rule_view(r) for r in chosen] if call.switch("PassThru") else []


@cmdlet("Get-NetFirewallPortFilter")
def get_firewall_port_filter(call: Call):
    if call.get("AssociatedNetFirewallRule") is not None or call.get("AssociatedNetIPsecRule") is not None:
        raise CmdletError("The twin answers Get-NetFirewallPortFilter -All and -Protocol queries only.", "NotImplemented")
    state = firewall_of(call.server)
    filters = [
        {"InstanceID": rule["name"], "Protocol": rule["protocol"], "LocalPort": rule["local_port"],
         "RemotePort": rule["remote_port"], "IcmpType": "Any", "DynamicTarget": "Any"}
        for rule in list(state["rules"].values()) + list(state["ipsec"].values())
    ]
    if call.get("Protocol") is not None:
        filters = [f for f in filters if _matches(f["Protocol"], call.get("Protocol"))]
    return filters


# -- IPsec rules -----------------------------------------------------------------------------


def _ipsec_view(rule: dict) -> dict:
    return {
        "IPsecRuleName": rule["name"],
        "InstanceID": rule["name"],
        "DisplayName": rule["display_name"],
        "Description": rule["description"],
        "Group": rule["group"],
        "DisplayGroup": rule["display_group"],
        "Enabled": rule["enabled"],
        "Mode": rule["mode"],
        "InboundSecurity": rule["inbound_security"],
        "OutboundSecurity": rule["outbound_security"],
        "Profile": rule["profile"],
        "PrimaryStatus": "OK",
    }


@cmdlet("Get-NetIPsecRule")
def get_ipsec_rule(call: Call):
    return [_ipsec_view(r) for r in _select(call, firewall_of(call.server)["ipsec"], "MSFT_NetConSecRule",
                                            "IPsecRuleName")]


@cmdlet("New-NetIPsecRule")
def new_ipsec_rule(call: Call):
    state = firewall_of(call.server)
    name = call.get("IPsecRuleName") or "{" + str(uuid.uuid4()) + "}"
    if name in state["ipsec"] or name in state["rules"]:
        raise CmdletError("Cannot create a file when that file already exists.", "ResourceExists",
                          "Windows System Error 183,New-NetIPsecRule")
    inbound = str(call.get("InboundSecurity", "None"))
    outbound = str(call.get("OutboundSecurity", "None"))
    # New-NetIPsecRule -OutboundSecurity: "the following configurations are valid: None\None,
    # Request\None, Request\Request, Require\Request, or Require\Require".
    if (inbound, outbound) not in {("None", "None"), ("Request", "None"), ("Request", "Request"),
                                   ("Require", "Request"), ("Require", "Require")}:
        raise CmdletError("The parameter is incorrect.", "InvalidArgument", "HRESULT 0x80070057,New-NetIPsecRule")
    rule = {
        "name": name, "display_name": str(call.get("DisplayName")), "description": str(call.get("Description") or ""),
        "group": str(call.get("Group") or ""), "display_group": str(call.get("Group") or ""),
        "enabled": str(call.get("Enabled", "True")), "mode": str(call.get("Mode", "Transport")),
        "inbound_security": inbound, "outbound_security": outbound, "profile": _profile(call.get("Profile", "Any")),
        "protocol": str(call.get("Protocol", "Any")), "local_port": _ports(call.get("LocalPort", "Any")),
        "remote_port": _ports(call.get("RemotePort", "Any")),
    }
    state["ipsec"][name] = rule
    call.world.record(call.server["fqdn"], "ipsec_rule_created", rule=name)
    return [_ipsec_view(rule)]


@cmdlet("Set-NetIPsecRule")
def set_ipsec_rule(call: Call):
    if call.get("IPsecRuleName") is None:
        raise CmdletError("The twin sets IPsec rules by -IPsecRuleName only.", "NotImplemented")
    chosen = _select(call, firewall_of(call.server)["ipsec"], "MSFT_NetConSecRule", "IPsecRuleName", True)
    changes = {"NewDisplayName": "display_name", "Enabled": "enabled", "Mode": "mode",
               "InboundSecurity": "inbound_security", "OutboundSecurity": "outbound_security", "Protocol": "protocol"}
    for rule in chosen:
        for parameter, key in changes.items():
            if call.get(parameter) is not None:
                rule[key] = str(call.get(parameter))
        call.world.record(call.server["fqdn"], "ipsec_rule_changed", rule=rule["name"])
    return [_ipsec_view(r) for r in chosen] if call.switch("PassThru") else []


@cmdlet("Remove-NetIPsecRule")
def remove_ipsec_rule(call: Call):
    if call.get("IPsecRuleName") is None:
        raise CmdletError("The twin removes IPsec rules by -IPsecRuleName only.", "NotImplemented")
    state = firewall_of(call.server)
    chosen = _select(call, state["ipsec"], "MSFT_NetConSecRule", "IPsecRuleName", True)
    for rule in chosen:
        del state["ipsec"][rule["name"]]
        call.world.record(call.server["fqdn"], "ipsec_rule_removed", rule=rule["name"])
    return [_ipsec_view(r) for r in chosen] if call.switch("PassThru") else []


# -- Test-NetConnection ----------------------------------------------------------------------


def address_of(fqdn: str) -> str:
    digest = hashlib.sha1(fqdn.lower().encode()).digest()
    return f"10.{digest[0]}.{digest[1]}.{max(1, digest[2] % 255)}"


def allows(server: dict, port: int, protocol: str = "TCP") -> bool:
    """Whether the server's Windows Firewall lets an inbound connection to `port` in."""
    if server.get("windows_firewall", "Running") != "Running":
        return True
    for rule in firewall_of(server)["rules"].values():
        if (rule["enabled"] == "True" and rule["direction"] == "Inbound" and rule["action"] == "Allow"
                and rule["protocol"].upper() in (protocol, "ANY") and _covers(rule["local_port"], port)):
            return True
    return False


def _covers(local_ports: list[str], port: int) -> bool:
    for text in local_ports:
        if text == "Any":
            return True
        try:
            if any(port in r for r in knowledge.parse_ports(text)):
                return True
        except knowledge.PortSpecError:
            continue
    return False


def listens(server: dict, port: int) -> bool:
    """A deployed server with running services listens on the TCP ports its roles use (seed 004)."""
    if not server.get("installed", {}).get("core"):
        return False
    if not any(s["status"] == "Running" for s in server.get("services", {}).values()):
        return False
    # 445 (the Master Replicator Agent's row) is SMB, which every Windows server listens on, so the
    # Central Management store host's rows are listened on by all: the world does not say which
    # Front End holds the store, the inventory does. The table is the twin's own reading of the ports
    # page (knowledge/ports.yml); rows the page calls outgoing are not listened on. Only single ports
    # are tested: a media range is opened for media, not for a TCP handshake on its first port.
    for row in knowledge.server_port_rows(server["roles"], central_management_store=True):
        if row.listens and "TCP" in row.transport and len(row.ranges) == 1 \
                and row.ranges[0].first == row.ranges[0].last == port:
            return True
    return False


@cmdlet("Test-NetConnection")
def test_net_connection(call: Call):
    target = str(call.get("ComputerName") or "internetbeacon.msedge.net").lower()
    peer = call.world.servers.get(target)
    answer: dict[str, Any] = {"ComputerName": target, "SourceAddress": address_of(call.server["fqdn"]),
                              "InterfaceAlias": "Ethernet"}
    if peer is None:
        # Name resolution fails: the cmdlet warns and reports the test as failed, no error.
        answer.update(RemoteAddress=None, NameResolutionSucceeded=False, PingSucceeded=False)
        if call.get("Port") is not None:
            answer.update(RemotePort=call.get("Port"), TcpTestSucceeded=False)
        return [answer]
    blocks = peer.get("faults", {}).get("network_blocks") or []
    up = simulation.is_up(peer) and not peer.get("faults", {}).get("unreachable")
    answers_ping = up and "*" not in blocks
    answer.update(RemoteAddress=address_of(target), NameResolutionSucceeded=True)
    if call.get("Port") is None:
        answer.update(PingSucceeded=answers_ping)
        return [answer]
    port = int(call.get("Port"))
    succeeded = (answers_ping and str(port) not in [str(b) for b in blocks] and allows(peer, port)
                 and listens(peer, port))
    answer.update(RemotePort=port, TcpTestSucceeded=succeeded)
    if not succeeded:
        # A failed TCP test falls back to a ping, whose result the answer carries.
        answer.update(PingSucceeded=answers_ping)
    return [answer]


# -- conferencing configuration (client media ports) -----------------------------------------

# Set-CsConferencingConfiguration: "When set to False (the default value) any available port
# (from port 1024 through port 65535) will be used"; ClientMediaPort "The default value is 5350";
# ClientMediaPortRange "(The default value is 40.)".
CONFERENCING_DEFAULTS = {"ClientMediaPortRangeEnabled": False, "ClientMediaPort": 5350, "ClientMediaPortRange": 40}


def _conferencing(world) -> dict:
    kind = world.kind("conferencing_configuration")
    if "global" not in kind:
        kind["global"] = {"Identity": "Global", **CONFERENCING_DEFAULTS}
    return kind


def _identity_key(identity: Any) -> str:
    return str(identity or "Global").lower()


@cmdlet("Get-CsConferencingConfiguration")
def get_conferencing_configuration(call: Call):
    kind = _conferencing(call.world)
    if call.get("Identity") is not None:
        key = _identity_key(call.get("Identity"))
        if key not in kind:
            raise CmdletError(f'Cannot get "ConferencingConfiguration" "{call.get("Identity")}" because it does not '
                              "exist.", "ObjectNotFound", "IdentityNotFound")
        return [dict(kind[key])]
    if call.get("Filter") is not None:
        return [dict(v) for v in kind.values() if _matches(v["Identity"], call.get("Filter"))]
    return [dict(v) for v in kind.values()]


@cmdlet("Set-CsConferencingConfiguration")
def set_conferencing_configuration(call: Call):
    kind = _conferencing(call.world)
    key = _identity_key(call.get("Identity"))
    if key not in kind:
        raise CmdletError(f'Cannot set "ConferencingConfiguration" "{call.get("Identity")}" because it does not '
                          "exist.", "ObjectNotFound", "IdentityNotFound")
    config = kind[key]
    port = call.get("ClientMediaPort")
    # ClientMediaPort: "must be a value port number between 1024 and 65535, inclusive."
    if port is not None and not 1024 <= int(port) <= 65535:
        raise CmdletError(f"ClientMediaPort {port} is not between 1024 and 65535.", "InvalidArgument")
    for name in ("ClientMediaPortRangeEnabled", "ClientMediaPort", "ClientMediaPortRange"):
        if call.get(name) is not None:
            config[name] = call.get(name)
    call.world.record(call.server["fqdn"], "conferencing_configuration_changed", identity=config["Identity"])
    return []
