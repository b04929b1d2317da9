# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: twin
short_description: Talk to a simulated Skype for Business server of a twin world
description:
  - Selects the twin behind the sfb.server Host seam. Every sfb.server module run on a host with
    this connection answers from the twin world at O(world) instead of a real Windows server.
  - The twin is a simulation of Skype for Business Server pools and Cloud Connector appliances kept in
    one SQLite file. Create it with the M(sfb.server.twin_world) module or C(scripts/sfb-twin create).
  - This connection runs nothing else. Modules from other collections, raw commands, file transfers
    and fact gathering fail with a clear message; set C(gather_facts=false) on plays that target it.
author:
  - sfb.server contributors (!UNKNOWN)
version_added: 0.1.0
options:
  world:
    description:
      - Path of the twin world file on the controller (required; a host without it fails with a message that
        names C(sfb_twin_world)).
    type: path
    vars:
      - name: sfb_twin_world
    env:
      - name: SFB_TWIN_WORLD
  remote_addr:
    description:
      - The server's FQDN in the twin world.
    type: str
    default: inventory_hostname
    vars:
      - name: inventory_hostname
      - name: ansible_host
"""

from ansible.errors import AnsibleConnectionFailure
from ansible.plugins.connection import ConnectionBase

_ONLY_SFB = (
    "The sfb.server.twin connection only answers sfb.server modules; it cannot {what}. "
    "Run this task against a real Windows host, or use an sfb.server module (and gather_facts: false)."
)


class Connection(ConnectionBase):
    transport = "sfb.server.twin"
    has_pipelining = False
    module_implementation_preferences = (".ps1", ".exe", "")
    allow_executable = False
    _shell_type = "powershell"

    @property
    def runs_with_become(self) -> bool:
        """Whether the task runs with become through runas (Ansible sets `self.become` per task).

        The twin refuses the DPAPI-bound steps (SQL Server Express for the local store, the Cloud
        Connector credential cache) without it, as a real server's network logon would."""
        return self.become is not None and str(getattr(self.become, "name", "")).rsplit(".", 1)[-1] == "runas"

    def set_options(self, task_keys=None, var_options=None, direct=None):
        super().set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        # Checked here rather than by `required: true`, whose error names the option by its internal
        # config name ('world') and the plugin's Python path, not the variable a user sets.
        if not self.get_option("world"):
            raise AnsibleConnectionFailure(
                "This host uses the sfb.server.twin connection but no twin world is set: give the world file's path "
                "in the inventory variable sfb_twin_world (or the SFB_TWIN_WORLD environment variable).")

    def _connect(self):
        self._connected = True
        return self

    def exec_command(self, cmd, in_data=None, sudoable=True):
        raise AnsibleConnectionFailure(_ONLY_SFB.format(what="run commands or other modules"))

    def put_file(self, in_path, out_path):
        raise AnsibleConnectionFailure(_ONLY_SFB.format(what="copy files to a server"))

    def fetch_file(self, in_path, out_path):
        raise AnsibleConnectionFailure(_ONLY_SFB.format(what="fetch files from a server"))

    def close(self):
        self._connected = False
