# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plans: the wire format the runner receives, how a plan describes itself, and how a result fails."""

from __future__ import annotations

import json

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.errors import StepFailed
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import (
    CmdletCall, Executable, Plan, PlanResult, Secret, StepError, StepResult,
)

SETUP = r"C:\Program Files\Skype for Business Server 2019\Deployment\Bootstrapper.exe"


def stop_graceful(name="RTCSRV"):
    return CmdletCall("Stop-CsWindowsService", {"Name": name, "Graceful": True, "NoWait": False})


class TestWire:
    def test_cmdlet_step(self):
        call = CmdletCall("Get-CsWindowsService", {"Name": "RTCSRV", "ExcludeActivityLevel": True},
                          select=["Name", "Status"])
        assert call.to_wire() == {
            "type": "cmdlet",
            "module": "SkypeForBusiness",
            "name": "Get-CsWindowsService",
            "common_parameters": True,
            "parameters": {"Name": "RTCSRV", "ExcludeActivityLevel": True},
            "switches": ["ExcludeActivityLevel"],
            "select": ["Name", "Status"],
            "as_text": [],
        }

    def test_as_text_properties_travel_with_the_step(self):
        call = CmdletCall("Get-CsPool", select=("Identity", "Services"), as_text=("Services",))
        assert call.to_wire()["as_text"] == ["Services"]

    def test_as_text_must_name_selected_properties(self):
        with pytest.raises(ValueError, match="Site"):
            CmdletCall("Get-CsPool", select=("Identity",), as_text=("Site",))

    def test_switches_list_every_switch_given_true_or_false(self):
        wire = stop_graceful().to_wire()
        # Confirm: the binder's -Confirm:$false (test_confirm.py).
        assert wire["switches"] == ["Confirm", "Graceful", "NoWait"]
        assert wire["parameters"]["NoWait"] is False

    def test_common_switch_is_listed_as_a_switch(self):
        assert CmdletCall("Get-CsPool", {"Verbose": True}).to_wire()["switches"] == ["Verbose"]

    def test_select_is_a_tuple_on_the_call_and_a_list_on_the_wire(self):
        call = CmdletCall("Get-CsPool", select=["Identity"])
        assert call.select == ("Identity",)
        assert call.to_wire()["select"] == ["Identity"]
        assert CmdletCall("Get-CsPool").to_wire()["select"] == []

    def test_prefixes_are_sent_with_their_full_names(self):
        # The runner splats the names as given: they must be the documented ones.
        wire = CmdletCall("Get-CsWindowsService", {"comp": "fe01.contoso.com"}).to_wire()
        assert wire["parameters"] == {"ComputerName": "fe01.contoso.com"}

    def test_secret_travels_as_a_reference(self):
        call = CmdletCall("Import-CsCertificate", {"Path": r"C:\certs\fe.pfx", "Password": Secret("pfx")})
        plan = Plan.of(call, secrets={"pfx": "S3cr3t!"})
        wire = json.dumps(plan.to_wire())
        assert "S3cr3t!" not in wire
        assert plan.to_wire()[0]["parameters"]["Password"] == {"secret": "pfx", "kind": "SecureString"}

    def test_credential_secret_carries_its_user_name(self):
        assert Secret("admin", kind="PSCredential", username="CONTOSO\\sfbadmin").to_wire() == {
            "secret": "admin", "kind": "PSCredential", "username": "CONTOSO\\sfbadmin"}

    def test_list_values_go_as_lists(self):
        call = CmdletCall("Start-CsPool", {"PoolFqdn": "pool01.contoso.com", "SkipServer": ("fe02", "fe03")})
        assert call.to_wire()["parameters"]["SkipServer"] == ["fe02", "fe03"]

    @pytest.mark.parametrize("kwargs", [{"kind": "Text"}, {"kind": "PSCredential"}])
    def test_bad_secrets_are_refused(self, kwargs):
        with pytest.raises(ValueError):
            Secret("k", **kwargs)

    def test_executable_sends_restart_codes_as_success(self):
        step = Executable(SETUP, ["/BootstrapLocalMgmt"], success_codes=[0], restart_codes=[3010])
        assert step.to_wire() == {
            "type": "executable",
            "path": SETUP,
            "arguments": ["/BootstrapLocalMgmt"],
            "success_codes": [0, 3010],
            "output_encoding": "",
        }

    def test_plan_wire_and_modules(self):
        plan = Plan.of(CmdletCall("Get-CsPool"), CmdletCall("Get-CcVersion"), CmdletCall("Get-CsComputer"),
                       Executable("C:\\Windows\\System32\\w32tm.exe"))
        assert plan.modules() == ["SkypeForBusiness", "CloudConnector"]
        assert [step["type"] for step in plan.to_wire()] == ["cmdlet", "cmdlet", "cmdlet", "executable"]

    def test_plan_of_nothing_needs_no_module(self):
        assert Plan.of().modules() == [] and Plan.of().to_wire() == []


class TestSecrets:
    def test_plan_refuses_a_reference_without_a_value(self):
        call = CmdletCall("Import-CsCertificate", {"Path": "C:\\c.pfx", "Password": Secret("pfx")})
        with pytest.raises(ValueError, match="pfx"):
            Plan.of(call)
        with pytest.raises(ValueError, match="pfx"):
            Plan.of(call, secrets={"other": "x"})

    def test_secret_values_do_not_show_in_repr_or_describe(self):
        plan = Plan.of(CmdletCall("Import-CsCertificate", {"Path": "C:\\c.pfx", "Password": Secret("pfx")}),
                       secrets={"pfx": "S3cr3t!"})
        assert "S3cr3t!" not in repr(plan)
        assert "S3cr3t!" not in " ".join(plan.describe())
        assert plan.describe() == ["Import-CsCertificate -Path 'C:\\c.pfx' -Password <SecureString:pfx>"]

    def test_secret_keys(self):
        plan = Plan.of(
            CmdletCall("Import-CsCertificate", {"Path": "C:\\c.pfx", "Password": Secret("a")}),
            CmdletCall("Get-CsPool"),
            secrets={"a": "1"},
        )
        assert plan.secret_keys() == {"a"}


class TestDescribe:
    def test_switches_and_values_read_as_typed(self):
        assert stop_graceful().describe() == "Stop-CsWindowsService -Name 'RTCSRV' -Graceful -NoWait:$false"

    def test_quotes_are_escaped_the_powershell_way(self):
        call = CmdletCall("Get-CsWindowsService", {"Name": "it's"})
        assert call.describe() == "Get-CsWindowsService -Name 'it''s'"

    def test_numbers_lists_and_booleans(self):
        call = CmdletCall("Import-CsCertificate", {"Path": "C:\\c.pfx", "PrivateKeyExportable": True})
        assert call.describe().endswith("-PrivateKeyExportable $true")
        assert CmdletCall("Start-CsPool", {"PoolFqdn": "p", "SkipServer": ["a", "b"]}).describe() == \
            "Start-CsPool -PoolFqdn 'p' -SkipServer 'a','b'"

    def test_executable_path_with_spaces_is_quoted(self):
        assert Executable(SETUP, ["/Bootstrap"]).describe() == f'"{SETUP}" /Bootstrap'
        assert Executable("w32tm.exe", ["/query", "/status"]).describe() == "w32tm.exe /query /status"


def _result(plan, *answers):
    return PlanResult(plan=plan, results=tuple(StepResult(step=s, **a) for s, a in zip(plan.steps, answers)))


class TestResults:
    def test_failure_names_step_command_and_hint(self):
        plan = Plan.of(CmdletCall("Get-CsPool"), stop_graceful("RTCFOO"), CmdletCall("Get-CsComputer"))
        result = _result(plan, {}, {"error": StepError("Cannot find any service with service name 'RTCFOO'.",
                                                       "ObjectNotFound", "NoServiceFoundForGivenName")})
        assert not result.ok
        with pytest.raises(StepFailed) as caught:
            result.raise_for_failure()
        error = caught.value
        assert error.msg.startswith("step 2 of 3 failed: Stop-CsWindowsService -Name 'RTCFOO' -Graceful")
        assert "Cannot find any service" in error.msg
        assert error.hint
        assert error.details["step"] == 2
        assert error.details["category"] == "ObjectNotFound"
        assert error.details["error_id"] == "NoServiceFoundForGivenName"
        assert error.to_result()["kind"] == "step_failed"

    def test_failed_executable_hint_names_path_and_exit_code(self):
        plan = Plan.of(Executable(SETUP, success_codes=[0], restart_codes=[3010]))
        result = _result(plan, {"exit_code": 1603, "error": StepError("exited with code 1603.", "ExitCode")})
        with pytest.raises(StepFailed) as caught:
            result.raise_for_failure()
        assert "1603" in caught.value.hint and SETUP in caught.value.hint
        assert caught.value.details["exit_code"] == 1603

    def test_restart_code_is_success_that_needs_a_restart(self):
        plan = Plan.of(Executable(SETUP, restart_codes=[3010]))
        result = _result(plan, {"exit_code": 3010})
        assert result.ok and result.results[0].needs_restart
        assert result.raise_for_failure() is result
        assert not _result(plan, {"exit_code": 0}).results[0].needs_restart

    def test_a_result_with_fewer_answers_than_steps_is_not_ok(self):
        plan = Plan.of(CmdletCall("Get-CsPool"), CmdletCall("Get-CsComputer"))
        assert not _result(plan, {"output": ({"Identity": "p"},)}).ok

    def test_output_by_index(self):
        plan = Plan.of(CmdletCall("Get-CsPool"), CmdletCall("Get-CsComputer"))
        result = _result(plan, {"output": ({"Identity": "pool"},)}, {"output": ({"Identity": "fe01"},)})
        assert result.output(1) == [{"Identity": "fe01"}]
        assert result.failed() is None

    def test_transcript(self):
        plan = Plan.of(CmdletCall("Get-CsPool"), Executable("w32tm.exe", ["/resync"]), stop_graceful())
        result = _result(plan, {}, {"exit_code": 0},
                         {"error": StepError("Access is denied.", "PermissionDenied", "x")})
        assert result.transcript() == [
            {"command": "Get-CsPool", "ok": True},
            {"command": "w32tm.exe /resync", "ok": True, "exit_code": 0},
            {"command": "Stop-CsWindowsService -Name 'RTCSRV' -Graceful -NoWait:$false", "ok": False,
             "error": {"message": "Access is denied.", "category": "PermissionDenied", "error_id": "x"}},
        ]

    def test_transcript_stops_where_the_server_stopped(self):
        plan = Plan.of(stop_graceful(), CmdletCall("Get-CsPool"))
        result = _result(plan, {"error": StepError("boom")})
        assert [line["command"] for line in result.transcript()] == [stop_graceful().describe()]


class TestPartialFailure:
    """A plan that fails after a change has run reports that the server changed."""

    def _result(self, plan, failing_index):
        results = []
        for index, step in enumerate(plan.steps[: failing_index + 1]):
            error = StepError("boom", "InvalidOperation") if index == failing_index else None
            results.append(StepResult(step=step, error=error))
        return PlanResult(plan=plan, results=tuple(results))

    def test_failure_after_a_change_reports_changed(self):
        plan = Plan.of(stop_graceful(), CmdletCall("Start-CsWindowsService", {"Name": "RTCSRV"}))
        with pytest.raises(StepFailed) as caught:
            self._result(plan, 1).raise_for_failure()
        assert caught.value.changed is True

    def test_failure_after_reads_only_reports_unchanged(self):
        plan = Plan.of(CmdletCall("Get-CsWindowsService", {"Name": "RTCSRV"}), stop_graceful())
        with pytest.raises(StepFailed) as caught:
            self._result(plan, 1).raise_for_failure()
        assert caught.value.changed is False

    def test_failure_of_the_first_step_reports_unchanged(self):
        plan = Plan.of(stop_graceful())
        with pytest.raises(StepFailed) as caught:
            self._result(plan, 0).raise_for_failure()
        assert caught.value.changed is False
