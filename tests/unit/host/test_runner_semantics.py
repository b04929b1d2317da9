# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PowerShell semantics of the runner, as a real server would give them (issue #12).

No PowerShell runs here. What is proven: the wire each case sends (through WindowsHost and a
mocked _execute_module), how the controller reads recorded-style answers, and, from the runner's
source, that the constructs the Windows PowerShell 5.1 semantics need are there (about_Preference_
Variables, about_CommonParameters, about_Redirection). docs/host-seam-tests.md says what is not.
"""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleConnectionFailure

from ansible_collections.sfb.server.plugins.plugin_utils.errors import HostUnreachable, PowerShellModuleMissing, StepFailed
from ansible_collections.sfb.server.plugins.plugin_utils.host import windows as windows_module
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import (
    CONFIRM, LONG_CMDLETS, CmdletCall, Executable, Plan, changes_state,
)
from ansible_collections.sfb.server.plugins.plugin_utils.host.signatures import documented
from ansible_collections.sfb.server.plugins.plugin_utils.host.windows import ASYNC_STATUS, RUNNER as RUNNER_MODULE, WindowsHost
from sfb_fakes import FakeAction

from host.test_runner_contract import RUNNER

FE = "fe01.contoso.com"


def _function(name: str) -> str:
    start = RUNNER.index(f"function {name}")
    following = RUNNER.find("\nfunction ", start + 1)
    return RUNNER[start:following if following > 0 else len(RUNNER)]


def _step(index, output=(), error=None, **extra):
    return {"index": index, "output": list(output), "error": error, "exit_code": None, "stdout": "", "stderr": "",
            **extra}


def _host(answers):
    action = FakeAction(answers=answers)
    action.get_shell_option = lambda name, default=None: default
    return WindowsHost(action, {}, FE), action


# -- -Confirm:$false ------------------------------------------------------------------------------

def _minimal_call(cmdlet: str) -> CmdletCall:
    """A call of `cmdlet` in the first documented set that has -Confirm, with dummy mandatory values."""
    data = documented().get(cmdlet)
    for pset in data["parameter_sets"]:
        if not any(p["name"] == CONFIRM for p in pset["parameters"]):
            continue
        parameters = {}
        for param in pset["parameters"]:
            if param["mandatory"]:
                allowed = param.get("allowed_values")
                parameters[param["name"]] = True if param["switch"] else (allowed[0] if allowed else "x")
        # Name one parameter proper to the set, so that the binder picks it.
        own = [p["name"] for p in pset["parameters"] if p["name"] != CONFIRM and not p["mandatory"]
               and not any(p["name"] in {q["name"] for q in other["parameters"]}
                           for other in data["parameter_sets"] if other is not pset)]
        if own and not parameters:
            param = next(p for p in pset["parameters"] if p["name"] == own[0])
            parameters[own[0]] = True if param["switch"] else (param.get("allowed_values") or ["x"])[0]
        try:
            return CmdletCall(cmdlet, parameters)
        except Exception:  # noqa: BLE001 - another set may bind where this one does not
            continue
    raise AssertionError(f"no call of {cmdlet} binds to a set with -Confirm")


PROMPT_CAPABLE = sorted(name for name in documented().names() if documented().has_parameter(name, CONFIRM))


def test_the_signatures_document_prompt_capable_calls():
    assert {"Invoke-CsComputerFailOver", "Invoke-CsComputerFailBack", "Start-CsPool", "Enable-CsReplica",
            "Set-CsCertificate", "Install-CsDatabase", "Request-CsCertificate"} <= set(PROMPT_CAPABLE)


@pytest.mark.parametrize("cmdlet", PROMPT_CAPABLE)
def test_every_prompt_capable_call_carries_confirm_false(cmdlet):
    call = _minimal_call(cmdlet)
    host, action = _host([{"steps": [_step(0)]}])
    if changes_state(call):
        host.run(Plan.of(call))
    else:
        host.read(call)
    wire = action.module_calls[0]["module_args"]["steps"][0]
    assert wire["parameters"][CONFIRM] is False and CONFIRM in wire["switches"]
    assert call.answers_prompt
    # describe() shows what the module asked for; the binder's answer is on the wire only.
    assert "-Confirm" not in call.describe()


def test_an_explicit_confirm_is_kept_as_given():
    call = CmdletCall("Start-CsPool", {"PoolFqdn": "pool01.contoso.com", "Confirm": True})
    assert call.to_wire()["parameters"][CONFIRM] is True and not call.answers_prompt


def test_a_call_without_confirm_gets_none():
    call = CmdletCall("Get-CsWindowsService", {"Name": "RTCSRV"})
    assert CONFIRM not in call.to_wire()["parameters"]


def test_the_runner_binds_switches_as_switch_parameters():
    body = _function("Invoke-CmdletStep")
    assert "[System.Management.Automation.SwitchParameter][bool]$entry.Value" in body


# -- errors: default preference, -ErrorVariable, a step fails on any error -------------------------

def test_no_step_runs_with_erroraction_stop():
    body = _function("Invoke-CmdletStep")
    assert "ErrorAction = 'Stop'" not in body and "-ErrorAction Stop" not in body.replace(
        "Get-Command -Name $Step.name -CommandType Cmdlet, Function -ErrorAction Stop", "")
    # The default preference, in this scope and the global one that script-module functions read,
    # restored afterwards.
    assert "$global:ErrorActionPreference = 'Continue'" in body
    assert "$global:ErrorActionPreference = $savedPreference" in body[body.index("finally"):]


def test_erroraction_and_errorvariable_only_for_commands_with_common_parameters():
    body = _function("Invoke-CmdletStep")
    guarded = body[body.index("if ($Step.common_parameters) {"):]
    guarded = guarded[:guarded.index("}")]
    assert "$arguments.ErrorAction = 'Continue'" in guarded and "$arguments.ErrorVariable = 'stepErrors'" in guarded
    assert body.count("$arguments.ErrorAction") == 1 and body.count("$arguments.ErrorVariable") == 1
    # Every other command's errors come through the merged error stream.
    assert "& $command @arguments 2>&1" in body


@pytest.mark.parametrize("cmdlet, expected", [("Stop-CsWindowsService", True), ("Enter-CcUpdate", False)])
def test_the_wire_says_whether_the_signature_has_the_common_parameters(cmdlet, expected):
    assert CmdletCall(cmdlet).to_wire()["common_parameters"] is expected


def test_any_error_fails_the_step_and_its_output_still_comes_back():
    body = _function("Invoke-CmdletStep")
    assert "if ($distinct.Count -gt 0)" in body
    assert body.index("$answer.output = Select-PlanOutput") < body.index("if ($distinct.Count -gt 0)")


def test_a_non_terminating_error_fails_its_step_and_the_next_steps_do_not_run():
    # Recorded-style: a whole-server Stop-CsWindowsService stopped two services and wrote an error
    # for the third (PowerShell went on: default preference); the plan stops after that step.
    read = CmdletCall("Get-CsWindowsService", select=("Name", "Status"))
    stop = CmdletCall("Stop-CsWindowsService", {"Graceful": True})
    start = CmdletCall("Start-CsWindowsService")
    answer = {"changed": True, "steps": [
        _step(0, [{"Name": "RTCSRV", "Status": "Running"}]),
        _step(1, [{"Name": "RTCSRV", "Status": "Stopped"}, {"Name": "RTCCAA", "Status": "Stopped"}],
              {"message": "Cannot stop service RTCMEDSRV [1 more error(s): Access is denied.]",
               "category": "InvalidOperation", "error_id": "StopServiceFailed"}),
    ]}
    host, _action = _host([answer])
    result = host.run(Plan.of(read, stop, start))
    assert not result.ok and [r.ok for r in result.results] == [True, False]
    assert result.results[1].output == ({"Name": "RTCSRV", "Status": "Stopped"}, {"Name": "RTCCAA", "Status": "Stopped"})
    assert result.not_run() == [start]
    with pytest.raises(StepFailed) as caught:
        result.raise_for_failure()
    assert caught.value.details["not_run"] == [start.describe()]
    assert caught.value.changed is False  # only a read ran before the failing step
    assert "1 more error" in caught.value.msg


def test_the_runner_stops_after_the_first_failing_step():
    loop = RUNNER[RUNNER.index("foreach ($step in $module.Params.steps)"):]
    assert "if ($null -ne $answer.error) { break }" in loop


# -- modules: PSModulePath from the machine, imported per step --------------------------------------

def test_psmodulepath_is_refreshed_before_the_first_step():
    body = _function("Update-PSModulePath")
    assert "GetEnvironmentVariable('PSModulePath', 'Machine')" in body and "$env:PSModulePath =" in body
    assert RUNNER.index("\nUpdate-PSModulePath") < RUNNER.index("foreach ($step in $module.Params.steps)")


def test_modules_are_imported_per_step_only():
    assert RUNNER.count("Import-Module") == 1 and "Import-Module" in _function("Import-StepModule")
    assert "Import-StepModule -Name $Step.module" in _function("Invoke-CmdletStep")


def test_a_missing_module_is_the_finding_of_its_step():
    # prerequisites_info's plan: Windows reads, then Get-ADGroupMember (ActiveDirectory) last.
    plan = Plan.of(CmdletCall("Get-Service", {"Name": "MpsSvc"}, select=("Name", "Status")),
                   CmdletCall("Get-ADGroupMember", {"Identity": "RTCUniversalServerAdmins", "Recursive": True},
                              select=("SamAccountName",)))
    answer = {"steps": [_step(0, [{"Name": "MpsSvc", "Status": "Running"}]),
                        _step(1, error={"message": "The PowerShell module 'ActiveDirectory' could not be loaded: ...",
                                        "category": "ResourceUnavailable", "error_id": "ModuleMissing:ActiveDirectory"})]}
    host, _action = _host([answer])
    result = host.run(plan)
    assert result.results[0].ok and result.output(0) == [{"Name": "MpsSvc", "Status": "Running"}]
    assert result.results[1].missing_module == "ActiveDirectory"
    with pytest.raises(PowerShellModuleMissing) as caught:
        result.raise_for_failure()
    assert caught.value.details["module"] == "ActiveDirectory" and FE in caught.value.msg


# -- long plans: async job, polled, resumed after a dropped connection, file removed ----------------

def test_every_long_cmdlet_is_documented():
    assert set(LONG_CMDLETS) <= set(documented().names())
    assert all(reason for reason in LONG_CMDLETS.values())


@pytest.mark.parametrize("call", [
    CmdletCall("Invoke-CsComputerFailOver", {"ComputerName": FE}),
    CmdletCall("Start-CsPool", {"PoolFqdn": "pool01.contoso.com"}),
    CmdletCall("Get-CsPoolUpgradeReadinessState"),
], ids=lambda c: c.cmdlet)
def test_a_long_call_makes_the_plan_an_async_job(call):
    assert Plan.of(call).long_reason() == LONG_CMDLETS[call.cmdlet]


def test_a_plan_of_short_reads_runs_in_one_synchronous_call():
    host, action = _host([{"steps": [_step(0)]}])
    host.run(Plan.of(CmdletCall("Get-CsPool")))
    assert [c["wrap_async"] for c in action.module_calls] == [False]


def test_executables_are_long():
    assert Plan.of(Executable(r"C:\setup.exe")).long_reason()


def test_a_connection_dropped_during_failover_is_resumed_by_polling_the_job(monkeypatch):
    monkeypatch.setattr(windows_module, "LONG_PLAN_POLL_SECONDS", 0)
    failover = CmdletCall("Invoke-CsComputerFailOver", {"ComputerName": FE, "WaitTime": "01:00:00"})
    done = {"finished": 1, "changed": True, "ansible_job_id": "4711.88", "steps": [_step(0)]}
    host, action = _host([
        {"ansible_job_id": "4711.88", "started": 1, "finished": 0, "results_file": r"C:\x\4711.88"},
        {"started": 1, "finished": 0, "ansible_job_id": "4711.88"},           # still draining
        AnsibleConnectionFailure("winrm: connection reset"),                   # the connection drops
        {"unreachable": True, "msg": "Failed to connect to the host via winrm"},
        done,                                                                  # back: the job had gone on
        {"ansible_job_id": "4711.88", "erased": r"C:\x\4711.88"},              # cleanup
    ])
    result = host.run(Plan.of(failover))
    assert result.ok
    names = [c["module_name"] for c in action.module_calls]
    assert names == [RUNNER_MODULE] + [ASYNC_STATUS] * 5
    assert action.module_calls[0]["wrap_async"] is True
    assert [c["module_args"]["mode"] for c in action.module_calls[1:]] == ["status"] * 4 + ["cleanup"]
    assert all(c["module_args"]["jid"] == "4711.88" for c in action.module_calls[1:])
    # The start, four polls and the cleanup: each is a round trip the task reports.
    assert host.round_trips == 1 + 4 + 1


def test_a_connection_that_never_comes_back_gives_up_with_the_job_id(monkeypatch):
    monkeypatch.setattr(windows_module, "LONG_PLAN_POLL_SECONDS", 0)
    monkeypatch.setattr(windows_module, "MAX_FAILED_POLLS", 2)
    host, _action = _host([{"ansible_job_id": "9.9", "started": 1}] + [AnsibleConnectionFailure("down")] * 3)
    with pytest.raises(HostUnreachable, match="9.9"):
        host.run(Plan.of(CmdletCall("Start-CsPool", {"PoolFqdn": "pool01.contoso.com"})))


def test_a_job_file_that_cannot_be_removed_is_a_warning_not_a_failure(monkeypatch):
    monkeypatch.setattr(windows_module, "LONG_PLAN_POLL_SECONDS", 0)
    warned = []
    monkeypatch.setattr(windows_module.display, "warning", warned.append)
    host, _action = _host([{"ansible_job_id": "1.1", "started": 1},
                           {"finished": 1, "steps": [_step(0)]},
                           {"failed": True, "msg": "could not find job"}])
    assert host.run(Plan.of(CmdletCall("Start-CsPool", {"PoolFqdn": "pool01.contoso.com"}))).ok
    assert warned and "1.1" in warned[0]


# -- executables: exit code first, OEM code page ----------------------------------------------------

def test_executables_are_judged_on_the_exit_code_before_the_text_is_read():
    body = _function("Invoke-ExecutableStep")
    assert "-output_encoding_override $encoding" in body
    assert body.index("@($Step.success_codes) -notcontains $run.rc") < body.index("$answer.stdout = $run.stdout")


def test_the_default_encoding_is_the_oem_code_page():
    body = _function("Get-OemEncodingName")
    assert r"HKLM:\SYSTEM\CurrentControlSet\Control\Nls\CodePage" in body and "OEMCP" in body
    assert "TextInfo.OEMCodePage" in body


def test_an_executable_may_name_its_encoding():
    assert Executable(r"C:\tool.exe", output_encoding="utf-8").to_wire()["output_encoding"] == "utf-8"
    assert Executable(r"C:\tool.exe").to_wire()["output_encoding"] == ""
