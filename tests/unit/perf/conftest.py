# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the issue #16 tests (updates staged ahead, the timeline, CCE sites): twin worlds on a
clock the test drives."""

from __future__ import annotations

import pytest

from sfb_fakes import FakeTime, drive_twin_clock, twin_store_factory


@pytest.fixture
def clock(monkeypatch) -> FakeTime:
    return drive_twin_clock(monkeypatch)


@pytest.fixture
def make_store(tmp_path, clock):
    return twin_store_factory(tmp_path)
