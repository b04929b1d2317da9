# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Virtual time: `speed` virtual seconds pass for each real second."""

from __future__ import annotations

import time

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import Clock

from twinworlds import three_front_ends


def test_clock_arithmetic():
    clock = Clock(virtual_start=1000.0, real_start=50.0, speed=600.0)
    assert clock.now(50.0) == 1000.0
    assert clock.now(52.5) == 1000.0 + 2.5 * 600
    assert clock.real_seconds(1200) == 2.0
    assert clock.real_seconds(-30) == 0.0, "a moment already past needs no waiting"
    assert Clock(**clock.to_dict()) == clock


def test_a_new_world_starts_at_its_described_moment(make_world, fake_time):
    store = make_world(three_front_ends(speed=600, start="2026-03-01T22:00:00Z"))
    clock = store.clock()
    assert clock.speed == 600.0
    assert clock.real_start == fake_time.real
    assert clock.now() == pytest.approx(1772402400.0)  # 2026-03-01T22:00:00Z
    fake_time.real += 3.0
    assert clock.now() == pytest.approx(1772402400.0 + 1800)
    assert store.read().now == pytest.approx(clock.now())


def test_twin_host_sleep_takes_virtual_seconds(make_world, fake_time):
    store = make_world(three_front_ends(speed=600))
    host = TwinHost(store, "fe01.contoso.com")
    before = host.now()
    host.sleep(1200)
    assert fake_time.slept == [2.0], "1200 virtual seconds at speed 600 are two real seconds"
    assert host.now() - before == pytest.approx(1200)


def test_real_time_moves_a_fast_world(make_world):
    # Without the fake clock: a fast world moves about `speed` times faster than the wall clock.
    store = make_world(three_front_ends(speed=100000))
    clock = store.clock()
    real_before, virtual_before = time.time(), clock.now()
    time.sleep(0.05)
    real_elapsed, virtual_elapsed = time.time() - real_before, clock.now() - virtual_before
    assert virtual_elapsed == pytest.approx(real_elapsed * 100000, rel=0.05)
    assert virtual_elapsed >= 0.05 * 100000 * 0.95
