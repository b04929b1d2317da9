# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.twin_info: what a twin world looks like now and what happened in it."""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.twin.admin_action import TwinAdminAction
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin


class ActionModule(TwinAdminAction):
    ARGUMENT_SPEC = {
        "path": {"type": "path", "required": True},
        "events_since": {"type": "int", "default": 0},
        "event_kinds": {"type": "list", "elements": "str", "default": []},
    }
    INPUT_CHECKS = {"path": inputs.controller_path, "events_since": inputs.non_negative_count,
                    "event_kinds": inputs.each(inputs.nonempty)}

    def manage(self, store, args):
        events = store.events(since_id=args["events_since"], kinds=tuple(args["event_kinds"]))
        return {"world": admin.summary(store), "events": events,
                "last_event": events[-1]["id"] if events else args["events_since"]}
