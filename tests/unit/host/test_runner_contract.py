# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The contract between the controller and plan_runner.ps1, checked from the PowerShell source.

No Windows host runs these tests, so the runner's behaviour is not proven here; what is proven is
that both sides speak the same wire format: the step keys the runner reads are the ones the plan
writes, the secret kinds the plan allows are the ones the runner converts, the runner's argument
spec is the one plan_runner.py documents, and the twin answers with the runner's keys.
"""

from __future__ import annotations

import ast
import pathlib
import re

import pytest
import yaml

from ansible_collections.sfb.server.plugins.modules import plan_runner
from ansible_collections.sfb.server.plugins.plugin_utils.host import base, plan as plan_module
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Executable, Plan, Secret
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin, engine
from ansible_collections.sfb.server.plugins.plugin_utils.host.windows import WindowsHost
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore
from sfb_fakes import FakeAction

REPO = pathlib.Path(__file__).resolve().parents[3]
RUNNER = (REPO / "plugins" / "modules" / "plan_runner.ps1").read_text(encoding="utf-8")
ESTATE = REPO / "tests" / "twin" / "estate.yml"


def _members(variable: str) -> set[str]:
    return {m.lower() for m in re.findall(rf"\${variable}\.([A-Za-z_]+)", RUNNER, flags=re.IGNORECASE)}


def _hashtable_keys(assignment: str) -> set[str]:
    """Keys of a one-line `<assignment> = @{ a = ...; b = ... }` in the runner."""
    match = re.search(re.escape(assignment) + r"\s*=\s*@\{(?P<body>[^\n]*)\}", RUNNER)
    assert match, f"{assignment} not found in plan_runner.ps1"
    return {k.lower() for k in re.findall(r"(?:^|;)\s*(\w+)\s*=", match.group("body"))}


def _wire_keys() -> set[str]:
    cmdlet = CmdletCall("Get-CsPool").to_wire()
    executable = Executable("setup.exe").to_wire()
    return {k.lower() for k in cmdlet} | {k.lower() for k in executable}


def test_the_runner_reads_only_keys_the_plan_writes():
    read = _members("step") - {"containskey", "getenumerator"}
    assert read, "no $Step.<key> found: the pattern no longer matches the runner"
    assert read <= _wire_keys(), f"the runner reads step keys the plan never writes: {sorted(read - _wire_keys())}"


def test_every_key_the_plan_writes_is_read_by_the_runner():
    # `module` is informational: the runner imports the plan's `modules` list instead.
    unread = _wire_keys() - _members("step") - {"module"}
    assert not unread, f"plan keys plan_runner.ps1 ignores: {sorted(unread)}"


def test_secret_references_use_the_keys_the_runner_reads():
    wire = Secret("k", kind="PSCredential", username="CONTOSO\\admin").to_wire()
    assert {k.lower() for k in wire} <= _members("value")
    assert "containskey('secret')" in RUNNER.lower()


@pytest.mark.parametrize("kind", [k for k in plan_module._SECRET_KINDS if k != "SecureString"])
def test_every_secret_kind_is_converted_by_the_runner(kind):
    # SecureString is the runner's fall-through; every other kind needs its own branch.
    assert re.search(rf"\.kind\s+-eq\s+'{kind}'", RUNNER), f"plan_runner.ps1 has no branch for secret kind {kind}"


def _runner_spec() -> dict[str, dict]:
    block = re.search(r"options\s*=\s*@\{(?P<body>.*?)\n    \}", RUNNER, flags=re.DOTALL).group("body")
    options = {}
    for name, body in re.findall(r"^\s*(\w+)\s*=\s*@\{(.*)\}\s*$", block, flags=re.MULTILINE):
        entry = {}
        for key, value in re.findall(r"(\w+)\s*=\s*([^;]+)", body):
            value = value.strip()
            entry[key] = {"$true": True, "$false": False, "@()": [], "@{}": {}}.get(
                value, int(value) if value.isdigit() else value.strip("'"))
        options[name] = entry
    return options


def test_runner_spec_is_the_documented_one():
    documented = yaml.safe_load(plan_runner.DOCUMENTATION)["options"]
    spec = _runner_spec()
    assert set(spec) == set(documented)
    for name, doc in documented.items():
        for key in ("type", "elements", "default", "required"):
            assert spec[name].get(key, False if key == "required" else None) == doc.get(
                key, False if key == "required" else None), f"{name}.{key}"
    assert spec["secrets"]["options"] == "$secretOptions"
    sub = _hashtable_block("$secretOptions")
    assert set(sub) == set(documented["secrets"]["suboptions"])
    for name, doc in documented["secrets"]["suboptions"].items():
        assert sub[name]["type"] == doc["type"] and sub[name].get("required") == doc.get("required")


def _hashtable_block(variable: str) -> dict[str, dict]:
    """The one-line entries of a multi-line `<variable> = @{ ... }` hashtable of option specs."""
    block = re.search(re.escape(variable) + r"\s*=\s*@\{(?P<body>.*?)\n\}", RUNNER, flags=re.DOTALL).group("body")
    options = {}
    for name, body in re.findall(r"^\s*(\w+)\s*=\s*@\{(.*)\}\s*$", block, flags=re.MULTILINE):
        options[name] = {key: {"$true": True, "$false": False}.get(value.strip(), value.strip().strip("'"))
                         for key, value in re.findall(r"(\w+)\s*=\s*([^;]+)", body)}
    return options


def test_every_secret_value_is_a_no_log_sub_option():
    # Ansible.Basic's SetNoLogValues registers `value.ToString()` of each no_log option, and, for
    # a list of dicts with sub-options, of each element's no_log sub-options (ParseSubSpec). A dict
    # option's text is its type name: only the sub-option form masks the password itself.
    spec = _runner_spec()
    assert spec["secrets"]["type"] == "list" and spec["secrets"]["elements"] == "dict"
    assert spec["secrets"].get("no_log") is not True, "a no_log list registers only its type name"
    sub = _hashtable_block("$secretOptions")
    assert sub["value"]["no_log"] is True and sub["value"]["type"] == "str"
    assert sub["name"].get("no_log") is not True


def test_windows_host_sends_only_runner_options():
    action = FakeAction(answers=[{"steps": []}])
    WindowsHost(action, {}, "fe01.contoso.com").run(Plan.of())
    assert set(action.module_calls[0]["module_args"]) <= set(_runner_spec())


def _keys_read_by_parse_runner_result() -> set[str]:
    tree = ast.parse(pathlib.Path(base.__file__).read_text(encoding="utf-8"))
    function = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "parse_runner_result")
    return {
        call.args[0].value for call in ast.walk(function)
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "get"
        and isinstance(call.func.value, ast.Name) and call.func.value.id in ("raw", "error")
        and call.args and isinstance(call.args[0], ast.Constant)
    }


def test_runner_answers_carry_what_the_controller_reads():
    answer = _hashtable_keys("$answer") | {"index"}
    error = {"message", "category", "error_id"}
    for key in error:
        assert re.search(rf"^\s*{key}\s*=", RUNNER, flags=re.MULTILINE), f"the runner never sets error.{key}"
    read = _keys_read_by_parse_runner_result()
    assert read, "parse_runner_result reads nothing: the scan no longer matches"
    assert read <= answer | error, f"the controller reads keys the runner never writes: {sorted(read - answer - error)}"


def test_twin_answers_with_the_runner_keys(tmp_path):
    store = WorldStore(str(tmp_path / "w.db"))
    admin.create(store, yaml.safe_load(ESTATE.read_text(encoding="utf-8")))
    plan = Plan.of(CmdletCall("Get-CsWindowsService", {"Name": "RTCSRV"}, select=("Name",)),
                   CmdletCall("Get-CsWindowsService", {"Name": "NOPE"}))
    answer = engine.execute(store, "fe01.contoso.com", plan.to_wire(), plan.modules(), {})
    runner_keys = _hashtable_keys("$answer") | {"index"}
    for step in answer["steps"]:
        assert {k.lower() for k in step} == runner_keys
    assert {k.lower() for k in answer["steps"][1]["error"]} == {"message", "category", "error_id"}


@pytest.mark.parametrize("pattern, why", [
    (r"\$Value\.GetType\(\)\.IsPrimitive", "UInt16/UInt32/Single values (LocalPort, RemotePort) would come back as {}"),
    (r"\$Value -is \[guid\]", "a GUID has no properties: it would come back as {}"),
    (r"\$Value -is \[System\.Net\.IPAddress\]", "Test-NetConnection's RemoteAddress would come back as a property bag"),
    (r"\$Value -is \[enum\]\)\s*\{\s*return \$Value\.ToString\(\)", "enum statuses (Running) must come back as text"),
])
def test_runner_converts_value_types_to_plain_values(pattern, why):
    # A guard on the runner's source, since no PowerShell runs here: removing one of these branches
    # changes what real servers return without any other test noticing.
    function = RUNNER[RUNNER.index("function ConvertTo-PlanValue"):RUNNER.index("function Select-PlanOutput")]
    assert re.search(pattern, function), why


def test_without_select_scalars_come_back_and_objects_do_not(tmp_path):
    # Modules read Test-Path's boolean without a select; the runner and the twin must agree on that.
    select_function = RUNNER[RUNNER.index("function Select-PlanOutput"):RUNNER.index("function ConvertTo-PlanArgument")]
    scalar_branch = select_function.index("[ValueType]")
    no_select_skip = select_function.index("if ($Select.Count -eq 0) { continue }")
    assert scalar_branch < no_select_skip, "the runner must keep scalars before it drops unselected objects"
    store = WorldStore(str(tmp_path / "w.db"))
    admin.create(store, yaml.safe_load(ESTATE.read_text(encoding="utf-8")))
    plan = Plan.of(CmdletCall("Get-CsServerVersion"), CmdletCall("Get-CsWindowsService", {"Name": "RTCSRV"}))
    answer = engine.execute(store, "fe01.contoso.com", plan.to_wire(), plan.modules(), {})
    assert answer["steps"][0]["output"] == ["Skype for Business Server 2019 (7.0.2046.0): Volume license key installed."]
    assert answer["steps"][1]["output"] == []
