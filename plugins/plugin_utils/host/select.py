# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Choose the Host implementation for a task: the one place that knows there are two."""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument
from ansible_collections.sfb.server.plugins.plugin_utils.host.base import Host

TWIN_CONNECTION = "sfb.server.twin"
# Ansible's cmd shell (Windows OpenSSH's default shell) still runs PowerShell modules such as plan_runner.
WINDOWS_SHELLS = ("powershell", "cmd")


def host_for(action, task_vars: dict) -> Host:
    """The Host behind an action plugin's connection."""
    connection = action._connection
    name = str(task_vars.get("inventory_hostname", "")) or "the host"
    check_mode = bool(action._task.check_mode)
    if getattr(connection, "transport", None) == TWIN_CONNECTION:
        # Imported here so that real runs never load the simulation.
        from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost
        from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore

        server = str(connection.get_option("remote_addr") or name)
        return TwinHost(WorldStore(connection.get_option("world")), server, check_mode,
                        become=getattr(connection, "runs_with_become", None))
    shell = getattr(getattr(connection, "_shell", None), "SHELL_FAMILY", None)
    if shell not in WINDOWS_SHELLS:
        raise InvalidArgument(
            f"{name} uses the connection '{getattr(connection, 'transport', '?')}' with a {shell or 'non-PowerShell'} "
            "shell; sfb.server modules run on Windows servers or on the twin.",
            hint="Use ansible_connection winrm or psrp (or ssh with ansible_shell_type=powershell or cmd) for a "
            f"real server, or ansible_connection {TWIN_CONNECTION} with sfb_twin_world for the twin.",
        )
    from ansible_collections.sfb.server.plugins.plugin_utils.host.windows import WindowsHost

    return WindowsHost(action, task_vars, name, check_mode)
