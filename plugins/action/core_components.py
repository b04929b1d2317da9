# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.core_components: install the Skype for Business Server core components, unattended.

"Install Skype for Business Server on servers in the topology" (OfficeDocs-SkypeForBusiness,
Skype/SfbServer/deploy/install/install-skype-for-business-server.md) and "Install administrative
tools" (install-administrative-tools.md) document only the interactive Setup.exe: it asks to install
Visual C++ and to accept the licence, and would wait on a hidden dialog under WinRM. It is never run.
Instead, each in its own plan and with its own exit codes (domain/deployment.py):
1. the Visual C++ redistributable of the media, quietly;
2. the core components MSI (ocscore.msi, which the same page names) with msiexec /qn;
3. <install>\\Deployment\\Bootstrapper.exe /BootstrapLocalMgmt /SourceDirectory:<media>, which installs
   the local management store (SQL Server Express, RTCLocal): a DPAPI-bound step that needs become.
Each step is skipped when its outcome is already there, and 3010 ("restart required") restarts the
server before the next step. The release is read from the media, never assumed.
"""

from __future__ import annotations

import ntpath

from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.state import deployment as deploy_state
from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import deployment as dep
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Executable, Plan


def unattended_steps(media: str, install_path: str, install_dir_argument: str, custom_path: bool) -> dict:
    """The three unattended installers, by name (the order is the dict's)."""
    msi = ntpath.join(media, dep.OCSCORE_MSI)
    msi_arguments = ["/i", msi, "/qn", "/norestart"]
    if custom_path:
        msi_arguments.append(install_dir_argument.format(path=install_path))
    return {
        "vcredist": Executable(ntpath.join(media, dep.VCREDIST), dep.VCREDIST_ARGUMENTS,
                               success_codes=dep.VCREDIST_SUCCESS_CODES, restart_codes=(dep.RESTART_EXIT_CODE,),
                               timeout=dep.INSTALL_TIMEOUTS["vcredist"]),
        "ocscore": Executable(dep.MSIEXEC, msi_arguments, success_codes=dep.MSI_SUCCESS_CODES,
                              restart_codes=dep.MSI_RESTART_CODES, timeout=dep.INSTALL_TIMEOUTS["ocscore"]),
        "bootstrap": Executable(dep.bootstrapper_path(install_path),
                                (dep.BOOTSTRAP_LOCAL_MGMT, dep.SOURCE_DIRECTORY_ARGUMENT.format(media=media)),
                                success_codes=(0,), restart_codes=(dep.RESTART_EXIT_CODE,),
                                timeout=dep.INSTALL_TIMEOUTS["bootstrap"]),
    }


def rtclocal_call() -> CmdletCall:
    # A wildcard name: Get-Service answers nothing (no error) when the instance is not installed yet.
    return CmdletCall("Get-Service", {"Name": dep.RTCLOCAL_SERVICE[:-1] + "*"}, select=("Name", "Status"))


def has_vcredist(entries: list[dict]) -> bool:
    return any(dep.VCREDIST_MARKER in str(e.get("DisplayName") or "").lower()
               and "(x64)" in str(e.get("DisplayName") or "") for e in entries or ())


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "setup_path": {"type": "str", "default": r"D:\Setup\amd64\Setup.exe"},
        "install_path": {"type": "str"},
        "install_dir_argument": {"type": "str", "default": dep.OCSCORE_INSTALL_DIR_PROPERTY},
        "reboot_timeout": {"type": "int", "default": 1800},
    }
    INPUT_CHECKS = {"setup_path": inputs.windows_path, "install_path": inputs.windows_path,
                    "install_dir_argument": inputs.format_template("path", required=("path",)),
                    "reboot_timeout": inputs.positive_duration}

    def execute(self, host, args, task_vars):
        self.require_become(host.name, "installing the core components sets up SQL Server Express (RTCLocal)")
        if args["install_path"]:
            dep.drive_of(args["install_path"])
        if "{path}" not in args["install_dir_argument"]:
            raise SfbError("install_dir_argument must contain {path}.", hint=f"The default is {dep.OCSCORE_INSTALL_DIR_PROPERTY}.")
        media = ntpath.dirname(args["setup_path"])
        candidates = dep.candidate_install_paths(args["install_path"])
        names = ("entries", "bootstrapper", "media", "rtclocal", "version")
        reads = dict(zip(names, (deploy_state.uninstall_entries(), deploy_state.bootstrapper_exists(candidates),
                                 CmdletCall("Test-Path", {"Path": args["setup_path"], "PathType": "Leaf"}),
                                 rtclocal_call(),
                                 CmdletCall("Get-Item", {"Path": args["setup_path"]}, select=("VersionInfo",)))))
        answer = host.run(Plan.of(*reads.values()))
        by_name = dict(zip(names, answer.results))
        if not all(by_name.get(n) is not None and by_name[n].ok for n in names[:4]):
            answer.raise_for_failure()
        entries = by_name["entries"].output
        installed = dep.installed_from(entries)
        present = dep.found_install_path(candidates, by_name["bootstrapper"].output)
        local_store = bool(by_name["rtclocal"].output)
        media_info = by_name["version"].output if by_name.get("version") is not None and by_name["version"].ok else []
        if installed.core and present and local_store:
            return {"changed": False, "product": installed.product.key, "version": installed.version,
                    "install_path": present, "steps": []}
        if installed.core and args["install_path"] and not present:
            raise SfbError(
                f"{host.name}: the core components of {installed.product.name} are installed, but not in "
                f"{args['install_path']}.",
                hint="Leave install_path unset (or give the folder they are in); moving an installation "
                "means uninstalling it first.")
        if not media_info:
            raise SfbError(f"{host.name}: the setup media {args['setup_path']} is not on the server.",
                           hint="Mount or copy the Skype for Business Server media and give its Setup.exe as setup_path "
                           "(its folder holds the Visual C++ redistributable and Setup\\ocscore.msi).")
        info = media_info[0].get("VersionInfo") or {}
        product = dep.product_of(str(info.get("ProductName") or ""), str(info.get("ProductVersion") or ""))
        path = present or installed.location or args["install_path"] or dep.default_install_path(product)
        steps = unattended_steps(media, path, args["install_dir_argument"], bool(args["install_path"]))
        wanted = [name for name, needed in (("vcredist", not has_vcredist(entries)),
                                            ("ocscore", not installed.core),
                                            ("bootstrap", not local_store)) if needed]
        plan = Plan.of(*(steps[n] for n in wanted))
        result = self.converge_preview(plan, installed, product, path)
        result.update(product=product.key, version=product.rtm_version, install_path=path, steps=wanted)
        if self.check_mode:
            return result
        transcript, restarts = [], 0
        for name in wanted:
            ran = host.run(Plan.of(steps[name]))
            transcript += ran.transcript()
            first = ran.results[0] if ran.results else None
            if first is None or not (first.ok or first.needs_restart):
                ran.raise_for_failure()
            if first.needs_restart:
                host.reboot(f"{name} on {host.name} asked for a restart (exit code {first.exit_code})",
                            args["reboot_timeout"])
                restarts += 1
        check = host.read(deploy_state.uninstall_entries(), deploy_state.bootstrapper_exists([path]), rtclocal_call())
        after = dep.installed_from(check.output(0))
        if not after.core or not dep.found_install_path([path], check.output(1)) or not check.output(2):
            raise SfbError(
                f"{host.name}: the unattended installation finished but the core components or the local management "
                f"store (SQL Server Express RTCLocal) are not in {path}.",
                hint="Read the installer logs in the run account's %TEMP% folder. If the folder differs, the "
                f"install_dir_argument ({args['install_dir_argument']}) is not what this ocscore.msi understands. "
                "Run again: finished steps are skipped.")
        result.update(version=after.version, rebooted=bool(restarts), restarts=restarts, transcript=transcript)
        return result

    def converge_preview(self, plan: Plan, installed, product, path: str) -> dict:
        result = {"changed": True, "commands": plan.describe()}
        if self.diff_mode:
            result["diff"] = {"before": {"core_components": installed.product.name if installed.core else None},
                              "after": {"core_components": product.name, "install_path": path}}
        return result
