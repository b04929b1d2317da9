# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rollout's arithmetic (plugins/filter/rolling_patch.py): preflight refusals, waves, halts, records."""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.filter import rolling_patch as f


def read(pool, servers, down=(), reasons=(), marker=False, procedure="front_end_failover"):
    return {"rolling_patch_preflight": {"pool": pool, "pool_servers": servers, "down": list(down),
                                        "reasons": list(reasons), "in_maintenance": marker, "procedure": procedure}}


def estate(pools=3, size=4):
    hostvars = {}
    for p in range(1, pools + 1):
        servers = [f"fe{p}{i}" for i in range(1, size + 1)]
        for s in servers:
            hostvars[s] = read(f"pool{p}", servers)
    return hostvars


def test_each_wave_holds_one_server_per_pool_and_at_most_pools_at_once():
    hostvars = estate()
    plan = f.rolling_patch_waves(list(hostvars), hostvars, pools_at_once=2)
    for wave in plan["waves"]:
        pools = [hostvars[h]["rolling_patch_preflight"]["pool"] for h in wave]
        assert len(pools) == len(set(pools)) <= 2
    assert sorted(plan["order"]) == sorted(hostvars) and sum(plan["batches"]) == 12


def test_an_interrupted_server_goes_first_in_its_pool():
    hostvars = estate(pools=1)
    hostvars["fe13"] = read("pool1", ["fe11", "fe12", "fe13", "fe14"], marker=True)
    assert f.rolling_patch_waves(list(hostvars), hostvars)["order"][0] == "fe13"


def test_a_pool_and_its_backup_pool_are_never_in_the_same_wave():
    hostvars = estate(pools=3, size=2)
    plan = f.rolling_patch_waves(list(hostvars), hostvars, pools_at_once=3, backup_pools={"pool1": "pool2"})
    for wave in plan["waves"]:
        pools = {hostvars[h]["rolling_patch_preflight"]["pool"] for h in wave}
        assert not {"pool1", "pool2"} <= pools
    assert sorted(plan["order"]) == sorted(hostvars)


def test_the_preflight_refuses_a_pool_that_cannot_spare_a_server_naming_who_is_down():
    hostvars = {"fe1": read("pool1", ["fe1", "fe2"], down=["fe2"],
                            reasons=["taking fe1 out would leave the pool below quorum"]),
                "fe2": {"rolling_patch_preflight": {"unreachable": True, "msg": "fe2 does not answer"}}}
    check = f.rolling_patch_preflight(["fe1", "fe2"], hostvars)
    assert any("pool pool1 cannot spare a server" in r and "Not running: fe2" in r for r in check["refusals"])
    assert any("fe2 did not answer the preflight" in r for r in check["refusals"])


def test_a_healthy_estate_has_no_refusal():
    hostvars = estate()
    assert f.rolling_patch_preflight(list(hostvars), hostvars)["refusals"] == []


def test_bad_input_refused_by_a_module_is_a_refusal():
    hostvars = {"fe1": {"rolling_patch_preflight": {"failed": True, "msg": "fe1 runs 7.0.2046.600, newer than ..."}}}
    assert "refused in the preflight: fe1 runs" in f.rolling_patch_preflight(["fe1"], hostvars)["refusals"][0]


def test_the_record_lists_what_was_done_by_step_name():
    gate = {"server": "fe1", "pool": "pool1", "procedure": "front_end_failover", "in_maintenance": True,
            "patch_version": "7.0.2046.0", "quorum": {"running": ["fe1", "fe2"]}}
    results = {"failover": {"changed": True, "seconds": 300}, "update": {"installed": [{"kb": "KB1"}], "changed": True},
               "cu": {"changed": True, "version_before": "7.0.2046.0", "target": "7.0.2046.530", "seconds": 1500},
               "reboot": {"changed": True, "seconds": 180}, "failback": {"changed": True, "seconds": 60},
               "drain": {"skipped": True, "changed": False}, "verify": {"patch_version": "7.0.2046.530"}}
    record = f.rolling_patch_record(gate, results, 100.0, 400.0, host="fe1", wave=2)
    assert record["done"] == ["resumed an interrupted maintenance", "failed over", "installed KB1",
                              "cumulative update 7.0.2046.0 -> 7.0.2046.530", "restarted", "failed back"]
    assert record["phases"]["cu"] == 1500 and record["wall_seconds"] == 300.0 and record["wave"] == 2
    assert set(f.RECORD_FIELDS) <= set(record)


def test_later_waves_see_the_failed_server_and_the_pools_summary_names_it():
    hostvars = {"a": {"rolling_patch_record": {"server": "a", "pool": "p1", "status": "FAILED"}},
                "b": {"rolling_patch_record": {"server": "b", "pool": "p2", "status": "patched"}},
                "c": {"rolling_patch_record": {"server": "c", "pool": "p2", "status": "patched"}}}
    assert f.rolling_patch_halted(list(hostvars), hostvars) == ["a"]
    assert f.rolling_patch_pools(list(hostvars), hostvars) == {"finished": ["p2"], "halted": {"p1": ["a"]},
                                                               "not_finished": []}


def test_the_halt_message_describes_the_estate_from_the_fresh_read():
    fresh = {"pool": "pool1", "marker": {"phase": "failed_over"}, "down": ["fe1"], "members": {"fe1": False, "fe2": True}}
    text = f.rolling_patch_halt_message("fe1", "Restart the server", "did not come back.", fresh)
    assert "fe1 is out of service (marker phase failed_over)" in text and "not running now: fe1" in text
    assert "every server is in service" not in text.lower()
    healthy = f.rolling_patch_halt_message("fe1", "Refuse", "no", {"pool": "pool1", "marker": None, "down": [],
                                                                   "members": {"fe1": True}})
    assert "Nothing is left to restore on fe1" in healthy and "Every Front End of pool pool1 runs" in healthy


def test_the_back_end_step_is_chosen_once_per_finished_pool():
    hostvars = {h: {"rolling_patch_record": {"server": h, "pool": "p1", "procedure": "front_end_failover",
                                             "status": "patched"}} for h in ("a", "b", "c")}
    hostvars["s"] = {"rolling_patch_record": {"server": "s", "pool": "s", "procedure": "standard_edition",
                                              "status": "patched"}}
    assert f.rolling_patch_back_end(list(hostvars), hostvars) == ["c"]
    hostvars["b"]["rolling_patch_record"]["status"] = "FAILED"
    assert f.rolling_patch_back_end(list(hostvars), hostvars) == []


def test_the_back_end_step_waits_for_front_ends_the_rollout_never_started():
    # A halt elsewhere ended the run after a's cycle: b and c carry no procedure and still run the old
    # update, so the pool's databases must not be updated yet.
    hostvars = {"a": {"rolling_patch_record": {"server": "a", "pool": "p1", "procedure": "front_end_failover",
                                               "status": "patched"}}}
    for h in ("b", "c"):
        hostvars[h] = {"rolling_patch_record": {"server": h, "pool": "p1", "status": "not started"}}
    assert f.rolling_patch_back_end(list(hostvars), hostvars) == []
