# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.windows_update: bring Windows up to date (seed 002: before installing, and again after step 2).

On real servers the work is ansible.windows.win_updates (search, download or install) and win_reboot,
through the Host seam; on the twin, the world's pending updates. Check mode only searches.

`state: downloaded` stages the updates ahead (win_updates state=downloaded: "Search and download Windows
updates without installing them"): run on every server at once before the first one leaves service,
it leaves only the installation itself inside each server's time out of service.
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError

DEFAULT_CATEGORIES = ["CriticalUpdates", "SecurityUpdates", "UpdateRollups"]


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "categories": {"type": "list", "elements": "str", "default": DEFAULT_CATEGORIES},
        "reject": {"type": "list", "elements": "str", "default": []},
        "reboot": {"type": "bool", "default": True},
        "timeout": {"type": "int", "default": 7200},
        "reboot_timeout": {"type": "int", "default": 1800},
        "state": {"type": "str", "default": "installed", "choices": ["installed", "downloaded"]},
    }
    INPUT_CHECKS = {"categories": inputs.each(inputs.plain_name(",;")), "reject": inputs.each(inputs.kb),
                    "timeout": inputs.positive_duration, "reboot_timeout": inputs.positive_duration}

    def execute(self, host, args, task_vars):
        if self.check_mode:
            pending = host.search_updates(args["categories"], args["reject"])
            # win_updates' search answer does not say which are downloaded already: a download in check
            # mode reports every pending update as one it would fetch.
            return {"changed": bool(pending), "pending": pending, "installed": [], "downloaded": [],
                    "rebooted": False}
        if args["state"] == "downloaded":
            return self._download(host, args)
        run = host.install_updates(args["categories"], args["reject"], args["timeout"])
        rebooted = False
        if run.reboot_required and args["reboot"]:
            host.reboot("Windows updates installed by sfb.server.windows_update", args["reboot_timeout"])
            rebooted = True
        result = {"changed": bool(run.installed) or rebooted, "installed": run.installed, "failed_updates": run.failed,
                  "reboot_required": run.reboot_required and not rebooted, "rebooted": rebooted, "pending": []}
        if run.failed:
            raise SfbError(f"{host.name}: {len(run.failed)} update(s) failed to install: "
                           f"{', '.join(u.get('kb') or u.get('title', '?') for u in run.failed)}.",
                           hint="Read the Windows Update log on the server; reject the update (reject=) if it cannot "
                           "install, and run again.", installed=run.installed, failed_updates=run.failed)
        return result

    @staticmethod
    def _download(host, args) -> dict:
        run = host.download_updates(args["categories"], args["reject"], args["timeout"])
        if run.failed:
            raise SfbError(f"{host.name}: {len(run.failed)} update(s) failed to download: "
                           f"{', '.join(u.get('kb') or u.get('title', '?') for u in run.failed)}.",
                           hint="Check that the server reaches its update source (WSUS or Microsoft Update); "
                           "reject the update (reject=) if it cannot be fetched, and run again.",
                           downloaded=run.downloaded, failed_updates=run.failed)
        # Staged updates are still pending (their install is what the maintenance window holds): the download
        # answers what a search would, so a rollout needs no search of its own outside check mode.
        staged = run.downloaded + run.already
        return {"changed": bool(run.downloaded), "downloaded": run.downloaded, "staged": staged,
                "installed": [], "failed_updates": [], "reboot_required": False, "rebooted": False, "pending": staged}
