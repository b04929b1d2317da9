#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: database_update
short_description: Run the database step of a Skype for Business cumulative update
description:
  - Runs C(Install-CsDatabase -Update) as Microsoft's procedure for patching a Back End or Standard
    Edition server says, after the update is installed.
  - V(local) updates the Standard Edition server's own databases (C(-LocalDatabases)).
  - V(configured) updates an Enterprise pool's Back End databases on O(sql_server_fqdn)
    (C(-ConfiguredDatabases)), with C(-ExcludeCollocatedStores) when O(exclude_collocated_stores).
  - Reads C(Test-CsDatabase) first. Mirrored databases (C(MirrorSqlServerFqdn) set) are refused, since
    C(-Update) cannot be used against mirrored databases. When no database is behind
    (C(InstalledVersion) equal to C(ExpectedVersion)) nothing runs and the task reports no change.
  - With V(local) it runs the last steps of the Standard Edition procedure before the update,
    C(Stop-CsWindowsService) again (assemblies in the GAC), then the World Wide Web service started again.
  - Verifies with C(Test-CsDatabase) afterwards, every database must succeed at its expected version.
version_added: 0.1.0
attributes:
  check_mode:
    support: full
    description: The command is described; nothing changes.
  diff_mode:
    support: full
    description: The databases' versions before, and that none is behind after.
  platform:
    support: full
    platforms: windows
    description: Runs on Windows servers, and on the twin.
author:
  - sfb.server contributors (!UNKNOWN)
options:
  databases:
    description: Which databases to update.
    type: str
    choices: [local, configured]
    default: local
  sql_server_fqdn:
    description: The Back End SQL Server, required with O(databases=configured).
    type: str
  exclude_collocated_stores:
    description: Leave the databases collocated on the same SQL Server alone.
    type: bool
    default: false
notes:
  - Supports check mode (shows the command).
seealso:
  - name: Test-CsDatabase
    description: The read before and after.
    link: https://learn.microsoft.com/powershell/module/skypeforbusiness/test-csdatabase
  - name: Install-CsDatabase
    description: The cmdlet this module runs.
    link: https://learn.microsoft.com/powershell/module/skypeforbusiness/install-csdatabase
"""

EXAMPLES = r"""
- name: Update the databases of a Standard Edition server after its cumulative update
  sfb.server.database_update:
    databases: local

- name: Update a pool's Back End databases
  sfb.server.database_update:
    databases: configured
    sql_server_fqdn: sql01.contoso.com
"""

RETURN = r"""
databases:
  description: What C(Test-CsDatabase) reported (after the update when one ran).
  returned: success
  type: list
  elements: dict
behind:
  description: The databases that were behind before the task.
  returned: success
  type: list
  elements: str
commands:
  description: The command run (or that would run in check mode).
  returned: always
  type: list
  elements: str
  sample: ["Install-CsDatabase -Update -LocalDatabases"]
"""
