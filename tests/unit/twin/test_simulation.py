# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The world moving by itself: sessions, drains, reboots, faults and pool quorum."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.errors import HostUnreachable
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin, engine, simulation
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import REBOOT_SECONDS, TwinHost

from twinworlds import FRONT_ENDS, change, describe, kinds, look, pool, services, three_front_ends

FE1, FE2, FE3 = FRONT_ENDS


def _alive(store, server):
    node = look(store, server)
    now = store.read().now
    return [s for s in node["sessions"] if s["end"] is None or s["end"] > now]


def _stop(store, server, **parameters):
    host = TwinHost(store, server)
    host.run(Plan.of(CmdletCall("Stop-CsWindowsService", parameters))).raise_for_failure()


def _start(store, server, **parameters):
    return TwinHost(store, server).run(Plan.of(CmdletCall("Start-CsWindowsService", parameters)))


# -- sessions ----------------------------------------------------------------------------------


def test_a_deployed_pool_starts_warm_and_spreads_sessions_over_its_servers(make_world, fake_time):
    store = make_world(three_front_ends())
    pool01 = store.read().pools["pool01.contoso.com"]
    started = pool01["stats"]["sessions_started"]
    # Backfilled from 1.5 mean session lengths before the start, six sessions a minute.
    assert started == 6 * (int(10 * 1.5) + 1)
    for index, server in enumerate(FRONT_ENDS):
        sessions = look(store, server)["sessions"]
        assert sessions, f"{server} carries sessions from the start"
        assert {s["id"] % 3 for s in sessions} == {index}, "round robin over the pool's servers, in order"
        assert {s["service"] for s in sessions} == {"RTCSRV"}
    total_alive = sum(len(_alive(store, s)) for s in FRONT_ENDS)
    assert total_alive + pool01["stats"].get("sessions_ended", 0) == started


def test_sessions_keep_coming_and_ending_as_virtual_time_passes(make_world, fake_time):
    store = make_world(three_front_ends())
    before = store.read().pools["pool01.contoso.com"]["stats"]["sessions_started"]
    fake_time.pass_virtual(store, 10 * 60)
    admin.summary(store)
    stats = store.read().pools["pool01.contoso.com"]["stats"]
    assert stats["sessions_started"] == before + 6 * 10
    assert stats["sessions_ended"] > 0
    assert "sessions_dropped" not in stats


def test_activity_level_counts_the_sessions_of_the_service(make_world, fake_time):
    store = make_world(three_front_ends())
    for server in FRONT_ENDS:
        view = services(TwinHost(store, server))
        # One string of `Counter Name=value` pairs joined by commas, as in the published capture
        # (../shared/reference/samples/published/Get-CsWindowsService.1.txt).
        assert view["RTCSRV"]["ActivityLevel"] == f"Incoming Requests per Second=0,Messages in Server=0,Active Connections={len(_alive(store, server))}"
        # Services that carry no session report no activity level, unless a published capture shows
        # their counter (RTCCAA "Concurrent Calls=0", sample Get-CsWindowsService.1).
        assert view["RTCRGS"]["ActivityLevel"] is None
        assert view["RTCCAA"]["ActivityLevel"] == "Concurrent Calls=0"
        assert view["RTCASMCU"]["ActivityLevel"] == "Active Connections=0"


def test_a_server_that_does_not_accept_gets_no_new_session(make_world, fake_time):
    store = make_world(three_front_ends())
    _stop(store, FE1, Name="RTCSRV")
    last = max(s["id"] for server in FRONT_ENDS for s in look(store, server)["sessions"])
    fake_time.pass_virtual(store, 5 * 60)
    new = {server: [s for s in look(store, server)["sessions"] if s["id"] > last] for server in FRONT_ENDS}
    assert new[FE1] == []
    assert len(new[FE2]) + len(new[FE3]) == 6 * 5
    assert abs(len(new[FE2]) - len(new[FE3])) <= 1


def test_a_pool_with_no_accepting_server_refuses_sessions(make_world, fake_time):
    store = make_world(describe(pool("se01.contoso.com", ["se01.contoso.com"], edition="Standard",
                                     load={"sessions_per_minute": 4})))
    _stop(store, "se01.contoso.com", Name="RTCSRV")
    fake_time.pass_virtual(store, 3 * 60 + 1)  # a little past the third minute, whatever the rounding
    summary = admin.summary(store)
    assert summary["sessions_refused"] == 4 * 3
    assert sum(e["detail"]["count"] for e in kinds(store, "sessions_refused")) == 12


# -- stopping services -------------------------------------------------------------------------


def test_graceful_stop_drains_without_dropping_a_session(make_world, fake_time):
    store = make_world(three_front_ends())
    carried = len(_alive(store, FE1))
    assert carried > 0
    last = max(s["id"] for s in look(store, FE1)["sessions"])
    _stop(store, FE1, Name="RTCSRV", Graceful=True, NoWait=True)
    view = services(TwinHost(store, FE1))["RTCSRV"]
    assert view["Status"] == "Running", "a draining service is still running"
    assert view["ActivityLevel"] == f"Incoming Requests per Second=0,Messages in Server=0,Active Connections={carried}"
    assert admin.summary(store)["servers"][FE1]["services"]["RTCSRV"] == "Running (draining)"
    (drain,) = kinds(store, "drain_started")
    assert drain["server"] == FE1
    assert {k: drain["detail"][k] for k in ("service", "sessions")} == {"service": "RTCSRV", "sessions": carried}
    # The last drained session ends within 1.5 times the mean session length (15 minutes).
    ends = [s["end"] for s in look(store, FE1)["sessions"] if s["service"] == "RTCSRV"]
    assert drain["detail"]["until"] == max(ends)
    # Sessions last at most 1.5 times the mean (15 minutes).
    fake_time.pass_virtual(store, 16 * 60)
    node = look(store, FE1)
    assert node["services"]["RTCSRV"]["status"] == "Stopped"
    assert [s for s in node["sessions"] if s["id"] > last] == [], "no new session while draining"
    assert [e["detail"]["service"] for e in kinds(store, "drain_finished") if e["server"] == FE1] == ["RTCSRV"]
    assert kinds(store, "sessions_dropped") == []
    assert admin.summary(store)["sessions_dropped"] == 0


def test_graceful_stop_of_an_idle_service_stops_it_at_once(make_world, fake_time):
    store = make_world(three_front_ends())
    _stop(store, FE1, Name="RTCRGS", Graceful=True)
    assert look(store, FE1)["services"]["RTCRGS"]["status"] == "Stopped"
    assert kinds(store, "service_stopped")[0]["detail"] == {"service": "RTCRGS", "graceful": True}


def test_a_plain_stop_drops_the_sessions_and_counts_them(make_world, fake_time):
    store = make_world(three_front_ends())
    carried = len(_alive(store, FE2))
    _stop(store, FE2, Name="RTCSRV")
    assert look(store, FE2)["services"]["RTCSRV"]["status"] == "Stopped"
    (dropped,) = kinds(store, "sessions_dropped")
    assert dropped["server"] == FE2
    assert dropped["detail"] == {"count": carried, "service": "RTCSRV", "reason": "RTCSRV stopped"}
    assert store.read().pools["pool01.contoso.com"]["stats"]["sessions_dropped"] == carried
    assert admin.summary(store)["sessions_dropped"] == carried
    assert services(TwinHost(store, FE2))["RTCSRV"]["ActivityLevel"] == "Incoming Requests per Second=0,Messages in Server=0,Active Connections=0"


def test_a_plain_stop_cuts_a_drain_short(make_world, fake_time):
    store = make_world(three_front_ends())
    _stop(store, FE1, Name="RTCSRV", Graceful=True, NoWait=True)
    fake_time.pass_virtual(store, 60)
    remaining = len(_alive(store, FE1))
    assert remaining > 0
    _stop(store, FE1, Name="RTCSRV")
    assert kinds(store, "sessions_dropped")[0]["detail"]["count"] == remaining


def test_drain_never_ends_keeps_the_service_draining(make_world, fake_time):
    store = make_world(three_front_ends(
        servers=[FE1, {"fqdn": FE2, "faults": {"drain_never_ends": True}}, FE3]))
    _stop(store, FE2, Name="RTCSRV", Graceful=True, NoWait=True)
    fake_time.pass_virtual(store, 3 * 3600)
    node = look(store, FE2)
    assert node["services"]["RTCSRV"]["status"] == "Running"
    assert node["services"]["RTCSRV"]["accepting"] is False
    assert len(_alive(store, FE2)) > 0
    assert [e for e in kinds(store, "drain_finished") if e["server"] == FE2] == []


# -- starting services -------------------------------------------------------------------------


def test_start_brings_a_stopped_service_back(make_world, fake_time):
    store = make_world(three_front_ends())
    _stop(store, FE1, Name="RTCSRV")
    assert _start(store, FE1, Name="RTCSRV").ok
    assert look(store, FE1)["services"]["RTCSRV"]["status"] == "Running"
    # Starting a running service is not an error (Start-CsWindowsService page).
    assert _start(store, FE1, Name="RTCSRV").ok
    assert [e["detail"]["service"] for e in kinds(store, "service_started")] == ["RTCSRV"]


def test_service_fails_to_start(make_world, fake_time):
    store = make_world(three_front_ends(
        servers=[{"fqdn": FE1, "faults": {"service_fails_to_start": ["RTCSRV"]}}, FE2, FE3]))
    _stop(store, FE1, Name="RTCSRV")
    result = _start(store, FE1, Name="RTCSRV")
    assert not result.ok
    assert result.failed().error.category == "OperationTimeout"
    assert "RTCSRV failed to start" in result.failed().error.message
    assert look(store, FE1)["services"]["RTCSRV"]["status"] == "Stopped"
    assert kinds(store, "service_start_failed")[0]["detail"] == {"service": "RTCSRV"}
    # Other services start normally.
    _stop(store, FE1, Name="RTCRGS")
    assert _start(store, FE1, Name="RTCRGS").ok


# -- reboots -----------------------------------------------------------------------------------


def _reboot(store, server, reason="test"):
    change(store, lambda world: simulation.begin_reboot(world, world.server(server), REBOOT_SECONDS, reason))


def test_a_reboot_drops_sessions_and_the_server_is_unreachable_meanwhile(make_world, fake_time):
    store = make_world(three_front_ends())
    carried = len(_alive(store, FE3))
    _reboot(store, FE3, "patch")
    (dropped,) = kinds(store, "sessions_dropped")
    assert dropped["detail"] == {"count": carried, "service": "*", "reason": "reboot: patch"}
    with pytest.raises(HostUnreachable) as info:
        services(TwinHost(store, FE3))
    assert "rebooting" in info.value.msg
    fake_time.pass_virtual(store, REBOOT_SECONDS + 1)
    view = services(TwinHost(store, FE3))
    assert {v["Status"] for v in view.values()} == {"Running"}
    assert [e["server"] for e in kinds(store, "reboot_finished")] == [FE3]


def test_after_a_reboot_only_automatic_services_start(make_world, fake_time):
    store = make_world(three_front_ends())

    def set_manual(world):
        world.server(FE1)["services"]["RTCRGS"]["startup_type"] = "Manual"

    change(store, set_manual)
    _reboot(store, FE1)
    fake_time.pass_virtual(store, REBOOT_SECONDS + 1)
    node = look(store, FE1)
    assert node["services"]["RTCRGS"]["status"] == "Stopped"
    assert node["services"]["RTCSRV"]["status"] == "Running"
    assert node["power"] == "on" and node["reboot_until"] is None


def test_service_that_fails_to_start_stays_stopped_after_a_reboot(make_world, fake_time):
    store = make_world(three_front_ends(
        servers=[{"fqdn": FE1, "faults": {"service_fails_to_start": ["*"]}}, FE2, FE3]))
    _reboot(store, FE1)
    fake_time.pass_virtual(store, REBOOT_SECONDS + 1)
    node = look(store, FE1)
    assert node["power"] == "on"
    assert {s["status"] for s in node["services"].values()} == {"Stopped"}


def test_no_return_after_reboot(make_world, fake_time):
    store = make_world(three_front_ends(
        servers=[FE1, FE2, {"fqdn": FE3, "faults": {"no_return_after_reboot": True}}]))
    _reboot(store, FE3)
    fake_time.pass_virtual(store, 3600)
    assert look(store, FE3)["power"] == "down"
    assert [e["server"] for e in kinds(store, "server_did_not_return")] == [FE3]
    assert kinds(store, "reboot_finished") == []
    with pytest.raises(HostUnreachable) as info:
        engine.execute(store, FE3, [], [])
    assert "down" in info.value.msg
    # Clearing the fault stands for a repair at the console: the server boots and answers again.
    admin.set_fault(store, FE3, "no_return_after_reboot", None)
    node = look(store, FE3)
    assert node["power"] == "on" and node["services"]["RTCSRV"]["status"] == "Running"
    assert [e["server"] for e in kinds(store, "reboot_finished")] == [FE3]


def test_an_unreachable_fault_refuses_every_connection(make_world, fake_time):
    store = make_world(three_front_ends(servers=[FE1, {"fqdn": FE2, "faults": {"unreachable": True}}, FE3]))
    with pytest.raises(HostUnreachable) as info:
        services(TwinHost(store, FE2))
    assert info.value.msg.endswith(f"{FE2} is unreachable (fault injected).")
    assert kinds(store, "reboot_started") == []
    admin.set_fault(store, FE2, "unreachable", None)
    assert services(TwinHost(store, FE2))["RTCSRV"]["Status"] == "Running"


# -- quorum ------------------------------------------------------------------------------------


def test_quorum_is_lost_and_restored_as_front_ends_go_down_and_up(make_world, fake_time):
    store = make_world(three_front_ends())
    _stop(store, FE1, Name="RTCSRV")
    assert kinds(store, "quorum_lost") == [], "a pool of three keeps quorum with two"
    _stop(store, FE2, Name="RTCSRV")
    (lost,) = kinds(store, "quorum_lost")
    assert lost["server"] == "pool01.contoso.com"
    assert lost["detail"] == {"running": 1, "servers": 3}
    assert admin.summary(store)["pools"]["pool01.contoso.com"]["quorum"] is False
    # high-availability.md: below the functional level "the remaining servers in the pool will stop
    # all Skype for Business Server services".
    assert {s["status"] for s in look(store, FE3)["services"].values()} == {"Stopped"}
    assert any(e["server"] == FE3 and e["detail"]["reason"] == "pool quorum lost"
               for e in kinds(store, "sessions_dropped"))
    assert _start(store, FE2, Name="RTCSRV").ok
    assert kinds(store, "quorum_restored") == [], "one Front End of three is not enough"
    assert _start(store, FE3, Name="RTCSRV").ok
    (restored,) = kinds(store, "quorum_restored")
    assert restored["detail"] == {"running": 2, "servers": 3}
    assert admin.summary(store)["pools"]["pool01.contoso.com"]["quorum"] is True


def test_a_rebooting_front_end_counts_as_down_for_quorum(make_world, fake_time):
    store = make_world(describe(pool("pool01.contoso.com", ["fe01.contoso.com", "fe02.contoso.com"])))
    _reboot(store, "fe01.contoso.com")
    assert kinds(store, "quorum_lost") == [], "a pool of two needs one server"
    _reboot(store, "fe02.contoso.com")
    assert kinds(store, "quorum_lost")[0]["detail"] == {"running": 0, "servers": 2}
    fake_time.pass_virtual(store, REBOOT_SECONDS + 1)
    admin.summary(store)
    assert kinds(store, "quorum_restored")[0]["detail"] == {"running": 2, "servers": 2}


def test_quorum_is_not_watched_on_standard_edition_or_bare_pools(make_world, fake_time):
    store = make_world(describe(
        pool("se01.contoso.com", ["se01.contoso.com"], edition="Standard"),
        pool("pool02.contoso.com", ["fe11.contoso.com", "fe12.contoso.com", "fe13.contoso.com"], state="bare")))
    _stop(store, "se01.contoso.com", Name="RTCSRV")
    admin.summary(store)
    assert kinds(store, "quorum_lost") == []


def test_quorum_is_a_front_end_pool_rule(make_world, fake_time):
    # The documented quorum table is about Front End pools; an Edge pool has no Windows Fabric.
    store = make_world(describe(pool("edge.contoso.com", ["edge1.contoso.com", "edge2.contoso.com"], roles=["Edge"])))
    _stop(store, "edge1.contoso.com", Name="RTCSRV")
    _stop(store, "edge2.contoso.com", Name="RTCSRV")
    assert kinds(store, "quorum_lost") == []


def test_a_stop_and_a_start_in_one_plan_cannot_hide_a_loss_of_quorum(make_world, fake_time):
    store = make_world(three_front_ends())
    plan = Plan.of(
        CmdletCall("Stop-CsWindowsService", {"Name": "RTCSRV"}),
        CmdletCall("Stop-CsWindowsService", {"Name": "RTCSRV", "ComputerName": FE2}),
        CmdletCall("Start-CsWindowsService", {"Name": "RTCSRV", "ComputerName": FE2}),
        CmdletCall("Start-CsWindowsService", {"Name": "RTCSRV", "ComputerName": FE3}),
    )
    assert TwinHost(store, FE1).run(plan).ok
    assert [e["kind"] for e in kinds(store, "quorum_lost", "quorum_restored")] == ["quorum_lost", "quorum_restored"]
