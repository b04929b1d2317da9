# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each module's documentation stub says what its action plugin accepts.

For every plugins/modules/X.py with a plugins/action/X.py, the DOCUMENTATION options (with the
collection's doc fragments merged) must match ActionModule.ARGUMENT_SPEC: names, type, required,
default, choices, elements, aliases, suboptions; options that hold secrets are no_log. EXAMPLES and
RETURN must be YAML, and the examples may only use documented options. New modules are picked up
without editing this file.
"""

from __future__ import annotations

import importlib
import pathlib
import re

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

REPO = pathlib.Path(__file__).resolve().parents[2]
MODULES = REPO / "plugins" / "modules"
ACTIONS = REPO / "plugins" / "action"
FRAGMENTS = REPO / "plugins" / "doc_fragments"
PACKAGE = "ansible_collections.sfb.server.plugins"
SECRET_WORDS = re.compile(r"password|secret|credential", re.IGNORECASE)

PAIRS = sorted(p.stem for p in MODULES.glob("*.py") if (ACTIONS / p.name).exists() and p.stem != "__init__")


def _module(stem):
    return importlib.import_module(f"{PACKAGE}.modules.{stem}")


def _spec(stem) -> dict:
    return importlib.import_module(f"{PACKAGE}.action.{stem}").ActionModule.ARGUMENT_SPEC


def _fragment(name: str) -> dict | None:
    """The DOCUMENTATION of one of this collection's fragments (sfb.server.x or sfb.server.x.variant)."""
    if not name.startswith("sfb.server."):
        return None  # another collection's fragment: not ours to check
    parts = name.split(".")[2:]
    path = FRAGMENTS / f"{parts[0]}.py"
    assert path.exists(), f"doc fragment {name} is not in plugins/doc_fragments/"
    holder = importlib.import_module(f"{PACKAGE}.doc_fragments.{parts[0]}").ModuleDocFragment
    attribute = parts[1].upper() if len(parts) > 1 else "DOCUMENTATION"
    return yaml.safe_load(getattr(holder, attribute))


def documentation(stem) -> dict:
    doc = yaml.safe_load(_module(stem).DOCUMENTATION)
    options = dict(doc.get("options") or {})
    attributes = dict(doc.get("attributes") or {})
    fragments = doc.get("extends_documentation_fragment") or []
    for name in [fragments] if isinstance(fragments, str) else fragments:
        fragment = _fragment(name) or {}
        for option, data in (fragment.get("options") or {}).items():
            options.setdefault(option, data)
        for attribute, data in (fragment.get("attributes") or {}).items():
            attributes.setdefault(attribute, data)
    doc["options"] = options
    doc["attributes"] = attributes
    return doc


def _compare(doc_options: dict, spec: dict, where: str) -> list[str]:
    problems = []
    for name in sorted(set(doc_options) - set(spec)):
        problems.append(f"{where}{name}: documented but not in ARGUMENT_SPEC")
    for name in sorted(set(spec) - set(doc_options)):
        problems.append(f"{where}{name}: in ARGUMENT_SPEC but not documented")
    for name in sorted(set(doc_options) & set(spec)):
        doc, arg = doc_options[name] or {}, spec[name]
        checks = {
            "type": (doc.get("type", "str"), arg.get("type", "str")),
            "required": (bool(doc.get("required", False)), bool(arg.get("required", False))),
            "default": (doc.get("default"), arg.get("default")),
            "choices": (doc.get("choices"), arg.get("choices")),
            "elements": (doc.get("elements"), arg.get("elements")),
            "aliases": (sorted(doc.get("aliases") or []), sorted(arg.get("aliases") or [])),
        }
        if "no_log" in doc:
            checks["no_log"] = (bool(doc["no_log"]), bool(arg.get("no_log", False)))
        for key, (documented, accepted) in checks.items():
            if documented != accepted:
                problems.append(f"{where}{name}: {key} is {documented!r} in DOCUMENTATION but {accepted!r} in ARGUMENT_SPEC")
        if SECRET_WORDS.search(name) and not arg.get("no_log"):
            problems.append(f"{where}{name}: holds a secret by its name but is not no_log in ARGUMENT_SPEC")
        if SECRET_WORDS.search(name) and doc.get("no_log") is False:
            problems.append(f"{where}{name}: holds a secret by its name but DOCUMENTATION says no_log false")
        if doc.get("required") and "default" in doc:
            problems.append(f"{where}{name}: required options take no default")
        # Documentation says `suboptions` where an argument spec says `options`.
        if doc.get("suboptions") or arg.get("options"):
            problems.extend(_compare(doc.get("suboptions") or {}, arg.get("options") or {}, f"{where}{name}."))
    return problems


def test_the_module_list_is_not_empty():
    assert {"service_info", "server_info"} <= set(PAIRS)


@pytest.mark.parametrize("stem", PAIRS)
def test_documentation_matches_the_argument_spec(stem):
    doc = documentation(stem)
    assert doc["module"] == stem, f"DOCUMENTATION says module {doc['module']!r} in {stem}.py"
    for key in ("short_description", "description", "author", "version_added"):
        assert doc.get(key), f"{stem}: DOCUMENTATION needs {key}"
    problems = _compare(doc["options"], _spec(stem), "")
    assert not problems, f"{stem}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("stem", PAIRS)
def test_check_and_diff_mode_support_is_documented(stem):
    # ansible-doc shows these; the quality bar asks every module to say how it behaves in check mode.
    attributes = documentation(stem)["attributes"]
    for name in ("check_mode", "diff_mode"):
        support = (attributes.get(name) or {}).get("support")
        assert support in ("full", "partial", "none"), (
            f"{stem}: DOCUMENTATION needs attributes.{name}.support (full, partial or none), directly or "
            f"through a doc fragment such as sfb.server.info")


@pytest.mark.parametrize("stem", PAIRS)
def test_argument_spec_is_valid_for_ansible(stem):
    # A spec Ansible cannot use fails every task of the module; catch it here with the same validator.
    validator = ArgumentSpecValidator(_spec(stem))
    result = validator.validate({})
    unexpected = [e for e in result.errors if "missing required arguments" not in str(e)]
    assert not unexpected, f"{stem}: {[str(e) for e in unexpected]}"


@pytest.mark.parametrize("stem", PAIRS)
def test_examples_are_tasks_that_use_documented_options(stem):
    examples = yaml.safe_load(_module(stem).EXAMPLES)
    assert isinstance(examples, list) and examples, f"{stem}: EXAMPLES must be a YAML list of tasks"
    options = documentation(stem)["options"]
    accepted = set(options) | {a for o in options.values() for a in (o or {}).get("aliases", [])}
    used = 0
    for task in examples:
        assert isinstance(task, dict), f"{stem}: every example must be a task (a mapping)"
        assert task.get("name"), f"{stem}: example task without a name: {task}"
        for key in (f"sfb.server.{stem}",):
            if key in task:
                used += 1
                args = task[key] or {}
                assert isinstance(args, dict), f"{stem}: example arguments must be a mapping: {args!r}"
                unknown = set(args) - accepted
                assert not unknown, f"{stem}: example '{task['name']}' uses undocumented options {sorted(unknown)}"
        assert stem not in task, f"{stem}: examples must use the FQCN sfb.server.{stem}"
    assert used, f"{stem}: no example calls sfb.server.{stem}"


@pytest.mark.parametrize("stem", PAIRS)
def test_return_is_yaml(stem):
    returned = yaml.safe_load(_module(stem).RETURN)
    assert returned is None or isinstance(returned, dict), f"{stem}: RETURN must be a mapping"
    for key, data in (returned or {}).items():
        assert isinstance(data, dict) and data.get("description"), f"{stem}: RETURN {key} needs a description"
        assert data.get("returned"), f"{stem}: RETURN {key} needs 'returned'"
        assert data.get("type"), f"{stem}: RETURN {key} needs 'type'"


class TestTheComparisonItself:
    """The checker must see the mismatches it exists to find."""

    def test_finds_each_kind_of_mismatch(self):
        doc = {
            "name": {"type": "list", "elements": "str", "default": []},
            "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
            "admin_password": {"type": "str", "required": True},
            "only_documented": {"type": "int"},
        }
        spec = {
            "name": {"type": "list", "elements": "dict", "default": []},
            "state": {"type": "str", "choices": ["present"], "default": "absent"},
            "admin_password": {"type": "str", "required": False},
            "only_in_spec": {"type": "bool"},
        }
        problems = "\n".join(_compare(doc, spec, ""))
        assert "name: elements is 'str' in DOCUMENTATION but 'dict'" in problems
        assert "state: default is 'present'" in problems
        assert "state: choices" in problems
        assert "admin_password: required is True" in problems
        assert "admin_password: holds a secret by its name but is not no_log" in problems
        assert "only_documented: documented but not in ARGUMENT_SPEC" in problems
        assert "only_in_spec: in ARGUMENT_SPEC but not documented" in problems

    def test_matching_options_pass(self):
        doc = {"pfx_password": {"type": "str", "no_log": True}, "path": {"type": "path", "required": True}}
        spec = {"pfx_password": {"type": "str", "no_log": True}, "path": {"type": "path", "required": True}}
        assert _compare(doc, spec, "") == []

    def test_suboptions_are_compared(self):
        doc = {"site": {"type": "dict", "suboptions": {"name": {"type": "str"}}}}
        spec = {"site": {"type": "dict", "options": {"name": {"type": "int"}}}}
        assert any("site.name: type" in p for p in _compare(doc, spec, ""))
