#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cumulative_update
short_description: Install a Skype for Business Server cumulative update with its own installer
description:
  - Reads the server's version with C(Get-CsServerPatchVersion); a server already at O(version) is left
    alone (the task reports no change), a server newer than O(version) is refused.
  - Otherwise runs C(SkypeServerUpdateInstaller.exe /silentmode) from O(path), the unattended install the
    cumulative update's KB article gives; exit code 0 is success, 3010 success with a restart required,
    any other code fails the task and points to the installer's log.
  - The server must be out of service first (failed over with M(sfb.server.failover), or drained with
    M(sfb.server.drain)). The maintenance marker gets C(installing_cu) before the installer and
    C(cu_installed) after it.
  - Does not restart the server; M(sfb.server.reboot) does.
  - With O(state=staged), copies the installer O(src) from the controller to O(path) on the server instead
    (C(ansible.windows.win_copy)), while the server still serves; a server that already holds a file of the
    same checksum is not copied to again. Run it before the server leaves service, then install from O(path).
version_added: 0.2.0
attributes:
  check_mode:
    support: full
    description:
      - Reads the version and describes the install; nothing runs.
      - With O(state=staged), says what it would copy (and the controller file's checksum) without copying;
        whether the server already holds that file is known only when the copy runs.
  diff_mode:
    support: full
    description: The version before and after.
  platform:
    support: full
    platforms: windows
    description: Runs on Windows servers, and on the twin.
author:
  - sfb.server contributors (!UNKNOWN)
options:
  state:
    description:
      - C(installed) runs the installer from O(path); C(staged) copies O(src) from the controller to O(path)
        on the server and installs nothing.
    type: str
    choices: [installed, staged]
    default: installed
  path:
    description:
      - Full path of C(SkypeServerUpdateInstaller.exe) as the server sees it, on a share
        (C(\\\\files\\sfb\\CU\\SkypeServerUpdateInstaller.exe)) or on a local disk.
      - With O(state=staged), the local destination of the copy
        (C(C:\\ProgramData\\sfb.server\\CU\\SkypeServerUpdateInstaller.exe)); a share is refused.
    type: str
    required: true
  version:
    description:
      - The version the update brings, as C(Get-CsServerPatchVersion) shows it (C(7.0.2046.530)).
      - Required with O(state=installed).
    type: str
  src:
    description:
      - The installer C(SkypeServerUpdateInstaller.exe) on the controller; it must exist and be a readable file.
      - Only with O(state=staged).
    type: path
  stop_web_server:
    description:
      - Stop the World Wide Web service before the install (step 5 of Microsoft's procedure for a
        Standard Edition or Back End server).
    type: bool
    default: false
  known_state:
    description:
      - The server's maintenance state as the previous maintenance module of the cycle returned it
        (its C(state)); saves a round trip. Unset, the module reads it.
    type: dict
notes:
  - The exit codes and the log's location are not published; see docs/assumptions.md.
seealso:
  - module: sfb.server.failover
  - module: sfb.server.database_update
  - name: Get-CsServerPatchVersion
    description: The version read before and after.
    link: https://learn.microsoft.com/powershell/module/skypeforbusiness/get-csserverpatchversion
"""

EXAMPLES = r"""
- name: Install the cumulative update on a failed-over Front End
  sfb.server.cumulative_update:
    path: \\files.contoso.com\sfb\CU2019-10\SkypeServerUpdateInstaller.exe
    version: 7.0.2046.530

- name: Copy the installer from the controller to the server, ahead of the maintenance window
  sfb.server.cumulative_update:
    state: staged
    src: /srv/sfb/CU2019-10/SkypeServerUpdateInstaller.exe
    path: C:\ProgramData\sfb.server\CU\SkypeServerUpdateInstaller.exe

- name: Install it from there once the server is failed over
  sfb.server.cumulative_update:
    path: C:\ProgramData\sfb.server\CU\SkypeServerUpdateInstaller.exe
    version: 7.0.2046.530
"""

RETURN = r"""
version_before:
  description: The version C(Get-CsServerPatchVersion) gave before the task.
  returned: with O(state=installed)
  type: str
target:
  description: O(version).
  returned: with O(state=installed)
  type: str
decision:
  description: C(install), or C(at_target) when the server already runs O(version).
  returned: with O(state=installed)
  type: str
installed:
  description: Whether the installer ran and succeeded.
  returned: success
  type: bool
restart_required:
  description: The installer ended with 3010.
  returned: success
  type: bool
exit_code:
  description: The installer's exit code.
  returned: when the installer ran
  type: int
state:
  description: The server's maintenance state after the task, to hand to the next module.
  returned: with O(state=installed)
  type: dict
copied:
  description: Whether the installer was copied (false when the server already held the same file, and in check mode).
  returned: with O(state=staged)
  type: bool
checksum:
  description: The SHA-1 checksum of the installer on the controller, the identity of the copy.
  returned: with O(state=staged)
  type: str
size:
  description: The size of the copied file in bytes.
  returned: with O(state=staged), when the copy ran
  type: int
commands:
  description: The commands run (or that would run in check mode).
  returned: when changed
  type: list
  elements: str
"""
