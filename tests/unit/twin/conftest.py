# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the twin tests (helpers live in twinworlds.py)."""

from __future__ import annotations

import pytest

# tests/unit/conftest.py makes ansible_collections.sfb.server importable.
from ansible_collections.sfb.server.plugins.plugin_utils.twin import engine
from ansible_collections.sfb.server.plugins.plugin_utils.twin import host as twin_host
from ansible_collections.sfb.server.plugins.plugin_utils.twin import world as world_module
from sfb_fakes import FakeTime
from twinworlds import make_store


@pytest.fixture
def fake_time(monkeypatch) -> FakeTime:
    """Real time that only moves when the test (or a sleep of the twin) moves it."""
    clock = FakeTime()
    for module in (world_module, engine, twin_host):
        monkeypatch.setattr(module, "time", clock)
    return clock


@pytest.fixture
def make_world(tmp_path):
    """Create a world file from a description (a dict) and return its store."""

    def make(desc: dict, name: str = "world.db"):
        return make_store(str(tmp_path / name), desc)

    return make
