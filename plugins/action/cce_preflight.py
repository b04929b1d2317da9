# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.cce_preflight: the appliance-host problems seed 001 documents, checked and fixed.

- .NET Framework 4.6.1 or later for Cloud Connector 2.1 and later (registry Release value);
- the `State` line in the [Common] section of CloudConnector.ini (it may be empty, not missing);
- the CloudConnector module's folder on the machine PSModulePath (the persistent fix);
- a corrupted ModuleAnalysisCache (deleted on request: PowerShell rebuilds it);
- a Windows image mount left behind by a failed Dismount-WindowsImage (DISM /Cleanup-Wim);
- antivirus exclusions for the seed's folders and process, through Windows Defender preferences.
"""

from __future__ import annotations

import ntpath

from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.state import cce as cce_state
from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import cce as model
from ansible_collections.sfb.server.plugins.plugin_utils.errors import PowerShellModuleMissing, SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Executable, Plan

DOTNET_KEY = r"HKLM:\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full"
# Machine environment variables live in this key; [Environment]::SetEnvironmentVariable(..., "Machine"),
# which the seed quotes, writes there.
ENVIRONMENT_KEY = r"HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager\Environment"
DISM = r"C:\Windows\System32\dism.exe"


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "dotnet": {"type": "bool", "default": True},
        "ini_state_line": {"type": "bool", "default": True},
        "ini_state_value": {"type": "str", "default": ""},
        "psmodulepath": {"type": "bool", "default": True},
        "image_mounts": {"type": "bool", "default": True},
        "reset_module_analysis_cache": {"type": "bool", "default": False},
        "module_analysis_cache": {
            "type": "str", "default": r"C:\Users\Administrator\AppData\Local\Microsoft\Windows\PowerShell\ModuleAnalysisCache"},
        "defender_exclusions": {"type": "bool", "default": False},
        "hosts_site_root": {"type": "bool", "default": False},
    }
    INPUT_CHECKS = {"module_analysis_cache": inputs.windows_path}

    def execute(self, host, args, task_vars):
        checks: list[dict] = []
        fixes: list = []
        base = host.read(
            CmdletCall("Get-ItemProperty", {"Path": ENVIRONMENT_KEY, "Name": "PSModulePath"}, select=("PSModulePath",)),
            CmdletCall("Get-ChildItem", {"Path": model.MODULES_ROOT, "Filter": "CloudConnector"}, select=("Name",)),
        )
        path_value = (base.output(0)[0] if base.output(0) else {}).get("PSModulePath") or ""
        module_present = bool(base.output(1))
        on_path = model.path_list_contains(path_value, model.MODULES_ROOT)
        if not module_present:
            raise SfbError(f"{host.name}: there is no CloudConnector folder under {model.MODULES_ROOT}.",
                           hint="Seed 001: validate that the module exists there; reinstall Cloud Connector Edition if not.")
        early: list[dict] = []
        if args["psmodulepath"]:
            fix = [] if on_path else [CmdletCall("Set-ItemProperty", {
                "Path": ENVIRONMENT_KEY, "Name": "PSModulePath", "Value": f"{path_value.rstrip(';')};{model.MODULES_ROOT}"})]
            checks.append({"name": "psmodulepath", "ok": on_path, "fix": [c.describe() for c in fix],
                           "detail": path_value})
            if fix and not self.check_mode:
                # The other checks need the CloudConnector module: fix its path first, in its own round
                # trip, so that the next one (a new PowerShell process) loads the module.
                early = host.run(Plan.of(*fix)).raise_for_failure().transcript()
            elif fix:
                fixes += fix

        facts = None
        if on_path or early:
            try:
                facts = cce_state.read_appliance(host, with_status=False)
            except PowerShellModuleMissing:
                facts = None
        version = facts.version if facts else None

        if args["dotnet"]:
            release = host.read(CmdletCall("Get-ItemProperty", {"Path": DOTNET_KEY, "Name": "Release"},
                                           select=("Release",))).output(0)[0].get("Release")
            needed = version is None or model.at_least(version, model.DOTNET_REQUIRED_SINCE)
            ok = not needed or int(release or 0) >= model.DOTNET_461_RELEASE
            checks.append({"name": "dotnet", "ok": ok, "fix": [], "detail": {"release": release, "required": needed}})

        if args["ini_state_line"]:
            checks.append(self._ini_check(host, facts, args, fixes))

        if args["image_mounts"]:
            mounts = host.read(CmdletCall("Get-WindowsImage", {"Mounted": True}, select=("Path", "MountStatus"))).output(0)
            stuck = [m for m in mounts if str(m.get("MountStatus")) != "Ok"]
            fix = [Executable(DISM, ("/Cleanup-Wim",))] if stuck else []
            checks.append({"name": "image_mounts", "ok": not stuck, "fix": [s.describe() for s in fix], "detail": stuck})
            fixes += fix

        if args["reset_module_analysis_cache"]:
            folder, name = ntpath.split(args["module_analysis_cache"])
            found = host.read(CmdletCall("Get-ChildItem", {"Path": folder, "Filter": name}, select=("Name",))).output(0)
            fix = [CmdletCall("Remove-Item", {"LiteralPath": args["module_analysis_cache"], "Force": True})] if found else []
            checks.append({"name": "module_analysis_cache", "ok": not found, "fix": [c.describe() for c in fix],
                           "detail": args["module_analysis_cache"]})
            fixes += fix

        if args["defender_exclusions"]:
            checks.append(self._defender_check(host, facts, args, fixes))

        plan = Plan.of(*fixes) if fixes else None
        result = self.converge(host, plan, {c["name"]: c["ok"] for c in checks}, {c["name"]: True for c in checks
                                                                                  if c["fix"] or c["ok"]})
        if early:
            result["changed"] = True
            result["commands"] = [line["command"] for line in early] + result["commands"]
            result["transcript"] = early + result.get("transcript", [])
        result["checks"] = checks
        blocking = [c["name"] for c in checks if not c["ok"] and not c["fix"] and c.get("detail") != "skipped"]
        if blocking:
            raise SfbError(f"{host.name}: preflight checks failed that the module cannot fix: {', '.join(blocking)}.",
                           hint="Seed 001: Cloud Connector 2.1 and later requires .NET Framework 4.6.1 or later; "
                           "install it and run again.", checks=checks)
        return result

    def _ini_check(self, host, facts, args, fixes) -> dict:
        if facts is None or not facts.appliance_directory:
            return {"name": "ini_state_line", "ok": False, "fix": [], "detail": "skipped"}
        ini = ntpath.join(facts.appliance_directory, "CloudConnector.ini")
        lines = [str(v.get("Value") if isinstance(v, dict) else v)
                 for v in host.read(CmdletCall("Get-Content", {"LiteralPath": ini}, select=cce_state.TEXT)).output(0)]
        ok = model.ini_has_state_line(lines)
        fix = [] if ok else [CmdletCall("Set-Content", {"LiteralPath": ini,
                                                        "Value": model.ini_with_state_line(lines, args["ini_state_value"])})]
        fixes += fix
        return {"name": "ini_state_line", "ok": ok, "fix": [c.describe() for c in fix], "detail": ini}

    def _defender_check(self, host, facts, args, fixes) -> dict:
        if facts is None:
            return {"name": "defender_exclusions", "ok": False, "fix": [], "detail": "skipped"}
        wanted = model.antivirus_exclusions(facts.appliance_directory, facts.site_directory, args["hosts_site_root"])
        current = host.read(CmdletCall("Get-MpPreference", select=("ExclusionPath", "ExclusionProcess"))).output(0)
        current = current[0] if current else {}
        paths = model.missing_entries(wanted["paths"], current.get("ExclusionPath"))
        processes = model.missing_entries(wanted["processes"], current.get("ExclusionProcess"))
        parameters = {}
        if paths:
            parameters["ExclusionPath"] = paths
        if processes:
            parameters["ExclusionProcess"] = processes
        fix = [CmdletCall("Add-MpPreference", parameters)] if parameters else []
        fixes += fix
        return {"name": "defender_exclusions", "ok": not parameters, "fix": [c.describe() for c in fix],
                "detail": wanted}
