# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.cce_tenant_info: the Cloud Connector sites and appliances the tenant knows.

Get-CsHybridPSTNSite and Get-CsHybridPSTNAppliance run in a Skype for Business Online (tenant)
session, not on an appliance (their pages are marked "Skype for Business Online"): this module runs on
the machine that holds that session.
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall

SITE_PROPERTIES = ("Identity", "EnableAutoUpdate")
APPLIANCE_PROPERTIES = ("Identity", "Name", "SiteName", "MediationServerFqdn", "MediationServerIPAddress",
                        "MaintenanceMode")


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {"site": {"type": "str"}}

    def execute(self, host, args, task_vars):
        site_filter = {"Identity": args["site"]} if args["site"] else {}
        appliance_filter = {"SiteName": args["site"]} if args["site"] else {}
        answer = host.read(CmdletCall("Get-CsHybridPSTNSite", site_filter, select=SITE_PROPERTIES),
                           CmdletCall("Get-CsHybridPSTNAppliance", appliance_filter, select=APPLIANCE_PROPERTIES))
        sites = [{"name": s["Identity"], "enable_auto_update": s["EnableAutoUpdate"]} for s in answer.output(0)]
        appliances = [{
            "identity": a["Identity"], "name": a["Name"], "site": a["SiteName"],
            "mediation_fqdn": a["MediationServerFqdn"], "mediation_ip": a["MediationServerIPAddress"],
            "maintenance_mode": bool(a["MaintenanceMode"]),
            "in_ha": not bool(a["MaintenanceMode"]),
        } for a in answer.output(1)]
        auto = [s["name"] for s in sites if s["enable_auto_update"]]
        warnings = [f"Site {name} has EnableAutoUpdate on: the appliances install Windows updates by themselves in "
                    "the OS update window; manual patching should turn it off first." for name in auto]
        return {"changed": False, "sites": sites, "appliances": appliances, "auto_update_sites": auto,
                "warnings": warnings}
