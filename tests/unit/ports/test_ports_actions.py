# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The firewall, port_check, client_media_ports and firewall_report action plugins end to end on a twin
world, and the firewall module on a WindowsHost whose runner answer is mocked (the wire it sends)."""

from __future__ import annotations

import openpyxl
import pytest

from ansible_collections.sfb.server.plugins.action.client_media_ports import ActionModule as ClientMediaPorts
from ansible_collections.sfb.server.plugins.action.firewall import ActionModule as Firewall
from ansible_collections.sfb.server.plugins.action.firewall_report import ActionModule as FirewallReport
from ansible_collections.sfb.server.plugins.action.port_check import ActionModule as PortCheck
from ansible_collections.sfb.server.plugins.plugin_utils.domain import ports
from ansible_collections.sfb.server.plugins.plugin_utils.host.select import TWIN_CONNECTION
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore
from sfb_fakes import FakeConnection, FakeTask, patch_execute_module

ESTATE = {"speed": 1, "sites": [{"name": "Redmond", "pools": [
    {"fqdn": "pool01.contoso.com", "roles": ["FrontEnd", "Mediation"], "load_balancing": "hardware",
     "servers": ["fe01.contoso.com", "fe02.contoso.com", "fe03.contoso.com"]},
]}]}


@pytest.fixture
def world(tmp_path):
    store = WorldStore(str(tmp_path / "w.db"))
    admin.create(store, ESTATE)
    return store


def run(cls, world, args=None, server="fe01.contoso.com", check_mode=False, diff=False):
    connection = FakeConnection(TWIN_CONNECTION, options={"world": world.path, "remote_addr": server})
    action = cls(FakeTask(args, check_mode=check_mode, diff=diff), connection, None, None, None, None)
    return action.run(task_vars={"inventory_hostname": server})


def test_firewall_check_mode_describes_and_diffs_without_changing(world):
    result = run(Firewall, world, {}, check_mode=True, diff=True)
    assert not result.get("failed"), result
    assert result["changed"] and result["roles"] == ["FrontEnd", "Mediation"]
    assert result["diff"]["before"]["firewall_rules"] == {}
    assert set(result["diff"]["after"]["firewall_rules"]) == {r["name"] for r in result["rules"]}
    assert all(c.startswith("New-NetFirewallRule -Name 'sfb.server-") for c in result["commands"])
    assert result["round_trips"] == 1
    assert not any(r["group"] == ports.GROUP for r in world.read().servers["fe01.contoso.com"]["firewall"]["rules"].values())


def test_firewall_applies_then_changes_nothing_then_removes_with_state_absent(world):
    first = run(Firewall, world, {"ipsec_exemptions": True})
    assert first["changed"] and first["round_trips"] == 2 and first["created"]
    second = run(Firewall, world, {"ipsec_exemptions": True})
    assert not second["changed"] and second["round_trips"] == 1
    gone = run(Firewall, world, {"state": "absent"})
    assert sorted(gone["removed"]) == sorted(first["created"])
    rules = world.read().servers["fe01.contoso.com"]["firewall"]["rules"]
    assert not any(r["group"] == ports.GROUP for r in rules.values()) and "RemoteDesktop-UserMode-In-TCP" in rules


def test_firewall_unknown_role_is_a_clear_failure(world):
    result = run(Firewall, world, {"roles": ["FrontEnd", "Frontend"]})
    assert result["failed"] and "Frontend" in result["msg"] and "Known roles" in result["msg"]
    assert result.get("round_trips", 0) == 0


def test_port_check_from_a_server_to_its_peers(world):
    for server in ("fe01.contoso.com", "fe02.contoso.com"):
        run(Firewall, world, {}, server=server)
    result = run(PortCheck, world, {"peers": [{"fqdn": "fe02.contoso.com", "roles": ["FrontEnd", "Mediation"]},
                                              {"fqdn": "fe03.contoso.com", "roles": ["FrontEnd", "Mediation"]}]})
    assert not result.get("failed"), result
    states = {(p["destination"], p["state"]) for p in result["paths"]}
    assert ("fe02.contoso.com", "open") in states and ("fe02.contoso.com", "closed") not in states
    # fe03's firewall was never opened: its SIP ports are closed, each with its purpose.
    fe03 = [p for p in result["closed"] if p["destination"] == "fe03.contoso.com"]
    assert fe03 and all(p["purpose"] for p in fe03)
    assert result["round_trips"] == 1
    empty = run(PortCheck, world, {"peers": []})
    assert empty["failed"] and "empty" in empty["msg"]


def test_client_media_ports_idempotent_with_diff(world):
    first = run(ClientMediaPorts, world, {"enabled": True, "port": 50000, "range": 40}, diff=True)
    assert first["changed"] and first["diff"]["before"]["ClientMediaPortRangeEnabled"] is False
    assert first["commands"] == ["Set-CsConferencingConfiguration -Identity 'Global' -ClientMediaPortRangeEnabled $true "
                                 "-ClientMediaPort 50000"]
    second = run(ClientMediaPorts, world, {"enabled": True, "port": 50000, "range": 40})
    assert not second["changed"] and second["client_ports"] == "50000-50039"


def test_firewall_report_writes_once_and_refuses_nothing_to_report(world, tmp_path):
    args = {"dest": str(tmp_path / "out"), "servers": [
        {"fqdn": f"fe0{i}.contoso.com", "pool": "pool01.contoso.com", "roles": ["FrontEnd", "Mediation"],
         "load_balancing": "hardware"} for i in (1, 2, 3)]}
    check = run(FirewallReport, world, args, check_mode=True)
    assert check["changed"] and not (tmp_path / "out").exists()
    first = run(FirewallReport, world, args)
    assert first["changed"] and len(first["written"]) == 6
    book = openpyxl.load_workbook(tmp_path / "out" / "sfb_firewall_report.xlsx")
    assert book[ports.REPORT_TITLES[ports.LOAD_BALANCER]].max_row == first["rules"]["load_balancer"] + 1
    second = run(FirewallReport, world, args)
    assert not second["changed"] and len(second["unchanged"]) == 6
    nothing = run(FirewallReport, world, {"dest": str(tmp_path / "x"), "pools": []})
    assert nothing["failed"] and "no pool" in nothing["msg"]
    mixed = run(FirewallReport, world, {"dest": str(tmp_path / "x"), "servers": [
        {"fqdn": "a.contoso.com", "pool": "p.contoso.com", "roles": ["FrontEnd"]},
        {"fqdn": "b.contoso.com", "pool": "p.contoso.com", "roles": ["Director"]}]})
    assert mixed["failed"] and "differ" in mixed["msg"]


def test_firewall_on_windows_sends_documented_calls_in_one_runner_call_per_round_trip():
    answers = iter([
        {"failed": False, "steps": [{"output": []}, {"output": []}, {"output": []}]},
        None,
    ])

    def answer(module_args):
        reply = next(answers)
        if reply is None:
            return {"failed": False, "changed": True, "steps": [{"output": []} for _unused in module_args["steps"]]}
        return reply

    action = Firewall(FakeTask({"roles": ["Director"]}), FakeConnection("ansible.builtin.psrp"), None, None, None, None)
    calls = patch_execute_module(action, answer)
    result = action.run(task_vars={"inventory_hostname": "dir01.contoso.com"})
    assert not result.get("failed"), result
    assert [c["module_name"] for c in calls] == ["sfb.server.plan_runner", "sfb.server.plan_runner"]
    reads, change = calls[0]["module_args"], calls[1]["module_args"]
    assert [s["name"] for s in reads["steps"]] == ["Get-NetFirewallRule", "Get-NetIPsecRule", "Get-NetFirewallPortFilter"]
    assert reads["modules"] == ["NetSecurity"]
    new = [s for s in change["steps"] if s["name"] == "New-NetFirewallRule"]
    assert len(new) == len(ports.firewall_rules(["Director"]))
    assert all(s["parameters"]["Group"] == ports.GROUP and s["module"] == "NetSecurity" for s in new)
