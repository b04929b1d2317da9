# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.database_update: the database step of a cumulative update (Install-CsDatabase -Update)."""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan


def update_call(databases: str, sql_server_fqdn: str | None, exclude_collocated_stores: bool) -> CmdletCall:
    """patch-or-update-a-back-end-or-standard-edition-server.md: -LocalDatabases on a Standard Edition
    server; -ConfiguredDatabases -SqlServerFqdn for an Enterprise Back End, with
    -ExcludeCollocatedStores when other databases share the SQL Server."""
    if databases == "local":
        return CmdletCall("Install-CsDatabase", {"Update": True, "LocalDatabases": True})
    parameters = {"Update": True, "ConfiguredDatabases": True, "SqlServerFqdn": sql_server_fqdn}
    if exclude_collocated_stores:
        parameters["ExcludeCollocatedStores"] = True
    return CmdletCall("Install-CsDatabase", parameters)


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "databases": {"type": "str", "choices": ["local", "configured"], "default": "local"},
        "sql_server_fqdn": {"type": "str"},
        "exclude_collocated_stores": {"type": "bool", "default": False},
    }
    REQUIRED_IF = [["databases", "configured", ["sql_server_fqdn"]]]

    def execute(self, host, args, task_vars):
        call = update_call(args["databases"], args["sql_server_fqdn"], args["exclude_collocated_stores"])
        # Install-CsDatabase -Update brings the schemas to the installed version and is safe to repeat;
        # the module cannot tell beforehand whether a schema is behind, so it always reports a change.
        return self.converge(host, Plan.of(call), None, None)
