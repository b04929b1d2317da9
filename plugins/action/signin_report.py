# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.signin_report: write the sign-in diagnostics report (Markdown and JSON) on the controller."""

from __future__ import annotations

import datetime
import json
import os

from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.domain import signin
from ansible_collections.sfb.server.plugins.plugin_utils.action import ControllerAction
from ansible_collections.sfb.server.plugins.plugin_utils.controller import report_files
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument, SfbError

_CHECK_KEYS = ("id", "title", "target", "status", "reason")


def checks_from(items: list) -> list[signin.Check]:
    checks = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or any(k not in item for k in _CHECK_KEYS):
            raise InvalidArgument(f"checks[{index}] is not a check: it needs {', '.join(_CHECK_KEYS)}.",
                                  hint="Pass the `check`/`checks` results of the sfb.server sign-in modules.")
        if item["status"] not in signin.STATUSES:
            raise InvalidArgument(f"checks[{index}].status {item['status']!r} is not one of {', '.join(signin.STATUSES)}.")
        checks.append(signin.Check(id=str(item["id"]), title=str(item["title"]), target=str(item["target"]),
                                   status=item["status"], reason=str(item["reason"]), action=str(item.get("action") or ""),
                                   details=dict(item.get("details") or {}), changed=bool(item.get("changed"))))
    return checks


_TITLES = {"dns": "DNS: sip CNAME of the SIP domains", "time": "Time: synchronised with a reliable external source",
           "trust_model_data": "TrustModelData lists the Skype for Business domains",
           "sip_user_enabled": "msRTCSIP-UserEnabled is not FALSE for any user"}


def missing_checks(checks: list[signin.Check], expected: list[str]) -> list[signin.Check]:
    """A not-checked line for each expected check no host reported: an empty group must not read as a pass."""
    seen = {c.id for c in checks}
    return [signin.Check(check_id, _TITLES.get(check_id, check_id), "(none)", signin.NOT_CHECKED,
                         "No host ran this check: its inventory group is empty, or no host of it answered.",
                         "Put the hosts in the group docs/signin.md names for this check, then run the playbook again.")
            for check_id in expected if check_id not in seen]


def _same_content(path: str, document: dict) -> bool:
    """Whether the report on disk says the same thing (its generation time aside)."""
    try:
        with open(path, encoding="utf-8") as handle:
            old = json.load(handle)
    except (OSError, ValueError):
        return False
    return {k: v for k, v in old.items() if k != "generated"} == {k: v for k, v in document.items() if k != "generated"}


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = {
        "checks": {"type": "list", "elements": "raw", "required": True},
        "dest": {"type": "path", "required": True},
        "name": {"type": "str", "default": "signin-report"},
        "scope": {"type": "dict", "default": {}},
        "guidance": {"type": "bool", "default": True},
        "guidance_skip": {"type": "list", "elements": "str", "default": []},
        "expected": {"type": "list", "elements": "str", "default": []},
    }
    INPUT_CHECKS = {
        "dest": inputs.existing_writable_folder,
        "name": inputs.file_name,
        "guidance_skip": inputs.each(inputs.choice(*(item[0] for item in signin.GUIDANCE))),
        "expected": inputs.each(inputs.nonempty),
    }

    def work(self, args: dict) -> dict:
        if not args["name"] or os.sep in args["name"]:
            raise InvalidArgument(f"name {args['name']!r} must be a plain file name without a directory.")
        checks = checks_from(args["checks"])
        checks += missing_checks(checks, args["expected"])
        if args["guidance"]:
            checks += signin.guidance_checks(args["guidance_skip"])
        generated = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
        document = signin.report_document(checks, generated, args["scope"])
        json_path = os.path.join(args["dest"], f"{args['name']}.json")
        markdown_path = os.path.join(args["dest"], f"{args['name']}.md")
        changed = not (_same_content(json_path, document) and os.path.exists(markdown_path))
        if changed and not self._task.check_mode:
            if not os.path.isdir(args["dest"]):
                raise SfbError(f"The report directory {args['dest']} does not exist on the controller.",
                               hint="Create it first, or point dest at an existing directory.")
            report_files.write_atomically(json_path, json.dumps(document, indent=2, sort_keys=True) + "\n")
            report_files.write_atomically(markdown_path, signin.render_markdown(document))
        return {"changed": changed, "json_path": json_path, "markdown_path": markdown_path,
                "summary": document["summary"], "failed_checks": [c.to_dict() for c in checks if c.status == signin.FAIL]}
