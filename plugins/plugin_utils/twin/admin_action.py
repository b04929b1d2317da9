# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of the twin's own modules (twin_world, twin_info, twin_fault).

It lives with the twin so that the module base (plugin_utils/action.py), which every real run
loads, never imports the simulation.
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.action import ControllerAction
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore


class TwinAdminAction(ControllerAction):
    """Twin management: every module names the world file in `path`."""

    def work(self, args: dict) -> dict:
        return self.manage(WorldStore(args["path"]), args)

    def manage(self, store: WorldStore, args: dict) -> dict:
        raise NotImplementedError
