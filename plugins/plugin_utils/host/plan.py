# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plans: the ordered steps one module invocation sends to a server in a single round trip.

A step is either a documented cmdlet call or an executable with the exit codes that mean success.
Every cmdlet call is bound against the documented signatures when it is created, so a plan that
would not bind on the real cmdlet cannot be built, let alone sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ansible_collections.sfb.server.plugins.plugin_utils.errors import StepFailed
from ansible_collections.sfb.server.plugins.plugin_utils.host.signatures import documented

# "String": for parameters the documentation types as a plain String (Request-CsCertificate
# -CaPassword); the value still travels only in the runner's no_log option.
_SECRET_KINDS = ("SecureString", "PSCredential", "String")

# Verbs that only read. In check mode a Host refuses any plan with a step outside them, and a
# failed plan whose completed steps were all reads has changed nothing.
READ_ONLY_VERBS = ("Get", "Test")


@dataclass(frozen=True)
class Secret:
    """A parameter value that is only known on the server.

    The plan carries the reference; the value travels in the runner's `no_log` secrets option and
    becomes a SecureString or PSCredential on the host. `username` is required for PSCredential.
    """

    key: str
    kind: str = "SecureString"
    username: str | None = None

    def __post_init__(self):
        if self.kind not in _SECRET_KINDS:
            raise ValueError(f"secret kind must be one of {_SECRET_KINDS}, not {self.kind!r}")
        if self.kind == "PSCredential" and not self.username:
            raise ValueError("a PSCredential secret needs a username")

    def to_wire(self) -> dict:
        wire = {"secret": self.key, "kind": self.kind}
        if self.username:
            wire["username"] = self.username
        return wire


@dataclass(frozen=True)
class CmdletCall:
    """One documented cmdlet call with named parameters.

    `select` names the properties of each returned object that come back to the controller;
    with no `select` objects are discarded, while strings, numbers and booleans (Test-Path,
    Get-CsServerVersion) always come back. `as_text` names selected properties that come back as
    their text form (each element's, for a collection): identities such as Get-CsPool's Services
    are objects whose text ("Registrar:pool01.contoso.com") is what the documentation shows.
    Switches are given as True/False.
    """

    cmdlet: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    select: tuple[str, ...] = ()
    as_text: tuple[str, ...] = ()

    def __post_init__(self):
        binding = documented().bind(self.cmdlet, self.parameters)
        # The documented spelling, so that the check-mode guard's verb test and describe() do not
        # depend on how the caller typed the name (PowerShell itself is case-insensitive).
        object.__setattr__(self, "cmdlet", binding.cmdlet)
        object.__setattr__(self, "parameters", dict(binding.parameters))
        object.__setattr__(self, "select", tuple(self.select))
        object.__setattr__(self, "as_text", tuple(self.as_text))
        unselected = [name for name in self.as_text if name not in self.select]
        if unselected:
            raise ValueError(f"as_text names properties that are not selected: {', '.join(unselected)}")
        object.__setattr__(self, "_binding", binding)

    @property
    def module(self) -> str:
        return self._binding.module

    @property
    def parameter_set(self) -> str:
        return self._binding.parameter_set

    def describe(self) -> str:
        """The call as an administrator would type it, with secrets masked."""
        words = [self.cmdlet]
        for name, value in self.parameters.items():
            if value is True and documented().is_switch(self.cmdlet, name):
                words.append(f"-{name}")
            elif value is False and documented().is_switch(self.cmdlet, name):
                words.append(f"-{name}:$false")
            elif isinstance(value, Secret):
                words.append(f"-{name} <{value.kind}:{value.key}>")
            else:
                words.append(f"-{name} {_ps_literal(value)}")
        return " ".join(words)

    def to_wire(self) -> dict:
        return {
            "type": "cmdlet",
            "module": self.module,
            "name": self.cmdlet,
            "parameters": {k: _wire_value(v) for k, v in self.parameters.items()},
            "switches": sorted(k for k in self.parameters if documented().is_switch(self.cmdlet, k)),
            "select": list(self.select),
            "as_text": list(self.as_text),
        }


@dataclass(frozen=True)
class Executable:
    """An executable run on the server (Bootstrapper.exe, Setup.exe, DISM ...).

    `success_codes` are the exit codes that mean it worked; `restart_codes` the ones that mean it
    worked and the server must restart before the step is run again. `read_only` declares that the
    arguments given only query (w32tm /query, w32tm /stripchart): such a step may run in check mode.
    """

    path: str
    arguments: tuple[str, ...] = ()
    success_codes: tuple[int, ...] = (0,)
    restart_codes: tuple[int, ...] = ()
    read_only: bool = False

    def __post_init__(self):
        object.__setattr__(self, "arguments", tuple(self.arguments))
        object.__setattr__(self, "success_codes", tuple(self.success_codes))
        object.__setattr__(self, "restart_codes", tuple(self.restart_codes))

    def describe(self) -> str:
        return " ".join([_quote_path(self.path), *self.arguments])

    def to_wire(self) -> dict:
        return {
            "type": "executable",
            "path": self.path,
            "arguments": list(self.arguments),
            "success_codes": list(self.success_codes) + list(self.restart_codes),
        }


Step = CmdletCall | Executable


@dataclass(frozen=True)
class Plan:
    """Ordered steps sent in one round trip. The first failing step stops the plan."""

    steps: tuple[Step, ...]
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "steps", tuple(self.steps))
        missing = sorted(self.secret_keys() - set(self.secrets))
        if missing:
            raise ValueError(f"plan refers to secrets that were not given: {', '.join(missing)}")

    @classmethod
    def of(cls, *steps: Step, secrets: Mapping[str, str] | None = None) -> "Plan":
        return cls(steps=steps, secrets=dict(secrets or {}))

    def secret_keys(self) -> set[str]:
        return {
            value.key
            for step in self.steps
            if isinstance(step, CmdletCall)
            for value in step.parameters.values()
            if isinstance(value, Secret)
        }

    def modules(self) -> list[str]:
        """PowerShell modules the plan needs, in first-use order."""
        seen: list[str] = []
        for step in self.steps:
            if isinstance(step, CmdletCall) and step.module not in seen:
                seen.append(step.module)
        return seen

    def to_wire(self) -> list[dict]:
        return [step.to_wire() for step in self.steps]

    def describe(self) -> list[str]:
        return [step.describe() for step in self.steps]


@dataclass(frozen=True)
class StepError:
    """A failure reported by the server for one step."""

    message: str
    category: str = ""
    error_id: str = ""

    def to_dict(self) -> dict:
        return {"message": self.message, "category": self.category, "error_id": self.error_id}


@dataclass(frozen=True)
class StepResult:
    step: Step
    output: tuple[dict, ...] = ()
    error: StepError | None = None
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def needs_restart(self) -> bool:
        return isinstance(self.step, Executable) and self.exit_code in self.step.restart_codes


@dataclass(frozen=True)
class PlanResult:
    """What the server answered for a plan. Steps after a failed one are absent."""

    plan: Plan
    results: tuple[StepResult, ...]

    @property
    def ok(self) -> bool:
        return len(self.results) == len(self.plan.steps) and all(r.ok for r in self.results)

    def output(self, index: int = 0) -> list[dict]:
        return list(self.results[index].output)

    def failed(self) -> StepResult | None:
        for result in self.results:
            if not result.ok:
                return result
        return None

    def raise_for_failure(self) -> "PlanResult":
        failed = self.failed()
        if failed is None:
            return self
        index = self.results.index(failed)
        error = StepFailed(
            f"step {index + 1} of {len(self.plan.steps)} failed: {failed.step.describe()}: "
            f"{failed.error.message}",
            hint=_hint_for(failed),
            step=index + 1,
            command=failed.step.describe(),
            category=failed.error.category,
            error_id=failed.error.error_id,
            exit_code=failed.exit_code,
        )
        # The steps before the failing one ran: if any of them changes state, so did the task.
        error.changed = any(changes_state(step) for step in self.plan.steps[:index])
        raise error

    def transcript(self) -> list[dict]:
        """Per step: the command and how it ended; for the module result and for logs."""
        lines = []
        for step, result in zip(self.plan.steps, self.results):
            line = {"command": step.describe(), "ok": result.ok}
            if result.exit_code is not None:
                line["exit_code"] = result.exit_code
            if result.error is not None:
                line["error"] = result.error.to_dict()
            lines.append(line)
        return lines


def changes_state(step: Step) -> bool:
    if isinstance(step, Executable):
        return not step.read_only
    return step.cmdlet.split("-", 1)[0] not in READ_ONLY_VERBS


def _hint_for(result: StepResult) -> str:
    if isinstance(result.step, Executable):
        return (
            f"{result.step.path} exited with {result.exit_code}; read its log on the server, fix the "
            "cause and run the task again."
        )
    return "Fix the cause reported by the cmdlet on the server and run the task again."


def _wire_value(value):
    if isinstance(value, Secret):
        return value.to_wire()
    if isinstance(value, (list, tuple)):
        return [_wire_value(v) for v in value]
    return value


def _ps_literal(value) -> str:
    if isinstance(value, bool):
        return "$true" if value else "$false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ",".join(_ps_literal(v) for v in value)
    text = str(value).replace("'", "''")
    return f"'{text}'"


def _quote_path(path: str) -> str:
    return f'"{path}"' if " " in path else path
