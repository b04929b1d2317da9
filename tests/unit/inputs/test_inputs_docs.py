# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/inputs.md stays true: it lists every module and every check a playbook can name."""

from __future__ import annotations

import pathlib

import yaml
from inputs_cases import PENDING

from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs

REPO = pathlib.Path(__file__).resolve().parents[3]
DOC = (REPO / "docs" / "inputs.md").read_text(encoding="utf-8")


def test_every_module_is_listed():
    missing = [p.stem for p in sorted((REPO / "plugins" / "action").glob("*.py"))
               if p.stem != "__init__" and f"| `{p.stem}` |" not in DOC]
    assert not missing, f"docs/inputs.md does not say what these modules' options expect: {missing}"


def test_every_named_check_is_listed():
    missing = [name for name in inputs.NAMED if f"| `{name}` |" not in DOC]
    assert not missing, f"docs/inputs.md does not list these checks: {missing}"


def test_every_playbook_checks_its_inputs_first():
    for playbook in sorted((REPO / "playbooks").glob("*.yml")):
        if playbook.name in PENDING:
            continue
        plays = yaml.safe_load(playbook.read_text(encoding="utf-8"))
        first = plays[0]
        assert first["name"] == "Check the job's inputs", f"{playbook.name}: the first play must check the inputs"
        assert first["hosts"] == "localhost"
        assert [t for t in first["tasks"] if "sfb.server.job_inputs" in t], f"{playbook.name}: no sfb.server.job_inputs task"
