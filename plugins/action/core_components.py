# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.core_components: install the Skype for Business Server core components (setup, OCSCore).

Seed 002: "If you haven't run Skype for Business Server setup on this server before, you'll be
prompted for a drive and path for the installation ... the rest of the Skype for Business Server
files will deploy there as well." `Setup.exe /BootstrapLocalMgmt` installs the core files and the
RTCLocal database (watcher-nodes page). The release is read from the media, never assumed.
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.state import deployment as deploy_state
from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import deployment as dep
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Executable, Plan


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "setup_path": {"type": "str", "default": r"D:\Setup\amd64\Setup.exe"},
        "install_path": {"type": "str"},
        "install_dir_argument": {"type": "str", "default": dep.INSTALL_DIR_ARGUMENT},
        "reboot_timeout": {"type": "int", "default": 1800},
    }

    def execute(self, host, args, task_vars):
        if args["install_path"]:
            dep.drive_of(args["install_path"])
        candidates = dep.candidate_install_paths(args["install_path"])
        reads = [deploy_state.uninstall_entries(), deploy_state.bootstrapper_exists(candidates),
                 CmdletCall("Test-Path", {"Path": args["setup_path"], "PathType": "Leaf"}),
                 CmdletCall("Get-Item", {"Path": args["setup_path"]}, select=("VersionInfo",))]
        answer = host.run(Plan.of(*reads))
        if len(answer.results) < 3 or not all(r.ok for r in answer.results[:3]):
            answer.raise_for_failure()
        installed = dep.installed_from(answer.output(0))
        present = dep.found_install_path(candidates, answer.output(1))
        media = answer.output(3) if len(answer.results) > 3 and answer.results[3].ok else []
        if installed.core and present:
            return {"changed": False, "product": installed.product.key, "version": installed.version,
                    "install_path": present}
        if installed.core and args["install_path"]:
            raise SfbError(
                f"{host.name}: the core components of {installed.product.name} are installed, but not in "
                f"{args['install_path']}.",
                hint="Leave install_path unset (or give the folder they are in); moving an installation "
                "means uninstalling it first.")
        if not media:
            raise SfbError(f"{host.name}: the setup program {args['setup_path']} is not on the server.",
                           hint="Mount or copy the Skype for Business Server media and give its Setup.exe as setup_path.")
        info = media[0].get("VersionInfo") or {}
        product = dep.product_of(str(info.get("ProductName") or ""), str(info.get("ProductVersion") or ""))
        path = args["install_path"] or dep.default_install_path(product)
        arguments = ["/BootstrapLocalMgmt"]
        if args["install_path"]:
            arguments.append(args["install_dir_argument"].format(path=path))
        plan = Plan.of(Executable(args["setup_path"], arguments, success_codes=(0,),
                                  restart_codes=(dep.RESTART_EXIT_CODE,)))
        result = self.converge(host, plan, {"core_components": None},
                               {"core_components": product.name, "install_path": path})
        result.update(product=product.key, version=product.rtm_version, install_path=path)
        if self.check_mode:
            return result
        rebooted = False
        if _needs_restart(result):
            host.reboot(f"Skype for Business Server core components setup on {host.name} asked for a restart",
                        args["reboot_timeout"])
            rebooted = True
        check = host.read(deploy_state.uninstall_entries(), deploy_state.bootstrapper_exists([path]))
        after = dep.installed_from(check.output(0))
        if not after.core or not dep.found_install_path([path], check.output(1)):
            raise SfbError(
                f"{host.name}: setup finished but the core components are not in {path}.",
                hint="Read the setup log in the run account's %TEMP% folder. If the folder differs, the "
                f"install_dir_argument ({args['install_dir_argument']}) is not what this Setup.exe understands.")
        result.update(version=after.version, rebooted=rebooted)
        return result


def _needs_restart(result: dict) -> bool:
    return any(line.get("exit_code") == dep.RESTART_EXIT_CODE for line in result.get("transcript", []))
