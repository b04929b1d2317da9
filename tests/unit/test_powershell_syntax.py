# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every PowerShell script of the repository parses, and the checker really catches broken code."""

from __future__ import annotations

import pathlib

import pytest

from powershell_syntax import check_file, check_source, scripts_under

REPO = pathlib.Path(__file__).resolve().parents[2]
SCRIPTS = scripts_under(REPO)


def test_the_runner_is_among_the_scripts():
    assert REPO / "plugins" / "modules" / "plan_runner.ps1" in SCRIPTS


@pytest.mark.parametrize("path", SCRIPTS, ids=[str(p.relative_to(REPO)) for p in SCRIPTS])
def test_script_parses(path):
    problem = check_file(path, REPO)
    assert problem is None, str(problem)


VALID = {
    "splatting": '$p = @{ Name = "RTCSRV"; ErrorAction = "Stop" }\nGet-CsWindowsService @p\n',
    "here-strings": '$s = @"\nline $x\n"@\n$t = @\'\nraw $y\n\'@\n',
    "try/catch/finally": 'try { throw "x" }\ncatch [System.IO.IOException] { $_ }\ncatch { Write-Error $_ }\nfinally { 1 }\n',
    "advanced function": ('function Get-X {\n    [CmdletBinding()]\n    param(\n        [Parameter(Mandatory = $true)]'
                          '[string]$Name,\n        [switch]$Force\n    )\n    process { $Name }\n}\n'),
    "switch": 'switch -Regex ($x) {\n    "^a" { 1; break }\n    default { 2 }\n}\n',
    "unary comma": 'function f { return , @(1, 2) }\n',
    "static call and casts": ('$m = [Ansible.Basic.AnsibleModule]::Create($args, $spec)\n'
                              '$v = [System.Management.Automation.SwitchParameter][bool]$true\n'),
    "sub-expressions": '"value $($x.Name) and ${env:PATH}"\n',
    "pipeline": 'Get-Service | Where-Object { $_.Status -eq "Running" } | ForEach-Object { $_.Name }\n',
    "line continuation": 'Get-CsWindowsService -Name RTCSRV `\n    -ComputerName fe01.contoso.com\n',
    "requires comments": '#Requires -Module Ansible.ModuleUtils.CommandUtil\n#AnsibleRequires -CSharpUtil Ansible.Basic\n',
    "byte order mark": '\ufeffGet-Date\n',
}

BROKEN = {
    "unclosed brace": ('function f {\n    if ($a) {\n        1\n}\n', 4),
    "trailing comma in param block": ('function f { param([string]$a,) }\n', 1),
    "unclosed attribute in param block": ('param([Parameter(Mandatory]$a)\n', 1),
    "unterminated double-quoted string": ('Get-X\n$x = "abc\nGet-Y\n', 2),
    "unterminated single-quoted string": ("Get-X\n$x = 'abc\n", 2),
    "unterminated here-string": ('$s = @"\nabc\n', 1),
    "unclosed parenthesis": ('if ($a -eq 1 { 2 }\n', 1),
    "stray closing brace": ('Get-X\nGet-Y }\n', 2),
    "hashtable entry without value": ('$h = @{ a = 1; b = }\n', 1),
    "unclosed type literal": ('$x = [string $y\n', 1),
}


@pytest.mark.parametrize("name", VALID)
def test_checker_accepts_valid_powershell(name):
    assert check_source(VALID[name]) is None


@pytest.mark.parametrize("name", BROKEN)
def test_checker_catches_broken_powershell(name):
    source, line = BROKEN[name]
    problem = check_source(source, "broken.ps1")
    assert problem is not None, f"{name} was not caught"
    assert problem.path == "broken.ps1"
    assert problem.line == line, str(problem)
    assert str(problem).startswith(f"broken.ps1:{line}:")


def test_missing_token_is_named():
    problem = check_source('$x = [string $y\n')
    assert problem.what == "missing ']'"


def test_scripts_under_skips_hidden_and_virtualenv_folders(tmp_path):
    (tmp_path / "plugins" / "modules").mkdir(parents=True)
    (tmp_path / "plugins" / "modules" / "a.ps1").write_text("Get-Date\n")
    (tmp_path / "plugins" / "module_utils").mkdir()
    (tmp_path / "plugins" / "module_utils" / "B.psm1").write_text("function B { }\n")
    for hidden in (".deps", ".venv-oldest", ".git"):
        (tmp_path / hidden).mkdir()
        (tmp_path / hidden / "x.ps1").write_text("{")
    found = [p.relative_to(tmp_path).as_posix() for p in scripts_under(tmp_path)]
    assert found == ["plugins/module_utils/B.psm1", "plugins/modules/a.ps1"]
