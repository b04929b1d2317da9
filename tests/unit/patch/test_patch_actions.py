# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The maintenance modules against the twin: drain and return, interruptions, limits, check mode,
pool health."""

from __future__ import annotations

import pytest
from patch_helpers import events, pool_world, run_action, service

from ansible_collections.sfb.server.plugins.action import drain, failover, pool_health_info
from ansible_collections.sfb.server.plugins.plugin_utils.domain.maintenance import MARKER_KEY
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.twin import simulation

FE1, FE2, FE3, FE4 = (f"fe0{i}.contoso.com" for i in range(1, 5))


def startup_types(store, server):
    return {n: s["startup_type"] for n, s in store.read().servers[server]["services"].items()}


def marker_text(store, server):
    return store.read().servers[server].get("registry", {}).get(MARKER_KEY.lower(), {}).get("State")


def test_drain_then_serve_restores_everything_and_a_second_serve_changes_nothing(make_store, clock):
    store = make_store(pool_world())
    drained = run_action(drain, store, FE1, {"poll_interval": 60})
    assert drained["changed"] and drained["sessions"] > 0 and drained["sessions_cut"] == 0
    assert set(startup_types(store, FE1).values()) == {"Manual"}
    assert service(store, FE1)["status"] == "Stopped"
    assert events(store, "sessions_dropped") == []
    served = run_action(drain, store, FE1, {"state": "serving"})
    assert served["changed"]
    assert set(startup_types(store, FE1).values()) == {"Automatic"}
    assert marker_text(store, FE1) == ""
    assert not run_action(drain, store, FE1, {"state": "serving"})["changed"]


def test_a_second_drain_changes_nothing(make_store, clock):
    store = make_store(pool_world())
    run_action(drain, store, FE1, {"poll_interval": 60})
    again = run_action(drain, store, FE1, {"poll_interval": 60})
    assert not again["changed"] and again["startup_types"]["RTCSRV"] == "Automatic"


def test_check_mode_describes_the_drain_and_changes_nothing(make_store, clock):
    store = make_store(pool_world())
    before = len(store.events())
    result = run_action(drain, store, FE1, {}, check_mode=True)
    # Stop-CsWindowsService.md: without -NoWait the graceful stop returns once the sessions have ended.
    assert result["changed"] and any(c == "Stop-CsWindowsService -Graceful" for c in result["commands"])
    assert [e["kind"] for e in store.events()[before:]] == []
    assert set(startup_types(store, FE1).values()) == {"Automatic"}


def test_a_drain_interrupted_at_its_limit_is_restored_from_the_marker(make_store, clock):
    store = make_store(pool_world(faults={FE1: {"drain_never_ends": True}}))
    with pytest.raises(SfbError) as error:
        run_action(drain, store, FE1, {"timeout": 600, "poll_interval": 60})
    assert "did not finish within 600 seconds" in error.value.msg
    assert set(startup_types(store, FE1).values()) == {"Manual"}  # still out, remembered on the server
    served = run_action(drain, store, FE1, {"state": "serving"})
    assert served["changed"] and set(startup_types(store, FE1).values()) == {"Automatic"}
    assert events(store, "sessions_dropped") == []


def test_stop_anyway_cuts_the_sessions_left_and_says_so(make_store, clock):
    store = make_store(pool_world(faults={FE1: {"drain_never_ends": True}}))
    result = run_action(drain, store, FE1, {"timeout": 600, "poll_interval": 60, "at_limit": "stop_anyway"})
    (dropped,) = events(store, "sessions_dropped")
    assert result["sessions_cut"] == dropped["detail"]["count"] > 0
    assert "cut" in result["warnings"][-1]


def test_one_service_only(make_store, clock):
    store = make_store(pool_world())
    result = run_action(drain, store, FE1, {"services": ["rtcsrv"], "poll_interval": 60})
    assert result["services"] == ["RTCSRV"]
    types = startup_types(store, FE1)
    assert types["RTCSRV"] == "Manual" and types["RTCREPLICA"] == "Automatic"
    with pytest.raises(SfbError, match="no Skype for Business service named NOPE"):
        run_action(drain, store, FE1, {"services": ["NOPE"]})


def test_no_dns_load_balancing_warns_with_the_seed_features(make_store, clock):
    store = make_store(pool_world())
    result = run_action(drain, store, FE1, {"dns_load_balancing": False}, check_mode=True)
    assert "Call Park application" in result["warnings"][0] and "Response Group application" in result["warnings"][0]


def test_serving_refuses_a_failed_over_server(make_store, clock):
    store = make_store(pool_world())
    run_action(failover, store, FE1, {})
    with pytest.raises(SfbError, match="failed over"):
        run_action(drain, store, FE1, {"state": "serving"})
    assert run_action(failover, store, FE1, {"state": "active"})["changed"]
    assert not run_action(failover, store, FE1, {"state": "active"})["changed"]


def test_pool_health_counts_running_front_ends_and_refuses_below_quorum(make_store, clock):
    store = make_store(pool_world())
    healthy = run_action(pool_health_info, store, FE1, {})
    assert healthy["can_take_out"] and healthy["readiness"]["state"] == "Ready"
    assert healthy["quorum"]["running"] == [FE1, FE2, FE3, FE4] and healthy["down"] == []
    assert healthy["fabric"]["missing_replicas"] == 0 and healthy["procedure"] == "front_end_failover"
    run_action(failover, store, FE2, {})
    run_action(failover, store, FE3, {})
    blocked = run_action(pool_health_info, store, FE1, {})
    assert not blocked["can_take_out"] and "below quorum" in blocked["reasons"][0]
    # The members that are down are named, from this read.
    assert blocked["down"] == [FE2, FE3] and f"not running: {FE2}, {FE3}" in blocked["reasons"][0]


def test_pool_health_reads_busy_again_and_gives_up_after_the_retries(make_store, clock):
    store = make_store(pool_world(faults={FE2: {"readiness_busy": 2}}))
    patient = run_action(pool_health_info, store, FE1, {"busy_wait": 600})
    assert patient["readiness"] == {"state": "Ready", "ready_for_upgrade": True,
                                    "upgrade_domain": "UpgradeDomain1", "attempts": 3, "domains_read": True}
    store = make_store(pool_world(faults={FE2: {"readiness_busy": 5}}))
    stuck = run_action(pool_health_info, store, FE1, {"busy_wait": 600})
    assert not stuck["can_take_out"] and "stayed Busy for 3" in stuck["reasons"][0]


def test_a_standard_edition_server_has_no_quorum_to_keep(make_store, clock):
    store = make_store(pool_world(servers=1, edition="Standard"))
    result = run_action(pool_health_info, store, FE1, {})
    assert result["can_take_out"] and result["quorum"] is None and result["edition"] == "Standard"


def test_drain_refuses_a_front_end_the_pool_cannot_spare(make_store, clock):
    store = make_store(pool_world(servers=3))
    run_action(drain, store, FE2, {"poll_interval": 60})
    with pytest.raises(SfbError, match="would leave the pool below quorum") as error:
        run_action(drain, store, FE1, {"poll_interval": 60})
    assert error.value.details["quorum"]["running"] == [FE1, FE3]
    assert set(startup_types(store, FE1).values()) == {"Automatic"} and marker_text(store, FE1) is None


def test_a_run_killed_during_the_restart_is_completed_by_the_next_one(make_store, clock):
    store = make_store(pool_world())
    run_action(failover, store, FE1, {})
    # The controller dies right after asking for the restart: nobody waits for the server.
    with store.transaction(simulation.advance) as world:
        simulation.begin_reboot(world, world.server(FE1), 180, "killed run")
    clock.sleep(1)  # 600 virtual seconds later the server is back, its services disabled and stopped
    health = run_action(pool_health_info, store, FE1, {})
    assert health["in_maintenance"] and health["marker"]["failed_over"] and health["can_take_out"]
    assert not run_action(failover, store, FE1, {"known_state": health["state"]})["changed"]
    assert run_action(failover, store, FE1, {"state": "active"})["changed"]
    assert service(store, FE1)["status"] == "Running" and marker_text(store, FE1) == ""
    assert set(startup_types(store, FE1).values()) == {"Automatic"}
    assert events(store, "sessions_dropped") == [] and events(store, "quorum_lost") == []


def test_pool_health_reads_the_2015_readiness_cmdlet(make_store, clock):
    store = make_store(pool_world(product="2015"))
    result = run_action(pool_health_info, store, FE1, {})
    assert result["product"] == "2015" and result["readiness"]["state"] == "Ready"
    assert [e["detail"]["state"] for e in events(store, "upgrade_readiness_read")] == ["Ready"]
