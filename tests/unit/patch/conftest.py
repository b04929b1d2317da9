# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the maintenance tests: twin worlds on a clock the test drives."""

from __future__ import annotations

import pathlib
import sys

import pytest

from sfb_fakes import FakeTime, drive_twin_clock, twin_store_factory

_HERE = str(pathlib.Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


@pytest.fixture
def clock(monkeypatch) -> FakeTime:
    """Real time moves only when something sleeps or the test says so."""
    return drive_twin_clock(monkeypatch)


@pytest.fixture
def make_store(tmp_path, clock):
    return twin_store_factory(tmp_path)
