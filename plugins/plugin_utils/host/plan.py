# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plans: the ordered steps one module invocation sends to a server in a single round trip.

A step is either a documented cmdlet call or an executable with the exit codes that mean success.
Every cmdlet call is bound against the documented signatures when it is created, so a plan that
would not bind on the real cmdlet cannot be built, let alone sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from ansible_collections.sfb.server.plugins.plugin_utils.errors import PowerShellModuleMissing, StepFailed
from ansible_collections.sfb.server.plugins.plugin_utils.host.signatures import documented

# "String": for parameters the documentation types as a plain String (Request-CsCertificate
# -CaPassword); the value still travels only in the runner's no_log option.
_SECRET_KINDS = ("SecureString", "PSCredential", "String")

# The error id the runner gives a step whose PowerShell module could not be imported:
# "ModuleMissing:<module>". The step fails; the plan's other steps are not affected before it.
MODULE_MISSING_ID = "ModuleMissing:"

_MODULE_HINTS = {
    "SkypeForBusiness": "Install the Skype for Business Server core components on the server (the "
                        "deployment's install step does it), or target a server that has them.",
    "CloudConnector": "Install Cloud Connector Edition on the appliance host, and make sure its module "
                      "folder is on PSModulePath.",
}

# Verbs that only read. In check mode a Host refuses any plan with a step outside them, and a
# failed plan whose completed steps were all reads has changed nothing.
READ_ONLY_VERBS = ("Get", "Test")

# A cmdlet that supports ShouldProcess documents -Confirm; under Ansible's host a confirmation
# prompt throws ("A command that prompts the user failed because the host program ... does not
# support user interaction"), so the binder answers every such prompt in advance, here and only here.
CONFIRM = "Confirm"

# Calls that may outlast a WinRM operation or the connection itself, with the reason from their
# documentation. A plan holding one runs as an Ansible async job that the controller polls
# (WindowsHost), so a dropped connection does not cut it. Executables are always long.
LONG_CMDLETS = {
    "Invoke-CsComputerFailOver": "Invoke-CsComputerFailOver.md: -WaitTime, the drain wait, defaults to one hour",
    "Invoke-CsComputerFailBack": "Invoke-CsComputerFailBack.md: starts and verifies the services again after a failover",
    "Start-CsPool": "Start-CsPool.md: starts every server of the pool and waits for it; the 32174 event says "
                    "pool start can take up to an hour",
    "Get-CsPoolUpgradeReadinessState": "Get-CsPoolUpgradeReadinessState.md: by default it waits until the replicas "
                                       "have been built",
    "Get-CsUpgradeDomainInfo": "Get-CsUpgradeDomainInfo.md: -QueryTimeout is counted in minutes",
    "Get-CsPoolFabricState": "Get-CsPoolFabricState.md: -QueryTimeout; it queries every routing group of the pool",
    "Install-CsDatabase": "Install-CsDatabase.md: creates or updates the SQL Server databases",
    "Stop-CsWindowsService": "Stop-CsWindowsService.md: -Graceful waits for the existing sessions to end",
    "Start-CsWindowsService": "Start-CsWindowsService.md: the Front End service can take many minutes to start",
    "Enable-CsComputer": "Enable-CsComputer.md: enables and configures every service of the computer",
    "Request-CsCertificate": "Request-CsCertificate.md: an online request waits for the certification authority",
    "Install-CcAppliance": "Install-CcAppliance: deploys the Cloud Connector virtual machines",
    "Enter-CcUpdate": "Enter-CcUpdate: stops all services of the appliance",
    "Exit-CcUpdate": "Exit-CcUpdate: starts all services of the appliance again",
}


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
        # The binder's answer to a confirmation prompt travels on the wire (to_wire) but is not part
        # of the call's `parameters` nor of describe(): it is how every call runs, not what the
        # module asked for. Bound here, so a set that would not take it fails when the plan is built.
        answers_prompt = (CONFIRM not in binding.parameters
                          and documented().has_parameter(binding.cmdlet, CONFIRM, binding.parameter_set))
        if answers_prompt:
            documented().bind(binding.cmdlet, {**binding.parameters, CONFIRM: False})
        object.__setattr__(self, "_answers_prompt", answers_prompt)
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
    def long_reason(self) -> str | None:
        """Why this call may outlast a connection (LONG_CMDLETS), or None."""
        return LONG_CMDLETS.get(self.cmdlet)

    @property
    def common_parameters(self) -> bool:
        """Whether the documented signature has the CommonParameters (-ErrorAction, -ErrorVariable)."""
        return documented().get(self.cmdlet).get("common_parameters") is True

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

    @property
    def answers_prompt(self) -> bool:
        """Whether the call goes with -Confirm:$false (its signature has -Confirm and no value was given)."""
        return self._answers_prompt

    def wire_parameters(self) -> dict:
        """The parameters as the runner binds them: the call's own, and -Confirm:$false where it can prompt."""
        parameters = {k: _wire_value(v) for k, v in self.parameters.items()}
        if self._answers_prompt:
            parameters[CONFIRM] = False
        return parameters

    def to_wire(self) -> dict:
        parameters = self.wire_parameters()
        return {
            "type": "cmdlet",
            "module": self.module,
            "name": self.cmdlet,
            "common_parameters": self.common_parameters,
            "parameters": parameters,
            "switches": sorted(k for k in parameters if documented().is_switch(self.cmdlet, k)),
            "select": list(self.select),
            "as_text": list(self.as_text),
        }


@dataclass(frozen=True)
class Executable:
    """An executable run on the server (Bootstrapper.exe, Setup.exe, DISM ...).

    `success_codes` are the exit codes that mean it worked; `restart_codes` the ones that mean it
    worked and the server must restart before the step is run again. `read_only` declares that the
    arguments given only query (w32tm /query, w32tm /stripchart): such a step may run in check mode.
    The runner decides on the exit code alone; the text is decoded with the server's OEM code page
    (console tools write in it), unless `output_encoding` names another encoding (.NET name, such
    as "utf-8" or "unicode") for a tool known to write in it. Arguments are plain strings: a
    secret never goes on a command line (Plan refuses it), where any process listing shows it.
    """

    path: str
    arguments: tuple[str, ...] = ()
    success_codes: tuple[int, ...] = (0,)
    restart_codes: tuple[int, ...] = ()
    read_only: bool = False
    output_encoding: str | None = None
    # Seconds the executable may run before the Host gives up on it (None: the Host's own limit for a
    # long plan). Kept on the controller: the async job that runs the plan gets it as its time limit.
    timeout: int | None = None

    long_reason = "an executable (setup, Bootstrapper, DISM, w32tm ...) runs as long as it needs"

    def __post_init__(self):
        if any(not isinstance(a, str) for a in self.arguments):
            raise ValueError(f"{self.path}: executable arguments are plain strings (a secret never goes on a command line)")
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
            "output_encoding": self.output_encoding or "",
        }


Step = CmdletCall | Executable


@dataclass(frozen=True)
class Plan:
    """Ordered steps sent in one round trip. The first failing step stops the plan."""

    steps: tuple[Step, ...]
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    # Seconds a long plan may run on the server before it is stopped (PlanTimedOut); None: the Host's
    # own limit. It is how a module bounds a documented blocking call (Stop-CsWindowsService -Graceful
    # without -NoWait "will not return control until the command has completed").
    time_limit: int | None = None

    def __post_init__(self):
        object.__setattr__(self, "steps", tuple(self.steps))
        missing = sorted(self.secret_keys() - set(self.secrets))
        if missing:
            raise ValueError(f"plan refers to secrets that were not given: {', '.join(missing)}")
        # A secret value only travels in the runner's no_log option; written anywhere else in the
        # steps (a parameter value, an executable's command line) nothing would mask it.
        steps = json.dumps(self.to_wire())
        leaked = sorted(key for key, value in self.secrets.items() if value and str(value) in steps)
        if leaked:
            raise ValueError(f"the value of secret(s) {', '.join(leaked)} is written in the plan's steps; "
                             "pass it as a Secret reference instead")
        if self.time_limit is not None and (self.time_limit < 1 or not self.long_reason()):
            raise ValueError("a time limit is for a long plan (one with a step of LONG_CMDLETS or an executable), "
                             "of at least one second")

    @classmethod
    def of(cls, *steps: Step, secrets: Mapping[str, str] | None = None, time_limit: int | None = None) -> "Plan":
        return cls(steps=steps, secrets=dict(secrets or {}), time_limit=time_limit)

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

    def secrets_to_wire(self) -> list[dict]:
        """The runner's `secrets` option: a list of {name, value}, `value` being a no_log sub-option.

        Ansible.Basic registers the text of a no_log option's value: for a dict that is its type
        name, so the password itself would go unmasked into the event log's "Invoked with" entry
        and `invocation.module_args`. A no_log sub-option registers each value's own text.
        """
        return [{"name": key, "value": str(value)} for key, value in sorted(self.secrets.items())]

    def long_reason(self) -> str | None:
        """Why the plan may outlast the connection (the first long step's reason), or None."""
        for step in self.steps:
            if step.long_reason:
                return step.long_reason
        return None

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
    def missing_module(self) -> str | None:
        """The PowerShell module that could not be imported for this step, or None."""
        if self.error is not None and self.error.error_id.startswith(MODULE_MISSING_ID):
            return self.error.error_id[len(MODULE_MISSING_ID):]
        return None

    @property
    def needs_restart(self) -> bool:
        return isinstance(self.step, Executable) and self.exit_code in self.step.restart_codes


@dataclass(frozen=True)
class PlanResult:
    """What the server answered for a plan. Steps after a failed one are absent."""

    plan: Plan
    results: tuple[StepResult, ...]
    # The server that answered, for the messages of the errors raised from this result.
    host: str = ""

    @property
    def ok(self) -> bool:
        return len(self.results) == len(self.plan.steps) and all(r.ok for r in self.results)

    def output(self, index: int = 0) -> list[dict]:
        return list(self.results[index].output)

    def not_run(self) -> list[Step]:
        """The steps the server did not run: every step after the first failing one."""
        return list(self.plan.steps[len(self.results):])

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
        not_run = [step.describe() for step in self.not_run()]
        if failed.missing_module:
            module = failed.missing_module
            where = f"{self.host}: " if self.host else ""
            error = PowerShellModuleMissing(
                f"{where}the PowerShell module {module} is not available for step {index + 1} of "
                f"{len(self.plan.steps)} ({failed.step.describe()}): {failed.error.message}",
                hint=_MODULE_HINTS.get(module, f"Install the {module} PowerShell module on the server."),
                module=module, step=index + 1, not_run=not_run,
            )
            error.changed = any(changes_state(step) for step in self.plan.steps[:index])
            raise error
        error = StepFailed(
            f"step {index + 1} of {len(self.plan.steps)} failed: {failed.step.describe()}: "
            f"{failed.error.message}",
            hint=_hint_for(failed),
            step=index + 1,
            command=failed.step.describe(),
            category=failed.error.category,
            error_id=failed.error.error_id,
            exit_code=failed.exit_code,
            not_run=not_run,
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
