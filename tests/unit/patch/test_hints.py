# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every hint of the maintenance job names something that exists: a module option (and its value among
the choices), a role variable, a cmdlet parameter of the documented signatures, an sfb-twin command and
option. Issue #10: a hint once pointed to `sfb-twin fault --clear`, which does not exist."""

from __future__ import annotations

import importlib
import pathlib
import re

import pytest
import yaml

from ansible_collections.sfb.server.plugins.plugin_utils.host.signatures import documented

REPO = pathlib.Path(__file__).resolve().parents[3]
SOURCES = [
    *sorted((REPO / "roles" / "rolling_patch").rglob("*.yml")),
    REPO / "playbooks" / "patch_pool.yml",
    *(REPO / "plugins" / "action" / f"{name}.py" for name in
      ("drain", "failover", "pool_health_info", "database_update", "cumulative_update", "reboot")),
    REPO / "plugins" / "filter" / "rolling_patch.py",
    REPO / "plugins" / "plugin_utils" / "domain" / "maintenance.py",
    REPO / "plugins" / "plugin_utils" / "state" / "pool.py",
    REPO / "docs" / "maintenance.md",
]
TEXT = "\n".join(path.read_text(encoding="utf-8") for path in SOURCES)
# Documented cmdlets a hint names that the collection never calls (so they are not in its signatures),
# each checked against its page in MicrosoftDocs/office-docs-powershell skype/skype-ps/SkypeForBusiness/.
NAMED_ONLY = {"Uninstall-CsMirrorDatabase": "Uninstall-CsMirrorDatabase.md",
              "Install-CsMirrorDatabase": "Install-CsMirrorDatabase.md",
              "Get-CsPoolBackupRelationship": "Get-CsPoolBackupRelationship.md"}


def _role_variables() -> set[str]:
    specs = yaml.safe_load((REPO / "roles" / "rolling_patch" / "meta" / "argument_specs.yml").read_text())
    return set(specs["argument_specs"]["main"]["options"])


def _module_spec(name: str) -> dict:
    return importlib.import_module(f"ansible_collections.sfb.server.plugins.action.{name}").ActionModule.ARGUMENT_SPEC


def test_module_options_in_hints_exist_with_their_values():
    found = re.findall(r"sfb\.server\.(\w+)(?: with)? ((?:[a-z_]+=[\w]+(?:,? (?:and |or )?)?)+)", TEXT)
    assert found, "the hints name module options"
    for module, options in found:
        spec = _module_spec(module)
        for option, value in re.findall(r"([a-z_]+)=(\w+)", options):
            assert option in spec, f"sfb.server.{module} has no option {option}"
            choices = spec[option].get("choices")
            if choices:
                assert value in choices, f"sfb.server.{module} {option}={value}: not one of {choices}"


def test_role_variables_in_hints_are_role_options():
    named = set(re.findall(r"(rolling_patch_\w+)", TEXT))
    user_facing = {n for n in named if re.search(rf"(-e {n}\b|\b{n}=|role: {n}\b|path in {n}\b|\b{n} <=)", TEXT)}
    assert user_facing, "the hints name role variables"
    # rolling_patch_hosts is the playbook's own variable (playbooks/patch_pool.yml, its first play).
    missing = sorted(user_facing - _role_variables() - {"rolling_patch_hosts"})
    assert not missing, f"hints name role variables the role does not have: {missing}"


def test_cmdlets_and_parameters_in_hints_are_documented():
    signatures = documented()
    known = {name.lower() for name in signatures.names()}
    for cmdlet, parameters in re.findall(r"\b([A-Z][a-z]+-Cs[A-Za-z]+)((?: -[A-Z][A-Za-z]+(?: [<\w.{}>-]+)?)*)", TEXT):
        if cmdlet in NAMED_ONLY:
            continue
        assert cmdlet.lower() in known, f"{cmdlet} is not a documented cmdlet the collection knows"
        data = signatures.get(cmdlet)
        names = {p["name"].lower() for s in data["parameter_sets"] for p in s["parameters"]}
        for parameter in re.findall(r"-([A-Z][A-Za-z]+)", parameters):
            assert parameter.lower() in names, f"{cmdlet} has no parameter -{parameter}"


def test_sfb_twin_commands_in_hints_exist():
    cli = (REPO / "plugins" / "plugin_utils" / "twin" / "cli.py").read_text(encoding="utf-8")
    commands = set(re.findall(r'add_parser\("(\w+)"', cli))
    options = set(re.findall(r'add_argument\("(--[\w-]+)"', cli))
    for command, flags in re.findall(r"sfb-twin (\w+)((?: [\w.-]+)*(?: --[\w-]+)*)", TEXT):
        assert command in commands, f"sfb-twin has no command {command}"
        for flag in re.findall(r"--[\w-]+", flags):
            assert flag in options, f"sfb-twin has no option {flag}"


@pytest.mark.parametrize("hint", ["sfb-twin fault --clear", "sfb.server.failover state=standby",
                                  "sfb.server.drain at_limit=stop_anyway, timeouts=2"])
def test_the_checks_catch_a_hint_that_names_nothing(hint):
    global TEXT
    saved, TEXT = TEXT, hint
    try:
        with pytest.raises(AssertionError):
            if "sfb-twin" in hint:
                test_sfb_twin_commands_in_hints_exist()
            else:
                test_module_options_in_hints_exist_with_their_values()
    finally:
        TEXT = saved
