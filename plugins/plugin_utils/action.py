# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base classes of the sfb.server action plugins.

It validates the arguments against the plugin's ARGUMENT_SPEC (the same options its documentation
stub lists), finds the Host behind the connection, runs the plugin's `execute`, and turns every
SfbError into a task failure that says what failed and what to do, never a bare traceback.
Before a task returns, every no_log value (the task's no_log options and every secret a plan sent)
is masked wherever it appears in the result: results, warnings, error texts, transcripts.
"""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.errors import (
    ACCEPT_UNREADABLE_VARIABLE, HostUnreachable, SfbError, accepting_unreadable,
)
from ansible_collections.sfb.server.plugins.plugin_utils.host.base import Host
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import Plan
from ansible_collections.sfb.server.plugins.plugin_utils.host.redact import no_log_values, redact
from ansible_collections.sfb.server.plugins.plugin_utils.host.select import host_for


def refused_inputs(action, args: dict) -> dict | None:
    """The failed result for arguments Ansible's types let through but the vocabulary refuses
    (plugin_utils/domain/inputs.py): a list or dict where a single value belongs, then each option's
    INPUT_CHECKS entry, then the plugin's cross-option `check_inputs`. None when all is well.
    Runs before `execute`, so a refused task has not touched the server; secrets are never repeated."""
    spec = action.ARGUMENT_SPEC
    secrets = [name for name, option in spec.items() if option.get("no_log")]
    errors = inputs.shape_errors(spec, action._task.args or {})
    if not errors:
        errors = inputs.check_errors(action.INPUT_CHECKS, args, secrets) + list(action.check_inputs(args))
    if not errors:
        return None
    msg = inputs.refusal(errors)
    return {"failed": True, "msg": msg,
            "error": {"kind": "invalid_argument", "message": msg, "options": [e.option for e in errors]}}


class SfbAction(ActionBase):
    """Subclasses set ARGUMENT_SPEC (and the validation lists) and implement `execute`."""

    TRANSFERS_FILES = False
    _requires_connection = True

    ARGUMENT_SPEC: dict[str, dict] = {}
    MUTUALLY_EXCLUSIVE: list = []
    REQUIRED_IF: list = []
    REQUIRED_ONE_OF: list = []
    REQUIRED_TOGETHER: list = []
    # option -> check of plugin_utils/domain/inputs.py, applied after Ansible's validation, before execute.
    INPUT_CHECKS: dict = {}

    def check_inputs(self, args: dict) -> list:
        """Checks that involve several options; returns a list of inputs.InputError."""
        return []

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp
        try:
            _unused, args = self.validate_argument_spec(
                argument_spec=self.ARGUMENT_SPEC,
                mutually_exclusive=self.MUTUALLY_EXCLUSIVE,
                required_if=self.REQUIRED_IF,
                required_one_of=self.REQUIRED_ONE_OF,
                required_together=self.REQUIRED_TOGETHER,
            )
        except AnsibleActionFail as exc:
            result.update(failed=True, msg=str(exc), error={"kind": "invalid_argument", "message": str(exc)})
            return result
        refusal = refused_inputs(self, args)
        if refusal:
            result.update(refusal, changed=False)
            return result
        host = None
        try:
            host = host_for(self, task_vars)
            # Parsers that meet output they cannot read stop the task (UnreadableOutput) unless the
            # administrator named the command in this variable, accepting the risk.
            with accepting_unreadable(task_vars.get(ACCEPT_UNREADABLE_VARIABLE) or ()):
                result.update(self.execute(host, args, task_vars))
        except HostUnreachable as exc:
            result.update(unreachable=True, msg=str(exc), error=exc.to_result())
        except SfbError as exc:
            result.update(failed=True, changed=exc.changed, msg=str(exc), error=exc.to_result())
        result.setdefault("changed", False)
        secrets = no_log_values(self.ARGUMENT_SPEC, args)
        if host is not None:
            result["round_trips"] = host.round_trips
            secrets |= host.secret_values
        return redact(result, secrets)

    def require_become(self, server: str, why: str) -> None:
        """Fail at once when a DPAPI-bound step runs without become.

        Ansible's "Windows Remote Management" page (WinRM limitations): a network logon cannot use
        DPAPI, which SQL Server Express (the local store, RTCLocal) and the Cloud Connector credential
        cache need; CredSSP does not lift it, `become` with `become_method: runas` does. Without it the
        installer would fail deep inside, so the task stops before anything is read or changed.
        """
        become = getattr(self._connection, "become", None)
        method = str(getattr(become, "name", "") or "").rsplit(".", 1)[-1]
        if become is None or method != "runas":
            raise SfbError(
                f"{server}: {why}, which needs DPAPI: it must run with become "
                f"({'no become' if become is None else 'become_method ' + method}).",
                hint="Set `become: true` and `become_method: runas` (with `become_user` the run account) on the play "
                "or in the inventory (ansible_become: true, ansible_become_method: runas, ansible_become_user: "
                "CONTOSO\\sfbadmin); CredSSP alone does not give DPAPI.",
                kind="become_required")

    @property
    def check_mode(self) -> bool:
        return bool(self._task.check_mode)

    @property
    def diff_mode(self) -> bool:
        return bool(self._task.diff)

    def execute(self, host: Host, args: dict[str, Any], task_vars: dict) -> dict:
        raise NotImplementedError

    def converge(self, host: Host, plan: Plan | None, before: Any, after: Any) -> dict:
        """The common shape of a change.

        `plan` is what brings the server from `before` to `after` (None or empty: nothing to do).
        In check mode the plan is only described; otherwise it runs in one round trip and the
        first failing step fails the task. The caller verifies the result with a fresh read.
        """
        steps = plan.steps if plan is not None else ()
        result: dict[str, Any] = {"changed": bool(steps), "commands": plan.describe() if steps else []}
        if steps and self.diff_mode:
            result["diff"] = {"before": before, "after": after}
        if steps and not self.check_mode:
            result["transcript"] = host.run(plan).raise_for_failure().transcript()
        return result


class ControllerAction(ActionBase):
    """A module that runs on the controller (DNS checks, reports, twin worlds): no connection needed.

    Subclasses set ARGUMENT_SPEC (and the validation lists) and implement `work(args)`; bad
    arguments and SfbError become failed tasks, as for SfbAction.
    """

    TRANSFERS_FILES = False
    _requires_connection = False
    ARGUMENT_SPEC: dict = {}
    MUTUALLY_EXCLUSIVE: list = []
    REQUIRED_IF: list = []
    REQUIRED_ONE_OF: list = []
    INPUT_CHECKS: dict = {}

    def check_inputs(self, args: dict) -> list:
        """Checks that involve several options; returns a list of inputs.InputError."""
        return []

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        try:
            _unused, args = self.validate_argument_spec(
                argument_spec=self.ARGUMENT_SPEC, mutually_exclusive=self.MUTUALLY_EXCLUSIVE,
                required_if=self.REQUIRED_IF, required_one_of=self.REQUIRED_ONE_OF)
            refusal = refused_inputs(self, args)
            if refusal:
                result.update(refusal, changed=False)
                return result
            result.update(self.work(args))
        except AnsibleActionFail as exc:
            result.update(failed=True, msg=str(exc), error={"kind": "invalid_argument", "message": str(exc)})
        except SfbError as exc:
            result.update(failed=True, msg=str(exc), error=exc.to_result())
        except OSError as exc:
            # A controller file that cannot be written or read (a full disk, a name the file system refuses):
            # say which, rather than show a traceback.
            msg = f"{exc.filename or 'a file on the controller'}: {exc.strerror or exc}."
            result.update(failed=True, msg=msg, error={"kind": "controller_file", "message": msg})
        result.setdefault("changed", False)
        return redact(result, no_log_values(self.ARGUMENT_SPEC, self._task.args))

    def work(self, args: dict) -> dict:
        raise NotImplementedError
