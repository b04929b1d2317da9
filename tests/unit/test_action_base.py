# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SfbAction: argument validation, the converge shape (check mode, diff, apply) and how errors
become task results. A toy module stops RTCSRV gracefully when it runs."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan
from sfb_fakes import FakeConnection, FakeTask, fixture, named, patch_execute_module

STOP = "Stop-CsWindowsService -Name 'RTCSRV' -Graceful"


class ToyStop(SfbAction):
    ARGUMENT_SPEC = {
        "name": {"type": "str", "required": True},
        "state": {"type": "str", "choices": ["stopped", "running"], "default": "stopped"},
    }

    def execute(self, host, args, task_vars):
        if args["name"] == "bad":
            raise InvalidArgument("name 'bad' is not a service.", hint="Use RTCSRV.")
        status = host.read(CmdletCall("Get-CsWindowsService", {"Name": args["name"]}, select=("Status",))).output(0)[0]
        wanted = "Stopped" if args["state"] == "stopped" else "Running"
        plan = None
        if status["Status"] != wanted:
            plan = Plan.of(CmdletCall("Stop-CsWindowsService", {"Name": args["name"], "Graceful": True}))
        return self.converge(host, plan, {"status": status["Status"]}, {"status": wanted})


def running(module_args):
    if module_args["steps"][0]["name"] == "Get-CsWindowsService":
        return {"steps": [{"index": 0, "error": None, "output": [{"Status": "Running"}]}]}
    return {"steps": [{"index": 0, "error": None, "output": []}]}


def toy(args, answer=running, check_mode=False, diff=False):
    action = named(ToyStop(FakeTask(args, check_mode=check_mode, diff=diff), FakeConnection(), None, None, None, None))
    return action, patch_execute_module(action, answer)


def run(action):
    return action.run(task_vars={"inventory_hostname": "fe01.contoso.com"})


def test_apply_runs_the_plan_in_one_more_round_trip():
    action, calls = toy({"name": "RTCSRV"})
    result = run(action)
    assert result["changed"] is True
    assert result["commands"] == [STOP]
    assert result["transcript"] == [{"command": STOP, "ok": True}]
    assert [c["module_args"]["steps"][0]["name"] for c in calls] == ["Get-CsWindowsService", "Stop-CsWindowsService"]
    assert result["round_trips"] == 2
    assert "diff" not in result


def test_check_mode_describes_and_sends_nothing_that_changes():
    action, calls = toy({"name": "RTCSRV"}, check_mode=True)
    result = run(action)
    assert result["changed"] is True and result["commands"] == [STOP]
    assert "transcript" not in result
    assert [c["module_args"]["steps"][0]["name"] for c in calls] == ["Get-CsWindowsService"]


def test_diff_mode_shows_before_and_after():
    result = run(toy({"name": "RTCSRV"}, diff=True, check_mode=True)[0])
    assert result["diff"] == {"before": {"status": "Running"}, "after": {"status": "Stopped"}}


def test_nothing_to_do_is_not_a_change():
    action, calls = toy({"name": "RTCSRV", "state": "running"}, diff=True)
    result = run(action)
    assert result["changed"] is False and result["commands"] == [] and "diff" not in result
    assert len(calls) == 1


def test_failing_step_fails_the_task_with_its_details():
    def answer(module_args):
        if module_args["steps"][0]["name"] == "Get-CsWindowsService":
            return running(module_args)
        return {"steps": [{"index": 0, "output": [], "error": {
            "message": "Access is denied.", "category": "PermissionDenied", "error_id": "UnauthorizedAccess"}}]}

    result = run(toy({"name": "RTCSRV"}, answer)[0])
    assert result["failed"] is True
    assert result["error"]["kind"] == "step_failed" and result["error"]["command"] == STOP
    assert "Access is denied." in result["msg"] and result["error"]["hint"] in result["msg"]


def test_sfb_error_from_execute_is_a_failed_task_with_kind_and_hint():
    result = run(toy({"name": "bad"})[0])
    assert result["failed"] is True
    assert result["error"] == {"kind": "invalid_argument", "message": "name 'bad' is not a service.", "hint": "Use RTCSRV."}
    assert result["round_trips"] == 0


@pytest.mark.parametrize("args, expected", [
    ({}, "missing required arguments: name"),
    ({"name": "RTCSRV", "state": "paused"}, "value of state must be one of: stopped, running"),
    ({"name": "RTCSRV", "colour": "red"}, "Unsupported parameters"),
])
def test_bad_arguments_fail_before_the_host_is_touched(args, expected):
    action, calls = toy(args)
    result = run(action)
    assert result["failed"] is True and expected in result["msg"]
    assert calls == [] and "round_trips" not in result


def test_unreachable_during_the_read():
    result = run(toy({"name": "RTCSRV"}, fixture("unreachable"))[0])
    assert result["unreachable"] is True and "failed" not in result


class ToySessions(SfbAction):
    """Counts RTCSRV's sessions from its ActivityLevel (domain/services.py)."""

    ARGUMENT_SPEC = {}

    def execute(self, host, args, task_vars):
        from ansible_collections.sfb.server.plugins.plugin_utils.domain import services

        objects = host.read(CmdletCall("Get-CsWindowsService", {"Name": "RTCSRV"},
                                       select=("Name", "Status", "ActivityLevel"))).output(0)
        return {"sessions": sum(services.from_cmdlet(o).sessions for o in objects)}


def _cut_activity_level(module_args):
    return {"steps": [{"index": 0, "error": None, "output": [
        {"Name": "RTCSRV", "Status": "Running", "ActivityLevel": "Incoming Requests per Second=0,Messages in Server=0\u2026"}]}]}


@pytest.mark.parametrize("accepted, failed", [(None, True), (["Get-CsWindowsService"], False), (["Get-CcVersion"], True)])
def test_unreadable_output_stops_the_task_unless_the_variable_accepts_it(accepted, failed):
    action = named(ToySessions(FakeTask({}), FakeConnection(), None, None, None, None))
    patch_execute_module(action, _cut_activity_level)
    task_vars = {"inventory_hostname": "fe01.contoso.com"}
    if accepted is not None:
        task_vars["sfb_accept_unreadable_output"] = accepted
    result = action.run(task_vars=task_vars)
    assert bool(result.get("failed")) is failed
    if failed:
        assert result["error"]["kind"] == "unreadable_output"
        assert "sfb_accept_unreadable_output: [Get-CsWindowsService]" in result["error"]["hint"]
    else:
        assert result["sessions"] == 0
