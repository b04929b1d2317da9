# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.windows_update: search or install Windows updates and restart when they need it.

On a real server the work is ansible.windows.win_updates and win_reboot (through the Host seam);
on the twin, the world's pending updates. The durations of the install and of the restart are
returned separately: the maintenance summary reports them per phase.
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "state": {"type": "str", "choices": ["installed", "searched"], "default": "installed"},
        "category_names": {"type": "list", "elements": "str", "default": []},
        "reject_list": {"type": "list", "elements": "str", "default": []},
        "timeout": {"type": "int", "default": 7200},
        "reboot": {"type": "str", "choices": ["if_required", "always", "never"], "default": "if_required"},
        "reboot_timeout": {"type": "int", "default": 1800},
    }

    def execute(self, host, args, task_vars):
        categories, reject = args["category_names"], args["reject_list"]
        if args["state"] == "searched" or self.check_mode:
            found = host.search_updates(categories, reject)
            return {"changed": bool(found) and args["state"] == "installed", "updates": found,
                    "installed": [], "failed_updates": [], "reboot_required": None,
                    "rebooted": False, "would_reboot": args["reboot"] == "always" or (bool(found) and args["reboot"] != "never")}
        started = host.now()
        run = host.install_updates(categories, reject, args["timeout"])
        install_seconds = int(host.now() - started)
        if run.failed:
            raise SfbError(
                f"{host.name}: {len(run.failed)} update(s) failed to install: "
                f"{', '.join(u.get('kb') or u.get('title', '?') for u in run.failed)}.",
                hint="Read the Windows Update log on the server; the server stays out of service until the "
                "maintenance is resumed or the server is returned to service.",
                installed=[u.get("kb") for u in run.installed], failed=[u.get("kb") for u in run.failed])
        rebooted, reboot_seconds = False, 0
        if args["reboot"] == "always" or (args["reboot"] == "if_required" and run.reboot_required):
            restarted = host.reboot("sfb.server.windows_update: updates installed", args["reboot_timeout"])
            rebooted, reboot_seconds = bool(restarted.get("rebooted", True)), int(restarted.get("elapsed", 0))
        return {
            "changed": bool(run.installed) or rebooted,
            "installed": [{k: u.get(k) for k in ("kb", "title", "category")} for u in run.installed],
            "failed_updates": [],
            "reboot_required": bool(run.reboot_required) and not rebooted,
            "rebooted": rebooted,
            "install_seconds": install_seconds,
            "reboot_seconds": reboot_seconds,
        }
