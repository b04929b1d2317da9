# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Paths to peers, their classification, the twin's Test-NetConnection and the client media ports."""

from __future__ import annotations

import importlib

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.state import firewall as firewall_state
from ansible_collections.sfb.server.plugins.plugin_utils.domain import ports
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin, simulation
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore

port_check = importlib.import_module("ansible_collections.sfb.server.plugins.action.port_check")
client_media_ports = importlib.import_module("ansible_collections.sfb.server.plugins.action.client_media_ports")

ESTATE = {"sites": [{"name": "Redmond", "pools": [
    {"fqdn": "pool01.contoso.com", "roles": ["FrontEnd", "Mediation"], "servers": ["fe01.contoso.com", "fe02.contoso.com"]},
]}]}


def test_paths_skip_self_and_mark_udp_and_ranges_not_testable():
    paths = ports.peer_paths("fe01.contoso.com", [{"fqdn": "fe01.contoso.com", "roles": ["FrontEnd"]},
                                                  {"fqdn": "med01.contoso.com", "roles": ["Mediation"]}])
    assert {p.destination for p in paths} == {"med01.contoso.com"}
    testable = {(p.transport, p.port) for p in paths if p.testable}
    assert testable == {("TCP", "5070"), ("TCP", "5067"), ("TCP", "5068")}
    reasons = {(p.transport, p.port): p.reason for p in paths if not p.testable}
    assert "UDP" in reasons[("UDP", "1434")] and "listener" in reasons[("TCP", "49152-57500")]


def test_peers_with_bad_roles_are_refused():
    with pytest.raises(ports.TopologyError, match="peers\\[0\\]"):
        ports.peer_paths("a.contoso.com", [{"fqdn": "b.contoso.com", "roles": ["Frontend"]}])


@pytest.mark.parametrize("answer, state", [
    ({"TcpTestSucceeded": True, "RemoteAddress": "10.0.0.1"}, "open"),
    ({"TcpTestSucceeded": False, "RemoteAddress": "10.0.0.1", "PingSucceeded": True}, "closed"),
    ({"TcpTestSucceeded": False, "RemoteAddress": "10.0.0.1", "PingSucceeded": False}, "filtered"),
    ({"TcpTestSucceeded": False, "RemoteAddress": None, "PingSucceeded": False}, "filtered"),
])
def test_classification(answer, state):
    assert port_check.classify(answer)[0] == state


@pytest.fixture
def store(tmp_path):
    store = WorldStore(str(tmp_path / "w.db"))
    admin.create(store, ESTATE)
    return store


def tcp(host, peer, port):
    return host.read(CmdletCall("Test-NetConnection", {"ComputerName": peer, "Port": port},
                                select=port_check.PROPERTIES)).output(0)[0]


def open_firewall(store, server, roles):
    host = TwinHost(store, server)
    answer = host.read(*firewall_state.reads())
    current = firewall_state.Current.from_answers(answer.output(0), answer.output(1), answer.output(2))
    host.run(firewall_state.reconcile(current, ports.firewall_rules(roles), []).plan).raise_for_failure()


def test_twin_port_is_open_only_when_the_peer_firewall_allows_and_a_service_listens(store):
    host = TwinHost(store, "fe01.contoso.com")
    assert port_check.classify(tcp(host, "fe02.contoso.com", 5061))[0] == "closed"  # Windows Firewall blocks
    open_firewall(store, "fe02.contoso.com", ["FrontEnd", "Mediation"])
    assert port_check.classify(tcp(host, "fe02.contoso.com", 5061))[0] == "open"
    assert port_check.classify(tcp(host, "fe02.contoso.com", 5041))[0] == "closed"  # no Persistent Chat there
    admin.set_fault(store, "fe02.contoso.com", "network_blocks", ["5061"])
    assert port_check.classify(tcp(host, "fe02.contoso.com", 5061))[0] == "closed"
    admin.set_fault(store, "fe02.contoso.com", "network_blocks", ["*"])
    assert port_check.classify(tcp(host, "fe02.contoso.com", 5062))[0] == "filtered"
    assert port_check.classify(tcp(host, "nowhere.contoso.com", 5061))[0] == "filtered"


def test_administrator_deletion_fault_deletes_once(store):
    open_firewall(store, "fe01.contoso.com", ["FrontEnd"])
    admin.set_fault(store, "fe01.contoso.com", "firewall_rules_deleted", ["sfb.server-TCP-5061"])
    with store.transaction(simulation.advance) as world:
        server = world.server("fe01.contoso.com")
        assert "sfb.server-TCP-5061" not in server["firewall"]["rules"]
        assert "firewall_rules_deleted" not in server["faults"]


@pytest.mark.parametrize("args, message", [
    ({"port": 80, "range": 40}, "outside 1024-65535"),
    ({"port": 50000, "range": 10}, "at least 20"),
    ({"port": 65520, "range": 40}, "ends above 65535"),
])
def test_client_media_ports_refuses_bad_ranges(args, message):
    with pytest.raises(InvalidArgument, match=message):
        client_media_ports.check(args)


def test_twin_conferencing_configuration_has_the_documented_defaults_and_changes(store):
    host = TwinHost(store, "fe01.contoso.com")
    get = CmdletCall("Get-CsConferencingConfiguration", {"Identity": "Global"}, select=client_media_ports.PROPERTIES)
    assert host.read(get).output(0)[0] == {"Identity": "Global", "ClientMediaPortRangeEnabled": False,
                                           "ClientMediaPort": 5350, "ClientMediaPortRange": 40}
    host.run(Plan.of(CmdletCall("Set-CsConferencingConfiguration", {"Identity": "Global", "ClientMediaPortRangeEnabled": True,
                                                                    "ClientMediaPort": 50000}))).raise_for_failure()
    assert host.read(get).output(0)[0]["ClientMediaPort"] == 50000
