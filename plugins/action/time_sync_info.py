# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.time_sync_info: is the host's clock synchronised with a reliable source, and how far off (seed 003)."""

from __future__ import annotations

import re

from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.domain import signin
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import Executable, Plan

W32TM = "w32tm.exe"
_HOST = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.:-]*$")


def time_plan(reference: str | None, samples: int) -> Plan:
    steps = [Executable(W32TM, ("/query", "/status"), read_only=True)]
    if reference:
        steps.append(Executable(W32TM, ("/stripchart", f"/computer:{reference}", f"/samples:{samples}", "/dataonly"),
                                read_only=True))
    return Plan.of(*steps)


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "reference": {"type": "str"},
        "samples": {"type": "int", "default": 1},
        "max_skew": {"type": "float", "default": 5.0},
    }
    INPUT_CHECKS = {
        "reference": inputs.host_or_address,
        "samples": inputs.between(1, 10, "a number of samples"),
        "max_skew": inputs.greater_than(0, "a number of seconds"),
    }

    def execute(self, host, args, task_vars):
        reference = args["reference"]
        if reference is not None and not _HOST.match(reference):
            raise InvalidArgument(f"reference {reference!r} is not a host name or IP address.",
                                  hint="Name an NTP server, for example time.windows.com or pool.ntp.org.")
        if not 1 <= args["samples"] <= 10:
            raise InvalidArgument(f"samples must be between 1 and 10, not {args['samples']}.")
        if args["max_skew"] <= 0:
            raise InvalidArgument(f"max_skew must be a positive number of seconds, not {args['max_skew']}.")
        answer = host.run(time_plan(reference, args["samples"]))
        status = answer.results[0]
        status_text = status.stdout or ""
        if not status.ok and "following error" not in status_text.lower():
            status_text = f"The following error occurred: {status.error.message} {status.stdout}".strip()
        stripchart = answer.results[1].stdout if len(answer.results) > 1 else None
        check = signin.check_time(host.name, status_text, stripchart, reference, args["max_skew"])
        return {"changed": False, "check": check.to_dict(), "synchronised": check.status == signin.PASS,
                "w32tm": {"status": status_text, "stripchart": stripchart}}
