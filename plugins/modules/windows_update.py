#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: windows_update
short_description: Install Windows updates on a Skype for Business server, restarting when they ask for it
description:
  - Seed 002 - Windows Server must be up to date before the installation, and Windows Update must run again
    after step 2.
  - On real servers the work is done by M(ansible.windows.win_updates) and M(ansible.windows.win_reboot);
    on the twin by the world's pending updates.
  - In check mode only searches, and reports what would be installed (or downloaded).
  - With O(state=downloaded) the updates are only downloaded (M(ansible.windows.win_updates) C(state=downloaded)),
    while the server stays in service, so that the later installation in the maintenance window has only
    the offline work left. Run it on every server before the first one leaves service.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  categories:
    description:
      - Update categories to install.
    type: list
    elements: str
    default: [CriticalUpdates, SecurityUpdates, UpdateRollups]
  reject:
    description:
      - KB numbers not to install.
    type: list
    elements: str
    default: []
  reboot:
    description:
      - Restart the server when the updates require it.
    type: bool
    default: true
  timeout:
    description:
      - Seconds the installation may take.
    type: int
    default: 7200
  reboot_timeout:
    description:
      - Seconds to wait for the server to come back.
    type: int
    default: 1800
  state:
    description:
      - V(installed) installs the updates (downloading those not downloaded yet).
      - V(downloaded) downloads them without installing them and without touching any service; updates already
        downloaded are left as they are. O(reboot) does not apply.
    type: str
    choices: [installed, downloaded]
    default: installed
attributes:
  check_mode:
    support: full
    description: Searches the updates that would be installed and installs none.
  diff_mode:
    support: none
    description: The result lists the updates installed; there is no before and after.
  platform:
    support: full
    platforms: windows
    description: Runs on Windows servers, and on the twin.
"""

EXAMPLES = r"""
- name: Stage the updates on every server while they all serve
  sfb.server.windows_update:
    state: downloaded

- name: Windows Update again after step 2
  sfb.server.windows_update:
    reject: [KB5000000]
"""

RETURN = r"""
installed:
  description: Updates installed.
  returned: success
  type: list
  elements: dict
downloaded:
  description: With O(state=downloaded), updates downloaded by this run.
  returned: success
  type: list
  elements: dict
staged:
  description: With O(state=downloaded), every chosen update now downloaded (by this run or an earlier one).
  returned: success and O(state=downloaded)
  type: list
  elements: dict
pending:
  description: In check mode, updates that would be installed (or downloaded); after O(state=downloaded), the updates staged and still to install.
  returned: success
  type: list
  elements: dict
rebooted:
  description: Whether the server was restarted.
  returned: success
  type: bool
reboot_required:
  description: Whether a restart is still needed (O(reboot=false)).
  returned: success
  type: bool
round_trips:
  description: Round trips to the server.
  returned: always
  type: int
"""
