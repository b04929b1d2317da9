# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.database_update: the database step of a cumulative update, once, verified.

OfficeDocs-SkypeForBusiness Skype/SfbServer/manage/topology/patch-or-update-a-back-end-or-standard-edition-server.md:
- an Enterprise Back End, after the pool's Front Ends carry the update:
  Install-CsDatabase -Update -ConfiguredDatabases -SqlServerFqdn <SQL Server FQDN>
  [-ExcludeCollocatedStores when other databases (Archiving, Monitoring) share the SQL Server];
- a Standard Edition server, after its install: Stop-CsWindowsService again ("to catch Global Assembly
  Cache (GAC) -d assemblies"), net start w3svc, Install-CsDatabase -Update -LocalDatabases.
Install-CsDatabase.md: "the Update parameter cannot be used against mirrored databases": Test-CsDatabase
is read first (MirrorSqlServerFqdn) and a mirrored database is refused with what to do. Test-CsDatabase
also tells whether a schema is behind (InstalledVersion against ExpectedVersion): nothing behind, no
change; after the update it is read again and every database must answer Succeed with its expected
version.
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs, maintenance
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan

TEST_PROPERTIES = ("SqlServerFqdn", "MirrorSqlServerFqdn", "DatabaseName", "ExpectedVersion", "InstalledVersion",
                   "Succeed")


def update_call(databases: str, sql_server_fqdn: str | None, exclude_collocated_stores: bool) -> CmdletCall:
    if databases == "local":
        return CmdletCall("Install-CsDatabase", {"Update": True, "LocalDatabases": True})
    parameters = {"Update": True, "ConfiguredDatabases": True, "SqlServerFqdn": sql_server_fqdn}
    if exclude_collocated_stores:
        parameters["ExcludeCollocatedStores"] = True
    return CmdletCall("Install-CsDatabase", parameters)


def test_call(databases: str, sql_server_fqdn: str | None) -> CmdletCall:
    if databases == "local":
        return CmdletCall("Test-CsDatabase", {"LocalService": True}, select=TEST_PROPERTIES)
    return CmdletCall("Test-CsDatabase", {"ConfiguredDatabases": True, "SqlServerFqdn": sql_server_fqdn},
                      select=TEST_PROPERTIES)


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "databases": {"type": "str", "choices": ["local", "configured"], "default": "local"},
        "sql_server_fqdn": {"type": "str"},
        "exclude_collocated_stores": {"type": "bool", "default": False},
    }
    REQUIRED_IF = [["databases", "configured", ["sql_server_fqdn"]]]
    INPUT_CHECKS = {"sql_server_fqdn": inputs.fqdn}

    def execute(self, host, args, task_vars):
        test = test_call(args["databases"], args["sql_server_fqdn"])
        answer = host.run(Plan.of(test))
        if not answer.ok:
            failed = answer.failed()
            raise SfbError(f"{host.name}: {test.describe()} failed: {failed.error.message if failed.error else ''}",
                           hint="Check that the SQL Server answers (name, instance, firewall) and that the run account "
                           "may read it; nothing was changed.")
        state = maintenance.read_databases(answer.output(0))
        before = state.to_result()
        if state.mirrored:
            where = args["sql_server_fqdn"] or host.name
            raise SfbError(
                f"The databases {', '.join(state.mirrored)} on {where} are mirrored: Install-CsDatabase -Update "
                "cannot be used against mirrored databases (Install-CsDatabase.md). Nothing was changed.",
                hint="Remove the mirror first with Uninstall-CsMirrorDatabase, run the update, then set the mirror up "
                "again (Install-CsMirrorDatabase); or leave the database step out (rolling_patch_back_end_sql: '').",
                databases=before)
        if not state.behind and not state.unknown:
            return {"changed": False, "databases": before, "behind": [], "unknown": []}
        steps = []
        if args["databases"] == "local":
            # Steps 9 and 10 of the Standard Edition procedure, then step 11.
            steps += [CmdletCall("Stop-CsWindowsService"), CmdletCall("Start-CsWindowsService", {"Name": "W3SVC"})]
        steps += [update_call(args["databases"], args["sql_server_fqdn"], args["exclude_collocated_stores"]), test]
        plan = Plan.of(*steps)
        result = {"changed": True, "commands": plan.describe(), "behind": state.behind, "unknown": state.unknown}
        if self.diff_mode:
            result["diff"] = {"before": {"databases": before}, "after": {"behind": []}}
        if self.check_mode:
            result["databases"] = before
            return result
        # The plan ends with Test-CsDatabase: the verification comes back in the same round trip.
        answer = host.run(plan).raise_for_failure()
        result["transcript"] = answer.transcript()
        checked = maintenance.read_databases(list(answer.results[-1].output))
        if checked.failed or checked.behind:
            raise SfbError(
                f"{host.name}: after Install-CsDatabase -Update, Test-CsDatabase reports "
                f"{', '.join(checked.failed + checked.behind)} not at the expected version or not succeeding.",
                hint="Read the Install-CsDatabase log (its -Report file) and the SQL Server error log; run the task "
                "again once fixed.", databases=checked.to_result(), changed=True)
        result["databases"] = checked.to_result()
        return result
