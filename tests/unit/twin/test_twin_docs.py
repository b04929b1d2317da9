# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/twin.md stays true: its example world builds, and it names every fault, section and event."""

from __future__ import annotations

import re

import yaml

from ansible_collections.sfb.server.plugins.plugin_utils.twin import cmdlets, description

from twinworlds import REPO

TEXT = (REPO / "docs" / "twin.md").read_text(encoding="utf-8")


def _yaml_blocks() -> list:
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", TEXT, re.S)]


def test_the_example_world_builds():
    worlds = [block for block in _yaml_blocks() if isinstance(block, dict) and "sites" in block]
    assert worlds, "docs/twin.md shows an example description"
    for world in worlds:
        entities, _unused, _unused, _unused = description.build(world)
        assert entities["server"]


def test_every_fault_and_section_is_documented():
    cmdlets.load()
    for fault in description.FAULTS:
        assert f"`{fault}`" in TEXT, f"docs/twin.md does not mention the fault {fault}"
    for section in description.SECTIONS:
        assert f"`{section}`" in TEXT, f"docs/twin.md does not mention the section {section}"


def test_the_documented_defaults_are_the_code_defaults():
    assert f"| `speed` | `{int(description.DEFAULT_SPEED)}` |" in TEXT
    assert f"| `start` | `{description.DEFAULT_START}` |" in TEXT


def test_links_between_the_pages_lead_somewhere():
    for page in ("index.md", "twin.md"):
        text = (REPO / "docs" / page).read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            assert (REPO / "docs" / target).exists(), f"docs/{page} links to {target}, which does not exist"
