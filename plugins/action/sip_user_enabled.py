# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.sip_user_enabled: users whose msRTCSIP-UserEnabled is still FALSE, set to TRUE on request (seed 003)."""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.domain import signin
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan

USER_PROPERTIES = ("DistinguishedName", "SamAccountName", "UserPrincipalName", "Name", "Enabled",
                   signin.SIP_ENABLED_ATTRIBUTE)


def search_call(search_base: str | None, server: str | None) -> CmdletCall:
    parameters = {"LDAPFilter": signin.sip_disabled_filter(), "Properties": [signin.SIP_ENABLED_ATTRIBUTE]}
    if search_base:
        parameters["SearchBase"] = search_base
    if server:
        parameters["Server"] = server
    return CmdletCall("Get-ADUser", parameters, select=USER_PROPERTIES)


def enable_calls(users: list[dict], server: str | None) -> list[CmdletCall]:
    extra = {"Server": server} if server else {}
    return [CmdletCall("Set-ADUser", {"Identity": u["DistinguishedName"],
                                      "Replace": {signin.SIP_ENABLED_ATTRIBUTE: True}, **extra})
            for u in users]


def describe(user: dict) -> dict:
    return {"distinguished_name": user["DistinguishedName"], "sam_account_name": user["SamAccountName"],
            "user_principal_name": user["UserPrincipalName"], "enabled": user["Enabled"],
            "sip_user_enabled": user[signin.SIP_ENABLED_ATTRIBUTE]}


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "enable": {"type": "bool", "default": False},
        "users": {"type": "list", "elements": "str", "default": []},
        "search_base": {"type": "str"},
        "server": {"type": "str"},
    }
    INPUT_CHECKS = {
        "users": inputs.each(inputs.nonempty),
        "search_base": inputs.distinguished_name,
        "server": inputs.host_or_address,
    }

    def execute(self, host, args, task_vars):
        search = search_call(args["search_base"], args["server"])
        found = host.read(search).output(0)
        chosen = signin.select_users(found, args["users"]) if args["enable"] else []
        if args["enable"] and args["users"]:
            known = {str(u.get(k) or "").lower() for u in found for k in ("SamAccountName", "UserPrincipalName",
                                                                          "DistinguishedName")}
            unknown = [name for name in args["users"] if name.lower() not in known]
            if unknown:
                raise SfbError(
                    f"Not among the users whose {signin.SIP_ENABLED_ATTRIBUTE} is FALSE: {', '.join(unknown)}.",
                    hint="Name users by sAMAccountName, UPN or distinguished name, as the disabled list shows them; "
                    "a user already TRUE needs nothing.")
        plan = Plan.of(*enable_calls(chosen, args["server"])) if chosen else None
        labels = [signin.user_label(u) for u in chosen]
        result = self.converge(host, plan, {"disabled": [signin.user_label(u) for u in found]},
                               {"disabled": [signin.user_label(u) for u in found if u not in chosen]})
        remaining = found
        if chosen and not self.check_mode:
            remaining = host.read(search).output(0)
            still = [signin.user_label(u) for u in remaining if signin.user_label(u) in labels]
            if still:
                raise SfbError(f"{signin.SIP_ENABLED_ATTRIBUTE} is still FALSE after the change for: {', '.join(still)}.",
                               hint="Check the account's rights on these users, and replication between domain "
                               "controllers (name one with the server option).")
        left = [signin.user_label(u) for u in remaining if not (self.check_mode and u in chosen)]
        applied = labels if not self.check_mode else []
        result.update({
            "disabled_users": [describe(u) for u in found],
            "changed_users": labels,
            "remaining_users": left,
            "check": signin.sip_users_check(host.name, [signin.user_label(u) for u in found], applied,
                                            [signin.user_label(u) for u in remaining]).to_dict(),
        })
        return result
