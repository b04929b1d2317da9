# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.firewall_report: the rules network teams must create, written on the controller.

What the Planning Tool's firewall report gave (seed 004): for hardware firewalls, for the load
balancers (the table chosen by each pool's load-balancing type), for clients and for IPsec.
"""

from __future__ import annotations

import os

from ansible_collections.sfb.server.plugins.plugin_utils.controller import report_files as files
from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.domain import ports
from ansible_collections.sfb.server.plugins.plugin_utils.domain import roles as role_catalog
from ansible_collections.sfb.server.plugins.plugin_utils.action import ControllerAction
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError


def pools_from_servers(servers: list) -> list[dict]:
    """Group servers (each with fqdn, pool, roles ...) into pools, in the order first seen."""
    pools: dict[str, dict] = {}
    for i, server in enumerate(servers):
        if not isinstance(server, dict) or not server.get("fqdn") or not server.get("pool"):
            raise ports.TopologyError(f"servers[{i}]: each server needs fqdn and pool (and roles).")
        key = str(server["pool"]).lower()
        pool = pools.setdefault(key, {"fqdn": key, "roles": server.get("roles"), "servers": [],
                                      "load_balancing": server.get("load_balancing", "dns"),
                                      "site": server.get("site", ""),
                                      "central_management_store": False})
        if list(pool["roles"] or []) != list(server.get("roles") or []):
            raise ports.TopologyError(f"servers[{i}] ({server['fqdn']}): roles {server.get('roles')} differ from the "
                                      f"roles {pool['roles']} of another server of pool {key}.")
        pool["servers"].append(str(server["fqdn"]).lower())
        pool["central_management_store"] |= bool(server.get("central_management_store"))
    return list(pools.values())


ROLE = inputs.hinted(inputs.choice(*role_catalog.ROLES), f"Known roles: {', '.join(role_catalog.ROLES)}.")


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = {
        "pools": {"type": "list", "elements": "dict"},
        "servers": {"type": "list", "elements": "dict"},
        "office_web_apps": {"type": "list", "elements": "str", "default": []},
        "dest": {"type": "path", "required": True},
        "name": {"type": "str", "default": "sfb_firewall_report"},
        "formats": {"type": "list", "elements": "str", "choices": list(files.FORMATS), "default": list(files.FORMATS)},
    }
    MUTUALLY_EXCLUSIVE = [["pools", "servers"]]
    REQUIRED_ONE_OF = [["pools", "servers"]]
    INPUT_CHECKS = {
        "pools": inputs.nonempty_list(inputs.each(inputs.fields(
            {"fqdn": inputs.fqdn, "roles": inputs.nonempty_list(inputs.each(ROLE)),
             "servers": inputs.nonempty_list(inputs.each(inputs.fqdn)),
             "load_balancing": inputs.choice(*ports.LOAD_BALANCING), "site": inputs.text,
             "central_management_store": inputs.boolean}, required=("fqdn", "roles", "servers"))),
            "at least one pool with fqdn, roles and servers (an empty list has no pool to report on)"),
        "servers": inputs.each(inputs.fields(
            {"fqdn": inputs.fqdn, "pool": inputs.fqdn,
             "roles": inputs.nonempty_list(inputs.each(ROLE)),
             "load_balancing": inputs.choice(*ports.LOAD_BALANCING), "site": inputs.text,
             "central_management_store": inputs.boolean}, required=("fqdn", "pool", "roles"), extra=True)),
        "office_web_apps": inputs.each(inputs.fqdn),
        "dest": inputs.writable_folder,
        "name": inputs.file_name,
    }

    def work(self, args: dict) -> dict:
        raw = args["pools"] if args["pools"] is not None else pools_from_servers(args["servers"])
        pools = ports.check_topology(raw)
        sheets = ports.report(pools, args["office_web_apps"])
        dest = args["dest"]
        if not os.path.isdir(dest):
            if os.path.exists(dest):
                raise SfbError(f"dest {dest} exists and is not a directory.", hint="Give a directory for the report files.")
            if not self._task.check_mode:
                os.makedirs(dest, exist_ok=True)
        written, unchanged = [], []
        check = self._task.check_mode
        for fmt in args["formats"]:
            if fmt == "csv":
                for kind in ports.REPORT_KINDS:
                    path = os.path.join(dest, f"{args['name']}_{kind}.csv")
                    self._text(path, files.csv_text(kind, sheets[kind]), check, written, unchanged)
            elif fmt == "markdown":
                path = os.path.join(dest, f"{args['name']}.md")
                self._text(path, files.markdown_text(sheets, "Skype for Business Server firewall report"), check,
                           written, unchanged)
            else:
                path = os.path.join(dest, f"{args['name']}.xlsx")
                if files.workbook_values(path) == files.workbook_expected(sheets):
                    unchanged.append(path)
                else:
                    if not check:
                        files.write_workbook(path, sheets)
                    written.append(path)
        return {
            "changed": bool(written),
            "written": written,
            "unchanged": unchanged,
            "rules": {kind: len(rows) for kind, rows in sheets.items()},
            "pools": [{"fqdn": p.fqdn, "roles": list(p.roles), "servers": list(p.servers),
                       "load_balancing": p.load_balancing} for p in pools],
        }

    @staticmethod
    def _text(path, text, check, written, unchanged):
        if files.holds(path, text):
            unchanged.append(path)
            return
        if not check:
            files.write_text(path, text)
        written.append(path)
