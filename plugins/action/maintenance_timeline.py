# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.maintenance_timeline: draw the rollout's timeline (SVG) and write its report (Markdown) on
the controller, from the rolling patch's per-server records (issue #16)."""

from __future__ import annotations

import os

from ansible_collections.sfb.server.plugins.plugin_utils.action import ControllerAction
from ansible_collections.sfb.server.plugins.plugin_utils.controller import report_files, timeline
from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs


def _same(path: str, text: str) -> bool:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read() == text
    except OSError:
        return False


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = {
        "records": {"type": "list", "elements": "dict", "required": True},
        "dest": {"type": "path", "required": True},
        "name": {"type": "str", "default": "maintenance-timeline"},
        "title": {"type": "str", "default": "Maintenance timeline"},
    }
    INPUT_CHECKS = {
        "dest": inputs.existing_writable_folder,
        "name": inputs.file_name,
        "title": inputs.nonempty,
    }

    def work(self, args: dict) -> dict:
        drawn = timeline.from_records(args["records"], args["title"])
        svg_path = os.path.join(args["dest"], f"{args['name']}.svg")
        markdown_path = os.path.join(args["dest"], f"{args['name']}.md")
        files = {svg_path: timeline.svg(drawn), markdown_path: timeline.markdown(drawn, os.path.basename(svg_path))}
        stale = [path for path, text in files.items() if not _same(path, text)]
        if stale and not self._task.check_mode:
            for path in stale:
                report_files.write_atomically(path, files[path])
        window = drawn.window()
        return {
            "changed": bool(stale), "svg_path": svg_path, "markdown_path": markdown_path,
            "servers": len(drawn.lanes), "pools": drawn.pools(),
            "window": {"start": window[0], "end": window[1]} if window else None,
            "not_drawn": [lane.server for lane in drawn.lanes if not lane.phases],
        }
