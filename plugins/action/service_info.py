# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.service_info: the Skype for Business services of a server, as Get-CsWindowsService sees them."""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.domain import services
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall

PROPERTIES = ("Name", "DisplayName", "Status", "ActivityLevel", "RoleName")


def service_calls(names: list[str], activity_level: bool) -> list[CmdletCall]:
    parameters = {} if activity_level else {"ExcludeActivityLevel": True}
    if not names:
        return [CmdletCall("Get-CsWindowsService", parameters, select=PROPERTIES)]
    return [CmdletCall("Get-CsWindowsService", {"Name": name, **parameters}, select=PROPERTIES) for name in names]


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "name": {"type": "list", "elements": "str", "default": []},
        "activity_level": {"type": "bool", "default": True},
    }
    INPUT_CHECKS = {"name": inputs.each(inputs.plain_name(" ,;"))}

    def execute(self, host, args, task_vars):
        answer = host.read(*service_calls(args["name"], args["activity_level"]))
        states = [services.from_cmdlet(obj) for index in range(len(answer.results)) for obj in answer.output(index)]
        return {
            "changed": False,
            "services": [state.to_result() for state in states],
            "sessions": sum(state.sessions for state in states),
            "running": all(state.status == "Running" for state in states),
        }
