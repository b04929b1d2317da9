# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WindowsHost: the Host seam over a real Windows connection (WinRM, PSRP or SSH with PowerShell).

A plan goes to the server as the arguments of one module, sfb.server.plan_runner, so a plan is one
round trip whatever its length. A plan that may outlast the connection's timeout (executables, and
the calls in plan.LONG_CMDLETS: failover, failback, Start-CsPool, readiness reads ...) runs as an
Ansible async job, so that it survives WinRM time-outs and dropped connections while the controller
polls it; the job's file is removed from the server (async_status mode=cleanup) once read.
Secrets travel as the runner's `secrets` list, whose `value` sub-option is no_log so that
Ansible.Basic masks each value, and only become SecureString or PSCredential objects on the
server; whatever the server answers is scrubbed of them before it is read. Restarts and Windows
updates are left to ansible.windows (win_reboot, win_updates): they already survive dropped
connections and reboots.
"""

from __future__ import annotations

import time
from typing import Any

from ansible.errors import AnsibleConnectionFailure
from ansible.utils.display import Display

from ansible_collections.sfb.server.plugins.plugin_utils.errors import HostUnreachable, PlanTimedOut, SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.base import (
    FileCopy, Host, UpdateDownload, UpdateRun, parse_runner_result,
)
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import Executable, Plan, PlanResult
from ansible_collections.sfb.server.plugins.plugin_utils.host.redact import redact

display = Display()

RUNNER = "sfb.server.plan_runner"
ASYNC_STATUS = "ansible.windows.async_status"
# Setup and Bootstrapper runs take tens of minutes on a slow server, a failover waits up to its
# -WaitTime (one hour by default); four hours is beyond any of them.
LONG_PLAN_TIMEOUT = 4 * 3600
LONG_PLAN_POLL_SECONDS = 15
# Polls that may fail in a row (connection dropped, server busy) before the controller gives up
# on a job that keeps running on the server.
MAX_FAILED_POLLS = 40
# What ansible-core's PowerShell async watchdog (executor/powershell/async_watchdog.ps1, 2.16 to 2.21)
# says of a job it stopped at its time limit: the job's own answer never came.
WATCHDOG_TIMED_OUT = "timed out waiting for module completion"
REBOOT_ACTION = "ansible.windows.win_reboot"
UPDATES_ACTION = "ansible.windows.win_updates"
COPY_ACTION = "ansible.windows.win_copy"


class WindowsHost(Host):
    def __init__(self, action, task_vars: dict, name: str, check_mode: bool = False):
        super().__init__(name, check_mode)
        self._action = action
        self._task_vars = task_vars

    def _run(self, plan: Plan) -> PlanResult:
        arguments = {"steps": plan.to_wire(), "modules": plan.modules(), "secrets": plan.secrets_to_wire()}
        reason = plan.long_reason()
        if reason:
            display.vvv(f"{self.name}: running the plan as an async job ({reason})", host=self.name)
            limits = [s.timeout for s in plan.steps if isinstance(s, Executable) and s.timeout]
            limit = plan.time_limit or (max(limits) if limits else LONG_PLAN_TIMEOUT)
            answer = self._run_detached(arguments, limit)
            if answer.get("failed") and WATCHDOG_TIMED_OUT in str(answer.get("msg", "")):
                raise PlanTimedOut(
                    f"{self.name}: the plan did not finish within its {limit} seconds and was stopped on the server.",
                    hint="The steps before the one running have done their work; run the task again to see the "
                    "server's state.", time_limit=limit)
        else:
            answer = self._execute(RUNNER, arguments)
        # The server may echo a secret (a CA's refusal quoting the password): nothing past here sees it.
        answer = redact(answer, plan.secrets.values())
        if answer.get("unreachable"):
            raise HostUnreachable(f"{self.name}: {answer.get('msg', 'the host is unreachable')}",
                                  hint="Check the connection settings and that the server is up.")
        return parse_runner_result(plan, answer, self.name)

    def _execute(self, module: str, arguments: dict, wrap_async: bool = False) -> dict:
        try:
            return self._action._execute_module(
                module_name=module, module_args=arguments, task_vars=self._task_vars, wrap_async=wrap_async)
        except AnsibleConnectionFailure as exc:
            raise HostUnreachable(
                f"{self.name}: the connection failed while running a plan: {exc}",
                hint="Check that WinRM/PSRP answers (ansible -m ansible.windows.win_ping); every module "
                "of this collection reads the server's state first, so running the task again is safe.",
            ) from None

    def _run_detached(self, arguments: dict, limit: int = LONG_PLAN_TIMEOUT) -> dict:
        """Run a long plan (Plan.long_reason) as an Ansible async job.

        Such steps can outlast a WinRM operation or the connection itself. The async job keeps
        running on the server when the connection drops; the controller polls its status, riding
        out dropped polls, until the job ends or LONG_PLAN_TIMEOUT passes. The job's file holds the
        runner's result (already free of secrets: the runner masks them) and is removed once read.
        """
        task = self._action._task
        saved = task.async_val
        task.async_val = limit
        try:
            job = self._execute(RUNNER, arguments, wrap_async=True)
        finally:
            task.async_val = saved
        if job.get("failed") or "ansible_job_id" not in job:
            return job
        async_dir = self._action.get_shell_option("async_dir", default="~/.ansible_async")
        status_args = {"jid": job["ansible_job_id"], "mode": "status", "_async_dir": async_dir}
        # The watchdog on the server stops the job at `limit`; its answer needs a few polls more.
        deadline = time.time() + limit + 4 * LONG_PLAN_POLL_SECONDS
        failed_polls = 0
        while True:
            try:
                status = self._execute(ASYNC_STATUS, status_args)
            except HostUnreachable as exc:
                status = {"finished": False, "unreachable": True, "msg": str(exc)}
            self.round_trips += 1
            if status.get("finished") and not status.get("unreachable"):
                self._cleanup(job["ansible_job_id"], async_dir)
                return status
            failed_polls = failed_polls + 1 if status.get("unreachable") else 0
            if failed_polls > MAX_FAILED_POLLS:
                raise HostUnreachable(
                    f"{self.name}: lost the connection while job {job['ansible_job_id']} ran: {status.get('msg', '')}".strip(),
                    hint="The job may still be running on the server; when it answers again, run the task again: "
                    "every module reads the server's state first.",
                )
            if time.time() > deadline:
                raise HostUnreachable(
                    f"{self.name}: a long-running plan (job {job['ansible_job_id']}) did not finish within "
                    f"{limit} seconds.",
                    hint="Look at the server: the job may still be running. Run the task again when it ends.",
                )
            display.vvv(f"{self.name}: waiting for job {job['ansible_job_id']}", host=self.name)
            time.sleep(LONG_PLAN_POLL_SECONDS)

    def _cleanup(self, jid: str, async_dir: str) -> None:
        """Remove the job's file from the server (ansible.windows.async_status mode=cleanup)."""
        try:
            answer = self._execute(ASYNC_STATUS, {"jid": jid, "mode": "cleanup", "_async_dir": async_dir})
        except HostUnreachable as exc:
            answer = {"failed": True, "msg": str(exc)}
        self.round_trips += 1
        if answer.get("failed") or answer.get("unreachable"):
            display.warning(f"{self.name}: the file of job {jid} could not be removed from {async_dir}: "
                            f"{answer.get('msg', '')}".strip())

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))

    def reboot(self, reason: str, timeout: float) -> dict:
        self._refuse_in_check_mode("restart the server")
        result = self._run_action(REBOOT_ACTION, {"msg": reason, "reboot_timeout": int(timeout)})
        if result.get("failed") or result.get("unreachable"):
            raise HostUnreachable(
                f"{self.name} did not come back after its restart: {result.get('msg', '')}".strip(),
                hint="Look at the server's console; when it is back, run the playbook again to resume.",
            )
        self.round_trips += 1
        return {"rebooted": bool(result.get("rebooted", True)), "elapsed": int(result.get("elapsed", 0))}

    def install_updates(self, categories: list[str], reject: list[str], timeout: float) -> UpdateRun:
        self._refuse_in_check_mode("install Windows updates")
        result = self._win_updates("installed", categories, reject, "installing updates", reboot=False)
        updates = result.get("updates") or {}
        installed = [_update(u) for u in updates.values() if u.get("installed")]
        failed = [_update(u) for u in updates.values() if u.get("failure_hresult_code") or u.get("failure_msg")]
        if result.get("failed") and not failed:
            raise SfbError(f"{self.name}: Windows Update failed: {result.get('msg', '')}".strip(),
                           hint="Read the update log on the server (win_updates log_path) and run again.")
        return UpdateRun(installed=installed, failed=failed, reboot_required=bool(result.get("reboot_required")))

    def search_updates(self, categories: list[str], reject: list[str]) -> list[dict]:
        result = self._win_updates("searched", categories, reject, "searching for updates")
        if result.get("failed"):
            raise SfbError(f"{self.name}: searching for Windows updates failed: {result.get('msg', '')}".strip(),
                           hint="Check that the Windows Update service can reach its source (WSUS or Microsoft Update).")
        return [_update(u) for u in _selected_updates(result)]

    def download_updates(self, categories: list[str], reject: list[str], timeout: float) -> UpdateDownload:
        # win_updates state=downloaded (ansible.windows' win_updates documentation: "Search and download
        # Windows updates without installing them"): it skips updates already downloaded and reports
        # downloaded=true only for those it fetched in this run; rejected ones carry filtered_reasons.
        self._refuse_in_check_mode("download Windows updates")
        result = self._win_updates("downloaded", categories, reject, "downloading updates", reboot=False)
        chosen = _selected_updates(result)
        failed = [_update(u) for u in chosen if u.get("failure_hresult_code") or u.get("failure_msg")]
        if result.get("failed") and not failed:
            raise SfbError(f"{self.name}: downloading Windows updates failed: {result.get('msg', '')}".strip(),
                           hint="Check that the Windows Update service can reach its source (WSUS or Microsoft Update).")
        downloaded = [_update(u) for u in chosen if u.get("downloaded")]
        already = [_update(u) for u in chosen if not u.get("downloaded") and _update(u) not in failed]
        return UpdateDownload(downloaded=downloaded, already=already, failed=failed)

    def _win_updates(self, state: str, categories: list[str], reject: list[str], doing: str, **extra) -> dict:
        """One ansible.windows.win_updates run (one round trip); an unreachable server raises."""
        arguments: dict[str, Any] = {"state": state, **extra, "reject_list": list(reject)}
        if categories:
            arguments["category_names"] = list(categories)
        result = self._run_action(UPDATES_ACTION, arguments)
        self.round_trips += 1
        if result.get("unreachable"):
            raise HostUnreachable(f"{self.name}: {result.get('msg', f'unreachable while {doing}')}")
        return result

    def copy_file(self, src: str, dest: str) -> FileCopy:
        # ansible.windows' win_copy documentation: src is a path on the controller, dest the absolute path on
        # the server (its folders are created); it compares the SHA-1 checksums and copies only when they
        # differ, returning changed, checksum and size.
        self._refuse_in_check_mode(f"copy {src} to {dest}")
        result = self._run_action(COPY_ACTION, {"src": src, "dest": dest})
        self.round_trips += 1
        if result.get("unreachable"):
            raise HostUnreachable(f"{self.name}: {result.get('msg', f'unreachable while copying {src}')}")
        if result.get("failed"):
            raise SfbError(f"{self.name}: copying {src} to {dest} failed: {result.get('msg', '')}".strip(),
                           hint="Check the free space and the permissions of the destination folder on the server.")
        return FileCopy(changed=bool(result.get("changed")), checksum=str(result.get("checksum") or ""),
                        size=int(result.get("size") or 0))

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


def _selected_updates(result: dict) -> list[dict]:
    """The updates win_updates selected: none it filtered out (reject_list, category_names, hidden...).
    ansible.windows' win_updates documentation returns those in filtered_updates, each with its
    filtered_reasons, and its action plugin (3.8.0) keeps them out of updates; an entry of updates that
    still carries filtered_reasons is left out too, so a rejected update never counts as pending."""
    return [u for u in (result.get("updates") or {}).values() if not u.get("filtered_reasons")]


def _update(update: dict) -> dict:
    return {
        "kb": ", ".join(f"KB{kb}" for kb in update.get("kb", [])),
        "title": update.get("title", ""),
        "category": ", ".join(update.get("categories", [])),
    }
