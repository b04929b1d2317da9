# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.cce_registration: Register-CcAppliance, after the conflict check of seed 001.

Seed 001: the appliance name, the Mediation Server FQDN and the Mediation Server IP address "must be
unique and only used for one appliance registration". The registered appliances come from the tenant
(sfb.server.cce_tenant_info on the tenant session's machine); a conflict fails before anything runs
and names the registered appliance in the way.
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import cce as model
from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument, SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan


class RegistrationConflict(SfbError):
    kind = "registration_conflict"


def _identity(entry: dict, where: str) -> model.ApplianceIdentity:
    missing = [k for k in ("name", "site", "mediation_fqdn", "mediation_ip") if not entry.get(k)]
    if missing:
        raise InvalidArgument(f"{where} lacks {', '.join(missing)}.",
                              hint="Pass the `appliances` returned by sfb.server.cce_tenant_info.")
    return model.ApplianceIdentity(str(entry["site"]), str(entry["name"]), str(entry["mediation_fqdn"]),
                                   str(entry["mediation_ip"]), str(entry.get("identity") or ""))


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "site_name": {"type": "str", "required": True},
        "appliance_name": {"type": "str"},
        "mediation_fqdn": {"type": "str", "required": True},
        "mediation_ip": {"type": "str", "required": True},
        "registered_appliances": {"type": "list", "elements": "dict", "required": True},
    }
    INPUT_CHECKS = {
        "site_name": inputs.nonempty,
        "appliance_name": inputs.short_name,
        "mediation_fqdn": inputs.fqdn,
        "mediation_ip": inputs.ip_address,
        "registered_appliances": inputs.hinted(inputs.each(inputs.fields(
            {"name": inputs.nonempty, "site": inputs.nonempty, "mediation_fqdn": inputs.fqdn,
             "mediation_ip": inputs.ip_address}, required=("name", "site", "mediation_fqdn", "mediation_ip"),
            extra=True)), "Pass the `appliances` returned by sfb.server.cce_tenant_info."),
    }

    def execute(self, host, args, task_vars):
        # Seed 001: "By default, <ApplianceName> comes from the host name."
        name = args["appliance_name"] or host.name.split(".")[0].upper()
        mine = model.ApplianceIdentity(args["site_name"], name, args["mediation_fqdn"], args["mediation_ip"])
        registered = [_identity(e, f"registered_appliances[{i}]") for i, e in enumerate(args["registered_appliances"])]
        check = model.check_registration(mine, registered)
        if check.conflicts:
            raise RegistrationConflict(
                f"Cannot register {name} in site {mine.site}: " + "; ".join(c.describe() for c in check.conflicts) + ".",
                hint="Seed 001: update CloudConnector.ini so these values match the registered appliance, or "
                "unregister the appliance in the way (Unregister-CsHybridPSTNAppliance -Identity <it> -Force in the "
                "tenant session), then run again.",
                conflicts=[{"field": c.field, "value": c.value, "appliance": c.registered.name,
                            "site": c.registered.site, "identity": c.registered.identity} for c in check.conflicts])
        if check.already_registered is not None:
            return {"changed": False, "registered": True, "identity": check.already_registered.identity}
        plan = Plan.of(CmdletCall("Register-CcAppliance", {"SiteName": mine.site, "ApplianceName": name}))
        result = self.converge(host, plan, {"registered": False}, {"registered": True})
        result["registered"] = not self.check_mode
        return result
