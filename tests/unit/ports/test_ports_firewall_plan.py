# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rule planning for a server's roles, and reconciliation against the twin's Windows Firewall."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.state import firewall as firewall_state
from ansible_collections.sfb.server.plugins.plugin_utils.domain import ports
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import Plan
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin, cmdlets
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore

# Families register in the registry's own order (another family also answers Get-NetFirewallRule
# for Cloud Connector VMs; this one covers both): load them as the engine does before using one.
cmdlets.load()
twin_firewall = cmdlets.importlib.import_module(f"{cmdlets.__name__}.firewall")

ESTATE = {
    "product": "2019",
    "sites": [{"name": "Redmond", "pools": [
        {"fqdn": "pool01.contoso.com", "roles": ["FrontEnd", "Mediation"], "load_balancing": "hardware",
         "servers": ["fe01.contoso.com", "fe02.contoso.com", "fe03.contoso.com"]},
        {"fqdn": "dir01.contoso.com", "roles": ["Director"], "servers": ["dir01a.contoso.com"]},
    ]}],
    "firewall": {"fe01.contoso.com": {"rules": [
        # Someone else's rule that looks like ours: never touched.
        {"name": "sfb.server-TCP-9999", "display_name": "Contoso monitoring", "group": "Contoso", "protocol": "TCP",
         "local_port": ["9999"]},
    ]}},
}


def ports_of(rules):
    return {(r.protocol, r.local_port[0]) for r in rules}


# -- planning --------------------------------------------------------------------------------


def test_front_end_with_collocated_mediation_gets_the_collocated_rows_not_the_standalone_ones():
    rows = ports.server_rows(["FrontEnd", "Mediation"])
    labels = {r.role for r in rows}
    assert "FrontEndWithCollocatedMediation" in labels
    assert "Mediation" not in labels
    assert {r.port for r in rows if r.role == "FrontEndWithCollocatedMediation"} == {"5070", "5067", "5068", "5081", "5082"}
    assert "FrontEndWithCollocatedMediation" not in {r.role for r in ports.server_rows(["FrontEnd"])}


def test_the_central_management_store_host_also_opens_445():
    assert ("TCP", "445") not in ports_of(ports.firewall_rules(["FrontEnd"]))
    assert ("TCP", "445") in ports_of(ports.firewall_rules(["FrontEnd"], central_management_store=True))


def test_rules_merge_rows_that_share_a_port_and_keep_every_purpose():
    rules = {r.name: r for r in ports.firewall_rules(["FrontEnd"])}
    https = rules["sfb.server-TCP-443"]
    assert "Web Compatibility service" in https.description and "Mobility Services component" in https.description
    sql = rules["sfb.server-UDP-1434"]
    assert len(sql.seed_rows) == 2  # the seed lists SQL Browser twice
    assert len(rules) == len({(r.protocol, r.local_port) for r in rules.values()})


def test_tcp_udp_rows_become_two_rules():
    got = ports_of(ports.firewall_rules(["Mediation"]))
    assert ("TCP", "49152-57500") in got and ("UDP", "49152-57500") in got
    assert got >= {("TCP", "5070"), ("TCP", "5067"), ("TCP", "5068"), ("UDP", "1434")}


def test_every_applicable_seed_row_has_a_rule():
    for roles in (["FrontEnd"], ["FrontEnd", "Mediation"], ["Director"], ["Mediation"], ["PersistentChat"], ["Edge"]):
        rules = ports_of(ports.firewall_rules(roles))
        for row in ports.server_rows(roles):
            for transport in row.transport:
                assert (transport, row.port) in rules, (roles, row)


def test_edge_only_gets_the_rows_for_all_servers():
    assert ports_of(ports.firewall_rules(["Edge"])) == {("UDP", "1434")}


def test_ipsec_exemptions_follow_the_roles_the_seed_names():
    names = {r.name for r in ports.ipsec_rules(["Mediation"])}
    assert names == {"sfb.server-ipsec-mediation-server-inbound-UDP", "sfb.server-ipsec-mediation-server-inbound-TCP",
                     "sfb.server-ipsec-mediation-server-outbound-UDP", "sfb.server-ipsec-mediation-server-outbound-TCP"}
    front_end = ports.ipsec_rules(["FrontEnd"])
    assert {r.seed_row for r in front_end} == {6, 7, 8, 9, 11, 12}
    assert all(r.inbound_security == "None" and r.outbound_security == "None" for r in front_end)
    assert ports.ipsec_rules(["Director"]) == []


@pytest.mark.parametrize("roles", [["Frontend"], ["FrontEnd", "Gateway"], []])
def test_unknown_or_missing_roles_are_refused_clearly(roles):
    with pytest.raises(ports.TopologyError) as error:
        ports.firewall_rules(roles)
    assert "role" in error.value.msg and "Known roles" in error.value.hint


@pytest.mark.parametrize("text, what", [("65535-1024", "starts above its end"), ("0", "outside 1-65535"),
                                        ("70000", "outside 1-65535"), ("5061-", "not a port"), ("80,443", "not a port"),
                                        ("abc", "not a port"), (None, "not a port")])
def test_port_ranges_written_wrong_are_refused_clearly(text, what):
    with pytest.raises(ports.PortSpecError) as error:
        ports.parse_ports(text)
    assert what in error.value.msg


def test_port_ranges_written_right_parse():
    assert [str(r) for r in ports.parse_ports("49152-57500")] == ["49152-57500"]
    assert [str(r) for r in ports.parse_ports("67/68")] == ["67", "68"]


# -- reconciliation on the twin --------------------------------------------------------------


@pytest.fixture
def store(tmp_path):
    store = WorldStore(str(tmp_path / "world.db"))
    admin.create(store, ESTATE)
    return store


def converge(store, server, roles, **options):
    host = TwinHost(store, server)
    answer = host.read(*firewall_state.reads())
    current = firewall_state.Current.from_answers(answer.output(0), answer.output(1), answer.output(2))
    work = firewall_state.reconcile(current, ports.firewall_rules(roles), ports.ipsec_rules(roles)
                                    if options.get("ipsec") else [], prune=options.get("prune", True))
    if work.plan is not None:
        host.run(work.plan).raise_for_failure()
    return work, current


def rules_on(store, server):
    return store.read().servers[server]["firewall"]["rules"]


def test_first_run_creates_our_rules_and_a_second_changes_nothing(store):
    work, _unused = converge(store, "fe01.contoso.com", ["FrontEnd", "Mediation"], ipsec=True)
    wanted = ports.firewall_rules(["FrontEnd", "Mediation"])
    assert sorted(work.created) == sorted([r.name for r in wanted] + [r.name for r in ports.ipsec_rules(["FrontEnd", "Mediation"])])
    again, current = converge(store, "fe01.contoso.com", ["FrontEnd", "Mediation"], ipsec=True)
    assert again.plan is None
    assert set(current.rules) == {r.name for r in wanted}


def test_foreign_rules_are_never_touched(store):
    before = dict(rules_on(store, "fe01.contoso.com")) if "firewall" in store.read().servers["fe01.contoso.com"] else {}
    converge(store, "fe01.contoso.com", ["FrontEnd"])
    converge(store, "fe01.contoso.com", ["Director"])  # our FrontEnd rules become stale and go
    after = rules_on(store, "fe01.contoso.com")
    for name, rule in before.items():
        assert after[name] == rule, name
    assert "sfb.server-TCP-9999" in after and after["sfb.server-TCP-9999"]["group"] == "Contoso"
    assert "RemoteDesktop-UserMode-In-TCP" in after
    ours = {n for n, r in after.items() if r["group"] == ports.GROUP}
    assert ours == {r.name for r in ports.firewall_rules(["Director"])}


def test_a_deleted_rule_is_restored_and_a_changed_one_corrected(store):
    converge(store, "fe02.contoso.com", ["FrontEnd"])
    with store.transaction() as world:
        rules = twin_firewall.firewall_of(world.server("fe02.contoso.com"))["rules"]
        del rules["sfb.server-TCP-5061"]
        rules["sfb.server-TCP-5062"]["enabled"] = "False"
        rules["sfb.server-TCP-5063"]["local_port"] = ["5099"]
    work, _unused = converge(store, "fe02.contoso.com", ["FrontEnd"])
    assert work.created == ["sfb.server-TCP-5061"]
    assert work.updated == {"sfb.server-TCP-5062": ["enabled"], "sfb.server-TCP-5063": ["local_port"]}
    assert converge(store, "fe02.contoso.com", ["FrontEnd"])[0].plan is None


def test_a_foreign_rule_holding_a_name_we_need_stops_the_module(store):
    with store.transaction() as world:
        rules = twin_firewall.firewall_of(world.server("fe03.contoso.com"))["rules"]
        rules["sfb.server-TCP-5061"] = twin_firewall._rule({"name": "sfb.server-TCP-5061", "group": "Contoso",
                                                            "protocol": "TCP", "local_port": ["5061"]})
    with pytest.raises(firewall_state.RuleConflict) as error:
        converge(store, "fe03.contoso.com", ["FrontEnd"])
    assert "sfb.server-TCP-5061" in error.value.msg
    assert rules_on(store, "fe03.contoso.com")["sfb.server-TCP-5061"]["group"] == "Contoso"


def test_without_prune_stale_rules_stay(store):
    converge(store, "fe01.contoso.com", ["FrontEnd"])
    work, _unused = converge(store, "fe01.contoso.com", ["Director"], prune=False)
    assert work.removed == []
    assert "sfb.server-TCP-5062" in rules_on(store, "fe01.contoso.com")


def test_check_mode_host_refuses_the_change_plan(store):
    host = TwinHost(store, "fe01.contoso.com", check_mode=True)
    answer = host.read(*firewall_state.reads())  # reads are allowed
    current = firewall_state.Current.from_answers(answer.output(0), answer.output(1), answer.output(2))
    work = firewall_state.reconcile(current, ports.firewall_rules(["FrontEnd"]), [])
    with pytest.raises(Exception, match="check mode"):
        host.run(work.plan)
    assert not any(r["group"] == ports.GROUP for r in rules_on(store, "fe01.contoso.com").values())


def test_every_planned_call_binds_to_the_documented_signatures():
    current = firewall_state.Current(rules={"sfb.server-TCP-1": {"name": "sfb.server-TCP-1", "group": ports.GROUP}},
                                     ipsec={"sfb.server-ipsec-x-TCP": {"name": "sfb.server-ipsec-x-TCP"}})
    work = firewall_state.reconcile(current, ports.firewall_rules(["FrontEnd", "Mediation"]), ports.ipsec_rules(["FrontEnd"]))
    cmdlets = {step.cmdlet for step in work.plan.steps}
    assert cmdlets == {"New-NetFirewallRule", "New-NetIPsecRule", "Remove-NetFirewallRule", "Remove-NetIPsecRule"}
    assert isinstance(work.plan, Plan)
