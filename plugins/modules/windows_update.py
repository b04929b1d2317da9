#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: windows_update
short_description: Search or install Windows updates on a Skype for Business server and restart it
description:
  - V(searched) lists the updates that would be installed; nothing changes. Check mode does the same.
  - V(installed) installs them (with C(ansible.windows.win_updates) on a real server, never letting it
    restart by itself), then restarts the server when O(reboot) says so (C(ansible.windows.win_reboot))
    and waits until it answers again, at most O(reboot_timeout) seconds.
  - Take the server out of service first (M(sfb.server.drain), M(sfb.server.failover)).
version_added: 0.1.0
author:
  - sfb.server contributors
options:
  state:
    description: V(installed) installs, V(searched) only lists.
    type: str
    choices: [installed, searched]
    default: installed
  category_names:
    description: Update categories to consider (for example C(SecurityUpdates)); empty means all.
    type: list
    elements: str
    default: []
  reject_list:
    description: KB numbers or titles never to install.
    type: list
    elements: str
    default: []
  timeout:
    description: Seconds the installation may take.
    type: int
    default: 7200
  reboot:
    description:
      - V(if_required) restarts when an installed update needs it, V(always) restarts in any case,
        V(never) leaves the restart to you (RV(reboot_required) tells).
    type: str
    choices: [if_required, always, never]
    default: if_required
  reboot_timeout:
    description: Seconds to wait for the server to answer again after its restart.
    type: int
    default: 1800
notes:
  - Supports check mode (searches only).
  - A server that does not come back within O(reboot_timeout) marks the host unreachable.
seealso:
  - module: ansible.windows.win_updates
  - module: ansible.windows.win_reboot
"""

EXAMPLES = r"""
- name: List the pending updates
  sfb.server.windows_update:
    state: searched
  register: sfb_pending

- name: Install security updates and restart if needed
  sfb.server.windows_update:
    category_names: [SecurityUpdates, CriticalUpdates]
"""

RETURN = r"""
updates:
  description: The updates found (V(searched) and check mode).
  returned: O(state=searched) or check mode
  type: list
  elements: dict
installed:
  description: The updates installed, with C(kb), C(title) and C(category).
  returned: success
  type: list
  elements: dict
failed_updates:
  description: Always empty on success (a failed update fails the task).
  returned: success
  type: list
  elements: dict
reboot_required:
  description: Whether a restart is still needed after the task.
  returned: success
  type: bool
rebooted:
  description: Whether the server was restarted.
  returned: success
  type: bool
install_seconds:
  description: Seconds the installation took.
  returned: O(state=installed), not in check mode
  type: int
reboot_seconds:
  description: Seconds the restart took.
  returned: O(state=installed), not in check mode
  type: int
"""
