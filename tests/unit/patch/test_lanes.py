# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pools side by side without waiting for each other's slowest server (issue #16): the lane plan
(rolling_patch_waves) and the turnstile on the controller (rolling_patch_turn)."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from ansible_collections.sfb.server.plugins.action.rolling_patch_turn import ActionModule
from ansible_collections.sfb.server.plugins.filter import rolling_patch as f
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError


def read(pool, marker=False):
    return {"rolling_patch_preflight": {"pool": pool, "in_maintenance": marker}}


def estate(sizes):
    return {f"s{p}{i:02d}": read(f"pool{p}") for p, size in enumerate(sizes, 1) for i in range(1, size + 1)}


def pool_of(hostvars, host):
    return hostvars[host]["rolling_patch_preflight"]["pool"]


def test_each_server_waits_only_for_the_previous_server_of_its_lane():
    hostvars = estate([4, 4, 4, 1])
    plan = f.rolling_patch_waves(list(hostvars), hostvars, pools_at_once=4, forks=50)
    assert len(plan["lanes"]) == 4 and plan["batches"] == [13]
    for lane in plan["lanes"]:
        servers = [h for pool in lane for h in plan["pools"][pool]]
        assert plan["after"][servers[0]] == []
        assert all(plan["after"][b] == [a] for a, b in zip(servers, servers[1:]))
    # A lane's servers are one pool's: no server waits for a server of another pool.
    assert all(pool_of(hostvars, h) == pool_of(hostvars, w) for h, ws in plan["after"].items() for w in ws)


def test_more_pools_than_lanes_share_lanes_one_pool_after_the_other_longest_first():
    hostvars = estate([2, 6, 3, 3])
    plan = f.rolling_patch_waves(list(hostvars), hostvars, pools_at_once=2, forks=50)
    loads = sorted(sum(len(plan["pools"][p]) for p in lane) for lane in plan["lanes"])
    assert loads == [6, 8] and plan["lanes"][0][0] == "pool2"
    # At most two pools are ever in maintenance at once: every wave holds at most one server per lane.
    assert all(len(w) <= 2 for w in plan["waves"])


def test_a_pool_and_its_backup_pool_share_a_lane():
    hostvars = estate([3, 3, 3])
    plan = f.rolling_patch_waves(list(hostvars), hostvars, pools_at_once=3, backup_pools={"POOL1": "pool3"}, forks=50)
    assert any({"pool1", "pool3"} <= set(lane) for lane in plan["lanes"])


def test_a_pool_with_an_interrupted_server_starts_first():
    hostvars = estate([2, 5])
    hostvars["s102"] = read("pool1", marker=True)
    plan = f.rolling_patch_waves(list(hostvars), hostvars, pools_at_once=1, forks=50)
    assert plan["order"][:2] == ["s102", "s101"]


def test_batches_never_hold_more_servers_than_the_run_has_forks_and_never_cut_a_wait_backwards():
    hostvars = estate([12] * 10)
    plan = f.rolling_patch_waves(list(hostvars), hostvars, pools_at_once=4, forks=7)
    assert sum(plan["batches"]) == 120 and max(plan["batches"]) <= 7
    position = {h: i for i, h in enumerate(plan["order"])}
    assert all(position[w] < position[h] for h, ws in plan["after"].items() for w in ws)


def test_the_run_forks_are_the_default():
    hostvars = estate([2])
    assert f.rolling_patch_waves(list(hostvars), hostvars)["batches"] == [2]
    with pytest.raises(Exception, match="forks"):
        f.rolling_patch_waves(list(hostvars), hostvars, forks=0)


def turn(args):
    action = ActionModule.__new__(ActionModule)
    action._task = SimpleNamespace(check_mode=False)
    full = {name: spec.get("default") for name, spec in ActionModule.ARGUMENT_SPEC.items()}
    full.update(args)
    return action.work(full)


def test_a_server_goes_when_the_one_before_it_is_done(tmp_path):
    folder = str(tmp_path / "turns")
    assert turn({"path": folder, "after": []})["halted"] is False
    released = {}

    def waiter():
        released.update(turn({"path": folder, "after": ["fe01"], "poll_interval": 0.01}))

    thread = threading.Thread(target=waiter)
    thread.start()
    time.sleep(0.1)
    assert thread.is_alive()                       # fe01 has not finished: fe02 waits
    turn({"state": "done", "path": folder, "server": "fe01"})
    thread.join(timeout=5)
    assert not thread.is_alive() and released["halted"] is False


def test_a_halt_anywhere_stops_every_server_not_started(tmp_path):
    folder = str(tmp_path / "turns")
    turn({"state": "halted", "path": folder, "server": "fe11", "reason": "Restart the server"})
    answer = turn({"path": folder, "after": ["fe01"]})
    assert answer["halted"] and answer["halted_by"] == ["fe11"] and answer["reasons"] == ["Restart the server"]


def test_a_turn_that_never_comes_fails_after_its_timeout_naming_the_server(tmp_path):
    with pytest.raises(SfbError, match="fe01"):
        turn({"path": str(tmp_path), "after": ["fe01"], "timeout": 0.05, "poll_interval": 0.01})


def test_cleared_removes_the_folder(tmp_path):
    folder = tmp_path / "turns"
    turn({"state": "done", "path": str(folder), "server": "fe01"})
    assert turn({"state": "cleared", "path": str(folder)})["cleared"] and not folder.exists()
