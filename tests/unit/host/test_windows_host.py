# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WindowsHost against a mocked action plugin: what it sends to plan_runner and how it reads the
answers (fixtures in the shape plan_runner.ps1 and ansible-core return them)."""

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleConnectionFailure

from ansible_collections.sfb.server.plugins.plugin_utils.errors import (
    HostUnreachable, PowerShellModuleMissing, SfbError, StepFailed, WaitTimedOut,
)
from ansible_collections.sfb.server.plugins.plugin_utils.host.base import Host, is_read_only
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Executable, Plan, Secret
from ansible_collections.sfb.server.plugins.plugin_utils.host.windows import (
    REBOOT_ACTION, RUNNER, UPDATES_ACTION, WindowsHost,
)
from sfb_fakes import FakeAction, FakeTask, fixture

INSTALLER = r"C:\Install\SkypeServerUpdateInstaller.exe"
PROPERTIES = ("Name", "DisplayName", "Status", "ActivityLevel", "RoleName")


def windows(answers=None, check_mode=False, actions=None):
    action = FakeAction(answers=answers, task=FakeTask(check_mode=check_mode), actions=actions)
    return WindowsHost(action, {"inventory_hostname": "fe01.contoso.com"}, "fe01.contoso.com", check_mode), action


def services_plan():
    return Plan.of(CmdletCall("Get-CsWindowsService", select=PROPERTIES))


def installer_plan():
    return Plan.of(Executable(INSTALLER, ["/silentmode"], success_codes=[0], restart_codes=[3010]))


class TestWhatIsSent:
    def test_one_module_call_per_plan_with_steps_and_modules(self):
        host, action = windows([fixture("get_cswindowsservice_ok")])
        plan = Plan.of(CmdletCall("Get-CsWindowsService", select=PROPERTIES), CmdletCall("Get-CcVersion"))
        host.run(plan)
        assert len(action.module_calls) == 1
        call = action.module_calls[0]
        assert call["module_name"] == RUNNER == "sfb.server.plan_runner"
        assert call["module_args"]["steps"] == plan.to_wire()
        assert call["module_args"]["modules"] == ["SkypeForBusiness", "CloudConnector"]
        assert call["task_vars"] == {"inventory_hostname": "fe01.contoso.com"}
        assert call["wrap_async"] is False
        assert host.round_trips == 1

    def test_secrets_only_in_the_secrets_option(self):
        host, action = windows([{"changed": False, "steps": [{"index": 0, "error": None, "output": []}]}])
        plan = Plan.of(
            CmdletCall("Import-CsCertificate", {"Path": r"C:\certs\fe01.pfx", "Password": Secret("pfx")}),
            secrets={"pfx": "Pa55w0rd!"},
        )
        host.run(plan)
        args = action.module_calls[0]["module_args"]
        assert args["secrets"] == [{"name": "pfx", "value": "Pa55w0rd!"}]
        assert "Pa55w0rd!" not in json.dumps(args["steps"])
        assert args["steps"][0]["parameters"]["Password"] == {"secret": "pfx", "kind": "SecureString"}

    def test_no_secrets_sends_an_empty_secrets_option(self):
        host, action = windows([fixture("get_cswindowsservice_ok")])
        host.run(services_plan())
        assert action.module_calls[0]["module_args"]["secrets"] == []

    def test_module_args_match_the_runner_options(self):
        # The runner's argument spec rejects unknown options: send only what plan_runner documents.
        import yaml
        from ansible_collections.sfb.server.plugins.modules import plan_runner

        documented = set(yaml.safe_load(plan_runner.DOCUMENTATION)["options"])
        host, action = windows([fixture("get_cswindowsservice_ok")])
        host.run(services_plan())
        assert set(action.module_calls[0]["module_args"]) <= documented


class TestAnswers:
    def test_enum_statuses_and_role_lists_come_back_as_plain_values(self):
        host, _unused = windows([fixture("get_cswindowsservice_ok")])
        result = host.run(services_plan())
        assert result.ok
        rtcsrv, mediation = result.output(0)
        assert rtcsrv["Status"] == "Running" and mediation["Status"] == "Stopped"
        assert rtcsrv["RoleName"] == ["Registrar", "UserServer"]

    def test_read_returns_the_result_when_all_steps_worked(self):
        host, _unused = windows([fixture("get_cswindowsservice_ok")])
        assert host.read(*services_plan().steps).output(0)[0]["Name"] == "RTCSRV"

    def test_cmdlet_error_keeps_category_and_error_id(self):
        host, _unused = windows([fixture("cmdlet_error")])
        plan = Plan.of(CmdletCall("Get-CsWindowsService", {"Name": "RTCFOO"}, select=PROPERTIES))
        result = host.run(plan)
        assert not result.ok
        error = result.failed().error
        assert error.category == "ObjectNotFound"
        assert error.error_id.startswith("NoServiceFoundForGivenName,Microsoft.Rtc.Management")
        with pytest.raises(StepFailed) as caught:
            result.raise_for_failure()
        assert "step 1 of 1 failed: Get-CsWindowsService -Name 'RTCFOO'" in caught.value.msg
        assert "Cannot find any service with service name 'RTCFOO'" in caught.value.msg

    def test_read_raises_on_the_cmdlet_error(self):
        host, _unused = windows([fixture("cmdlet_error")])
        with pytest.raises(StepFailed) as caught:
            host.read(CmdletCall("Get-CsWindowsService", {"Name": "RTCFOO"}, select=PROPERTIES))
        assert caught.value.details["category"] == "ObjectNotFound"

    def test_exit_code_3010_is_a_success_that_needs_a_restart(self):
        host, _unused = windows([fixture("executable_restart")])
        result = host.run(installer_plan())
        assert result.ok
        assert result.results[0].exit_code == 3010 and result.results[0].needs_restart
        assert "restart is required" in result.results[0].stdout

    def test_exit_code_1603_fails_with_the_code_in_the_hint(self):
        host, _unused = windows([fixture("executable_failure")])
        result = host.run(installer_plan())
        assert not result.ok and not result.results[0].needs_restart
        with pytest.raises(StepFailed) as caught:
            result.raise_for_failure()
        assert caught.value.details["exit_code"] == 1603
        assert "exited with 1603" in caught.value.hint
        assert result.results[0].stderr.startswith("Fatal error")

    @pytest.mark.parametrize("name", ["missing_module", "missing_module_whole_plan"])
    def test_missing_skypeforbusiness_module(self, name):
        # The runner's per-step shape and the twin's whole-plan shape fail a read the same way.
        host, _unused = windows([fixture(name)])
        with pytest.raises(PowerShellModuleMissing) as caught:
            host.read(*services_plan().steps)
        assert caught.value.details["module"] == "SkypeForBusiness"
        assert "core components" in caught.value.hint
        assert "fe01.contoso.com" in caught.value.msg

    @pytest.mark.parametrize("name, expected", [
        ("runner_crash", "System.OutOfMemoryException"),
        ("unhandled_exception", "Unhandled exception while executing module"),
    ])
    def test_runner_without_steps_fails_with_what_it_said(self, name, expected):
        host, _unused = windows([fixture(name)])
        with pytest.raises(SfbError) as caught:
            host.run(services_plan())
        assert not isinstance(caught.value, (HostUnreachable, StepFailed))
        assert expected in caught.value.msg
        assert "PowerShell 5.1" in caught.value.hint

    def test_unreachable_answer(self):
        host, _unused = windows([fixture("unreachable")])
        with pytest.raises(HostUnreachable) as caught:
            host.run(services_plan())
        assert "Connection refused" in caught.value.msg

    def test_connection_failure_becomes_host_unreachable(self):
        host, _unused = windows([AnsibleConnectionFailure("winrm: the connection was reset")])
        with pytest.raises(HostUnreachable) as caught:
            host.run(services_plan())
        assert "the connection was reset" in caught.value.msg
        assert "win_ping" in caught.value.hint
        assert caught.value.to_result()["kind"] == "unreachable"

    def test_steps_after_the_failing_one_are_absent(self):
        answer = {"changed": False, "steps": [
            {"index": 0, "output": [{"Identity": "pool01.contoso.com"}], "error": None},
            {"index": 1, "output": [], "error": {"message": "Access is denied.", "category": "PermissionDenied",
                                                 "error_id": "UnauthorizedAccess"}},
        ]}
        host, _unused = windows([answer])
        plan = Plan.of(CmdletCall("Get-CsPool", select=("Identity",)), CmdletCall("Get-CsComputer"),
                       CmdletCall("Get-CsSite"))
        result = host.run(plan)
        assert len(result.results) == 2
        assert result.failed() is result.results[1]
        assert [line["ok"] for line in result.transcript()] == [True, False]


class TestCheckMode:
    def test_changing_plan_is_refused_before_anything_is_sent(self):
        host, action = windows([], check_mode=True)
        with pytest.raises(SfbError) as caught:
            host.run(Plan.of(CmdletCall("Stop-CsWindowsService", {"Graceful": True})))
        assert "check mode" in caught.value.msg and "Stop-CsWindowsService -Graceful" in caught.value.msg
        assert action.module_calls == [] and host.round_trips == 0

    def test_executable_is_refused_in_check_mode(self):
        host, action = windows([], check_mode=True)
        with pytest.raises(SfbError, match="check mode"):
            host.run(installer_plan())
        assert action.module_calls == []

    def test_one_changing_step_among_reads_is_enough_to_refuse(self):
        host, _unused = windows([], check_mode=True)
        plan = Plan.of(CmdletCall("Get-CsPool"), CmdletCall("Start-CsPool", {"PoolFqdn": "pool01.contoso.com"}))
        with pytest.raises(SfbError, match="Start-CsPool"):
            host.run(plan)

    def test_read_only_plan_runs_in_check_mode(self):
        host, action = windows([fixture("get_cswindowsservice_ok")], check_mode=True)
        assert host.run(services_plan()).ok
        assert len(action.module_calls) == 1

    def test_test_verb_is_read_only(self):
        assert is_read_only(Plan.of(CmdletCall("Test-CsSetupPermission", {"ComputerOU": "OU=x"})))

    def test_read_only_verbs_ignore_the_spelling_of_the_name(self):
        assert is_read_only(Plan.of(CmdletCall("get-cswindowsservice")))
        assert not is_read_only(Plan.of(CmdletCall("stop-cswindowsservice")))


class TestOperatingSystemVerbs:
    def test_reboot_delegates_to_win_reboot(self):
        host, action = windows(actions={REBOOT_ACTION: {"changed": True, "rebooted": True, "elapsed": 212}})
        assert host.reboot("Skype for Business CU", timeout=1800) == {"rebooted": True, "elapsed": 212}
        (request,) = action._shared_loader_obj.action_loader.requests
        assert request["name"] == "ansible.windows.win_reboot"
        assert request["task"].args == {"msg": "Skype for Business CU", "reboot_timeout": 1800}
        assert request["task"] is not action._task and action._task.args == {}
        assert request["connection"] is action._connection
        assert host.round_trips == 1

    @pytest.mark.parametrize("answer", [
        {"failed": True, "msg": "Timed out waiting for last boot time check (timeout=600)", "rebooted": True},
        {"unreachable": True, "msg": "winrm connection error"},
    ])
    def test_reboot_that_does_not_come_back(self, answer):
        host, _unused = windows(actions={REBOOT_ACTION: answer})
        with pytest.raises(HostUnreachable) as caught:
            host.reboot("patch", timeout=600)
        assert answer["msg"] in caught.value.msg
        assert "run the playbook again" in caught.value.hint

    def test_missing_ansible_windows_is_a_clear_error(self):
        host, _unused = windows(actions={})
        with pytest.raises(SfbError, match="ansible.windows.win_reboot is not installed"):
            host.reboot("patch", timeout=600)

    def test_install_updates_maps_the_win_updates_result(self):
        answer = {
            "changed": True, "reboot_required": True, "failed_update_count": 1,
            "updates": {
                "a1": {"id": "a1", "title": "2026-10 Cumulative Update for Windows Server 2019 (KB5031361)",
                       "kb": ["5031361"], "categories": ["Security Updates"], "installed": True},
                "b2": {"id": "b2", "title": "Security Update for Skype for Business Server 2019 (KB5032428)",
                       "kb": ["5032428"], "categories": ["Security Updates", "Skype for Business Server 2019"],
                       "installed": False, "failure_hresult_code": 2147944003,
                       "failure_msg": "Operation did not complete"},
            },
        }
        host, action = windows(actions={UPDATES_ACTION: answer})
        run = host.install_updates(["Security Updates"], ["KB5000000"], timeout=3600)
        (request,) = action._shared_loader_obj.action_loader.requests
        assert request["name"] == "ansible.windows.win_updates"
        assert request["task"].args == {"state": "installed", "reboot": False, "reject_list": ["KB5000000"],
                                        "category_names": ["Security Updates"]}
        assert run.installed == [{"kb": "KB5031361", "title": answer["updates"]["a1"]["title"],
                                  "category": "Security Updates"}]
        assert [u["kb"] for u in run.failed] == ["KB5032428"]
        assert run.reboot_required is True
        assert run.to_result()["reboot_required"] is True

    def test_install_updates_without_categories_does_not_filter(self):
        host, action = windows(actions={UPDATES_ACTION: {"changed": False, "updates": {}, "reboot_required": False}})
        run = host.install_updates([], [], timeout=600)
        assert "category_names" not in action._shared_loader_obj.action_loader.requests[0]["task"].args
        assert run.installed == [] and run.failed == [] and run.reboot_required is False

    def test_win_updates_failure_without_update_detail(self):
        answer = {"failed": True, "msg": "Failed to search for updates: WU_E_PT_WINHTTP_NAME_NOT_RESOLVED"}
        host, _unused = windows(actions={UPDATES_ACTION: answer})
        with pytest.raises(SfbError) as caught:
            host.install_updates([], [], timeout=600)
        assert "WU_E_PT_WINHTTP_NAME_NOT_RESOLVED" in caught.value.msg
        assert "log_path" in caught.value.hint

    def test_win_updates_unreachable(self):
        host, _unused = windows(actions={UPDATES_ACTION: {"unreachable": True, "msg": "connection reset"}})
        with pytest.raises(HostUnreachable, match="connection reset"):
            host.install_updates([], [], timeout=600)

    def test_search_updates_lists_only_the_updates_win_updates_selected(self):
        # win_updates' RETURN: filtered_updates holds what reject_list / category_names left out, each with
        # filtered_reasons; one such entry under updates (the guard) is not pending either.
        cu = {"id": "a1", "title": "2026-10 Cumulative Update for Windows Server 2019 (KB5031361)",
              "kb": ["5031361"], "categories": ["Security Updates"], "installed": False, "downloaded": False}
        rejected = {"id": "c3", "title": "Rejected (KB5000000)", "kb": ["5000000"], "categories": ["Security Updates"],
                    "installed": False, "downloaded": False, "filtered_reasons": ["reject_list"]}
        driver = {"id": "d4", "title": "A driver", "kb": ["4000004"], "categories": ["Drivers"],
                  "installed": False, "downloaded": False, "filtered_reasons": ["category_names"]}
        answer = {"changed": False, "found_update_count": 1, "updates": {"a1": cu, "c3": rejected},
                  "filtered_updates": {"c3": rejected, "d4": driver}}
        host, action = windows(check_mode=True, actions={UPDATES_ACTION: answer})
        pending = host.search_updates(["Security Updates"], ["KB5000000"])
        (request,) = action._shared_loader_obj.action_loader.requests
        assert request["task"].args == {"state": "searched", "reject_list": ["KB5000000"],
                                        "category_names": ["Security Updates"]}
        assert pending == [{"kb": "KB5031361", "title": cu["title"], "category": "Security Updates"}]
        assert host.round_trips == 1


class _ScriptedClock(Host):
    """A Host whose clock moves only when it sleeps, to test wait_until without real time."""

    def __init__(self):
        super().__init__("clock.contoso.com")
        self.time = 1000.0
        self.slept = []

    def _run(self, plan):
        raise AssertionError("not used")

    def now(self):
        return self.time

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.time += seconds

    def reboot(self, reason, timeout):
        raise AssertionError("not used")

    def install_updates(self, categories, reject, timeout):
        raise AssertionError("not used")


class TestWaitUntil:
    def test_returns_the_first_answer_that_is_done(self):
        host = _ScriptedClock()
        answers = iter([3, 2, 0])
        assert host.wait_until(lambda: next(answers), lambda n: n == 0, timeout=100, interval=10, what="x") == 0
        assert host.slept == [10, 10]

    def test_times_out_with_the_last_answer(self):
        host = _ScriptedClock()
        with pytest.raises(WaitTimedOut) as caught:
            host.wait_until(lambda: "busy", lambda s: s == "idle", timeout=30, interval=10, what="the drain")
        assert "gave up waiting for the drain after 30 seconds" in caught.value.msg
        assert caught.value.details["last_answer"] == "busy"
        assert sum(host.slept) <= 30
