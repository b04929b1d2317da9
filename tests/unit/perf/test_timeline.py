# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The maintenance timeline: phases placed where their times say, grouped by pool, sessions refused and
dropped shown; from the rolling patch's records, from a twin world's events, the module and the CLI."""

from __future__ import annotations

import pathlib
import sys
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest

from ansible_collections.sfb.server.plugins.action.maintenance_timeline import ActionModule
from ansible_collections.sfb.server.plugins.plugin_utils.controller import timeline
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost

SVG = "{http://www.w3.org/2000/svg}"
T0 = 1_767_578_400.0  # 2026-01-05 02:00 UTC


def window(start, end):
    return {"start": T0 + start, "end": T0 + end}


RECORDS = [
    {"server": "fe01.contoso.com", "pool": "pool01.contoso.com", "status": "patched",
     "phases": {"drain": window(0, 600), "failover": window(600, 660), "install": window(660, 1860),
                "restart": window(1860, 2040), "failback": window(2040, 2100)}},
    {"server": "fe02.contoso.com", "pool": "pool01.contoso.com", "status": "patched", "sessions_cut": 3,
     "phases": {"drain": window(2200, 2800), "install": window(2800, 4000), "restart": window(4000, 4180)}},
    {"server": "se01.contoso.com", "pool": "se01.contoso.com", "status": "FAILED", "failed_task": "Restart the server",
     "reason": "did not come back | console", "phases": {"drain": window(0, 300), "install": window(300, 1500)}},
    {"server": "fe03.contoso.com", "pool": "pool01.contoso.com", "status": "skipped: nothing pending", "phases": {}},
]


def rects(document: str, cls: str = "phase") -> list[dict]:
    root = ET.fromstring(document)
    return [r.attrib for r in root.iter(f"{SVG}rect") if r.attrib.get("class") == cls]


def check_placement(drawn: timeline.Timeline, document: str) -> None:
    """Every phase rectangle starts and ends where its times say on the picture's scale."""
    start, end = drawn.window()
    for rect in rects(document):
        begin, finish = float(rect["data-start"]), float(rect["data-end"])
        x = timeline._LEFT + (begin - start) / (end - start) * timeline._WIDTH
        width = (finish - begin) / (end - start) * timeline._WIDTH
        assert float(rect["x"]) == pytest.approx(x, abs=0.02)
        assert float(rect["width"]) == pytest.approx(max(1.0, width), abs=0.02)


def test_phases_from_records_are_placed_where_their_times_say():
    drawn = timeline.from_records(RECORDS, "Rolling patch")
    document = timeline.svg(drawn)
    phases = rects(document)
    assert [(p["data-server"], p["data-phase"]) for p in phases] == [
        ("fe01.contoso.com", "drain"), ("fe01.contoso.com", "failover"), ("fe01.contoso.com", "install"),
        ("fe01.contoso.com", "restart"), ("fe01.contoso.com", "failback"),
        ("fe02.contoso.com", "drain"), ("fe02.contoso.com", "install"), ("fe02.contoso.com", "restart"),
        ("se01.contoso.com", "drain"), ("se01.contoso.com", "install")]
    check_placement(drawn, document)
    fe01 = [p for p in phases if p["data-server"] == "fe01.contoso.com"]
    assert float(fe01[2]["width"]) == pytest.approx(1200 / 4180 * timeline._WIDTH, abs=0.02)
    # Grouped by pool: the pool's header row, then its servers, in the records' order.
    rows = {t.text: float(t.attrib["y"]) for t in ET.fromstring(document).iter(f"{SVG}text") if t.attrib.get("x") in ("6", "16")}
    order = [rows[name] for name in ("pool01.contoso.com", "fe01.contoso.com", "fe02.contoso.com",
                                     "fe03.contoso.com (skipped)", "se01.contoso.com", "se01.contoso.com (FAILED)")]
    assert order == sorted(order) and len(set(order)) == 6
    out = {r["data-server"]: (float(r["data-start"]), float(r["data-end"])) for r in rects(document, "out-of-service")}
    assert out["fe01.contoso.com"] == (T0, T0 + 2100)
    assert "fe03.contoso.com" not in out
    dropped = [p.attrib for p in ET.fromstring(document).iter(f"{SVG}path") if "dropped" in p.attrib.get("class", "")]
    assert [(float(d["data-at"]), d["data-count"]) for d in dropped] == [(T0 + 2800, "3")]


def test_the_report_lists_each_server_by_pool_with_its_time_out_of_service_and_the_sessions():
    text = timeline.markdown(timeline.from_records(RECORDS, "Rolling patch"), "rolling.svg")
    assert "![Rolling patch](rolling.svg)" in text
    assert text.index("## pool01.contoso.com") < text.index("| fe01.contoso.com") < text.index("## se01.contoso.com")
    assert "| fe01.contoso.com | patched | 02:00-02:35 (35.0 min) | drain 02:00 10.0 min, failover 02:10 1.0 min" in text
    assert "failed at 'Restart the server': did not come back \\| console" in text
    assert "| 02:46 | dropped | pool01.contoso.com | fe02.contoso.com | 3 |" in text


def test_durations_are_laid_end_to_end_from_the_start_and_said_so():
    record = {"server": "fe01.contoso.com", "pool": "pool01.contoso.com", "started": T0,
              "phases": {"drain": 600, "failover": 0, "update_wall": 1200, "reboot": 180, "failback": 30}}
    lane = timeline.from_records([record]).lanes[0]
    # failover 0: nothing to draw; update_wall is the installation, reboot the restart.
    assert [(p.name, p.start - T0, p.end - T0) for p in lane.phases] == [
        ("drain", 0, 600), ("install", 600, 1800), ("restart", 1800, 1980), ("failback", 1980, 2010)]
    assert "end to end" in lane.note


def test_the_records_phase_names_of_the_rolling_patch_are_understood():
    record = {"server": "fe01.contoso.com", "pool": "p", "started": T0,
              "phases": {"drain": 600, "update": 1200, "restart": 180, "failback": 30}}
    lane = timeline.from_records([record]).lanes[0]
    assert [(p.name, p.start - T0, p.end - T0) for p in lane.phases] == [
        ("drain", 0, 600), ("install", 600, 1800), ("restart", 1800, 1980), ("failback", 1980, 2010)]


def test_durations_without_a_start_are_listed_not_drawn():
    lane = timeline.from_records([{"server": "fe01.contoso.com", "pool": "p", "phases": {"drain": 60}}]).lanes[0]
    assert lane.phases == [] and "not drawn" in lane.note


@pytest.mark.parametrize("records, message", [
    ("fe01", "must be a list"),
    ([{"pool": "p"}], "needs at least `server`"),
    ([{"server": "a", "phases": {"drain": {"start": "soon"}}}], "not a time in seconds"),
    ([{"server": "a", "phases": {"drain": {"start": T0 + 10, "end": T0}}}], "ends"),
])
def test_bad_records_are_refused_with_what_is_wrong(records, message):
    with pytest.raises(InvalidArgument, match=message):
        timeline.from_records(records)


def test_nothing_timed_still_makes_a_valid_picture_and_a_report():
    drawn = timeline.from_records([{"server": "fe01.contoso.com", "status": "skipped: nothing pending"}])
    ET.fromstring(timeline.svg(drawn))
    assert "| fe01.contoso.com | skipped: nothing pending |" in timeline.markdown(drawn)


# -- from a twin world's events ---------------------------------------------------------------


def event(at, server, kind, **detail):
    return {"virtual_time": T0 + at, "server": server, "kind": kind, "detail": detail}


EVENTS = [
    event(0, "fe01.contoso.com", "drain_started", service="RTCSRV", until=T0 + 500),
    event(0, "fe01.contoso.com", "drain_started", service="RTCMEDSRV", until=T0 + 400),
    event(500, "fe01.contoso.com", "drain_finished", service="RTCSRV"),
    event(510, "fe01.contoso.com", "failover_started"),
    event(520, "fe01.contoso.com", "failed_over"),
    event(530, "fe01.contoso.com", "updates_install_started", kbs=["KB1"], minutes=20),
    event(1730, "fe01.contoso.com", "updates_installed", kbs=["KB1"]),
    event(1740, "fe01.contoso.com", "reboot_started", seconds=180),
    event(1920, "fe01.contoso.com", "reboot_finished"),
    event(1930, "fe01.contoso.com", "failed_back", start=True),
    event(1931, "fe01.contoso.com", "service_started", service="RTCSRV"),
    event(600, "pool01.contoso.com", "sessions_refused", count=4, minute=10),
    event(-600, "se01.contoso.com", "updates_download_started", kbs=["KB1"], minutes=10),
    event(0, "se01.contoso.com", "updates_downloaded", kbs=["KB1"]),
    event(100, "se01.contoso.com", "reboot_started", seconds=180),
    event(100, "se01.contoso.com", "sessions_dropped", count=2, service="*"),
    event(280, "se01.contoso.com", "reboot_finished"),
    event(290, "se01.contoso.com", "service_started", service="RTCSRV"),
]
POOLS = {"fe01.contoso.com": "pool01.contoso.com", "se01.contoso.com": "se01.contoso.com"}


def test_phases_from_events_follow_the_twins_event_kinds():
    drawn = timeline.from_events(EVENTS, POOLS)
    fe01, se01 = drawn.lanes
    assert [(p.name, p.start - T0, p.end - T0) for p in fe01.phases] == [
        ("drain", 0, 500), ("failover", 510, 520), ("install", 530, 1730), ("restart", 1740, 1920),
        ("failback", 1930, 1931)]
    assert (fe01.out_of_service[0] - T0, fe01.out_of_service[1] - T0) == (0, 1931)
    # Downloaded while serving: not counted out of service.
    assert [(p.name, p.start - T0, p.end - T0) for p in se01.phases] == [
        ("download", -600, 0), ("restart", 100, 280), ("serve", 280, 290)]
    assert (se01.out_of_service[0] - T0, se01.out_of_service[1] - T0) == (100, 290)
    assert [(m.kind, m.pool, m.server, m.count) for m in drawn.marks] == [
        ("dropped", "se01.contoso.com", "se01.contoso.com", 2), ("refused", "pool01.contoso.com", "", 4)]
    document = timeline.svg(drawn)
    check_placement(drawn, document)
    refused = [p.attrib for p in ET.fromstring(document).iter(f"{SVG}path") if "refused" in p.attrib.get("class", "")]
    assert [float(r["data-at"]) for r in refused] == [T0 + 600]


def test_a_phase_still_open_at_the_end_is_drawn_to_the_last_event_and_said_so():
    events = EVENTS[:9] + [event(2000, "fe01.contoso.com", "server_did_not_return")]
    lane = timeline.from_events(events, {"fe01.contoso.com": "pool01.contoso.com"}).lanes[0]
    assert lane.status == "did not return after its restart"
    assert lane.phases[-1].name == "restart" and lane.phases[-1].end == T0 + 1920


def test_a_real_twin_world_download_install_and_restart(make_store):
    store = make_store({"speed": 600, "product": "2019", "sites": [{"name": "Redmond", "pools": [{
        "fqdn": "se01.contoso.com", "edition": "Standard", "roles": ["FrontEnd"],
        "servers": [{"fqdn": "se01.contoso.com",
                     "pending_updates": [{"kb": "KB1", "minutes": 20, "download_minutes": 10}]}]}]}]})
    host = TwinHost(store, "se01.contoso.com")
    host.download_updates([], [], 3600)
    host.install_updates([], [], 7200)
    host.reboot("test", 1800)
    events = store.events()
    drawn = timeline.from_events(events, {"se01.contoso.com": "se01.contoso.com"})
    phases = {p.name: p for p in drawn.lanes[0].phases}
    at = {e["kind"]: e["virtual_time"] for e in events}
    assert (phases["download"].start, phases["download"].end) == (at["updates_download_started"], at["updates_downloaded"])
    assert (phases["install"].start, phases["install"].end) == (at["updates_install_started"], at["updates_installed"])
    assert phases["install"].seconds == pytest.approx(20 * 60, abs=30)
    assert (phases["restart"].start, phases["restart"].end) == (at["reboot_started"], at["reboot_finished"])
    check_placement(drawn, timeline.svg(drawn))


# -- the module and the command line ---------------------------------------------------------------


def module(tmp_path, check_mode=False, **extra):
    action = ActionModule.__new__(ActionModule)
    action._task = SimpleNamespace(check_mode=check_mode)
    return action.work({"records": RECORDS, "dest": str(tmp_path), "name": "rollout", "title": "Rollout", **extra})


def test_the_module_writes_both_files_once_and_nothing_in_check_mode(tmp_path):
    planned = module(tmp_path, check_mode=True)
    assert planned["changed"] and not list(tmp_path.iterdir())
    first = module(tmp_path)
    assert first["changed"] and first["servers"] == 4 and first["pools"] == ["pool01.contoso.com", "se01.contoso.com"]
    assert first["not_drawn"] == ["fe03.contoso.com"]
    ET.fromstring((tmp_path / "rollout.svg").read_text())
    assert "![Rollout](rollout.svg)" in (tmp_path / "rollout.md").read_text()
    assert module(tmp_path)["changed"] is False


def test_sfb_twin_timeline_draws_a_world(make_store, tmp_path, capsys):
    store = make_store({"speed": 600, "product": "2019", "sites": [{"name": "Redmond", "pools": [{
        "fqdn": "se01.contoso.com", "edition": "Standard", "roles": ["FrontEnd"],
        "servers": [{"fqdn": "se01.contoso.com", "pending_updates": [{"kb": "KB1", "minutes": 5}]}]}]}]})
    TwinHost(store, "se01.contoso.com").install_updates([], [], 7200)
    scripts = pathlib.Path(__file__).resolve().parents[3] / "scripts"
    sys.path.insert(0, str(scripts))
    try:
        import sfb_timeline
    finally:
        sys.path.remove(str(scripts))
    out = tmp_path / "out"
    out.mkdir()
    assert sfb_timeline.main(["--world", store.path, "--out", str(out), "--name", "t"]) == 0
    phases = rects((out / "t.svg").read_text())
    assert [(p["data-server"], p["data-phase"]) for p in phases] == [("se01.contoso.com", "install")]
    assert "## se01.contoso.com" in (out / "t.md").read_text()
    assert sfb_timeline.main(["--world", str(tmp_path / "none.db"), "--out", str(out)]) == 2
    assert "no twin world" in capsys.readouterr().err
