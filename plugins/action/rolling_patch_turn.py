# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.rolling_patch_turn: the rolling patch's turnstile on the controller (issue #16).

Each pool lane runs one server at a time, and the lanes do not wait for one another: a server waits for
the previous server of its lane (the plan's `after`), nothing else. The play's hosts see each other's facts
only as they were when a task was queued, so the turns are kept in files of a folder of the controller that
only this run uses: `<server>.done` when a server's cycle ended, `halted-<server>` when one halted its pool.
A halt stops every server not started yet, in every lane; the servers already in their cycle finish it.
"""

from __future__ import annotations

import json
import os
import shutil
import time

from ansible_collections.sfb.server.plugins.plugin_utils.action import ControllerAction
from ansible_collections.sfb.server.plugins.plugin_utils.controller import report_files
from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError

_HALTED = "halted-"
_DONE = ".done"


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = {
        "state": {"type": "str", "choices": ["waited", "done", "halted", "cleared"], "default": "waited"},
        "path": {"type": "path", "required": True},
        "server": {"type": "str"},
        "after": {"type": "list", "elements": "str", "default": []},
        "reason": {"type": "str", "default": ""},
        "timeout": {"type": "int", "default": 86400},
        "poll_interval": {"type": "float", "default": 0.2},
    }
    REQUIRED_IF = [("state", "done", ("server",)), ("state", "halted", ("server",))]
    INPUT_CHECKS = {"path": inputs.writable_folder, "timeout": inputs.positive_duration,
                    "poll_interval": inputs.at_least(0.01)}

    def work(self, args: dict) -> dict:
        folder = args["path"]
        if args["state"] == "cleared":
            existed = os.path.isdir(folder)
            shutil.rmtree(folder, ignore_errors=True)
            return {"changed": False, "cleared": existed}
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if args["state"] in ("done", "halted"):
            name = f"{_HALTED}{args['server']}" if args["state"] == "halted" else f"{args['server']}{_DONE}"
            report_files.write_atomically(os.path.join(folder, name),
                                          json.dumps({"server": args["server"], "reason": args["reason"]}))
            return {"changed": False, "state": args["state"]}
        return self._wait(folder, args)

    @staticmethod
    def _halts(folder: str) -> list[dict]:
        halts = []
        for name in sorted(os.listdir(folder)):
            if name.startswith(_HALTED):
                try:
                    with open(os.path.join(folder, name), encoding="utf-8") as handle:
                        halts.append(json.load(handle))
                except (OSError, ValueError):
                    halts.append({"server": name[len(_HALTED):], "reason": ""})
        return halts

    def _wait(self, folder: str, args: dict) -> dict:
        began = time.monotonic()
        while True:
            halts = self._halts(folder)
            if halts:
                return {"changed": False, "halted": True, "halted_by": [h["server"] for h in halts],
                        "reasons": [h.get("reason", "") for h in halts], "waited": round(time.monotonic() - began, 1)}
            waiting = [s for s in args["after"] if not os.path.exists(os.path.join(folder, f"{s}{_DONE}"))]
            if not waiting:
                return {"changed": False, "halted": False, "halted_by": [], "reasons": [],
                        "waited": round(time.monotonic() - began, 1)}
            if time.monotonic() - began > args["timeout"]:
                raise SfbError(f"Waited {args['timeout']} seconds for {', '.join(waiting)} to finish its cycle.",
                               hint="Look at that server's task output: its cycle has not ended. Nothing was changed "
                               "on this server; run the playbook again once it has.", waiting_for=waiting)
            time.sleep(args["poll_interval"])
