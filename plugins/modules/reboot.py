#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: reboot
short_description: Restart a Skype for Business server and wait until it answers again
description:
  - Restarts the server (C(ansible.windows.win_reboot) on a real server) and waits at most
    O(reboot_timeout) seconds for it to answer again.
  - A server that does not come back fails the task (rather than marking the host unreachable), so
    that a rollout can report which server is out of service and why.
  - Drain the server first (M(sfb.server.drain)); a restart cuts every session it still carries.
version_added: 0.1.0
attributes:
  check_mode:
    support: full
    description: Reports the restart without doing it.
  diff_mode:
    support: none
    description: A restart has no state to compare.
  platform:
    support: full
    platforms: windows
    description: Runs on Windows servers, and on the twin.
author:
  - sfb.server contributors (!UNKNOWN)
options:
  reason:
    description: The reason given to the restart.
    type: str
    default: sfb.server maintenance
  reboot_timeout:
    description: Seconds to wait for the server to answer again.
    type: int
    default: 1800
notes:
  - Check mode reports the restart without doing it.
seealso:
  - module: ansible.windows.win_reboot
"""

EXAMPLES = r"""
- name: Restart the drained server
  sfb.server.reboot:
    reboot_timeout: 1800
"""

RETURN = r"""
rebooted:
  description: Whether the server restarted.
  returned: always
  type: bool
seconds:
  description: Seconds from the restart until the server answered again.
  returned: always
  type: int
"""
