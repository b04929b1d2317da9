# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.trust_model_data: add Skype for Business domains to a computer's TrustModelData (seed 003)."""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.domain import signin
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan


def read_calls(key: str) -> list[CmdletCall]:
    # Get-ItemProperty fails on a missing key, and the first failing step ends a plan: Test-Path
    # first tells an absent key (expected, nothing to read) from a real failure.
    # The runner returns output only for selected properties; a Boolean comes back as itself.
    return [CmdletCall("Test-Path", {"Path": key}, select=("Value",)),
            CmdletCall("Get-ItemProperty", {"Path": key}, select=(signin.TRUST_MODEL_VALUE,))]


def current_value(answer) -> tuple[bool, str | None]:
    """(key exists, TrustModelData or None) from the read plan's answer."""
    exists = bool(answer.results and answer.results[0].ok and answer.output(0) and answer.output(0)[0] is True)
    if not exists:
        return False, None
    if len(answer.results) < 2 or not answer.results[1].ok:
        error = answer.results[1].error.message if len(answer.results) > 1 else "no answer"
        raise SfbError(f"Reading {signin.TRUST_MODEL_VALUE} failed: {error}",
                       hint="Run the task with an account that may read HKLM\\Software\\Policies on the computer.")
    rows = answer.output(1)
    return True, rows[0].get(signin.TRUST_MODEL_VALUE) if rows else None


def change_plan(key: str, exists: bool, current: str | None, new_value: str) -> Plan:
    """The smallest change that leaves `new_value` in place; never recreates an existing key."""
    steps = []
    if not exists:
        steps.append(CmdletCall("New-Item", {"Path": key, "Force": True}))
    if current is None:
        steps.append(CmdletCall("New-ItemProperty", {"Path": key, "Name": signin.TRUST_MODEL_VALUE,
                                                     "PropertyType": "String", "Value": new_value}))
    else:
        steps.append(CmdletCall("Set-ItemProperty", {"Path": key, "Name": signin.TRUST_MODEL_VALUE,
                                                     "Value": new_value}))
    return Plan.of(*steps)


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "domains": {"type": "list", "elements": "str", "required": True},
        "key": {"type": "str", "default": signin.TRUST_MODEL_KEY},
    }
    INPUT_CHECKS = {"domains": inputs.nonempty_list(inputs.each(inputs.sip_domain)), "key": inputs.registry_key}

    def execute(self, host, args, task_vars):
        if not args["domains"]:
            raise SfbError("domains must name at least one Skype for Business domain, for example contoso.com.")
        domains = [signin.normalise_domain(d) for d in args["domains"]]
        key = args["key"]
        exists, current = current_value(host.run(Plan.of(*read_calls(key))))
        if current is not None and not isinstance(current, str):
            raise SfbError(
                f"{signin.TRUST_MODEL_VALUE} under {key} is not a string value ({type(current).__name__}); it is "
                "left as it is.",
                hint="The value is a comma-separated REG_SZ list (Office policy 'Trusted Domain List'); fix its type "
                "by hand or through the Group Policy that sets it.")
        new_value, added = signin.add_trusted_domains(current, domains)
        plan = change_plan(key, exists, current, new_value) if added else None
        result = self.converge(host, plan, {"key": key, signin.TRUST_MODEL_VALUE: current},
                               {"key": key, signin.TRUST_MODEL_VALUE: new_value if added else current})
        after = current
        if added and not self.check_mode:
            _unused, after = current_value(host.run(Plan.of(*read_calls(key))))
            missing = [d for d in domains if d not in {t.lower() for t in signin.trusted_domains(after)}]
            kept = [t for t in signin.trusted_domains(current) if t not in signin.trusted_domains(after)]
            if missing or kept:
                raise SfbError(
                    f"{signin.TRUST_MODEL_VALUE} reads {after!r} after the change: "
                    f"{'missing ' + ', '.join(missing) if missing else 'lost ' + ', '.join(kept)}.",
                    hint="Something else writes this value (a Group Policy refresh?); check the GPO that manages it.")
        result.update({
            "key": key,
            "before": current,
            "value": new_value if added else current,
            "added": added,
            "trusted_domains": signin.trusted_domains(new_value if added else current),
        })
        if added and not self.check_mode:
            result["value"] = after
        result["check"] = signin.trust_model_check(host.name, domains, added, bool(added) and not self.check_mode).to_dict()
        return result
