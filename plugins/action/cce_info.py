# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.cce_info: versions, directories, status and update mode of a Cloud Connector appliance."""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.state import cce as cce_state
from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction


class ActionModule(SfbAction):
    ARGUMENT_SPEC: dict = {}

    def execute(self, host, args, task_vars):
        facts = cce_state.read_appliance(host)
        # Ansible shows `warnings` to the user; `problems` keeps them for the play to test.
        return {"changed": False, "appliance": facts.to_result(), "problems": facts.warnings,
                "warnings": [f"{host.name}: {w}" for w in facts.warnings]}
