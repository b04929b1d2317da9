# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.cce_ca_reset: the documented procedure for a compromised Cloud Connector CA, resumable.

Seed 001. One appliance: Enter-CcUpdate; Reset-CcCACertificate; Renew-/Update-CcServerCertificate;
Remove-CcLegacyServerCertificate; Export-CcRootCertificate when gateways use TLS; Exit-CcUpdate.
Several appliances, in this order: Remove-CcCertificationAuthorityFile on the first; Enter-CcUpdate on
each; reset and renew on the first; Backup-CcCertificationAuthority on the first; reset and renew on
the others (they consume the backup, so every appliance ends on the same root); export; Exit-CcUpdate.

The progress is kept in the registry of the site's first appliance, which is where the procedure
starts: `state: planned` on the first appliance returns the steps still to do; `state: step` runs
one step on its appliance; `state: recorded` on the first appliance records it as done;
`state: finished` clears the record.
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils import cce_host
from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import cce as model
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan

ACTIONS = ("clean_ca_files", "enter_update", "reset_ca", "renew_server", "remove_legacy", "backup_ca",
           "export_root", "exit_update")


def _split(value) -> list[str]:
    return [v for v in str(value or "").split(",") if v]


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "state": {"type": "str", "choices": ["planned", "step", "recorded", "finished"], "required": True},
        "appliances": {"type": "list", "elements": "str", "default": []},
        "export_root": {"type": "bool", "default": False},
        "export_path": {"type": "str", "default": r"C:\CcCertificates\CceRoot.cer"},
        "step": {"type": "dict"},
    }
    REQUIRED_IF = [["state", "planned", ["appliances"]], ["state", "step", ["step"]],
                   ["state", "recorded", ["step"]]]

    def execute(self, host, args, task_vars):
        state = cce_host.read_state(host) if args["state"] != "step" else None
        if args["state"] == "planned":
            return self._planned(state, args)
        if args["state"] == "step":
            return self._step(host, args)
        if args["state"] == "recorded":
            done = _split((state or {}).get(cce_host.CA_RESET_DONE_VALUE))
            key = str(args["step"].get("key", ""))
            if not key:
                raise InvalidArgument("step has no key.", hint="Pass one of the steps returned by state=planned.")
            if key in done:
                return {"changed": False, "done": done}
            plan = Plan.of(*cce_host.state_steps(state, cce_host.CA_RESET_DONE_VALUE, ",".join(done + [key])))
            result = self.converge(host, plan, {"done": done}, {"done": done + [key]})
            result["done"] = done + [key]
            return result
        # finished
        done = _split((state or {}).get(cce_host.CA_RESET_DONE_VALUE))
        if not done:
            return {"changed": False, "done": []}
        plan = Plan.of(*cce_host.state_steps(state, cce_host.CA_RESET_DONE_VALUE, ""))
        result = self.converge(host, plan, {"done": done}, {"done": []})
        result["done"] = []
        return result

    @staticmethod
    def _planned(state, args):
        steps = model.ca_compromise_steps(args["appliances"], args["export_root"])
        done = _split((state or {}).get(cce_host.CA_RESET_DONE_VALUE))
        # A record made for another appliance list names steps this one does not have: refused.
        remaining = model.remaining_steps(steps, done)
        return {"changed": False, "steps": [s.to_dict() for s in remaining], "done": done,
                "resumed": bool(done), "total": len(steps)}

    def _step(self, host, args):
        step = args["step"]
        action = step.get("action")
        if action not in ACTIONS:
            raise InvalidArgument(f"step action {action!r} is not one of {', '.join(ACTIONS)}.",
                                  hint="Pass one of the steps returned by state=planned.")
        if action in ("enter_update", "exit_update"):
            return self._update_mode(host, action == "enter_update")
        calls = {
            "clean_ca_files": [CmdletCall("Remove-CcCertificationAuthorityFile")],
            "reset_ca": [CmdletCall("Reset-CcCACertificate")],
            "remove_legacy": [CmdletCall("Remove-CcLegacyServerCertificate")],
            "backup_ca": [CmdletCall("Backup-CcCertificationAuthority")],
            "export_root": [CmdletCall("Export-CcRootCertificate", {"Path": args["export_path"]})],
        }.get(action)
        if action == "renew_server":
            facts = cce_host.read_appliance(host, with_status=False)
            # cmdlets: Renew-CcServerCertificate, Update-CcServerCertificate
            calls = [CmdletCall(model.certificate_cmdlets(cce_host.require_version(facts)).server)]
        result = self.converge(host, Plan.of(*calls), None, None)
        result["step"] = step
        return result

    def _update_mode(self, host, enter: bool):
        state = cce_host.read_state(host)
        entered = str((state or {}).get(cce_host.UPDATE_MODE_VALUE, "0")) == "1"
        if entered == enter:
            return {"changed": False, "update_mode": entered}
        steps = [CmdletCall("Enter-CcUpdate" if enter else "Exit-CcUpdate"),
                 *cce_host.state_steps(state, cce_host.UPDATE_MODE_VALUE, "1" if enter else "0")]
        result = self.converge(host, Plan.of(*steps), {"update_mode": entered}, {"update_mode": enter})
        result["update_mode"] = enter if not self.check_mode else entered
        return result
