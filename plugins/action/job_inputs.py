# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.job_inputs: a playbook's inputs checked in its first play, before anything changes.

A job's inputs are its host pattern and the variables its roles and plays read. The roles'
meta/argument_specs.yml are only applied when a role starts, which for most jobs is after a first
change (deploy.yml installs steps 1 and 2 before step 3 reads the CA), and Ansible's types cannot
say that a string must be an FQDN or a CA name. This module reads each matched host's variables
(inventory and extra vars alike) once, converts them with the role's own argument spec (Ansible's
validator, so the types are the ones the role will see), applies the collection's validation
vocabulary (plugin_utils/domain/inputs.py) named in `checks`, and refuses the job with every problem
at once. It changes nothing, in check mode too.
"""

from __future__ import annotations

import os

import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.sfb.server.plugins.plugin_utils.action import ControllerAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument

ROLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "roles")
SECRET_WORDS = ("password", "secret", "credential")
# Keys of an argument spec entry that Ansible's validator reads; the rest (description ...) is prose.
SPEC_KEYS = ("type", "elements", "choices", "default", "no_log", "options", "aliases", "required")


def role_options(name: str) -> dict[str, dict]:
    """The options of a role's entry point (`role` or `role:entry_point`) from its meta/argument_specs.yml."""
    role, _sep, entry = name.partition(":")
    path = os.path.join(ROLES, role, "meta", "argument_specs.yml")
    try:
        with open(path, encoding="utf-8") as handle:
            specs = yaml.safe_load(handle)["argument_specs"]
        options = specs[entry or "main"].get("options") or {}
    except (OSError, KeyError, TypeError, yaml.YAMLError) as exc:
        raise InvalidArgument(f"roles: {name!r} is not a role entry point of sfb.server ({exc}).",
                              hint="Name a role of the collection's roles/ folder, e.g. deploy or cce_certificates:ca_reset.")
    return {key: dict(value or {}) for key, value in options.items()}


def _validator_spec(option: dict, top: bool = True) -> dict:
    spec = {key: option[key] for key in SPEC_KEYS if key in option}
    if top:
        # An undefined variable is left to the role's default; a missing required one is reported by name.
        spec.pop("default", None)
        spec.pop("required", None)
    if "options" in spec:
        spec["options"] = {k: _validator_spec(v, top=False) for k, v in (spec["options"] or {}).items()}
    return spec


def _is_secret(name: str, option: dict) -> bool:
    return bool(option.get("no_log")) or any(word in name.lower() for word in SECRET_WORDS)


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = {
        "hosts": {"type": "str", "required": True},
        "matched": {"type": "list", "elements": "str", "required": True},
        "roles": {"type": "list", "elements": "str", "default": []},
        "checks": {"type": "dict", "default": {}},
        "required": {"type": "list", "elements": "str", "default": []},
        "required_if": {"type": "list", "elements": "list", "default": []},
        "allow_no_hosts": {"type": "bool", "default": False},
    }

    def run(self, tmp=None, task_vars=None):
        # The variables are read from hostvars, which only the task's variables carry.
        self._job_vars = task_vars or {}
        return super().run(tmp, task_vars)

    def work(self, args: dict) -> dict:
        checks = {}
        for name, expression in args["checks"].items():
            try:
                checks[name] = inputs.named(str(expression))
            except KeyError as exc:
                raise InvalidArgument(f"checks.{name}: {exc.args[0]}") from None
        options: dict[str, dict] = {}
        for role in args["roles"]:
            options.update(role_options(role))
        for name in list(checks) + list(args["required"]):
            options.setdefault(name, {})
        conditions = []
        for index, rule in enumerate(args["required_if"]):
            if len(rule) != 3 or not isinstance(rule[2], list):
                raise InvalidArgument(f"required_if[{index}]: {rule!r} is not [variable, value, [variables]].")
            conditions.append((str(rule[0]), rule[1], [str(n) for n in rule[2]]))
            for name in [rule[0], *rule[2]]:
                options.setdefault(str(name), {})
        self._conditions = conditions
        required = set(args["required"]) | {name for name, option in options.items() if option.get("required")}

        errors: list[str] = []
        matched = [h for h in args["matched"] if h]
        if not args["hosts"].strip() and not args["allow_no_hosts"]:
            # An empty pattern (-e rolling_patch_hosts=) is no pattern: Ansible's queries read it as "every host".
            errors.append("hosts: the host pattern is empty, so it names no server. Give a group or a pattern, "
                          "or leave the variable out for the job's default")
            matched = []
        elif not matched and not args["allow_no_hosts"]:
            errors.append(f"hosts: the pattern {args['hosts']!r} matches no host of the inventory, so the job would do "
                          "nothing and report success. Check -i and the group or pattern variable.")
        # Extra vars apply to every host; with no host matched they are still checked (on localhost).
        hostvars = self._job_vars.get("hostvars") or {}
        self._overlay = self._play_level(options, hostvars)
        sources = [(host, hostvars[host] if host in hostvars else {}) for host in matched] \
            or [("localhost", self._job_vars)]
        seen: dict[str, list[str]] = {}
        for host, variables in sources:
            for problem in self._host_problems(host, variables, options, checks, required):
                seen.setdefault(problem, []).append(host)
        for problem, hosts in seen.items():
            where = "every host" if len(hosts) == len(sources) and len(sources) > 1 else ", ".join(hosts[:5]) + (
                f" and {len(hosts) - 5} more" if len(hosts) > 5 else "")
            errors.append(f"{problem} (on {where})" if matched else problem)
        if errors:
            msg = "Invalid input, nothing was changed: " + "; ".join(e.rstrip(".") for e in errors) + "."
            return {"failed": True, "msg": msg, "error": {"kind": "invalid_argument", "message": msg,
                                                          "problems": errors}}
        return {"changed": False, "hosts": len(matched), "checked": sorted(options)}

    def _play_level(self, options, hostvars) -> dict:
        """Variables set for the play itself (import_playbook vars, play vars): hostvars do not carry them,
        but this task's variables do, and they win over a host's inventory value."""
        try:
            local = hostvars["localhost"] if "localhost" in hostvars else {}
        except Exception:  # an unreadable localhost: compare with nothing
            local = {}
        overlay = {}
        for name in options:
            try:
                if name not in self._job_vars:
                    continue
                # Task variables come raw: a value that is a template ("{{ ... }}", from -e, play vars or
                # an AWX job template's extra variables) is checked as it renders, not as its text.
                value = self._templar.template(self._job_vars[name])
                if name not in local or local[name] != value:
                    overlay[name] = value
            except Exception:  # a value whose template fails is reported per host below
                continue
        return overlay

    def _host_problems(self, host, variables, options, checks, required) -> list[str]:
        values, problems = {}, []
        for name, option in options.items():
            try:
                present = name in self._overlay or name in variables
                value = (self._overlay[name] if name in self._overlay else variables[name]) if present else None
            except Exception as exc:  # an inventory value whose template fails: say which one
                problems.append(f"{name}: its value cannot be templated ({str(exc).splitlines()[0][:200]})")
                continue
            if not present or value is None:
                if name in required:
                    problems.append(f"{name} is missing: the inventory or -e must set it")
                continue
            values[name] = value
        spec = {name: _validator_spec(options[name]) for name in values}
        secrets = [name for name in values if _is_secret(name, options[name])]
        for name in secrets:
            spec[name]["no_log"] = True
        shapes = inputs.shape_errors(spec, values)
        problems += [str(e).rstrip(".") for e in shapes]
        shaped = {e.option.split("[")[0] for e in shapes}
        values = {name: value for name, value in values.items() if name not in shaped}
        spec = {name: spec[name] for name in values}
        result = ArgumentSpecValidator(spec).validate(values)
        bad = set()
        for error in result.errors:
            text = str(error)
            names = [name for name in values if name in text]
            bad.update(names)
            if any(name in secrets for name in names):
                problems.append(f"{', '.join(names)}: a secret of the wrong type or value (the value is not shown)")
            else:
                problems.append(text)
        converted = {name: result.validated_parameters.get(name, values[name]) for name in values if name not in bad}
        for name, wanted, needed in self._conditions:
            effective = converted.get(name, options[name].get("default")) if name not in bad else None
            if effective != wanted:
                continue
            for other in needed:
                value = converted.get(other, options[other].get("default"))
                if other not in bad and value in (None, "", [], {}):
                    problems.append(f"{other} is missing: {name}={wanted} needs it")
        problems += [str(e).rstrip(".") for e in inputs.check_errors(
            {n: c for n, c in checks.items() if n in converted}, converted, secrets)]
        return problems
