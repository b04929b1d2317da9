# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fidelity of the collection to the documented signatures.

- documented.json is an exact copy of the shared reference (scripts/import_signatures.py);
- every CmdletCall written in plugins/ names a documented cmdlet and binds with the parameter
  names it spells out (a static scan, so calls on code paths no test reaches are checked too);
- every windows-*.json file other helpers add is well-formed.
"""

from __future__ import annotations

import ast
import json
import re
import pathlib
import warnings
from dataclasses import dataclass

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.errors import BindError
from ansible_collections.sfb.server.plugins.plugin_utils.host import signatures as signatures_module
from ansible_collections.sfb.server.plugins.plugin_utils.host.signatures import Signatures, documented

REPO = pathlib.Path(__file__).resolve().parents[3]
SIGNATURES_DIR = pathlib.Path(signatures_module.__file__).parent
REFERENCE = REPO.parent / "shared" / "reference" / "cmdlets.json"
PLUGINS = REPO / "plugins"
UNIT_TESTS = REPO / "tests" / "unit"
WINDOWS_FILES = sorted(SIGNATURES_DIR.glob("windows-*.json"))


# -- documented.json against the shared reference ------------------------------------------

@pytest.mark.skipif(not REFERENCE.exists(), reason=f"the shared reference {REFERENCE} is absent (checkout without ../shared)")
@pytest.mark.parametrize("section", ["cmdlets", "source", "conventions", "missing"])
def test_documented_json_is_the_shared_reference(section):
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    copy = json.loads((SIGNATURES_DIR / "documented.json").read_text(encoding="utf-8"))
    if section == "cmdlets":
        assert sorted(copy["cmdlets"]) == sorted(reference["cmdlets"]), "cmdlet lists differ"
        changed = [name for name in reference["cmdlets"] if copy["cmdlets"][name] != reference["cmdlets"][name]]
        assert not changed, f"run scripts/import_signatures.py: these cmdlets differ from the reference: {changed}"
    else:
        assert copy[section] == reference[section], f"run scripts/import_signatures.py: '{section}' differs"


def test_windows_signatures_do_not_redefine_documented_cmdlets():
    # _load refuses duplicates; this names the offending file if one appears.
    documented_names = {n.lower() for n in json.loads((SIGNATURES_DIR / "documented.json").read_text())["cmdlets"]}
    seen: dict[str, str] = {}
    for path in WINDOWS_FILES:
        for name in json.loads(path.read_text(encoding="utf-8"))["cmdlets"]:
            assert name.lower() not in documented_names, f"{path.name} redefines {name}"
            assert name.lower() not in seen, f"{name} is in both {seen.get(name.lower())} and {path.name}"
            seen[name.lower()] = path.name


# -- windows-*.json well-formedness --------------------------------------------------------

# Where a signature was read: "MicrosoftDocs/PowerShell-Docs:reference/5.1/.../Get-Service.md" or a URL.
_DOC_REFERENCE = re.compile(r"^(?:[\w.-]+/[\w.-]+:\S+\.md(?:#\S*)?|https://\S+)$")
_PARAM_KEYS = {"name": str, "type": str, "mandatory": bool, "switch": bool}


def _problems_of(path: pathlib.Path) -> list[str]:
    problems = []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        return [f"not JSON: {exc}"]
    if not isinstance(data.get("cmdlets"), dict) or not data["cmdlets"]:
        return ["no 'cmdlets' object"]
    for name, cmdlet in data["cmdlets"].items():
        where = f"{name}"
        if not isinstance(name, str) or name.count("-") < 1:
            problems.append(f"{where}: not a Verb-Noun name")
        for key in ("module", "doc"):
            if not isinstance(cmdlet.get(key), str) or not cmdlet[key].strip():
                problems.append(f"{where}: '{key}' must name the module / the documentation page")
        if isinstance(cmdlet.get("doc"), str) and cmdlet["doc"].strip() and not _DOC_REFERENCE.match(cmdlet["doc"]):
            problems.append(f"{where}: doc must be owner/repo:path/page.md or an https:// address, not {cmdlet['doc']!r}")
        if "common_parameters" in cmdlet and cmdlet["common_parameters"] not in (True, False, None):
            problems.append(f"{where}: common_parameters must be true, false or null")
        sets = cmdlet.get("parameter_sets")
        if not isinstance(sets, list) or not sets:
            problems.append(f"{where}: needs a non-empty parameter_sets list")
            continue
        set_names = [s.get("name") for s in sets]
        if len(set(set_names)) != len(set_names):
            problems.append(f"{where}: parameter set names repeat: {set_names}")
        if sum(1 for s in sets if s.get("default")) > 1:
            problems.append(f"{where}: more than one default parameter set")
        for pset in sets:
            swhere = f"{where} [{pset.get('name')}]"
            if not isinstance(pset.get("name"), str) or not pset["name"]:
                problems.append(f"{swhere}: a parameter set needs a name")
            params = pset.get("parameters")
            if not isinstance(params, list):
                problems.append(f"{swhere}: 'parameters' must be a list")
                continue
            names = []
            for param in params:
                for key, kind in _PARAM_KEYS.items():
                    if not isinstance(param.get(key), kind):
                        problems.append(f"{swhere}: parameter {param.get('name')!r}: '{key}' must be a {kind.__name__}")
                if isinstance(param.get("name"), str):
                    names.append(param["name"].lower())
                    if param["name"].startswith("-"):
                        problems.append(f"{swhere}: parameter {param['name']!r} is written with a dash")
                if param.get("switch") is True and "switch" not in str(param.get("type", "")).lower():
                    problems.append(f"{swhere}: {param.get('name')} is a switch but its type is {param.get('type')}")
                aliases = param.get("aliases", [])
                if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
                    problems.append(f"{swhere}: {param.get('name')}: aliases must be a list of names")
                allowed = param.get("allowed_values")
                if allowed is not None and (not isinstance(allowed, list) or not allowed):
                    problems.append(f"{swhere}: {param.get('name')}: allowed_values must be a non-empty list")
            if len(set(names)) != len(names):
                problems.append(f"{swhere}: a parameter is listed twice")
    return problems


@pytest.mark.parametrize("path", WINDOWS_FILES, ids=[p.name for p in WINDOWS_FILES])
def test_windows_signature_file_is_well_formed(path):
    problems = _problems_of(path)
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


def test_windows_signature_files_load_with_the_documented_ones():
    names = documented().names()
    for path in WINDOWS_FILES:
        for name in json.loads(path.read_text(encoding="utf-8"))["cmdlets"]:
            assert name in names, f"{name} from {path.name} is not loaded by documented()"


def test_the_well_formedness_check_catches_broken_files(tmp_path):
    broken = tmp_path / "windows-broken.json"
    broken.write_text(json.dumps({"cmdlets": {"Get-Thing": {
        "module": "M", "doc": "",
        "parameter_sets": [{"name": "A", "parameters": [
            {"name": "Force", "type": "String", "mandatory": "no", "switch": True},
            {"name": "-Path", "type": "String", "mandatory": False, "switch": False},
        ]}],
    }}}))
    problems = "\n".join(_problems_of(broken))
    assert "'doc' must name" in problems
    unsourced = tmp_path / "windows-unsourced.json"
    unsourced.write_text(json.dumps({"cmdlets": {"Get-Thing": {
        "module": "M", "doc": "the Get-Thing page", "parameter_sets": [{"name": "A", "parameters": []}]}}}))
    assert "doc must be owner/repo:path/page.md" in "\n".join(_problems_of(unsourced))
    assert "'mandatory' must be a bool" in problems
    assert "is a switch but its type is String" in problems
    assert "written with a dash" in problems
    good = tmp_path / "windows-good.json"
    good.write_text(json.dumps({"cmdlets": {"Get-Thing": {
        "module": "M", "doc": "MicrosoftDocs/Docs:ref/Get-Thing.md", "common_parameters": True,
        "parameter_sets": [{"name": "A", "parameters": [
            {"name": "Force", "type": "SwitchParameter", "mandatory": False, "switch": True}]}],
    }}}))
    assert _problems_of(good) == []


# -- static scan of CmdletCall constructions -----------------------------------------------

@dataclass
class CallSite:
    file: pathlib.Path
    line: int
    cmdlets: list[str] | None  # the possible names; None when they cannot be known statically
    literal_keys: dict[str, ast.expr]  # key -> value expression
    fully_literal: bool
    expression: str

    @property
    def where(self) -> str:
        return f"{self.file.relative_to(REPO)}:{self.line}"


def _is_cmdlet_call(node: ast.Call) -> bool:
    func = node.func
    return (isinstance(func, ast.Name) and func.id == "CmdletCall") or (
        isinstance(func, ast.Attribute) and func.attr == "CmdletCall")


def _argument(node: ast.Call, position: int, keyword: str):
    if len(node.args) > position:
        return node.args[position]
    for kw in node.keywords:
        if kw.arg == keyword:
            return kw.value
    return None


def _string_options(expr) -> set[str] | None:
    """The strings an expression can be: a literal, or a conditional between literals."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        body, orelse = _string_options(expr.body), _string_options(expr.orelse)
        return body | orelse if body is not None and orelse is not None else None
    return None


def _cmdlet_names(name_node, scope) -> list[str] | None:
    """The cmdlet names a call can use: a literal, or a local variable only ever assigned literals
    (`name = "Get-CsPoolUpgradeReadinessState" if old else "Get-CsUpgradeDomainInfo"`)."""
    options = _string_options(name_node) if name_node is not None else None
    if options is None and isinstance(name_node, ast.Name) and scope is not None:
        assigned = [n.value for n in ast.walk(scope) if isinstance(n, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == name_node.id for t in n.targets)]
        found = [_string_options(value) for value in assigned]
        if found and all(f is not None for f in found):
            options = set().union(*found)
    return sorted(options) if options else None


# A call whose cmdlet comes from a table (`CmdletCall(model.certificate_cmdlets(v).server)`) declares
# the names it can take on its own line or the line above: `# cmdlets: Renew-CcServerCertificate, Update-CcServerCertificate`.
_DECLARED = re.compile(r"#\s*cmdlets:\s*(?P<names>[A-Za-z0-9-]+(?:\s*,\s*[A-Za-z0-9-]+)*)")


def _declared_names(lines: list[str], line: int) -> list[str] | None:
    for text in (lines[line - 1], lines[line - 2] if line >= 2 else ""):
        match = _DECLARED.search(text)
        if match:
            return sorted(n.strip() for n in match.group("names").split(","))
    return None


def _enclosing_functions(tree) -> dict[ast.AST, ast.AST]:
    scopes: dict[ast.AST, ast.AST] = {}
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                scopes[node] = function  # inner functions are walked later and win
    return scopes


def scan(paths) -> list[CallSite]:
    sites = []
    for path in paths:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(path))
        lines = source.splitlines()
        scopes = _enclosing_functions(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not _is_cmdlet_call(node):
                continue
            cmdlet = _cmdlet_names(_argument(node, 0, "cmdlet"), scopes.get(node)) or _declared_names(lines, node.lineno)
            params = _argument(node, 1, "parameters")
            keys: dict[str, ast.expr] = {}
            fully_literal = True
            if params is None:
                pass
            elif isinstance(params, ast.Dict):
                for key, value in zip(params.keys, params.values):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        keys[key.value] = value
                    else:  # **spread or a computed key
                        fully_literal = False
            else:
                fully_literal = False
            sites.append(CallSite(path, node.lineno, cmdlet, keys, fully_literal, ast.unparse(node)))
    return sites


def _python_files():
    return sorted(p for p in PLUGINS.rglob("*.py") if "__pycache__" not in p.parts)


SITES = scan(_python_files())


def _dummy(signatures: Signatures, cmdlet: str, parameter: str, expression: ast.expr):
    if isinstance(expression, ast.Constant):
        return expression.value  # a literal value is bound as written
    if signatures.is_switch(cmdlet, parameter):
        return True
    for pset in signatures.get(cmdlet)["parameter_sets"]:
        for param in pset["parameters"]:
            if param["name"] == parameter:
                if param.get("allowed_values"):
                    return param["allowed_values"][0]
                if "bool" in param["type"].lower():
                    return True
    return "x"


def _check_name(signatures: Signatures, cmdlet: str, given: str) -> None:
    """Raise BindError when `given` is not a parameter of `cmdlet` (or its value kind is wrong).

    The name is bound alone: an error about parameter sets or missing mandatory parameters then
    says nothing about the name, because the rest of the call is only known at run time.
    """
    try:
        signatures.bind(cmdlet, {given: _dummy(signatures, cmdlet, given, ast.Name(id="_"))})
    except BindError as exc:
        if "parameter" in exc.details:
            raise


def bind_site(signatures: Signatures, site: CallSite) -> str | None:
    """None when the site binds; otherwise what is wrong with it."""
    if site.cmdlets is None:
        return ("the cmdlet name is neither a string literal nor a local variable assigned only literals, so "
                "it cannot be checked against the signatures; name the cmdlets it can be in a comment on the "
                "line of the call or the line above: `# cmdlets: Verb-NounA, Verb-NounB`")
    for cmdlet in site.cmdlets:
        try:
            signatures.get(cmdlet)
            for given in site.literal_keys:
                _check_name(signatures, cmdlet, given)
            if site.fully_literal:
                values = {given: _dummy(signatures, cmdlet, given, expr) for given, expr in site.literal_keys.items()}
                signatures.bind(cmdlet, values)
        except BindError as exc:
            return exc.msg
    return None


def test_the_scan_finds_the_known_calls():
    # If the scan stops recognising calls, every other check here would pass vacuously.
    cmdlets = {(site.file.name, name) for site in SITES for name in site.cmdlets or ()}
    assert ("topology.py", "Get-CsComputer") in cmdlets
    assert ("service_info.py", "Get-CsWindowsService") in cmdlets


@pytest.mark.parametrize("site", SITES, ids=[s.where for s in SITES])
def test_every_cmdlet_call_in_plugins_binds(site):
    problem = bind_site(documented(), site)
    assert problem is None, f"{site.where}: {site.expression}\n  -> {problem}"


def _tests_mentioning(stem: str) -> list[pathlib.Path]:
    """Unit tests, or Molecule scenarios (they run the module on the twin), that name the plugin."""
    this = pathlib.Path(__file__).resolve()
    candidates = [*UNIT_TESTS.rglob("test_*.py"), *(REPO / "extensions" / "molecule").rglob("*.yml")]
    return [p for p in candidates if p.resolve() != this and stem in p.read_text(encoding="utf-8")]


def _importers(path: pathlib.Path) -> list[pathlib.Path]:
    """Plugins that import `path` (a plugin_utils helper is exercised through the modules using it)."""
    pattern = re.compile(rf"^\s*(?:from\s+\S+\s+)?import\s.*\b{re.escape(path.stem)}\b|^\s*from\s+\S*\b{re.escape(path.stem)}\b\s+import",
                         re.MULTILINE)
    return [p for p in _python_files() if p != path and pattern.search(p.read_text(encoding="utf-8"))]


def _covered(path: pathlib.Path) -> bool:
    return bool(_tests_mentioning(path.stem)) or any(_tests_mentioning(p.stem) for p in _importers(path))


def test_sites_with_computed_parameters_are_covered_by_tests():
    partial = [s for s in SITES if not s.fully_literal]
    if partial:
        warnings.warn(
            "CmdletCall sites whose parameters are built at run time (only their literal names were checked "
            "statically; their tests bind the rest): " + "; ".join(s.where for s in partial),
            stacklevel=1,
        )
    uncovered = sorted({s.file.stem for s in partial if not _covered(s.file)})
    assert not uncovered, (
        f"these plugins build CmdletCall parameters at run time, but no tests/unit/**/test_*.py nor "
        f"extensions/molecule/**/*.yml names them or a plugin importing them: {uncovered}; add tests that run "
        f"those code paths")


class TestTheScannerItself:
    """The scanner must fail on the mistakes it exists to catch."""

    def _sites(self, tmp_path, source):
        path = tmp_path / "plugin.py"
        path.write_text(source)
        return scan([path])

    def test_unknown_parameter_is_reported(self, tmp_path):
        (site,) = self._sites(tmp_path, 'CmdletCall("Start-CsWindowsService", {"Graceful": True})')
        assert "Graceful" in bind_site(documented(), site)

    def test_literal_non_switch_value_for_a_switch_is_reported(self, tmp_path):
        (site,) = self._sites(tmp_path, 'CmdletCall("Get-CsWindowsService", {"ExcludeActivityLevel": "yes"})')
        assert "is a switch" in bind_site(documented(), site)

    def test_missing_mandatory_in_a_literal_dict_is_reported(self, tmp_path):
        (site,) = self._sites(tmp_path, 'x = plan.CmdletCall("Start-CsPool", {"Force": True})')
        assert "PoolFqdn" in bind_site(documented(), site)

    def test_unknown_key_next_to_a_spread_is_reported(self, tmp_path):
        (site,) = self._sites(tmp_path, 'CmdletCall("Get-CsWindowsService", {"Nmae": n, **extra})')
        assert not site.fully_literal
        assert "Nmae" in bind_site(documented(), site)

    def test_non_literal_cmdlet_name_is_reported(self, tmp_path):
        (site,) = self._sites(tmp_path, 'def f(name):\n    return CmdletCall(name, {})')
        assert "neither a string literal" in bind_site(documented(), site)
        (site,) = self._sites(tmp_path, 'def f(x):\n    name = x + "-CsPool"\n    return CmdletCall(name)')
        assert "neither a string literal" in bind_site(documented(), site)

    def test_importers_of_a_helper_are_found(self):
        helper = PLUGINS / "plugin_utils" / "host" / "plan.py"
        assert PLUGINS / "action" / "service_info.py" in _importers(helper)

    def test_declared_names_are_checked(self, tmp_path):
        source = ('def f(v):\n    # cmdlets: Renew-CcServerCertificate, Update-CcServerCertificate\n'
                  '    return CmdletCall(model.table(v).server)')
        (site,) = self._sites(tmp_path, source)
        assert site.cmdlets == ["Renew-CcServerCertificate", "Update-CcServerCertificate"]
        assert bind_site(documented(), site) is None
        (site,) = self._sites(tmp_path, 'CmdletCall(table[v], {"Force": True})  # cmdlets: Get-CsPool')
        assert "Force" in bind_site(documented(), site)

    def test_variable_assigned_literals_is_checked_for_each_value(self, tmp_path):
        source = 'def f(old):\n    name = "Get-CsPool" if old else "Get-CsNoSuchPool"\n    return CmdletCall(name)'
        (site,) = self._sites(tmp_path, source)
        assert site.cmdlets == ["Get-CsNoSuchPool", "Get-CsPool"]
        assert "Get-CsNoSuchPool" in bind_site(documented(), site)
        (site,) = self._sites(tmp_path, source.replace("Get-CsNoSuchPool", "Get-CsComputer"))
        assert bind_site(documented(), site) is None

    def test_variable_values_get_dummies_of_the_right_kind(self, tmp_path):
        (site,) = self._sites(tmp_path, 'CmdletCall(cmdlet="Stop-CsWindowsService", parameters={"Name": n, "Graceful": g})')
        assert bind_site(documented(), site) is None

    def test_unknown_cmdlet_is_reported(self, tmp_path):
        (site,) = self._sites(tmp_path, 'CmdletCall("Disable-CsReplica")')
        assert "not a documented cmdlet" in bind_site(documented(), site)


def test_every_cmdlet_the_plugins_call_is_answered_by_the_twin():
    # Without a handler the twin raises NotImplementedError mid-play: Molecule runs would break.
    from ansible_collections.sfb.server.plugins.plugin_utils.twin import cmdlets as registry

    registry.load()
    unanswered = sorted({f"{name} ({site.where})" for site in SITES for name in site.cmdlets or ()
                         if registry.handler_for(name) is None})
    assert not unanswered, f"add twin handlers (plugin_utils/twin/cmdlets/) for: {unanswered}"


def test_every_twin_handler_is_a_documented_cmdlet():
    from ansible_collections.sfb.server.plugins.plugin_utils.twin import cmdlets as registry

    registry.load()
    documented_names = {name.lower() for name in documented().names()}
    assert not sorted((set(registry.CMDLETS) | set(registry.EXTENSIONS)) - documented_names)
