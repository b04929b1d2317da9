# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.components: Deployment Wizard step 2, set up or remove the components of the published topology.

Seed 002 step 2: the components are set up "as defined in your published topology"; "Restart the
server if you are prompted ... you must run this procedure again"; when prerequisites are missing
"Prerequisites not satisfied" is shown. The step is done with <install>\\Deployment\\Bootstrapper.exe
(which reads the topology and installs or removes components), then Enable-CsComputer ("that
computer must be enabled", Enable-CsComputer page) and Install-CsDatabase -LocalDatabases for roles
that keep local stores. Which commands the wizard runs is not documented (sfb_facts 10).
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.state import deployment as deploy_state
from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import deployment as dep
from ansible_collections.sfb.server.plugins.plugin_utils.domain import maintenance
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Executable, Plan


def setup_plan(install_path: str, roles) -> Plan:
    steps = [Executable(dep.bootstrapper_path(install_path), (), success_codes=(0,),
                        restart_codes=(dep.RESTART_EXIT_CODE,)),
             CmdletCall("Enable-CsComputer")]
    if dep.needs_local_databases(roles):
        steps.append(CmdletCall("Install-CsDatabase", {"LocalDatabases": True}))
    return Plan.of(*steps)


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "install_path": {"type": "str"},
        "max_restarts": {"type": "int", "default": 2},
        "reboot_timeout": {"type": "int", "default": 1800},
        # The cumulative update's installer, when known: applied again after step 2 changed the components.
        "cu_path": {"type": "str", "default": ""},
        "cu_timeout": {"type": "int", "default": 5400},
    }
    INPUT_CHECKS = {"install_path": inputs.windows_path, "max_restarts": inputs.non_negative_count,
                    "reboot_timeout": inputs.positive_duration, "cu_path": inputs.empty_or(inputs.windows_path)}

    def execute(self, host, args, task_vars):
        # Step 2 installs the roles' SQL Server Express instances (RTCLocal, LYSS), which use DPAPI.
        self.require_become(host.name, "step 2 sets up the SQL Server Express databases of the server's roles")
        candidates = dep.candidate_install_paths(args["install_path"])
        computer, pools = deploy_state.placement_reads()
        answer = host.read(computer, pools, deploy_state.local_services(), deploy_state.bootstrapper_exists(candidates),
                           deploy_state.uninstall_entries())
        placement = deploy_state.placement_from(answer.output(0), answer.output(1))
        installed = dep.installed_from(answer.output(4))
        location = installed.location
        if not args["install_path"] and location and not dep.found_install_path(candidates, answer.output(3)):
            install_path = location  # installed outside the default folders: Windows Installer knows where
        else:
            install_path = deploy_state.installation_path(candidates, answer.output(3))
        drift = dep.components_drift(placement.roles, answer.output(2))
        base = {"placement": _placement(placement), "install_path": install_path, "restarts": 0}
        if not drift["missing"] and not drift["extra"]:
            return {"changed": False, **base, "services": sorted(s["Name"] for s in answer.output(2))}
        plan = setup_plan(install_path, placement.roles)
        result = {"changed": True, "commands": plan.describe(), **base, "drift": drift}
        if self.diff_mode:
            result["diff"] = {"before": {"services": sorted(s["Name"] for s in answer.output(2))},
                              "after": {"services": dep.expected_services(placement.roles)}}
        if self.check_mode:
            return result
        restarts, transcript = 0, []
        while True:
            answer_run, asked = _run(host, plan)
            transcript += answer_run.transcript()
            if not asked:
                break
            if restarts >= args["max_restarts"]:
                raise SfbError(f"{host.name}: setup still asks for a restart after {restarts} restart(s).",
                               hint="Look at the setup logs in the run account's %TEMP% folder; raise max_restarts "
                               "if the server really needs more.")
            host.reboot(f"Skype for Business Server setup (step 2) on {host.name} asked for a restart",
                        args["reboot_timeout"])
            restarts += 1  # seed 002: after the restart, run step 2 again
        check = host.read(deploy_state.local_services())
        after = dep.components_drift(placement.roles, check.output(0))
        if after["missing"] or after["extra"]:
            raise SfbError(f"{host.name}: step 2 finished but the services do not match the topology: {after}.",
                           hint="Read the Bootstrapper logs in the run account's %TEMP% folder and run again.")
        result.update(transcript=transcript, restarts=restarts, services=sorted(s["Name"] for s in check.output(0)))
        # "Install Skype for Business Server on servers in the topology" / the CU KB articles: components
        # added after a cumulative update are at the release's level until the update is applied again.
        carries_cu = dep.carries_cumulative_update(installed)
        result["cu_to_reapply"] = carries_cu
        if carries_cu and args["cu_path"]:
            # Before step 4 nothing carries traffic, so the update installs without a failover or drain.
            # The CU KB articles' unattended form: SkypeServerUpdateInstaller.exe /silentmode.
            update = Plan.of(Executable(args["cu_path"], ("/silentmode",), success_codes=maintenance.CU_SUCCESS_CODES,
                                        restart_codes=maintenance.CU_RESTART_CODES, timeout=args["cu_timeout"]))
            ran = host.run(update).raise_for_failure()
            result["transcript"] += ran.transcript()
            result["commands"] += update.describe()
            if ran.results and ran.results[0].needs_restart:
                host.reboot(f"the cumulative update on {host.name} asked for a restart", args["reboot_timeout"])
                result["restarts"] += 1
            result["cu_reapplied"] = True
        elif carries_cu:
            result["warnings"] = [
                f"{host.name}: step 2 changed the components of a server that carries a cumulative update "
                f"({installed.version}); the new components are at the release's level. Apply the cumulative update "
                "again (deploy_cu_path, or SkypeServerUpdateInstaller.exe /silentmode) before "
                "starting the services."]
        return result


def _run(host, plan: Plan):
    """Run step 2 once. When Bootstrapper asks for a restart (its first step ended with the restart
    code), the steps after it ran before the restart and may have failed: the whole plan runs again
    after the restart, so their failure is not the task's."""
    answer = host.run(plan)
    first = answer.results[0] if answer.results else None
    if first is not None and first.needs_restart:
        return answer, True
    failed = answer.failed()
    if failed is not None and isinstance(failed.step, Executable):
        unmet = dep.unmet_prerequisites(failed.stdout)
        if unmet:
            raise SfbError(f"{host.name}: Prerequisites not satisfied: {'; '.join(unmet)}.",
                           hint="Meet these prerequisites, then run step 2 again (seed 002).", unmet=unmet)
    answer.raise_for_failure()
    return answer, False


def _placement(placement) -> dict:
    return {"fqdn": placement.fqdn, "pool": placement.pool, "roles": list(placement.roles),
            "edition": placement.edition, "pool_servers": list(placement.pool_servers),
            "uses_fabric": placement.uses_fabric}
