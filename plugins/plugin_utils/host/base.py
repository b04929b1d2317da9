# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Host seam: the only way the collection's Python talks to a server.

A Host runs plans (one round trip each), tells the time on the server's clock, sleeps, reboots
the server and installs Windows updates. Two implementations exist: WindowsHost (a real server
over WinRM/PSRP/SSH) and TwinHost (the simulated estate). Code above the seam never asks which one
it has.
"""

from __future__ import annotations

import abc
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, TypeVar

from ansible_collections.sfb.server.plugins.plugin_utils.errors import (
    PowerShellModuleMissing, SfbError, WaitTimedOut,
)
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import (
    READ_ONLY_VERBS, CmdletCall, Plan, PlanResult, StepError, StepResult, changes_state,
)

T = TypeVar("T")

# In check mode a Host refuses any plan that changes state (plan.READ_ONLY_VERBS): a module that
# tried to change something in check mode is a bug, and the server must not pay for it.
__all__ = ["READ_ONLY_VERBS", "Host", "UpdateRun", "is_read_only", "parse_runner_result"]

_MODULE_HINTS = {
    "SkypeForBusiness": "Install the Skype for Business Server core components on the server (the "
                        "deployment's install step does it), or target a server that has them.",
    "CloudConnector": "Install Cloud Connector Edition on the appliance host, and make sure its module "
                      "folder is on PSModulePath.",
}


@dataclass
class UpdateRun:
    """What an install of Windows updates did."""

    installed: list[dict]
    failed: list[dict]
    reboot_required: bool

    def to_result(self) -> dict:
        return {"installed": self.installed, "failed": self.failed, "reboot_required": self.reboot_required}


@dataclass
class UpdateDownload:
    """What a download of Windows updates, staged ahead of their installation, did."""

    downloaded: list[dict]
    already: list[dict]
    failed: list[dict]


@dataclass
class FileCopy:
    """What a copy of a controller file to the server did; the checksum (SHA-1, as win_copy reports it) is
    the file's identity: a destination that already holds it is left alone."""

    changed: bool
    checksum: str
    size: int


class Host(abc.ABC):
    """One server as the action plugins see it."""

    def __init__(self, name: str, check_mode: bool = False):
        self.name = name
        self.check_mode = check_mode
        self.round_trips = 0
        # Every secret value a plan sent through this Host: the module base masks them in the
        # task's result, whatever the server echoed (plugin_utils/host/redact.py).
        self.secret_values: set[str] = set()

    # -- plans -----------------------------------------------------------------------------

    def run(self, plan: Plan) -> PlanResult:
        """Send a plan in one round trip and return what the server answered."""
        if self.check_mode and not is_read_only(plan):
            raise SfbError(
                f"Refusing to change {self.name} in check mode: {'; '.join(plan.describe())}.",
                hint="This is a bug in the module that sent the plan; please report it.",
            )
        self.secret_values.update(str(v) for v in plan.secrets.values() if v not in (None, ""))
        self.round_trips += 1
        return self._run(plan)

    def _refuse_in_check_mode(self, what: str) -> None:
        """Restarts and update installs change the server as much as a plan does: the same guard."""
        if self.check_mode:
            raise SfbError(
                f"Refusing to {what} on {self.name} in check mode.",
                hint="This is a bug in the module that asked for it; please report it.",
            )

    def read(self, *calls: CmdletCall) -> PlanResult:
        """Run read-only calls and fail on the first error."""
        return self.run(Plan.of(*calls)).raise_for_failure()

    @abc.abstractmethod
    def _run(self, plan: Plan) -> PlanResult:
        """Execute the plan on the server."""

    # -- time ------------------------------------------------------------------------------

    @abc.abstractmethod
    def now(self) -> float:
        """Seconds since the epoch on the server's clock."""

    @abc.abstractmethod
    def sleep(self, seconds: float) -> None:
        """Let `seconds` of the server's time pass."""

    def wait_until(self, probe: Callable[[], T], done: Callable[[T], bool], timeout: float,
                   interval: float, what: str) -> T:
        """Call `probe` every `interval` seconds until `done(answer)` or `timeout` seconds passed."""
        deadline = self.now() + timeout
        while True:
            answer = probe()
            if done(answer):
                return answer
            if self.now() + interval > deadline:
                raise WaitTimedOut(
                    f"{self.name}: gave up waiting for {what} after {int(timeout)} seconds.",
                    last_answer=answer,
                )
            self.sleep(interval)

    # -- operating system verbs ------------------------------------------------------------

    @abc.abstractmethod
    def reboot(self, reason: str, timeout: float) -> dict:
        """Restart the server and wait until it answers again. Returns {rebooted, elapsed}."""

    @abc.abstractmethod
    def install_updates(self, categories: list[str], reject: list[str], timeout: float) -> UpdateRun:
        """Search and install Windows updates; never reboots by itself."""

    def search_updates(self, categories: list[str], reject: list[str]) -> list[dict]:
        """The Windows updates that install_updates would install ({kb, title, category}); changes nothing,
        so it is what check mode and prerequisite reports use."""
        raise NotImplementedError(f"{type(self).__name__} cannot search for Windows updates")

    def download_updates(self, categories: list[str], reject: list[str], timeout: float) -> UpdateDownload:
        """Download the updates install_updates would install, without installing them, so that a later
        install (inside the maintenance window) has only the offline work left. The server stays in
        service; it changes the disk, so check mode refuses it like an install."""
        raise NotImplementedError(f"{type(self).__name__} cannot download Windows updates ahead")

    def copy_file(self, src: str, dest: str) -> FileCopy:
        """Copy a file of the controller to `dest` on the server (folders created); a destination that already
        holds the same content is not copied again. It changes the disk, so check mode refuses it."""
        raise NotImplementedError(f"{type(self).__name__} cannot copy a file from the controller")


def is_read_only(plan: Plan) -> bool:
    return not any(changes_state(step) for step in plan.steps)


def parse_runner_result(plan: Plan, answer: Mapping[str, Any], host: str) -> PlanResult:
    """Read the runner's answer (the Windows runner or the twin, same shape) into a PlanResult.

    A module the whole plan could not load is `missing_module` at the top (the twin's answer, and
    the runner's before it imported per step); a module one step could not load is that step's
    error (error id "ModuleMissing:<module>", StepResult.missing_module), so the steps before it
    are read and `raise_for_failure` raises PowerShellModuleMissing for it.
    """
    if answer.get("missing_module"):
        module = answer["missing_module"]
        raise PowerShellModuleMissing(
            f"{host}: the PowerShell module {module} is not available: {answer.get('msg', '')}".strip(),
            hint=_MODULE_HINTS.get(module, ""),
            module=module,
        )
    if "steps" not in answer:
        # ansible-core's msg for a module that wrote no JSON is a generic "MODULE FAILURE"; the cause
        # is in module_stderr/module_stdout, so keep all of them.
        parts = [str(answer.get(key)).strip() for key in ("msg", "module_stderr", "module_stdout") if answer.get(key)]
        detail = "; ".join(parts) or "no output"
        raise SfbError(
            f"{host}: the plan runner did not return a result: {str(detail).strip()[:2000]}",
            hint="Check that the host is a Windows server reachable with PowerShell 5.1 or later.",
        )
    results = []
    for step, raw in zip(plan.steps, answer["steps"]):
        error = raw.get("error")
        results.append(StepResult(
            step=step,
            output=tuple(raw.get("output") or ()),
            error=StepError(message=str(error.get("message", "")), category=str(error.get("category") or ""),
                            error_id=str(error.get("error_id") or "")) if error else None,
            exit_code=raw.get("exit_code"),
            stdout=raw.get("stdout") or "",
            stderr=raw.get("stderr") or "",
        ))
    return PlanResult(plan=plan, results=tuple(results), host=host)


class ControllerClock:
    """Real time, for hosts whose clock is the world's."""

    @staticmethod
    def now() -> float:
        return time.time()

    @staticmethod
    def sleep(seconds: float) -> None:
        time.sleep(max(0.0, seconds))
