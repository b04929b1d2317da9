# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWX / Automation Controller job templates from the roles' argument specs.

A survey question is one of AWX's seven types (text, textarea, password, integer, float,
multiplechoice, multiselect), and an answer reaches the playbook as an extra variable of the JSON type
of its question: a string, an integer, a float, or a list for a multiselect. An argument spec knows
more types than that. A question whose answer already has the role's type asks for the role's
variable itself; the others (a bool, a list or dict typed as YAML) ask for `survey_<variable>`, and
the job template's own extra variables turn that answer into the role's type with a Jinja
expression. AWX allows Jinja in a job template's saved extra variables (ALLOW_JINJA_IN_EXTRA_VARS
defaults to "template"), never in answers.

`survey_errors` holds a survey to the rules AWX's API applies when a survey is saved, and
`launch_extra_vars` gives the extra variables AWX passes when a job is launched with every default
taken (both learned from AWX's JobTemplateSurveySpec and SurveyJobTemplateMixin).
"""

from __future__ import annotations

import json
import re
from typing import Any

QUESTION_TYPES = ("text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect")
ANSWER_PREFIX = "survey_"
# AWX keeps these prefixes for the variables it sets itself (awx_job_id, tower_user_name ...).
RESERVED_PREFIXES = ("awx_", "tower_")
SECRET_NAME = re.compile(r"(password|passphrase|secret|token|private_key)$")
# `hosts: "{{ deploy_hosts | default('sfb') }}"`: the play's target, a variable with its default.
PLAY_HOSTS = re.compile(r"^\s*(?:-\s+)?hosts:(.*)$", re.MULTILINE)
HOSTS_VARIABLE = re.compile(r"""\b([a-z][a-z0-9_]*_(?:hosts?|host))\s*\|\s*default\(\s*['"]([^'"]*)['"]\s*\)""")


class SurveyError(ValueError):
    """An argument spec or job template definition that cannot become a valid survey."""


def hosts_variables(playbook_text: str) -> dict[str, str]:
    """The `*_hosts` variables a playbook's plays target, each with its default, in order of use."""
    found: dict[str, str] = {}
    # Only a play's `hosts:` line: a `*_host` variable used elsewhere (delegate_to, an assert) is no target.
    for line in PLAY_HOSTS.findall(playbook_text):
        for name, default in HOSTS_VARIABLE.findall(line):
            found.setdefault(name, default)
    return found


def _is_secret(name: str, option: dict) -> bool:
    return bool(option.get("no_log")) or bool(SECRET_NAME.search(name))


def _description(option: dict) -> str:
    text = option.get("description", "")
    if isinstance(text, list):
        text = " ".join(str(part) for part in text)
    # Ansible's markup (C(x), I(x), V(x) ...) reads as plain text in AWX's form.
    return re.sub(r"\b[A-Z]\(([^)]*)\)", r"\1", str(text)).strip()


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def question(name: str, option: dict) -> tuple[dict, dict]:
    """The survey question for one argument spec option, and the job template extra variables it needs.

    Returns (question, extra_vars): extra_vars maps the role's variable to the Jinja expression that
    turns the answer into its type, and is empty when the question asks for the variable itself.
    """
    kind = option.get("type", "str")
    choices = option.get("choices")
    required = bool(option.get("required", False))
    has_default = "default" in option and option["default"] is not None
    default = option.get("default")
    q: dict[str, Any] = {
        "question_name": name.replace("_", " ").capitalize(),
        "question_description": _description(option),
        "variable": name,
        "required": required and not has_default,
    }
    conversion = None
    if kind == "list" and choices:
        q.update(type="multiselect", choices=[str(c) for c in choices])
        if has_default:
            q["default"] = "\n".join(str(v) for v in default)
    elif choices:
        q.update(type="multiplechoice", choices=[str(c) for c in choices])
        if has_default:
            q["default"] = str(default)
        if kind == "int":
            conversion = "int"
        elif kind == "float":
            conversion = "float"
        elif kind == "bool":
            conversion = "bool"
    elif kind == "bool":
        q.update(type="multiplechoice", choices=["true", "false"], default="true" if default else "false")
        conversion = "bool"
    elif kind == "int":
        q["type"] = "integer"
        if has_default:
            q["default"] = int(default)
    elif kind == "float":
        q["type"] = "float"
        if has_default:
            q["default"] = float(default)
    elif kind in ("list", "dict"):
        # The answer is YAML (JSON is YAML): a list or a mapping typed in the text area.
        q["type"] = "textarea"
        q["question_description"] = (q["question_description"] + f" (YAML or JSON {kind})").strip()
        if has_default or not required:
            q["default"] = _json(default if has_default else ([] if kind == "list" else {}))
        conversion = "from_yaml"
    elif kind in ("str", "path", "raw"):
        q["type"] = "password" if _is_secret(name, option) else "text"
        if has_default:
            q["default"] = str(default)
    else:
        raise SurveyError(f"Option {name} has type {kind!r}, which no AWX survey question can carry: "
                          "give it a str, int, float, bool, list or dict type.")
    if conversion is None:
        return q, {}
    answer = ANSWER_PREFIX + name
    q["variable"] = answer
    return q, {name: "{{ %s | %s }}" % (answer, conversion)}


def job_template(definition: dict, argument_specs: dict[str, dict], playbook_text: str) -> dict:
    """A job template's survey and extra variables, from its definition and its roles' argument specs.

    definition: name, playbook, description, and optionally `roles` (a list of {role, entry_point}),
    `not_asked` (option -> why: the inventory gives it per host, the playbook computes it, a
    credential injects it), `optional` (options an entry point requires only in a flow the playbook
    checks itself) and `questions` (the playbook's own variables, as argument spec options).
    argument_specs: role name -> the role's meta/argument_specs.yml, loaded. playbook_text: the
    playbook, for its `*_hosts` variables.
    """
    name = definition["name"]
    skip = set(definition.get("not_asked") or {})
    optional = set(definition.get("optional") or [])
    spec: list[dict] = []
    extra_vars: dict[str, str] = {}
    seen: set[str] = set()

    def add(option_name: str, option: dict) -> None:
        if option_name in skip or option_name in seen:
            return
        if option_name.startswith(RESERVED_PREFIXES) or option_name.startswith(ANSWER_PREFIX):
            raise SurveyError(f"Job template {name}: variable {option_name} uses a prefix AWX or this "
                              "generator keeps for itself.")
        seen.add(option_name)
        if option_name in optional:
            option = {**option, "required": False}
        q, conversion = question(option_name, option)
        spec.append(q)
        extra_vars.update(conversion)

    for host_variable, default in hosts_variables(playbook_text).items():
        add(host_variable, {"type": "str", "default": default,
                            "description": f"The inventory hosts or group pattern the play targets (default {default})."})
    for extra in definition.get("questions", []):
        extra = dict(extra)
        add(extra.pop("variable"), extra)
    for use in definition.get("roles", []):
        role, entry_point = use["role"], use.get("entry_point", "main")
        try:
            options = argument_specs[role]["argument_specs"][entry_point].get("options") or {}
        except KeyError as exc:
            raise SurveyError(f"Job template {name}: role {role} has no argument spec entry point "
                              f"{entry_point} (roles/{role}/meta/argument_specs.yml).") from exc
        for option_name, option in options.items():
            add(option_name, option or {})
    if not spec:
        raise SurveyError(f"Job template {name} would have an empty survey, which AWX refuses.")
    survey = {"name": name, "description": definition.get("description", ""), "spec": spec}
    errors = survey_errors(survey)
    if errors:
        raise SurveyError(f"Job template {name}: the generated survey breaks AWX's rules: " + "; ".join(errors))
    return {
        "name": name,
        "playbook": definition["playbook"],
        "description": definition.get("description", ""),
        "survey_spec": survey,
        "extra_vars": extra_vars,
    }


def _choices(q: dict) -> list[str]:
    choices = q.get("choices", [])
    if isinstance(choices, str):
        choices = [c for c in choices.splitlines() if c.strip()]
    return list(choices)


def _default_ok(kind: str, default: Any) -> bool:
    if kind == "integer":
        return isinstance(default, int) and not isinstance(default, bool)
    if kind == "float":
        return isinstance(default, (int, float)) and not isinstance(default, bool)
    return isinstance(default, str)


def survey_errors(survey: Any) -> list[str]:
    """What AWX's API would refuse in this survey when it is saved; empty when it is valid."""
    if not isinstance(survey, dict):
        return ["the survey is not a mapping"]
    errors = []
    for field, expected in (("name", str), ("description", str), ("spec", list)):
        if field not in survey:
            errors.append(f"field {field!r} is missing")
        elif not isinstance(survey[field], expected):
            errors.append(f"field {field!r} must be a {expected.__name__}")
    if errors:
        return errors
    if not survey["spec"]:
        return ["'spec' holds no question"]
    variables: set[str] = set()
    for index, q in enumerate(survey["spec"]):
        where = f"question {index}"
        if not isinstance(q, dict):
            errors.append(f"{where} is not a mapping")
            continue
        missing = [f for f in ("type", "question_name", "variable", "required") if f not in q]
        if missing:
            errors.append(f"{where} lacks {', '.join(missing)}")
            continue
        where = f"question {index} ({q['variable']})"
        if not all(isinstance(q[f], str) for f in ("type", "question_name", "variable")):
            errors.append(f"{where}: type, question_name and variable must be strings")
            continue
        if not isinstance(q["required"], bool):
            errors.append(f"{where}: required must be a boolean")
        if q["variable"] in variables:
            errors.append(f"{where}: variable is asked twice")
        variables.add(q["variable"])
        kind = q["type"]
        if kind not in QUESTION_TYPES:
            errors.append(f"{where}: type {kind!r} is not one of {', '.join(QUESTION_TYPES)}")
            continue
        if "default" in q and q["default"] != "" and not _default_ok(kind, q["default"]):
            errors.append(f"{where}: default {q['default']!r} does not fit type {kind}")
        for limit in ("min", "max"):
            if q.get(limit) is not None and not isinstance(q[limit], int):
                errors.append(f"{where}: {limit} must be an integer")
        if kind in ("multiplechoice", "multiselect"):
            if "choices" not in q:
                errors.append(f"{where}: a {kind} question needs choices")
                continue
            if isinstance(q.get("default"), str) and q["default"]:
                defaults = [d for d in q["default"].splitlines() if d.strip()]
                if kind == "multiplechoice" and len(defaults) > 1:
                    errors.append(f"{where}: a multiplechoice question has one default at most")
                if any(d not in _choices(q) for d in defaults):
                    errors.append(f"{where}: default {q['default']!r} is not among the choices")
        if isinstance(q.get("default"), str) and q["default"].startswith("$encrypted$"):
            errors.append(f"{where}: $encrypted$ is AWX's placeholder for a stored password, not a default")
    return errors


def answer_errors(q: dict, answers: dict) -> list[str]:
    """What AWX refuses in one answer at launch (a value of the wrong type, a choice not offered)."""
    variable = q["variable"]
    if variable not in answers:
        return [f"{variable}: an answer is required"] if q["required"] else []
    value, kind = answers[variable], q["type"]
    if kind in ("text", "textarea", "password") and not isinstance(value, str):
        return [f"{variable}: {value!r} is not a string"]
    # AWX compares the type itself: a boolean is no integer.
    if kind == "integer" and (not isinstance(value, int) or isinstance(value, bool)):
        return [f"{variable}: {value!r} is not an integer"]
    if kind == "float" and (not isinstance(value, (int, float)) or isinstance(value, bool)):
        return [f"{variable}: {value!r} is not a number"]
    if kind == "multiselect":
        if not isinstance(value, list):
            return [f"{variable}: {value!r} is not a list"]
        return [f"{variable}: {v!r} is not one of {_choices(q)}" for v in value if v not in _choices(q)]
    if kind == "multiplechoice" and value not in _choices(q):
        return [f"{variable}: {value!r} is not one of {_choices(q)}"]
    return []


def launch_extra_vars(template: dict, answers: dict | None = None) -> dict:
    """The extra variables of a job launched from this template: its own extra variables, then each
    survey default that is a valid answer, then the answers given (AWX's order of precedence)."""
    answers = dict(answers or {})
    extra_vars = dict(template.get("extra_vars") or {})
    for q in template["survey_spec"]["spec"]:
        default = q.get("default")
        if default is not None and not answer_errors(q, {q["variable"]: default}):
            extra_vars[q["variable"]] = default
    errors = [e for q in template["survey_spec"]["spec"] for e in answer_errors(q, {**extra_vars, **answers})]
    if errors:
        raise SurveyError(f"AWX would refuse to launch {template['name']}: " + "; ".join(errors))
    extra_vars.update(answers)
    return extra_vars
