# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets out of everything a task returns.

Ansible masks a no_log option's value in the task's own `invocation`, not in what a module puts in
its result: a certification authority that echoes the password in its refusal, a step's output, a
warning. Before a task returns, the module base (plugin_utils/action.py) replaces every no_log
value (the task's own no_log options, and every secret a plan sent) wherever it appears, in the
manner of Ansible.Basic's RemoveNoLogValues: a whole value becomes MASKED_VALUE, a value inside a
longer text becomes MASK.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

MASKED_VALUE = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
MASK = "********"


def no_log_values(spec: Mapping[str, dict], params: Mapping[str, Any] | None) -> set[str]:
    """The text of every value given to a no_log option of `spec`, sub-options included."""
    found: set[str] = set()
    for name, option in (spec or {}).items():
        if not params or name not in params or params[name] is None:
            continue
        value = params[name]
        if option.get("no_log"):
            found.update(_leaves(value))
        sub = option.get("options")
        if sub:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, Mapping):
                    found |= no_log_values(sub, item)
    return {v for v in found if v}


def _leaves(value) -> Iterable[str]:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            yield from _leaves(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def redact(value: Any, secrets: Iterable[str]) -> Any:
    """`value` with every secret masked, in strings, list elements and dict values and keys."""
    secrets = sorted({str(s) for s in secrets if s not in (None, "")}, key=len, reverse=True)
    if not secrets:
        return value
    return _redact(value, secrets)


def _redact(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        if value in secrets:
            return MASKED_VALUE
        for secret in secrets:
            value = value.replace(secret, MASK)
        return value
    if isinstance(value, Mapping):
        return {_redact(k, secrets) if isinstance(k, str) else k: _redact(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_redact(v, secrets) for v in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and str(value) in secrets:
        return MASKED_VALUE
    return value
