# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drain as one round trip (issue #16): the documented blocking graceful stop, bounded by the plan's
time limit on the twin and on Windows, and the state handed on from the gate to the drain to the serve."""

from __future__ import annotations

import pytest
from patch_helpers import events, pool_world, run_action

from ansible_collections.sfb.server.plugins.action import drain, pool_health_info
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument, PlanTimedOut, SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host import windows as windows_module
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan
from ansible_collections.sfb.server.plugins.plugin_utils.host.windows import WindowsHost
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost
from sfb_fakes import FakeAction, FakeTask

SE = "fe01.contoso.com"


def standard_world(faults=None):
    return pool_world(servers=1, edition="Standard", faults={SE: faults or {}})


def counted(module, store, args, check_mode=False):
    """execute() as run_action does, with the Host kept to read its round trips."""
    from types import SimpleNamespace
    action = object.__new__(module.ActionModule)
    action._task = SimpleNamespace(check_mode=check_mode, diff=True)
    full = {name: spec.get("default") for name, spec in module.ActionModule.ARGUMENT_SPEC.items()}
    full.update(args)
    host = TwinHost(store, SE, check_mode=check_mode)
    return action.execute(host, full, {}), host.round_trips


def test_the_gate_hands_the_drain_its_state_and_the_drain_is_one_round_trip(make_store, clock):
    store = make_store(standard_world())
    gate, _trips = counted(pool_health_info, store, {"mode": "gate"})
    assert gate["state"]["startup_types"]["RTCSRV"] == "Automatic"
    drained, trips = counted(drain, store, {"known_state": gate["state"]})
    assert trips == 1 and drained["changed"] and drained["marker"]["phase"] == "drained"
    # The stop waited on the server until the last session ended by itself: none was cut.
    assert drained["sessions_cut"] == 0 and events(store, "sessions_dropped") == []
    assert drained["drain_seconds"] > 0
    served, trips = counted(drain, store, {"state": "serving", "known_state": drained["server_state"]})
    assert trips == 1 and served["changed"] and served["marker"] is None
    assert store.read().servers[SE]["services"]["RTCSRV"]["status"] == "Running"
    assert store.read().servers[SE]["services"]["RTCSRV"]["startup_type"] == "Automatic"


def test_without_a_handed_state_the_drain_reads_first_and_still_waits_in_its_plan(make_store, clock):
    store = make_store(standard_world())
    drained, trips = counted(drain, store, {})
    # The drain state, the server read that tells a Standard Edition server has no quorum, the drain.
    assert trips == 3 and drained["marker"]["phase"] == "drained"


def test_the_limit_stops_the_plan_and_at_limit_fail_leaves_the_server_draining(make_store, clock):
    store = make_store(standard_world({"drain_never_ends": True}))
    with pytest.raises(SfbError, match="did not finish within 600 seconds"):
        counted(drain, store, {"timeout": 600})
    assert [e["detail"]["command"] for e in events(store, "plan_timed_out")] == ["Stop-CsWindowsService"]
    server = store.read().servers[SE]
    assert server["services"]["RTCSRV"]["startup_type"] == "Manual"          # the steps before it stay
    assert '"phase": "draining"' in server["registry"]["hklm:\\software\\sfb.server\\maintenance"]["State"]


def test_at_limit_stop_anyway_cuts_what_is_left_and_confirms_the_marker(make_store, clock):
    store = make_store(standard_world({"drain_never_ends": True}))
    drained, _trips = counted(drain, store, {"timeout": 600, "at_limit": "stop_anyway"})
    (dropped,) = events(store, "sessions_dropped")
    assert drained["sessions_cut"] == dropped["detail"]["count"] > 0
    assert drained["marker"]["phase"] == "drained" and "cut" in drained["warnings"][-1]


def test_timeout_zero_does_not_wait(make_store, clock):
    store = make_store(standard_world())
    result = run_action(drain, store, SE, {"timeout": 0, "at_limit": "stop_anyway"})
    assert "Stop-CsWindowsService -Graceful -NoWait" in result["commands"]
    assert result["sessions_cut"] > 0


def test_a_handed_state_of_the_wrong_shape_is_refused_before_anything_changes(make_store, clock):
    store = make_store(standard_world())
    with pytest.raises(InvalidArgument, match="known_state"):
        counted(drain, store, {"known_state": {"services": {"RTCSRV": "Running"}}})
    assert events(store, "startup_type_changed", "service_stopped") == []


def test_a_time_limit_is_only_for_a_long_plan():
    with pytest.raises(ValueError, match="long plan"):
        Plan.of(CmdletCall("Get-CsPool"), time_limit=60)
    assert Plan.of(CmdletCall("Stop-CsWindowsService", {"Graceful": True}), time_limit=60).time_limit == 60


def test_windows_host_gives_the_job_the_plan_limit_and_reads_the_watchdog_timeout(monkeypatch):
    monkeypatch.setattr(windows_module, "LONG_PLAN_POLL_SECONDS", 0)
    # ansible-core's async_watchdog.ps1: the message of a job stopped at its time limit (2.16 to 2.21).
    action = FakeAction(answers=[
        {"ansible_job_id": "7.7", "started": 1, "finished": 0},
        {"finished": 1, "failed": True, "msg": "failure during async watchdog: timed out waiting for module completion"},
        {"ansible_job_id": "7.7", "erased": "x"},
    ], task=FakeTask())
    action.get_shell_option = lambda name, default=None: default
    seen = []
    original = action._execute_module

    def spy(**kwargs):
        seen.append(action._task.async_val)
        return original(**kwargs)

    action._execute_module = spy
    host = WindowsHost(action, {}, SE)
    with pytest.raises(PlanTimedOut, match="within its 900 seconds"):
        host.run(Plan.of(CmdletCall("Stop-CsWindowsService", {"Graceful": True}), time_limit=900))
    assert seen[0] == 900
