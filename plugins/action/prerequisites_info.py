# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.prerequisites_info: what a server lacks before the Deployment Wizard can run (seed 002)."""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.state import deployment as deploy_state, topology as topology_state
from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import deployment as dep
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument, SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "run_account": {"type": "str"},
        "install_path": {"type": "str"},
        "min_free_gb": {"type": "float"},
        "check_updates": {"type": "bool", "default": True},
        "update_categories": {"type": "list", "elements": "str",
                              "default": ["CriticalUpdates", "SecurityUpdates", "UpdateRollups"]},
        "fail_on_missing": {"type": "bool", "default": True},
    }
    INPUT_CHECKS = {"run_account": inputs.windows_account, "install_path": inputs.windows_path,
                    "min_free_gb": inputs.at_least(0, "a number of GB"),
                    "update_categories": inputs.each(inputs.plain_name(",;"))}

    def execute(self, host, args, task_vars):
        account = args["run_account"] or task_vars.get("ansible_user") or task_vars.get("ansible_winrm_user")
        if not account:
            raise InvalidArgument("run_account is not set and the connection has no ansible_user.",
                                  hint="Give run_account as DOMAIN\\user (the account the deployment runs as).")
        drive = dep.drive_of(args["install_path"]) if args["install_path"] else None
        first = [
            CmdletCall("Get-LocalGroupMember", {"Name": dep.LOCAL_ADMINS_GROUP},
                       select=("Name", "ObjectClass", "PrincipalSource")),
            CmdletCall("Get-Service", {"Name": dep.FIREWALL_SERVICE}, select=("Name", "Status")),
            deploy_state.uninstall_entries(),
            CmdletCall("Get-PSDrive", {"PSProvider": "FileSystem"}, select=("Name", "Free", "Used")),
            CmdletCall("Get-ADGroupMember", {"Identity": dep.SERVER_ADMINS_GROUP, "Recursive": True},
                       select=("SamAccountName", "objectClass")),
        ]
        answer = host.run(Plan.of(*first))
        for index in range(3):
            if index >= len(answer.results) or not answer.results[index].ok:
                answer.raise_for_failure()
        local_admins = answer.output(0)
        firewall = answer.output(1)
        installed = dep.installed_from(answer.output(2))
        drives = {str(d.get("Name", "")).upper(): d for d in answer.output(3)} if answer.results[3].ok else {}
        server_admins = answer.output(4) if len(answer.results) > 4 and answer.results[4].ok else None

        # Second read only when needed: nested domain groups in Administrators, and the topology once the
        # SkypeForBusiness module exists (it comes with the core components).
        nested_groups = [] if dep.is_local_admin(account, local_admins, {}) else dep.domain_groups_of(local_admins)
        second = [CmdletCall("Get-ADGroupMember", {"Identity": g, "Recursive": True}, select=("SamAccountName",))
                  for g in nested_groups]
        if installed.core:
            second.append(topology_state.LOCAL_COMPUTER)
        nested, in_topology = {}, None
        if second:
            more = host.run(Plan.of(*second))
            for i, group in enumerate(nested_groups):
                if i < len(more.results) and more.results[i].ok:
                    nested[group] = more.output(i)
            if installed.core:
                last = len(second) - 1
                in_topology = last < len(more.results) and more.results[last].ok and bool(more.output(last))
        pending = None
        if args["check_updates"]:
            pending = host.search_updates(args["update_categories"], [])
        facts = dep.PrerequisiteFacts(
            account=account,
            local_admin=dep.is_local_admin(account, local_admins, nested),
            server_admin=None if server_admins is None else dep.is_server_admin(account, server_admins),
            firewall_status=str(firewall[0].get("Status")) if firewall else None,
            install_path=args["install_path"],
            drive_exists=(drive in drives) if drive else None,
            drive_free_bytes=int(drives[drive].get("Free") or 0) if drive in drives else None,
            pending_updates=pending,
            in_topology=in_topology,
            min_free_gb=args["min_free_gb"],
        )
        missing = [f.to_result() for f in dep.prerequisite_findings(facts)]
        result = {
            "changed": False,
            "ready": not missing,
            "missing": missing,
            "checks": {
                "run_account": account,
                "local_administrator": facts.local_admin,
                "rtc_universal_server_admins": facts.server_admin,
                "windows_firewall": facts.firewall_status,
                "pending_updates": pending,
                "core_components_installed": installed.core,
                "product": installed.product.key if installed.product else None,
                "in_topology": in_topology,
                "drives": {k: {"free_gb": round(int(v.get("Free") or 0) / 1024 ** 3, 1)} for k, v in drives.items()},
            },
        }
        if missing and args["fail_on_missing"]:
            lines = "; ".join(f"[{m['check']}] {m['problem']} Fix: {m['fix']}" for m in missing)
            raise SfbError(f"{host.name}: {len(missing)} prerequisite(s) missing: {lines}",
                           hint="Fix them and run again (or set fail_on_missing=false to only report).",
                           missing=missing, checks=result["checks"])
        return result
