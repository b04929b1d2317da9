# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the issue #16 tests (updates staged ahead, the timeline, CCE sites): twin worlds on a
clock the test drives."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin, engine
from ansible_collections.sfb.server.plugins.plugin_utils.twin import host as twin_host
from ansible_collections.sfb.server.plugins.plugin_utils.twin import world as world_module
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore
from sfb_fakes import FakeTime


@pytest.fixture
def clock(monkeypatch) -> FakeTime:
    driven = FakeTime()
    for module in (world_module, engine, twin_host):
        monkeypatch.setattr(module, "time", driven)
    return driven


@pytest.fixture
def make_store(tmp_path, clock):
    def make(desc: dict) -> WorldStore:
        store = WorldStore(str(tmp_path / "world.db"))
        admin.create(store, desc, replace=True)
        return store

    return make
