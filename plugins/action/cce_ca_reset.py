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

from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.state import cce as cce_state
from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import cce as model
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument, SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan

ACTIONS = ("clean_ca_files", "enter_update", "reset_ca", "renew_server", "remove_legacy", "backup_ca",
           "export_root", "exit_update")


def parse_record(value) -> tuple[str, int, list[str]]:
    """The progress record: "<procedure id>|<number of steps>|<done key>,<done key>..."."""
    parts = str(value or "").split("|", 2)
    if len(parts) != 3:
        return "", 0, []
    try:
        total = int(parts[1])
    except ValueError:
        total = 0
    return parts[0], total, [k for k in parts[2].split(",") if k]


def format_record(procedure: str, total: int, done: list[str]) -> str:
    return f"{procedure}|{total}|{','.join(done)}"


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "state": {"type": "str", "choices": ["planned", "step", "recorded", "finished"], "required": True},
        "appliances": {"type": "list", "elements": "str", "default": []},
        "export_root": {"type": "bool", "default": False},
        "export_path": {"type": "str", "default": r"C:\CcCertificates\CceRoot.cer"},
        "step": {"type": "dict"},
        "procedure_id": {"type": "str"},
    }
    REQUIRED_IF = [["state", "planned", ["appliances", "procedure_id"]], ["state", "step", ["step"]],
                   ["state", "recorded", ["step", "procedure_id", "appliances"]]]
    INPUT_CHECKS = {
        "appliances": inputs.unique(inputs.each(inputs.host_name)),
        "export_path": inputs.windows_path,
        "step": inputs.fields({"key": inputs.nonempty, "appliance": inputs.host_name,
                               "action": inputs.choice(*ACTIONS)}, required=("key", "action")),
        "procedure_id": inputs.plain_name(",|"),
    }

    def check_inputs(self, args):
        if args["state"] in ("planned", "recorded") and not args["appliances"]:
            return [inputs.InputError("appliances", args["appliances"],
                                      "the site's appliance hosts, the first appliance first (at least one)")]
        return []

    def execute(self, host, args, task_vars):
        state = cce_state.read_state(host) if args["state"] != "step" else None
        if args["state"] in ("planned", "recorded") and not str(args["procedure_id"] or "").strip() \
                or "|" in str(args["procedure_id"] or "") or "," in str(args["procedure_id"] or ""):
            raise InvalidArgument(f"procedure_id {args['procedure_id']!r} must be a non-empty name without | or ,.",
                                  hint="Name the incident, for example ca-2026-11.")
        if args["state"] == "planned":
            return self._planned(state, args)
        if args["state"] == "step":
            return self._step(host, args)
        if args["state"] == "recorded":
            done = self._progress(state, args)[2]
            key = str(args["step"].get("key", ""))
            steps = model.ca_compromise_steps(args["appliances"], args["export_root"])
            if key not in {s.key for s in steps}:
                raise InvalidArgument(f"step {key!r} is not a step of this procedure.",
                                      hint="Pass one of the steps returned by state=planned with the same appliances.")
            if key in done:
                return {"changed": False, "done": done}
            value = format_record(args["procedure_id"], len(steps), done + [key])
            plan = Plan.of(*cce_state.state_steps(state, cce_state.CA_RESET_DONE_VALUE, value))
            result = self.converge(host, plan, {"done": done}, {"done": done + [key]})
            result["done"] = done + [key]
            return result
        # finished: forget the record (a later compromise needs a new procedure_id anyway)
        if not (state or {}).get(cce_state.CA_RESET_DONE_VALUE):
            return {"changed": False, "done": []}
        plan = Plan.of(*cce_state.state_steps(state, cce_state.CA_RESET_DONE_VALUE, ""))
        result = self.converge(host, plan, {"record": state.get(cce_state.CA_RESET_DONE_VALUE)}, {"record": ""})
        result["done"] = []
        return result

    @staticmethod
    def _progress(state, args) -> tuple[str, int, list[str]]:
        """The record of this procedure; another one that is not finished is refused."""
        procedure, total, done = parse_record((state or {}).get(cce_state.CA_RESET_DONE_VALUE))
        if procedure and procedure != args["procedure_id"]:
            if len(done) < total:
                raise SfbError(
                    f"A CA reset with procedure_id {procedure} stopped after {len(done)} of {total} steps on this site.",
                    hint=f"Finish it first (run again with procedure_id={procedure}), or clear its record with "
                    "state=finished after checking every appliance by hand.")
            return args["procedure_id"], 0, []
        return procedure, total, done

    def _planned(self, state, args):
        steps = model.ca_compromise_steps(args["appliances"], args["export_root"])
        done = self._progress(state, args)[2]
        # A record made for another appliance list names steps this one does not have: refused.
        remaining = model.remaining_steps(steps, done)
        return {"changed": False, "steps": [s.to_dict() for s in remaining], "done": done,
                "resumed": bool(done) and bool(remaining), "total": len(steps)}

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
            facts = cce_state.read_appliance(host, with_status=False)
            # cmdlets: Renew-CcServerCertificate, Update-CcServerCertificate
            calls = [CmdletCall(model.certificate_cmdlets(cce_state.require_version(facts)).server)]
        result = self.converge(host, Plan.of(*calls), None, None)
        result["step"] = step
        return result

    def _update_mode(self, host, enter: bool):
        state = cce_state.read_state(host)
        entered = str((state or {}).get(cce_state.UPDATE_MODE_VALUE, "0")) == "1"
        if entered == enter:
            return {"changed": False, "update_mode": entered}
        steps = [CmdletCall("Enter-CcUpdate" if enter else "Exit-CcUpdate"),
                 *cce_state.state_steps(state, cce_state.UPDATE_MODE_VALUE, "1" if enter else "0")]
        result = self.converge(host, Plan.of(*steps), {"update_mode": entered}, {"update_mode": enter})
        result["update_mode"] = enter if not self.check_mode else entered
        return result
