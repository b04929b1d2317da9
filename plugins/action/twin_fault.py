# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.twin_fault: inject or clear a fault on a server of a twin world."""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.twin.admin_action import TwinAdminAction
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin


class ActionModule(TwinAdminAction):
    ARGUMENT_SPEC = {
        "path": {"type": "path", "required": True},
        "server": {"type": "str", "required": True},
        # Families of the twin add faults of their own, so the list is checked when the fault is set.
        "fault": {"type": "str", "required": True},
        "value": {"type": "raw"},
        "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    }
    REQUIRED_IF = [["state", "present", ["value"]]]
    INPUT_CHECKS = {"path": inputs.controller_path, "server": inputs.host_name, "fault": inputs.plain_name(" ")}

    def manage(self, store, args):
        value = args["value"] if args["state"] == "present" else None
        return admin.set_fault(store, args["server"], args["fault"], value, check_mode=self._task.check_mode)
