# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.reboot: restart a server and wait until it answers again (win_reboot on real servers)."""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.errors import HostUnreachable, SfbError


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "reason": {"type": "str", "default": "sfb.server maintenance"},
        "reboot_timeout": {"type": "int", "default": 1800},
    }
    INPUT_CHECKS = {"reason": inputs.nonempty, "reboot_timeout": inputs.positive_duration}

    def execute(self, host, args, task_vars):
        if args["reboot_timeout"] < 1:
            raise SfbError("reboot_timeout is a positive number of seconds.")
        if self.check_mode:
            return {"changed": True, "rebooted": False, "seconds": 0}
        started = host.now()
        try:
            host.reboot(args["reason"], args["reboot_timeout"])
        except HostUnreachable as exc:
            # A failed task, not an unreachable host: the rollout's rescue must still say which server is
            # out of service and why.
            raise SfbError(exc.msg, hint=exc.hint) from None
        return {"changed": True, "rebooted": True, "seconds": int(host.now() - started)}
