# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the twin answers to the maintenance cmdlets, and what happens to sessions and quorum."""

from __future__ import annotations

from patch_helpers import events, pool_world, service

from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost

FE1, FE2, FE3, FE4 = (f"fe0{i}.contoso.com" for i in range(1, 5))


def run(store, server, *calls, check_mode=False):
    return TwinHost(store, server, check_mode=check_mode).run(Plan.of(*calls))


def test_set_service_changes_the_startup_type_get_service_reports(make_store):
    store = make_store(pool_world())
    answer = run(store, FE1, CmdletCall("Set-Service", {"Name": "RTCSRV", "StartupType": "Manual"}),
                 CmdletCall("Get-Service", {"Name": ["RTCSRV"]}, select=("Name", "StartType", "Status")))
    assert answer.ok
    assert answer.output(1) == [{"Name": "RTCSRV", "StartType": "Manual", "Status": "Running"}]


def test_get_service_refuses_a_service_the_server_does_not_have(make_store):
    store = make_store(pool_world())
    answer = run(store, FE1, CmdletCall("Get-Service", {"Name": ["Spooler"]}, select=("Name",)))
    assert not answer.ok
    assert "Cannot find any service with service name 'Spooler'" in answer.failed().error.message


def test_a_restart_starts_automatic_services_only(make_store, clock):
    store = make_store(pool_world())
    assert run(store, FE1, CmdletCall("Set-Service", {"Name": "RTCSRV", "StartupType": "Manual"})).ok
    TwinHost(store, FE1).reboot("test", 1800)
    assert service(store, FE1)["status"] == "Stopped"
    assert service(store, FE1, "RTCREPLICA")["status"] == "Running"


def test_registry_values_live_per_server(make_store):
    store = make_store(pool_world())
    key = r"HKLM:\SOFTWARE\sfb.server\Maintenance"
    assert run(store, FE1, CmdletCall("Test-Path", {"Path": key}, select=("Value",))).output(0) == [False]
    assert run(store, FE1, CmdletCall("New-Item", {"Path": key, "Force": True}),
               CmdletCall("New-ItemProperty", {"Path": key, "Name": "State", "Value": "x", "PropertyType": "String"})).ok
    read = run(store, FE1, CmdletCall("Get-ItemProperty", {"Path": key, "Name": ["State"]}, select=("State",)))
    assert read.output(0) == [{"State": "x"}]
    missing = run(store, FE2, CmdletCall("Get-ItemProperty", {"Path": key}, select=("State",)))
    assert "does not exist" in missing.failed().error.message


def test_failover_waits_for_sessions_then_disables_and_failback_restores(make_store, clock):
    store = make_store(pool_world())
    assert store.read().servers[FE1]["sessions"], "the pool starts warm"
    assert run(store, FE1, CmdletCall("Invoke-CsComputerFailOver", {"ComputerName": FE1})).ok
    world = store.read()
    assert world.servers[FE1]["failed_over"] and not world.servers[FE1]["sessions"]
    assert {s["startup_type"] for s in world.servers[FE1]["services"].values()} == {"Disabled"}
    assert events(store, "sessions_dropped") == []
    assert run(store, FE1, CmdletCall("Invoke-CsComputerFailBack", {"ComputerName": FE1})).ok
    world = store.read()
    assert {s["startup_type"] for s in world.servers[FE1]["services"].values()} == {"Automatic"}
    assert service(store, FE1)["status"] == "Running"


def test_failover_with_a_draining_timeout_cuts_sessions_that_never_end(make_store, clock):
    store = make_store(pool_world(faults={FE1: {"drain_never_ends": True}}))
    answer = run(store, FE1, CmdletCall("Invoke-CsComputerFailOver",
                                        {"ComputerName": FE1, "DrainingTimeout": "00:10:00"}))
    assert answer.ok
    (dropped,) = events(store, "sessions_dropped")
    assert dropped["server"] == FE1 and dropped["detail"]["count"] > 0


def test_failover_without_a_draining_timeout_fails_after_the_wait_time_and_changes_nothing(make_store, clock):
    store = make_store(pool_world(faults={FE1: {"drain_never_ends": True}}))
    answer = run(store, FE1, CmdletCall("Invoke-CsComputerFailOver", {"ComputerName": FE1, "WaitTime": "00:30:00"}))
    assert "did not complete within the wait time" in answer.failed().error.message
    assert service(store, FE1)["accepting"] and not store.read().servers[FE1].get("failed_over")


def test_failover_is_refused_when_the_pool_cannot_absorb_the_server(make_store, clock):
    store = make_store(pool_world(servers=3))
    assert run(store, FE2, CmdletCall("Invoke-CsComputerFailOver", {"ComputerName": FE2})).ok
    refused = run(store, FE1, CmdletCall("Invoke-CsComputerFailOver", {"ComputerName": FE1}))
    assert "without losing quorum" in refused.failed().error.message


def test_losing_quorum_stops_the_remaining_servers_and_cuts_their_sessions(make_store, clock):
    store = make_store(pool_world(servers=3))
    for server in (FE1, FE2):
        assert run(store, server, CmdletCall("Stop-CsWindowsService", {"Name": "RTCSRV"})).ok
    assert [e["server"] for e in events(store, "quorum_lost")] == ["pool01.contoso.com"]
    assert service(store, FE3)["status"] == "Stopped"
    assert FE3 in {e["server"] for e in events(store, "sessions_dropped")}


def test_upgrade_readiness_answers_busy_as_often_as_the_fault_says(make_store):
    store = make_store(pool_world(faults={FE2: {"readiness_busy": 2}}))
    states = [run(store, FE1, CmdletCall("Get-CsUpgradeDomainInfo", select=("PoolUpgradeState",))).output(0)[0]
              ["PoolUpgradeState"] for _attempt in range(3)]
    assert states == ["Busy", "Busy", "Ready"]


def test_each_product_has_its_own_readiness_cmdlet(make_store):
    store = make_store(pool_world(product="2015"))
    assert run(store, FE1, CmdletCall("Get-CsPoolUpgradeReadinessState", select=("PoolUpgradeState",))).ok
    wrong = run(store, FE1, CmdletCall("Get-CsUpgradeDomainInfo", select=("PoolUpgradeState",)))
    assert "is not recognized" in wrong.failed().error.message


def test_install_database_update_local_needs_a_standard_edition_server(make_store):
    store = make_store({**pool_world(), "sql_servers": [{"fqdn": "sql01.contoso.com"}]})
    refused = run(store, FE1, CmdletCall("Install-CsDatabase", {"Update": True, "LocalDatabases": True}))
    assert "not a Standard Edition server" in refused.failed().error.message
    configured = run(store, FE1, CmdletCall("Install-CsDatabase", {"Update": True, "ConfiguredDatabases": True,
                                                                   "SqlServerFqdn": "sql01.contoso.com"}))
    assert configured.ok and events(store, "database_updated")[0]["detail"]["sql_server"] == "sql01.contoso.com"
