# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.cumulative_update: install a Skype for Business Server cumulative update on a server that is
out of service (failed over, or drained), with its own installer.

The CU KB articles ("Updates for Skype for Business Server 2015", "... 2019") ship the update as
SkypeServerUpdateInstaller.exe and give /silentmode for an unattended install; the installer keeps its
own log. Get-CsServerPatchVersion (office-docs-powershell Get-CsServerPatchVersion.md) reads the
version before (a server already at the target skips the installer: a second run changes nothing) and
the rollout's verify step reads it after the restart. On a Standard Edition server the install sits
inside patch-or-update-a-back-end-or-standard-edition-server.md: services stopped (the drain), "net
stop w3svc" (stop_web_server), install; the database step follows (sfb.server.database_update).

The marker gets `installing_cu` before the installer and `cu_installed` after it, in the same plan.

state=staged copies the installer from the controller to `path` on the server (Host.copy_file, which is
ansible.windows' win_copy on Windows): the rollout stages it on every server while they all still serve,
so that a server's time out of service holds only the install. The controller file's SHA-1 is its
identity: a server that already holds it is not copied to again.
"""

from __future__ import annotations

import hashlib
import ntpath
import os

from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs, maintenance
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Executable, Plan
from ansible_collections.sfb.server.plugins.plugin_utils.state import maintenance as steps
from ansible_collections.sfb.server.plugins.plugin_utils.state.pool import HandedState


def installer_step(path: str) -> Executable:
    return Executable(path, ("/silentmode",), success_codes=maintenance.CU_SUCCESS_CODES,
                      restart_codes=maintenance.CU_RESTART_CODES)


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "state": {"type": "str", "default": "installed", "choices": ["installed", "staged"]},
        "path": {"type": "str", "required": True},
        "version": {"type": "str"},
        "src": {"type": "path"},
        "stop_web_server": {"type": "bool", "default": False},
        "known_state": {"type": "dict"},
    }
    INPUT_CHECKS = {"path": inputs.nonempty, "version": inputs.nonempty, "src": inputs.existing_file}

    def check_inputs(self, args):
        errors = []
        if args.get("state") == "staged":
            if args.get("src") is None:
                errors.append(inputs.InputError("src", inputs.MISSING, "the installer's path on the controller (state=staged)"))
            if args.get("src") and ntpath.basename(str(args["src"])).lower() != maintenance.CU_INSTALLER.lower():
                errors.append(inputs.InputError("src", args["src"], f"the controller path of {maintenance.CU_INSTALLER}"))
            try:
                inputs.windows_path(args["path"], "path")
            except inputs.InputError as exc:
                errors.append(exc)
            if str(args["path"]).startswith("\\\\"):
                errors.append(inputs.InputError("path", args["path"], "a local path on the server (state=staged copies the "
                                                "installer to each server's own disk), such as C:\\ProgramData\\sfb.server\\CU\\"
                                                f"{maintenance.CU_INSTALLER}"))
        elif args.get("src") is not None:
            errors.append(inputs.InputError("src", args["src"], "unset unless state=staged (the installer runs from path)"))
        if args.get("state") != "staged" and args.get("version") is None:
            errors.append(inputs.InputError("version", inputs.MISSING, "the version the update brings, such as 7.0.2046.530"))
        elif args.get("version") is not None and maintenance.parse_version(args["version"]) is None:
            errors.append(inputs.InputError("version", args["version"], "a version such as 7.0.2046.530"))
        if ntpath.basename(str(args["path"])).lower() != maintenance.CU_INSTALLER.lower():
            errors.append(inputs.InputError("path", args["path"], f"the full path of {maintenance.CU_INSTALLER}"))
        return errors

    def execute(self, host, args, task_vars):
        if args["state"] == "staged":
            return self.stage(host, args)
        return self.install(host, args)

    def stage(self, host, args):
        base = {"src": args["src"], "path": args["path"], "installed": False, "restart_required": False}
        if self.check_mode:
            # Whether the server already holds this content is known only to the copy (win_copy compares the
            # checksums on the server): check mode says what it would copy, with the controller file's checksum.
            return {"changed": True, "copied": False, "checksum": _sha1(args["src"]),
                    "commands": [f"copy {args['src']} to {args['path']}"], **base}
        copy = host.copy_file(args["src"], args["path"])
        return {"changed": copy.changed, "copied": copy.changed, "checksum": copy.checksum, "size": copy.size, **base}

    def install(self, host, args):
        known = HandedState.obtain(host, args["known_state"], patch_version=True)
        if not known.patch_version:
            known = HandedState.obtain(host, None, patch_version=True)
        decision = maintenance.cu_decision(known.patch_version, args["version"], known.server)
        base = {"version_before": known.patch_version, "target": args["version"], "decision": decision}
        if decision == "at_target":
            return {"changed": False, "installed": False, "restart_required": False, "state": known.to_result(), **base}
        marker = known.marker
        if marker is None and self.check_mode:
            # In check mode the failover or drain before this task only described itself.
            marker = maintenance.Marker(phase="failed_over", reason="check mode", started=host.now())
        if marker is None or (marker.phase in ("failing_over",) and not marker.failed_over):
            raise SfbError(f"{known.server} is in service: a cumulative update is installed only once the server is "
                           "failed over (Front End) or drained (other servers).",
                           hint="Run sfb.server.failover state=failed_over or sfb.server.drain state=drained first "
                           "(playbooks/patch_pool.yml does).")
        begun = maintenance.Marker.from_text(marker.to_text())
        begun.phase = "installing_cu"
        marker.phase = "cu_installed"
        marker.history.append({"cu": args["version"], "from": known.patch_version})
        web = [CmdletCall("Stop-CsWindowsService", {"Name": "W3SVC"})] if args["stop_web_server"] else []
        plan = Plan.of(*steps.write_marker(begun, known.key_exists), *web, installer_step(args["path"]),
                       *steps.write_marker(marker, True))
        result = {"changed": True, "commands": plan.describe(), "installed": False, "restart_required": False, **base}
        if self.diff_mode:
            result["diff"] = {"before": {"version": known.patch_version}, "after": {"version": args["version"]}}
        if self.check_mode:
            result["state"] = known.to_result()
            return result
        started = host.now()
        answer = host.run(plan)
        failed = answer.failed()
        if failed is not None:
            code = failed.exit_code
            raise SfbError(
                f"{known.server}: {failed.step.describe()} failed"
                f"{f' with exit code {code}' if code is not None else ''}: "
                f"{failed.error.message if failed.error else ''} {(failed.stdout or '')[-400:]}".strip() + ".",
                hint="Read the installer's log on the server (SkypeServerUpdateInstaller writes one per run). The server "
                "stays out of service; its marker says installing_cu. Fix the cause and run the playbook again: the "
                "installer runs again (a server already at the target version skips it).",
                exit_code=code) from None
        ran = next((r for r in answer.results if isinstance(r.step, Executable)), None)
        known.marker, known.key_exists = marker, True
        result.update(installed=True, restart_required=bool(ran and ran.needs_restart),
                      exit_code=ran.exit_code if ran else None, seconds=int(host.now() - started),
                      transcript=answer.transcript(),
                      state=known.to_result())
        return result


def _sha1(path: str) -> str:
    digest = hashlib.sha1()
    with open(os.path.expanduser(path), "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
