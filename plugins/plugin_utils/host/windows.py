# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WindowsHost: the Host seam over a real Windows connection (WinRM, PSRP or SSH with PowerShell).

A plan goes to the server as the arguments of one module, sfb.server.plan_runner, so a plan is one
round trip whatever its length. Secrets travel in the runner's `no_log` option `secrets` and only
become SecureString or PSCredential objects on the server. Restarts and Windows updates are left to
ansible.windows (win_reboot, win_updates): they already survive dropped connections and reboots.
"""

from __future__ import annotations

import time
from typing import Any

from ansible.errors import AnsibleConnectionFailure

from ansible_collections.sfb.server.plugins.plugin_utils.errors import HostUnreachable, SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.base import Host, UpdateRun, parse_runner_result
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import Plan, PlanResult

RUNNER = "sfb.server.plan_runner"
REBOOT_ACTION = "ansible.windows.win_reboot"
UPDATES_ACTION = "ansible.windows.win_updates"


class WindowsHost(Host):
    def __init__(self, action, task_vars: dict, name: str, check_mode: bool = False):
        super().__init__(name, check_mode)
        self._action = action
        self._task_vars = task_vars

    def _run(self, plan: Plan) -> PlanResult:
        arguments = {"steps": plan.to_wire(), "modules": plan.modules(), "secrets": dict(plan.secrets)}
        try:
            answer = self._action._execute_module(
                module_name=RUNNER, module_args=arguments, task_vars=self._task_vars, wrap_async=False)
        except AnsibleConnectionFailure as exc:
            raise HostUnreachable(
                f"{self.name}: the connection failed while running a plan: {exc}",
                hint="Check that WinRM/PSRP answers (ansible -m ansible.windows.win_ping); every module "
                "of this collection reads the server's state first, so running the task again is safe.",
            ) from None
        if answer.get("unreachable"):
            raise HostUnreachable(f"{self.name}: {answer.get('msg', 'the host is unreachable')}",
                                  hint="Check the connection settings and that the server is up.")
        return parse_runner_result(plan, answer, self.name)

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))

    def reboot(self, reason: str, timeout: float) -> dict:
        result = self._run_action(REBOOT_ACTION, {"msg": reason, "reboot_timeout": int(timeout)})
        if result.get("failed") or result.get("unreachable"):
            raise HostUnreachable(
                f"{self.name} did not come back after its restart: {result.get('msg', '')}".strip(),
                hint="Look at the server's console; when it is back, run the playbook again to resume.",
            )
        self.round_trips += 1
        return {"rebooted": bool(result.get("rebooted", True)), "elapsed": int(result.get("elapsed", 0))}

    def install_updates(self, categories: list[str], reject: list[str], timeout: float) -> UpdateRun:
        arguments: dict[str, Any] = {"state": "installed", "reboot": False, "reject_list": list(reject)}
        if categories:
            arguments["category_names"] = list(categories)
        result = self._run_action(UPDATES_ACTION, arguments)
        self.round_trips += 1
        if result.get("unreachable"):
            raise HostUnreachable(f"{self.name}: {result.get('msg', 'unreachable while installing updates')}")
        updates = result.get("updates") or {}
        installed = [_update(u) for u in updates.values() if u.get("installed")]
        failed = [_update(u) for u in updates.values() if u.get("failure_hresult_code") or u.get("failure_msg")]
        if result.get("failed") and not failed:
            raise SfbError(f"{self.name}: Windows Update failed: {result.get('msg', '')}".strip(),
                           hint="Read the update log on the server (win_updates log_path) and run again.")
        return UpdateRun(installed=installed, failed=failed, reboot_required=bool(result.get("reboot_required")))

    def _run_action(self, name: str, arguments: dict) -> dict:
        """Run another collection's action plugin (win_reboot, win_updates) on this connection."""
        task = self._action._task.copy()
        task.args = arguments
        action = self._action._shared_loader_obj.action_loader.get(
            name,
            task=task,
            connection=self._action._connection,
            play_context=self._action._play_context,
            loader=self._action._loader,
            templar=self._action._templar,
            shared_loader_obj=self._action._shared_loader_obj,
        )
        if action is None:
            raise SfbError(f"The action {name} is not installed.",
                           hint="Install the ansible.windows collection (a dependency of sfb.server).")
        return action.run(task_vars=self._task_vars)


def _update(update: dict) -> dict:
    return {
        "kb": ", ".join(f"KB{kb}" for kb in update.get("kb", [])),
        "title": update.get("title", ""),
        "category": ", ".join(update.get("categories", [])),
    }
