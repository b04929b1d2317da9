#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: components
short_description: Deployment Wizard step 2 - set up or remove the components of the published topology
description:
  - Compares the Skype for Business services installed (C(Get-CsWindowsService)) with those the
    server's roles in the published topology need (C(Get-CsComputer -Local), C(Get-CsPool)).
  - When they differ, runs C(<install>\\Deployment\\Bootstrapper.exe) (sets up and removes components
    from the topology), C(Enable-CsComputer), and C(Install-CsDatabase -LocalDatabases) for roles that keep
    local stores (Front End). Which commands the wizard runs is not documented by Microsoft; these
    documented ones reach the step's documented outcome.
  - When setup asks for a restart (exit code 3010), restarts the server (M(ansible.windows.win_reboot) on real
    servers) and runs the step again, as seed 002 says. Unmet prerequisites are listed in the failure.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  install_path:
    description:
      - The installation folder; found among the products' default folders when unset.
    type: str
  max_restarts:
    description:
      - How many restarts the step may ask for before the module gives up.
    type: int
    default: 2
  reboot_timeout:
    description:
      - Seconds to wait for the server to come back after a restart.
    type: int
    default: 1800
  cu_path:
    description:
      - The cumulative update's installer (C(SkypeServerUpdateInstaller.exe)) on the server. When step 2
        changes the components of a server that carries a cumulative update, it is run again with
        C(/silentmode) (before step 4 nothing carries traffic); without O(cu_path) the module warns that the
        update must be applied again. The result says C(cu_to_reapply).
    type: str
    default: ""
  cu_timeout:
    description:
      - Seconds the cumulative update's installer may run.
    type: int
    default: 5400
notes:
  - Exit code 3010 and the "Prerequisite not satisfied" line format are assumptions (Bootstrapper's exit codes
    and output are not documented); the services are checked afterwards in any case.
extends_documentation_fragment:
  - sfb.server.change
"""

EXAMPLES = r"""
- name: Step 2, set up the components of the topology
  sfb.server.components:
  register: sfb_components
"""

RETURN = r"""
placement:
  description: The server in the topology (fqdn, pool, roles, edition, pool_servers, uses_fabric).
  returned: success
  type: dict
install_path:
  description: The installation folder used.
  returned: success
  type: str
drift:
  description: Services missing and extra before the step.
  returned: changed
  type: dict
restarts:
  description: Restarts made because setup asked for them.
  returned: success
  type: int
services:
  description: The Skype for Business services installed after the step.
  returned: success and not check mode
  type: list
  elements: str
commands:
  description: The commands run (or that would run in check mode).
  returned: changed
  type: list
  elements: str
round_trips:
  description: Round trips to the server.
  returned: always
  type: int
"""
