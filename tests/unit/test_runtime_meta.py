# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""meta/runtime.yml: every module users call is in an action group, and the groups name real modules."""

from __future__ import annotations

import pathlib

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
RUNTIME = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text(encoding="utf-8"))
GROUPS = RUNTIME.get("action_groups") or {}
# Internal: the Windows side of the Host seam, never called by users.
INTERNAL = {"plan_runner"}
MODULES = sorted(p.stem for p in (REPO / "plugins" / "modules").glob("*.py") if p.stem != "__init__")


def _plain(entries):
    return [e for e in entries if isinstance(e, str)]  # a group may also hold a metadata mapping


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_group_names_existing_modules_once(group):
    names = _plain(GROUPS[group])
    repeated = sorted({n for n in names if names.count(n) > 1})
    assert not repeated, f"group {group} lists {repeated} more than once"
    unknown = sorted(n for n in names if n.split(".")[-1] not in MODULES)
    assert not unknown, f"group {group} names modules that do not exist: {unknown}"


def test_every_user_module_is_in_a_group():
    grouped = {n.split(".")[-1] for entries in GROUPS.values() for n in _plain(entries)}
    missing = sorted(set(MODULES) - INTERNAL - grouped)
    assert not missing, f"add these modules to an action group in meta/runtime.yml: {missing}"


def test_internal_runner_is_not_offered_in_a_group():
    grouped = {n.split(".")[-1] for entries in GROUPS.values() for n in _plain(entries)}
    assert not INTERNAL & grouped
