# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reconcile the collection's Windows Firewall and IPsec rules: read, compare, plan.

Ownership: a rule is ours when its name starts with the collection's prefix AND its Group is the
collection's group (ports.GROUP). Rules are read by name prefix (Get-NetFirewallRule -Name
accepts wildcards, so an empty result is not an error); a rule with our prefix in another group
belongs to someone else: it is never changed or removed, and if it holds a name we need, the
module stops and says so rather than overwrite it.

Ports and protocol are not properties of a rule: they live in its port filter (Get-NetFirewallRule
DESCRIPTION: "The filter-to-rule relationship is always one-to-one"), read once for the whole store
with Get-NetFirewallPortFilter -All and joined on InstanceID, the rule's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from ansible_collections.sfb.server.plugins.plugin_utils.domain import ports
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan

RULE_PROPERTIES = ("Name", "InstanceID", "DisplayName", "Description", "Group", "Enabled", "Direction", "Action",
                   "Profile")
IPSEC_PROPERTIES = ("IPsecRuleName", "InstanceID", "DisplayName", "Group", "Enabled", "Mode", "InboundSecurity",
                    "OutboundSecurity")
FILTER_PROPERTIES = ("InstanceID", "Protocol", "LocalPort")


class RuleConflict(SfbError):
    kind = "rule_conflict"


def reads() -> list[CmdletCall]:
    """The read-only calls that give the current state, in one round trip."""
    return [
        CmdletCall("Get-NetFirewallRule", {"Name": ports.RULE_PREFIX + "*"}, select=RULE_PROPERTIES),
        CmdletCall("Get-NetIPsecRule", {"IPsecRuleName": ports.IPSEC_PREFIX + "*"}, select=IPSEC_PROPERTIES),
        CmdletCall("Get-NetFirewallPortFilter", {"All": True}, select=FILTER_PROPERTIES),
    ]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    return "" if value is None else str(value)


def _port_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ("Any",)
    values = value if isinstance(value, (list, tuple)) else [value]
    return tuple(str(v) for v in values)


@dataclass
class Current:
    """Rules with our name prefix as the server reports them, split into ours and others'."""

    rules: dict[str, dict] = field(default_factory=dict)
    ipsec: dict[str, dict] = field(default_factory=dict)
    foreign: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def from_answers(cls, rules: list[dict], ipsec: list[dict], filters: list[dict]) -> "Current":
        by_id = {_text(f.get("InstanceID")): f for f in filters}
        current = cls()
        for raw in rules:
            name = _text(raw.get("Name") or raw.get("InstanceID"))
            port_filter = by_id.get(_text(raw.get("InstanceID")) or name, {})
            rule = {
                "name": name, "display_name": _text(raw.get("DisplayName")), "description": _text(raw.get("Description")),
                "group": _text(raw.get("Group")), "enabled": _text(raw.get("Enabled")),
                "direction": _text(raw.get("Direction")), "action": _text(raw.get("Action")),
                "profile": _text(raw.get("Profile")), "protocol": _text(port_filter.get("Protocol")),
                "local_port": list(_port_list(port_filter.get("LocalPort"))),
            }
            (current.rules if rule["group"] == ports.GROUP else current.foreign)[name] = rule
        for raw in ipsec:
            name = _text(raw.get("IPsecRuleName") or raw.get("InstanceID"))
            port_filter = by_id.get(_text(raw.get("InstanceID")) or name, {})
            rule = {
                "name": name, "display_name": _text(raw.get("DisplayName")), "group": _text(raw.get("Group")),
                "enabled": _text(raw.get("Enabled")), "mode": _text(raw.get("Mode")),
                "inbound_security": _text(raw.get("InboundSecurity")),
                "outbound_security": _text(raw.get("OutboundSecurity")),
                "protocol": _text(port_filter.get("Protocol")),
            }
            (current.ipsec if rule["group"] == ports.GROUP else current.foreign)[name] = rule
        return current


@dataclass
class Reconciliation:
    create: list[CmdletCall] = field(default_factory=list)
    update: list[CmdletCall] = field(default_factory=list)
    remove: list[CmdletCall] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)

    @property
    def plan(self) -> Plan | None:
        # Stale rules go first so that a port that moved between rules is never open twice.
        steps = self.remove + self.update + self.create
        return Plan.of(*steps) if steps else None


def _firewall_wanted(rule: ports.FirewallRule) -> dict:
    return {"display_name": rule.display_name, "description": rule.description, "enabled": rule.enabled,
            "direction": rule.direction, "action": rule.action, "profile": rule.profile,
            "protocol": rule.protocol, "local_port": list(rule.local_port)}


_FIREWALL_SET = {"display_name": "NewDisplayName", "description": "Description", "enabled": "Enabled",
                 "direction": "Direction", "action": "Action", "profile": "Profile", "protocol": "Protocol",
                 "local_port": "LocalPort"}
_IPSEC_SET = {"display_name": "NewDisplayName", "enabled": "Enabled", "mode": "Mode",
              "inbound_security": "InboundSecurity", "outbound_security": "OutboundSecurity", "protocol": "Protocol"}


def reconcile(current: Current, firewall: Iterable[ports.FirewallRule], ipsec: Iterable[ports.IpsecRule],
              prune: bool = True) -> Reconciliation:
    """The calls that bring our rules to `firewall` and `ipsec`, touching nothing else."""
    firewall, ipsec = list(firewall), list(ipsec)
    conflicts = [r.name for r in [*firewall, *ipsec] if r.name in current.foreign]
    if conflicts:
        raise RuleConflict(
            f"Rules named {', '.join(conflicts)} exist but are not in the group '{ports.GROUP}', so they belong to "
            "someone else; this module never changes them.",
            hint="Rename or remove those rules (or put them in the group if they really are this collection's), "
            "then run the task again.",
            rules=conflicts,
        )
    result = Reconciliation()
    for rule in firewall:
        wanted = _firewall_wanted(rule)
        have = current.rules.get(rule.name)
        if have is None:
            result.create.append(CmdletCall("New-NetFirewallRule", {
                "Name": rule.name, "DisplayName": rule.display_name, "Description": rule.description,
                "Group": ports.GROUP, "Enabled": rule.enabled, "Profile": rule.profile, "Direction": rule.direction,
                "Action": rule.action, "Protocol": rule.protocol, "LocalPort": list(rule.local_port)}))
            result.created.append(rule.name)
            continue
        drift = {key: value for key, value in wanted.items() if not _same(have.get(key), value)}
        if drift:
            result.update.append(CmdletCall("Set-NetFirewallRule", {
                "Name": rule.name, **{_FIREWALL_SET[key]: value for key, value in drift.items()}}))
            result.updated[rule.name] = sorted(drift)
    for rule in ipsec:
        wanted = {"display_name": rule.display_name, "enabled": rule.enabled, "mode": rule.mode,
                  "inbound_security": rule.inbound_security, "outbound_security": rule.outbound_security,
                  "protocol": rule.protocol}
        have = current.ipsec.get(rule.name)
        if have is None:
            result.create.append(CmdletCall("New-NetIPsecRule", {
                "IPsecRuleName": rule.name, "DisplayName": rule.display_name, "Group": ports.GROUP,
                "Enabled": rule.enabled, "Mode": rule.mode, "InboundSecurity": rule.inbound_security,
                "OutboundSecurity": rule.outbound_security, "Protocol": rule.protocol}))
            result.created.append(rule.name)
            continue
        drift = {key: value for key, value in wanted.items() if not _same(have.get(key), value)}
        if drift:
            result.update.append(CmdletCall("Set-NetIPsecRule", {
                "IPsecRuleName": rule.name, **{_IPSEC_SET[key]: value for key, value in drift.items()}}))
            result.updated[rule.name] = sorted(drift)
    if prune:
        wanted_names = {r.name for r in firewall}
        for name in sorted(set(current.rules) - wanted_names):
            result.remove.append(CmdletCall("Remove-NetFirewallRule", {"Name": name}))
            result.removed.append(name)
        wanted_ipsec = {r.name for r in ipsec}
        for name in sorted(set(current.ipsec) - wanted_ipsec):
            result.remove.append(CmdletCall("Remove-NetIPsecRule", {"IPsecRuleName": name}))
            result.removed.append(name)
    return result


def _same(have: Any, want: Any) -> bool:
    if isinstance(want, list):
        return sorted(str(v) for v in _port_list(have)) == sorted(str(v) for v in want)
    return _text(have).lower() == _text(want).lower()


def summary(current: Current) -> dict:
    """Our rules in the shape of the module's diff."""
    return {
        "firewall_rules": {name: {k: v for k, v in rule.items() if k != "name"} for name, rule in sorted(current.rules.items())},
        "ipsec_rules": {name: {k: v for k, v in rule.items() if k != "name"} for name, rule in sorted(current.ipsec.items())},
    }


def desired_summary(firewall: Iterable[ports.FirewallRule], ipsec: Iterable[ports.IpsecRule]) -> dict:
    return {
        "firewall_rules": {r.name: {"group": ports.GROUP, **_firewall_wanted(r)} for r in sorted(firewall, key=lambda r: r.name)},
        "ipsec_rules": {r.name: {"display_name": r.display_name, "group": ports.GROUP, "enabled": r.enabled,
                                 "mode": r.mode, "inbound_security": r.inbound_security,
                                 "outbound_security": r.outbound_security, "protocol": r.protocol}
                        for r in sorted(ipsec, key=lambda r: r.name)},
    }
