# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.twin_world: create or remove a twin world on the controller."""

from __future__ import annotations

import os

from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.twin.admin_action import TwinAdminAction
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin


class ActionModule(TwinAdminAction):
    ARGUMENT_SPEC = {
        "path": {"type": "path", "required": True},
        "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
        "src": {"type": "path"},
        "description": {"type": "dict"},
        "replace": {"type": "bool", "default": False},
    }
    MUTUALLY_EXCLUSIVE = [["src", "description"]]
    REQUIRED_IF = [["state", "present", ["src", "description"], True]]
    INPUT_CHECKS = {"path": inputs.controller_path, "src": inputs.existing_file}

    def check_inputs(self, args):
        # A new world file needs a folder the controller can write in.
        if args["state"] != "present" or inputs.check_errors({"path": inputs.controller_path}, args):
            return []
        try:
            inputs.writable_folder(os.path.dirname(os.path.abspath(args["path"])) or ".", "path")
        except inputs.InputError as exc:
            return [inputs.InputError("path", args["path"], exc.expected)]
        return []

    def manage(self, store, args):
        exists = os.path.exists(store.path)
        if args["state"] == "absent":
            if exists and not self._task.check_mode:
                os.remove(store.path)
            return {"changed": exists, "path": store.path}
        if exists and not args["replace"]:
            return {"changed": False, "world": admin.summary(store)}
        desc = args["description"] if args["description"] is not None else admin.load_description(args["src"])
        if self._task.check_mode:
            admin.check_description(desc)
            return {"changed": True, "path": store.path}
        return {"changed": True, "world": admin.create(store, desc, replace=True)}
