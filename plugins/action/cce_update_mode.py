# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.cce_update_mode: take a Cloud Connector appliance out of HA (Enter-CcUpdate) or back (Exit-CcUpdate).

Seed 001: Enter-CcUpdate drains services and puts the appliance in maintenance mode; Exit-CcUpdate
starts services and exits it. Neither cmdlet reports the mode, so the module records the mode it set
in its registry key on the host and reads it first: a second run changes nothing.
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.state import cce as cce_state
from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "state": {"type": "str", "choices": ["entered", "exited"], "required": True},
        "force": {"type": "bool", "default": False},
    }

    def execute(self, host, args, task_vars):
        state = cce_state.read_state(host)
        entered = str((state or {}).get(cce_state.UPDATE_MODE_VALUE, "0")) == "1"
        wanted = args["state"] == "entered"
        if entered == wanted and not args["force"]:
            return {"changed": False, "update_mode": entered, "commands": []}
        if wanted:
            # The record is written after the cmdlet: if Enter-CcUpdate fails, nothing claims the mode.
            steps = [CmdletCall("Enter-CcUpdate"), *cce_state.state_steps(state, cce_state.UPDATE_MODE_VALUE, "1")]
        else:
            steps = [CmdletCall("Exit-CcUpdate"), *cce_state.state_steps(state, cce_state.UPDATE_MODE_VALUE, "0")]
        result = self.converge(host, Plan.of(*steps), {"update_mode": entered}, {"update_mode": wanted})
        result["update_mode"] = wanted if not self.check_mode else entered
        return result
