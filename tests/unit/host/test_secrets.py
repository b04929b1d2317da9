# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A secret value reaches no log, result, transcript, error text, command line or async job file.

Fails if a secret could reach:
- module arguments that Ansible.Basic would not mask: the runner's option spec is read from
  plan_runner.ps1 and the module arguments WindowsHost sends are masked the way Ansible.Basic masks
  them (AnsibleModule: SetNoLogValues registers `value.ToString()` of each no_log option and
  sub-option; RemoveNoLogValues for invocation.module_args; FormatLogData for the event log's
  "Invoked with" entry), a model checked below to catch the old no_log dict;
- the runner's result: every answer goes through Hide-Secret before it joins the result (source),
  and the controller scrubs what comes back anyway;
- a transcript, an error message, a task result (module base);
- an executable's command line (the plan refuses it);
- an async job file (the file holds the runner's result; the job's arguments are the same module
  arguments, masked as above; what the poll reads back is scrubbed).
"""

from __future__ import annotations

import json
import re

import pytest
from ansible.errors import AnsibleConnectionFailure

from ansible_collections.sfb.server.plugins.plugin_utils import action as action_module
from ansible_collections.sfb.server.plugins.plugin_utils.errors import StepFailed
from ansible_collections.sfb.server.plugins.plugin_utils.host import windows as windows_module
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Executable, Plan, Secret
from ansible_collections.sfb.server.plugins.plugin_utils.host.redact import MASK, MASKED_VALUE, no_log_values, redact
from ansible_collections.sfb.server.plugins.plugin_utils.host.windows import ASYNC_STATUS, WindowsHost
from sfb_fakes import FakeAction, FakeTask, named

from host.test_runner_contract import RUNNER, _hashtable_block, _runner_spec

PASSWORD = "C0rrect-Horse!"
CA_PASSWORD = "ca-S3cret"


# -- Ansible.Basic's masking, as its source does it ---------------------------------------------

def _basic_spec() -> dict:
    """The runner's options with their sub-options, as Ansible.Basic receives them."""
    spec = _runner_spec()
    sub = _hashtable_block("$secretOptions")
    for name, entry in spec.items():
        if entry.get("options") == "$secretOptions":
            entry["options"] = sub
    return spec


def _set_no_log_values(spec: dict, params: dict, found: set) -> None:
    # SetNoLogValues: the text of a no_log option's value (a dict's text is its type name), then
    # ParseSubSpec does the same for every element of a list of dicts with sub-options.
    for name, option in spec.items():
        value = params.get(name)
        if option.get("no_log") is True and value is not None:
            found.add(value if isinstance(value, str) else f"<{type(value).__name__} type name>")
        sub = option.get("options")
        if isinstance(sub, dict) and value is not None:
            for element in value if isinstance(value, list) else [value]:
                _set_no_log_values(sub, element, found)


def _remove_no_log_values(value, secrets: set):
    # RemoveNoLogValues / RemoveValueConditions: lists and dicts recursed, other values as text.
    if isinstance(value, dict):
        return {k: _remove_no_log_values(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_remove_no_log_values(v, secrets) for v in value]
    if value is None:
        return value
    text = str(value)
    if text in secrets:
        return "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    for secret in secrets:
        if secret in text:
            return text.replace(secret, "********")
    return value


def ansible_basic_views(module_args: dict) -> tuple[str, str]:
    """What Ansible.Basic writes: invocation.module_args (JSON) and the "Invoked with" event text."""
    secrets: set = set()
    _set_no_log_values(_basic_spec(), module_args, secrets)
    invocation = json.dumps(_remove_no_log_values(module_args, secrets))
    event = json.dumps(_remove_no_log_values(module_args, secrets))  # FormatLogData masks each leaf the same way
    return invocation, event


def test_the_model_catches_the_old_no_log_dict():
    # The defect of issue #12: `secrets` as a no_log dict registers only the dict's type name.
    spec = {"secrets": {"type": "dict", "no_log": True}}
    found: set = set()
    _set_no_log_values(spec, {"secrets": {"pfx": PASSWORD}}, found)
    assert PASSWORD in json.dumps(_remove_no_log_values({"secrets": {"pfx": PASSWORD}}, found))


def certificate_plan() -> Plan:
    return Plan.of(
        CmdletCall("Import-CsCertificate", {"Path": r"C:\certs\fe01.pfx", "Password": Secret("pfx")}),
        CmdletCall("Request-CsCertificate", {"New": True, "Type": "Default", "CA": r"ca01.contoso.com\Contoso CA",
                                             "CaAccount": r"CONTOSO\certadmin", "CaPassword": Secret("ca", kind="String")}),
        secrets={"pfx": PASSWORD, "ca": CA_PASSWORD},
    )


def _answer_echoing_the_secrets(module_args=None):
    return {"changed": True, "steps": [
        {"index": 0, "output": [{"Thumbprint": "AB12", "Note": f"imported with {PASSWORD}"}], "error": None,
         "exit_code": None, "stdout": "", "stderr": ""},
        {"index": 1, "output": [], "exit_code": None, "stdout": PASSWORD, "stderr": "",
         "error": {"message": f"The CA refused the request: bad password '{CA_PASSWORD}'", "category": "InvalidResult",
                   "error_id": "RequestFailed"}},
    ]}


class TestModuleArguments:
    def test_every_secret_value_is_masked_by_ansible_basic(self):
        action = FakeAction(answers=[_answer_echoing_the_secrets()])
        WindowsHost(action, {}, "fe01.contoso.com").run(certificate_plan())
        args = action.module_calls[0]["module_args"]
        raw = json.dumps(args)
        assert PASSWORD in raw and CA_PASSWORD in raw, "the secrets must reach the runner"
        invocation, event = ansible_basic_views(args)
        for secret in (PASSWORD, CA_PASSWORD):
            assert secret not in invocation and secret not in event

    def test_secret_values_are_only_under_a_no_log_sub_option(self):
        action = FakeAction(answers=[_answer_echoing_the_secrets()])
        WindowsHost(action, {}, "fe01.contoso.com").run(certificate_plan())
        args = action.module_calls[0]["module_args"]
        without_values = {**args, "secrets": [{"name": s["name"]} for s in args["secrets"]]}
        assert PASSWORD not in json.dumps(without_values) and CA_PASSWORD not in json.dumps(without_values)
        assert _hashtable_block("$secretOptions")["value"]["no_log"] is True


class TestCommandLinesAndPlans:
    def test_a_secret_value_written_in_an_executable_argument_is_refused(self):
        with pytest.raises(ValueError, match="pfx"):
            Plan.of(Executable(r"C:\Tools\certutil.exe", ["-p", PASSWORD, "-importpfx", "fe01.pfx"]),
                    secrets={"pfx": PASSWORD})

    def test_a_secret_reference_cannot_be_an_executable_argument(self):
        with pytest.raises(ValueError, match="command line"):
            Executable(r"C:\Tools\certutil.exe", ["-p", Secret("pfx")])

    def test_a_secret_value_written_as_a_plain_parameter_is_refused(self):
        with pytest.raises(ValueError, match="pfx"):
            Plan.of(CmdletCall("Import-CsCertificate", {"Path": rf"C:\certs\{PASSWORD}.pfx"}), secrets={"pfx": PASSWORD})

    def test_describe_and_repr_carry_no_value(self):
        plan = certificate_plan()
        assert PASSWORD not in " ".join(plan.describe()) + repr(plan)
        assert CA_PASSWORD not in " ".join(plan.describe()) + repr(plan)


class TestAnswers:
    def test_the_runner_masks_every_answer_before_it_joins_the_result(self):
        loop = RUNNER[RUNNER.index("foreach ($step in $module.Params.steps)"):]
        assert "$module.Result.steps += , (Hide-Secret -Value $answer -Secrets $secretTexts)" in loop
        # Nothing else is put in the result: the steps are all it returns.
        assigned = set(re.findall(r"\$module\.Result\.(\w+)\s*\+?=", RUNNER))
        assert assigned == {"steps"}

    def test_the_controller_scrubs_what_came_back_results_transcript_and_error(self):
        host = WindowsHost(FakeAction(answers=[_answer_echoing_the_secrets()]), {}, "fe01.contoso.com")
        result = host.run(certificate_plan())
        seen = json.dumps([r.output for r in result.results]) + json.dumps(result.transcript())
        seen += " ".join(r.stdout for r in result.results)
        with pytest.raises(StepFailed) as caught:
            result.raise_for_failure()
        seen += str(caught.value) + json.dumps(caught.value.to_result())
        assert PASSWORD not in seen and CA_PASSWORD not in seen
        assert MASK in seen


class _EchoModule(action_module.SfbAction):
    """A module whose result, warning and failure quote its own no_log option and a plan's secret."""

    ARGUMENT_SPEC = {"pfx_password": {"type": "str", "no_log": True}, "fail": {"type": "bool", "default": False}}

    def execute(self, host, args, task_vars):
        answer = host.run(certificate_plan())
        if args["fail"]:
            answer.raise_for_failure()
        return {"changed": True, "warnings": [f"password was {args['pfx_password']}"],
                "transcript": answer.transcript(), "commands": certificate_plan().describe(),
                "echo": args["pfx_password"]}


def _run_module(fail: bool) -> dict:
    task = FakeTask(args={"pfx_password": "Opt10n-Pa55", "fail": fail})
    action = FakeAction(answers=[_answer_echoing_the_secrets()], task=task)
    module = named(_EchoModule(task, action._connection, None, None, None, None))
    module._execute_module = action._execute_module
    import ansible_collections.sfb.server.plugins.plugin_utils.action as base
    original = base.host_for
    base.host_for = lambda plugin, task_vars: WindowsHost(action, task_vars, "fe01.contoso.com")
    try:
        return module.run(task_vars={})
    finally:
        base.host_for = original


@pytest.mark.parametrize("fail", [False, True])
def test_no_task_result_carries_a_secret(fail):
    result = _run_module(fail)
    text = json.dumps(result)
    for secret in (PASSWORD, CA_PASSWORD, "Opt10n-Pa55"):
        assert secret not in text
    if fail:
        assert result["failed"] and MASK in result["msg"]
    else:
        assert result["echo"] == MASKED_VALUE and MASK in result["warnings"][0]


def test_no_log_values_follow_sub_options():
    spec = {"ca": {"type": "dict", "options": {"account": {"type": "str"}, "password": {"type": "str", "no_log": True}}},
            "keys": {"type": "list", "elements": "dict", "options": {"value": {"type": "str", "no_log": True}}},
            "token": {"type": "str", "no_log": True}}
    params = {"ca": {"account": "x", "password": "p1"}, "keys": [{"value": "p2"}, {"value": "p3"}], "token": None}
    assert no_log_values(spec, params) == {"p1", "p2", "p3"}
    assert redact({"a": ["p1", "see p2"], "p3": 1}, {"p1", "p2", "p3"}) == {"a": [MASKED_VALUE, f"see {MASK}"], MASKED_VALUE: 1}


class TestAsyncJobs:
    def test_the_job_arguments_are_masked_and_the_job_file_is_read_scrubbed_then_removed(self, monkeypatch):
        monkeypatch.setattr(windows_module, "LONG_PLAN_POLL_SECONDS", 0)
        plan = Plan.of(CmdletCall("Invoke-CsComputerFailOver", {"ComputerName": "fe01.contoso.com"}),
                       CmdletCall("Import-CsCertificate", {"Path": r"C:\c.pfx", "Password": Secret("pfx")}),
                       secrets={"pfx": PASSWORD})
        job_file = {"finished": 1, "changed": True, "steps": [
            {"index": 0, "output": [], "error": None, "exit_code": None, "stdout": "", "stderr": ""},
            {"index": 1, "output": [], "exit_code": None, "stdout": "", "stderr": "",
             "error": {"message": f"wrong password {PASSWORD}", "category": "InvalidData", "error_id": "x"}}]}
        action = FakeAction(answers=[{"ansible_job_id": "j1.100", "started": 1, "finished": 0},
                                     AnsibleConnectionFailure("reset by peer"), job_file, {"erased": "x"}])
        action.get_shell_option = lambda name, default=None: default
        result = WindowsHost(action, {}, "fe01.contoso.com").run(plan)
        start, *polls, cleanup = action.module_calls
        assert start["wrap_async"] is True
        invocation, event = ansible_basic_views(start["module_args"])
        assert PASSWORD not in invocation and PASSWORD not in event
        assert PASSWORD not in json.dumps(result.transcript())
        assert cleanup["module_name"] == ASYNC_STATUS and cleanup["module_args"]["mode"] == "cleanup"
        assert cleanup["module_args"]["jid"] == "j1.100"
