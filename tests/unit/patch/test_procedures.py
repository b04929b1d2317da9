# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The documented procedures, module by module, against the twin: the failover's marker, the cumulative
update, the database step, the pool gates and the round trips they cost."""

from __future__ import annotations

import pytest
from patch_helpers import events, pool_world, run_action, service

from ansible_collections.sfb.server.plugins.action import cumulative_update, database_update, failover, pool_health_info
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument, SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost

FE1, FE2, FE3, FE4 = (f"fe0{i}.contoso.com" for i in range(1, 5))
CU = r"\\files.contoso.com\sfb\cu\SkypeServerUpdateInstaller.exe"
CU_VERSION = "7.0.2046.530"


def with_cu(desc: dict, **package) -> dict:
    return {**desc, "cumulative_updates": [{"path": CU, "version": CU_VERSION, "minutes": 25, **package}],
            "sql_servers": [{"fqdn": "sql01.contoso.com"}, {"fqdn": "sqlmirror.contoso.com", "mirrored": True}]}


def marker(store, server):
    from ansible_collections.sfb.server.plugins.plugin_utils.domain.maintenance import MARKER_KEY, Marker
    return Marker.from_text(store.read().servers[server].get("registry", {}).get(MARKER_KEY.lower(), {}).get("State"))


# -- failover: the marker is written before and confirmed after ---------------------------------------


def test_a_failover_that_fails_leaves_the_marker_saying_so_and_the_next_one_fails_over(make_store, clock):
    store = make_store(pool_world(faults={FE1: {"drain_never_ends": True}}))
    clock.sleep(2)  # sessions that never end start on fe01
    with pytest.raises(SfbError, match="did not complete within the wait time"):
        run_action(failover, store, FE1, {"wait_time": 600})
    left = marker(store, FE1)
    assert left.phase == "failing_over" and not left.failed_over
    health = run_action(pool_health_info, store, FE1, {})
    assert health["in_maintenance"] and not health["marker"]["failed_over"]
    with store.transaction() as world:
        world.server(FE1)["faults"].clear()
    done = run_action(failover, store, FE1, {"wait_time": 7200, "draining_timeout": 600,
                                             "known_state": health["state"]})
    assert done["changed"] and done["failed_over"] and marker(store, FE1).phase == "failed_over"
    assert done["state"]["marker"]["failed_over"] is True
    assert [e["server"] for e in events(store, "failed_over")] == [FE1]


def test_draining_timeout_longer_than_wait_time_is_refused_before_anything_is_read():
    action = object.__new__(failover.ActionModule)
    errors = action.check_inputs({"draining_timeout": 7200, "wait_time": 3600, "state": "failed_over"})
    assert errors and "at most wait_time" in errors[0].expected
    with pytest.raises(InvalidArgument):
        failover.maintenance.check_timeouts(7200, 3600)


def test_a_standard_edition_server_is_not_failed_over(make_store, clock):
    store = make_store(pool_world(servers=1, edition="Standard"))
    with pytest.raises(SfbError, match="not a Front End of an Enterprise pool"):
        run_action(failover, store, FE1, {})
    # The twin refuses it too, from its own data.
    answer = TwinHost(store, FE1).run(Plan.of(CmdletCall("Invoke-CsComputerFailOver", {"ComputerName": FE1})))
    assert "not a Front End server of an Enterprise Edition pool" in answer.failed().error.message


def test_the_twin_does_not_fail_over_a_server_whose_services_are_stopped(make_store, clock):
    store = make_store(pool_world())
    host = TwinHost(store, FE1)
    host.run(Plan.of(CmdletCall("Stop-CsWindowsService"))).raise_for_failure()
    answer = host.run(Plan.of(CmdletCall("Invoke-CsComputerFailOver", {"ComputerName": FE1})))
    assert not answer.ok and "is not running" in answer.failed().error.message


# -- the cumulative update ---------------------------------------------------------------------------


def test_the_cu_installs_once_and_a_second_run_changes_nothing(make_store, clock):
    store = make_store(with_cu(pool_world()))
    over = run_action(failover, store, FE1, {})
    installed = run_action(cumulative_update, store, FE1, {"path": CU, "version": CU_VERSION,
                                                           "known_state": over["state"]})
    assert installed["changed"] and installed["restart_required"] and installed["exit_code"] == 3010
    assert installed["version_before"] == "7.0.2046.0" and marker(store, FE1).phase == "cu_installed"
    assert store.read().servers[FE1]["cu_log"][-1].startswith("Installed 7.0.2046.530")
    again = run_action(cumulative_update, store, FE1, {"path": CU, "version": CU_VERSION})
    assert not again["changed"] and again["decision"] == "at_target"


def test_a_cu_older_than_the_installed_version_is_refused(make_store, clock):
    store = make_store(with_cu(pool_world()))
    with pytest.raises(InvalidArgument, match="newer than the cumulative update"):
        run_action(cumulative_update, store, FE1, {"path": CU, "version": "7.0.2000.1"})


def test_the_cu_is_not_installed_on_a_server_in_service(make_store, clock):
    store = make_store(with_cu(pool_world()))
    with pytest.raises(SfbError, match="is in service"):
        run_action(cumulative_update, store, FE1, {"path": CU, "version": CU_VERSION})
    assert events(store, "cu_install_started") == []


def test_an_installer_exit_code_fails_the_step_and_the_marker_says_installing(make_store, clock):
    store = make_store(with_cu(pool_world(faults={FE1: {"cu_installer_exit_code": 1603}})))
    run_action(failover, store, FE1, {})
    with pytest.raises(SfbError, match="exit code 1603") as error:
        run_action(cumulative_update, store, FE1, {"path": CU, "version": CU_VERSION})
    assert "installer's log" in error.value.hint and marker(store, FE1).phase == "installing_cu"


def test_an_unreachable_cu_path_is_refused_in_the_preflight(make_store, clock):
    store = make_store(with_cu(pool_world()))
    with pytest.raises(SfbError, match="cannot reach the cumulative update"):
        run_action(pool_health_info, store, FE1, {"mode": "preflight", "cu_version": CU_VERSION,
                                                  "cu_path": r"\\nowhere\cu\SkypeServerUpdateInstaller.exe"})
    fine = run_action(pool_health_info, store, FE1, {"mode": "preflight", "cu_version": CU_VERSION, "cu_path": CU})
    assert fine["cu"] == "install" and fine["patch_version"] == "7.0.2046.0"


# -- the database step -------------------------------------------------------------------------------


def test_the_back_end_step_runs_once_and_is_verified(make_store, clock):
    store = make_store(with_cu(pool_world()))
    with store.transaction() as world:
        world.server(FE4)["patch_version"] = CU_VERSION
    first = run_action(database_update, store, FE4, {"databases": "configured", "sql_server_fqdn": "sql01.contoso.com"})
    assert first["changed"] and first["behind"] and all(d["installed"] == CU_VERSION for d in first["databases"])
    assert any("Install-CsDatabase -Update -ConfiguredDatabases" in c for c in first["commands"])
    second = run_action(database_update, store, FE4, {"databases": "configured", "sql_server_fqdn": "sql01.contoso.com"})
    assert not second["changed"] and len(events(store, "database_updated")) == 1


def test_mirrored_databases_are_refused_and_nothing_runs(make_store, clock):
    store = make_store(with_cu(pool_world()))
    with store.transaction() as world:
        world.server(FE4)["patch_version"] = CU_VERSION
    with pytest.raises(SfbError, match="mirrored") as error:
        run_action(database_update, store, FE4, {"databases": "configured", "sql_server_fqdn": "sqlmirror.contoso.com"})
    assert "Uninstall-CsMirrorDatabase" in error.value.hint and events(store, "database_updated") == []
    # The twin refuses -Update against them by itself too.
    answer = TwinHost(store, FE4).run(Plan.of(CmdletCall("Install-CsDatabase", {
        "Update": True, "ConfiguredDatabases": True, "SqlServerFqdn": "sqlmirror.contoso.com"})))
    assert "mirrored" in answer.failed().error.message


def test_an_unknown_sql_server_fails_the_database_step(make_store, clock):
    store = make_store(with_cu(pool_world()))
    with pytest.raises(SfbError, match="Cannot connect to SQL Server"):
        run_action(database_update, store, FE1, {"databases": "configured", "sql_server_fqdn": "sql99.contoso.com"})


def test_the_standard_edition_database_step_follows_its_procedure(make_store, clock):
    store = make_store(with_cu(pool_world(servers=1, edition="Standard")))
    with store.transaction() as world:
        world.server(FE1)["patch_version"] = CU_VERSION
    done = run_action(database_update, store, FE1, {"databases": "local"})
    assert done["commands"][:3] == ["Stop-CsWindowsService -Confirm:$false" if "Confirm" in done["commands"][0]
                                    else "Stop-CsWindowsService", done["commands"][1], done["commands"][2]]
    assert "Start-CsWindowsService -Name 'W3SVC'" in done["commands"][1]
    assert "Install-CsDatabase -Update -LocalDatabases" in done["commands"][2]
    assert not run_action(database_update, store, FE1, {"databases": "local"})["changed"]


# -- the pool gates ----------------------------------------------------------------------------------


def test_a_2019_pool_of_two_front_ends_is_refused(make_store, clock):
    desc = pool_world(servers=2, product="2015")
    store = make_store(desc)
    with store.transaction() as world:
        for server in world.servers.values():
            server.update(product="2019", version="7.0.2046.0")
        world.pools["pool01.contoso.com"]["product"] = "2019"
    with pytest.raises(InvalidArgument, match="two Front Ends on Skype for Business Server 2019"):
        run_action(pool_health_info, store, FE1, {"mode": "preflight"})


def test_a_2015_pool_of_two_with_one_down_cannot_spare_the_other(make_store, clock):
    store = make_store(pool_world(servers=2, product="2015", faults={FE2: {"unreachable": True}}))
    read = run_action(pool_health_info, store, FE1, {"mode": "preflight"})
    assert read["procedure"] == "front_end_failover" and read["down"] == [FE2]
    assert not read["can_take_out"] and f"not running: {FE2}" in read["reasons"][0]


def test_insufficient_active_front_ends_stops_at_once(make_store, clock):
    store = make_store(pool_world(faults={FE3: {"readiness_insufficient": 1}}))
    read = run_action(pool_health_info, store, FE1, {"busy_wait": 600})
    assert read["readiness"]["state"] == "InsufficientActiveFrontEnds" and read["readiness"]["attempts"] == 1
    assert not read["can_take_out"]


@pytest.mark.parametrize("size", [4, 12])
def test_the_gate_costs_two_round_trips_whatever_the_pool_size(make_store, clock, size):
    store = make_store(pool_world(servers=size))
    host = TwinHost(store, FE1)
    from ansible_collections.sfb.server.plugins.plugin_utils.state import pool as pool_state
    server = pool_state.read_server(host)
    state = pool_state.read_pool(host, server)
    assert host.round_trips == 2 and len(state.members) == size and state.down == []


def test_a_member_that_does_not_answer_costs_one_more_round_trip_and_is_named(make_store, clock):
    store = make_store(pool_world(servers=12, faults={"fe05.contoso.com": {"unreachable": True}}))
    host = TwinHost(store, FE1)
    from ansible_collections.sfb.server.plugins.plugin_utils.state import pool as pool_state
    state = pool_state.read_pool(host, pool_state.read_server(host))
    assert host.round_trips == 3 and state.down == ["fe05.contoso.com"] and state.verdict.can_take_out


def test_verify_polls_until_healthy_then_settles(make_store, clock):
    store = make_store(pool_world())
    gate = run_action(pool_health_info, store, FE1, {})
    run_action(failover, store, FE1, {"known_state": gate["state"]})
    run_action(failover, store, FE1, {"state": "active"})
    verified = run_action(pool_health_info, store, FE1, {"mode": "verify", "gate": gate, "settle": 1200})
    assert verified["healthy"] and verified["readiness"]["state"] == "Ready" and verified["settled_seconds"] == 1200
    assert service(store, FE1)["status"] == "Running"


def test_a_director_follows_the_graceful_drain_with_its_startup_types_held(make_store, clock):
    from ansible_collections.sfb.server.plugins.action import drain
    desc = {"speed": 600, "product": "2019", "sites": [{"name": "Redmond", "pools": [{
        "fqdn": "dir01.contoso.com", "edition": "Enterprise", "roles": ["Director"],
        "servers": [{"fqdn": "dir01a.contoso.com"}, {"fqdn": "dir01b.contoso.com"}]}]}]}
    store = make_store(desc)
    gate = run_action(pool_health_info, store, "dir01a.contoso.com", {})
    assert gate["procedure"] == "graceful_drain" and not gate["uses_failover"] and gate["can_take_out"]
    with pytest.raises(SfbError, match="not a Front End of an Enterprise pool"):
        run_action(failover, store, "dir01a.contoso.com", {"known_state": gate["state"]})
    drained = run_action(drain, store, "dir01a.contoso.com", {"poll_interval": 60})
    assert drained["changed"] and set(drained["startup_types"].values()) == {"Automatic"}
    held = store.read().servers["dir01a.contoso.com"]["services"]
    assert {s["startup_type"] for s in held.values()} == {"Manual"}
    assert run_action(drain, store, "dir01a.contoso.com", {"state": "serving"})["changed"]
    assert {s["startup_type"] for s in store.read().servers["dir01a.contoso.com"]["services"].values()} == {"Automatic"}
