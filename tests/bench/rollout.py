# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: a whole maintenance rollout on the twin, against its critical path (issue #16).

It runs the real playbook (playbooks/patch_pool.yml, ansible-playbook against a fresh twin world in a
temporary directory) on two estates at twin speed 60:
- one Enterprise pool of 12 Front Ends;
- three Enterprise pools of 4 Front Ends plus a Standard Edition server;
and check mode over pools of 12 Front Ends (12 servers, and a larger estate), then prints:

- the rollout's virtual time / its critical path. A server's unavoidable offline work is read from the
  twin's own events: the drain until the last session it waited for ends by itself (`until` of
  drain_started), the failover as long as the twin's cmdlet blocked (failover_started -> failed_over),
  the install minutes the twin charged (updates_install_started), the restart (reboot_started seconds)
  and the failback (failed_back; immediate on the twin). A pool's critical path is the sum over its
  servers (one server at a time); pools are independent, so the estate's is the longest pool's.
  Target: at most 1.15. The same ratio is also shown without the staging ahead (the downloads every
  server makes, at once, before the first server leaves service): the critical path does not count them.
- round trips per server cycle, per module (every sfb.server task of the playbook on that server,
  preflight and verification included, as the modules report them in `round_trips`), and the
  controller's seconds per server: the real seconds the controller spent in that server's tasks (its
  wait for the previous server of its lane and its download ahead left out) minus the server's
  unavoidable work (virtual / speed). Targets: a Front End's whole cycle at most 12 round
  trips, a Standard Edition server at most 8, the same in a pool of 4 and in a pool of 12.
- each server's time out of service: from the first event that stops it taking new sessions (drain,
  failover, service stopped, restart) to the last service started or failback after it.
- check mode: seconds per server for 12 servers and for the larger estate; the cost per server must
  not grow with the estate (target: the larger estate's at most 1.15 x the small one's).

It reports, it does not gate: the exit status is 0 whatever the figures (a rollout that fails is shown
as such). Per-task figures come from a small callback written to the temporary directory.

    PYTHONPATH=.deps/collections ANSIBLE_COLLECTIONS_PATH=.deps/collections python tests/bench/rollout.py \
        [--speed 60] [--estates pool12 pools3] [--check-pools 1 3] [--update-minutes 20] [--timeline DIR]

`--check-pools 1 10` is the issue's 120 servers (10 pools x 12); `make bench` uses 1 and 3 (36 servers),
which shows the same trend in a fraction of the time (on a shared 2-core machine the baseline took 15 s
per server in check mode, so 120 servers would have taken more than half an hour).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / ".deps" / "collections"))

from ansible_collections.sfb.server.plugins.plugin_utils.controller import timeline  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError  # noqa: E402

PLAYBOOK = REPO / "playbooks" / "patch_pool.yml"
RATIO_TARGET = 1.15
ROUND_TRIPS_TARGET = {"Enterprise": 12, "Standard": 8}
CHECK_GROWTH_TARGET = 1.15

# Events that take a server out of service, and those that put it back.
_OUT = ("drain_started", "failover_started", "service_stopped", "reboot_started")
_BACK = ("service_started", "failed_back")
# Events no check-mode run may cause.
_CHANGES = _OUT + _BACK + ("startup_type_changed", "registry_value_set", "registry_key_created",
                           "updates_install_started", "failed_over", "database_updated")

_CALLBACK = textwrap.dedent('''
    """Writes one JSON line per task result: host, action, seconds, round trips (tests/bench/rollout.py)."""
    import json
    import os
    import time

    from ansible.plugins.callback import CallbackBase


    class CallbackModule(CallbackBase):
        CALLBACK_VERSION = 2.0
        CALLBACK_TYPE = "aggregate"
        CALLBACK_NAME = "sfb_bench"
        CALLBACK_NEEDS_ENABLED = True

        def __init__(self):
            super().__init__()
            self._out = open(os.environ["SFB_BENCH_RECORDS"], "a", encoding="utf-8")
            self._started = {}
            self._play = ""

        def v2_playbook_on_play_start(self, play):
            self._play = play.get_name()

        def v2_runner_on_start(self, host, task):
            self._started[(host.get_name(), task._uuid)] = time.time()

        def _write(self, result, status):
            host = result._host.get_name()
            task = result._task
            begin = self._started.pop((host, task._uuid), None)
            end = time.time()
            answer = result._result or {}
            self._out.write(json.dumps({
                "host": host, "play": self._play, "task": task.get_name(), "action": task.action,
                "status": status, "start": begin or end, "end": end,
                "round_trips": answer.get("round_trips") if isinstance(answer, dict) else None,
            }) + "\\n")
            self._out.flush()

        def v2_runner_on_ok(self, result):
            self._write(result, "ok")

        def v2_runner_on_failed(self, result, ignore_errors=False):
            self._write(result, "failed")

        def v2_runner_on_skipped(self, result):
            self._write(result, "skipped")

        def v2_runner_on_unreachable(self, result):
            self._write(result, "unreachable")
''')


# -- the estates ---------------------------------------------------------------------------


# Download minutes of the update, apart from its install minutes, where the twin models them (a twin
# without `download_minutes` charged no download at all: kinder than a real server).
DOWNLOAD_MINUTES = {"value": 10.0}


def _updates(minutes: float) -> list[dict]:
    update = {"kb": "KB5030001", "title": "Security update", "minutes": minutes}
    if DOWNLOAD_MINUTES["value"]:
        update["download_minutes"] = DOWNLOAD_MINUTES["value"]
    return [update]


def twin_models_downloads(work: pathlib.Path) -> bool:
    probe = WorldStore(str(work / "probe.db"))
    try:
        admin.create(probe, {"speed": 60, "product": "2019", "sites": [{"name": "Redmond", "pools": [standard(1)]}]},
                     replace=True)
    except SfbError:
        return False
    finally:
        pathlib.Path(probe.path).unlink(missing_ok=True)
    return True


def enterprise(number: int, size: int, minutes: float) -> dict:
    return {"fqdn": f"pool{number:02d}.contoso.com", "edition": "Enterprise", "roles": ["FrontEnd"],
            "load_balancing": "dns",
            "load": {"sessions_per_minute": 3 * size, "session_minutes": 10},
            "servers": [{"fqdn": f"fe{number:02d}{i:02d}.contoso.com", "pending_updates": _updates(minutes)}
                        for i in range(1, size + 1)]}


def standard(minutes: float) -> dict:
    return {"fqdn": "se01.contoso.com", "edition": "Standard", "roles": ["FrontEnd"],
            "load": {"sessions_per_minute": 4, "session_minutes": 10},
            "servers": [{"fqdn": "se01.contoso.com", "pending_updates": _updates(minutes)}]}


ESTATES = {
    "pool12": ("1 pool x 12 Front Ends", lambda m: [enterprise(1, 12, m)]),
    "pools3": ("3 pools x 4 Front Ends + 1 SE", lambda m: [enterprise(n, 4, m) for n in (1, 2, 3)] + [standard(m)]),
}


def write_world(work: pathlib.Path, name: str, pools: list[dict], speed: float) -> tuple[WorldStore, pathlib.Path]:
    world = work / f"{name}.db"
    store = WorldStore(str(world))
    admin.create(store, {"speed": speed, "product": "2019", "sites": [{"name": "Redmond", "pools": pools}]},
                 replace=True)
    groups = []
    for pool in pools:
        hosts = "".join(f"        {s['fqdn']}:\n" for s in pool["servers"])
        groups.append(f"    sfb_{pool['fqdn'].split('.')[0]}:\n      hosts:\n{hosts}")
    inventory = work / f"{name}.yml"
    inventory.write_text(
        "all:\n  vars:\n    ansible_connection: sfb.server.twin\n"
        f"    sfb_twin_world: {world}\n    rolling_patch_poll_interval: 30\n"
        "  children:\n" + "".join(groups), encoding="utf-8")
    return store, inventory


def run_playbook(work: pathlib.Path, inventory: pathlib.Path, name: str, check: bool) -> tuple[float, int, str, list]:
    records = work / f"{name}.jsonl"
    records.unlink(missing_ok=True)
    (work / "callbacks").mkdir(exist_ok=True)
    (work / "callbacks" / "sfb_bench.py").write_text(_CALLBACK, encoding="utf-8")
    playbook = shutil.which("ansible-playbook") or str(pathlib.Path(sys.executable).parent / "ansible-playbook")
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", SFB_BENCH_RECORDS=str(records),
               ANSIBLE_CALLBACK_PLUGINS=str(work / "callbacks"), ANSIBLE_CALLBACKS_ENABLED="sfb_bench")
    command = [playbook, "-i", str(inventory), str(PLAYBOOK)] + (["--check"] if check else [])
    begin = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    wall = time.monotonic() - begin
    lines = records.read_text(encoding="utf-8").splitlines() if records.exists() else []
    return wall, done.returncode, done.stdout[-2500:] + done.stderr[-1500:], [json.loads(line) for line in lines]


# -- what the twin's events say --------------------------------------------------------------


def offline_work(events: list[dict]) -> dict[str, dict[str, float]]:
    """Virtual seconds of unavoidable offline work per server and phase."""
    work: dict[str, dict[str, float]] = collections.defaultdict(lambda: collections.defaultdict(float))
    drains: dict[str, tuple[float, float]] = {}
    failovers: dict[str, float] = {}
    installs: dict[str, float] = {}
    for event in events:
        server, kind, at, detail = event["server"], event["kind"], event["virtual_time"], event["detail"]
        if kind == "drain_started" and detail.get("until") is not None:
            start, end = drains.get(server, (at, at))
            drains[server] = (min(start, at), max(end, detail["until"]))
        elif kind == "drain_finished" and server in drains:
            # A server drains again only after a return to service: close this drain.
            start, end = drains.pop(server)
            work[server]["drain"] += max(0.0, end - start)
        elif kind == "failover_started":
            failovers[server] = at
        elif kind == "failed_over" and server in failovers:
            work[server]["failover"] += at - failovers.pop(server)
        elif kind == "updates_install_started":
            installs[server] = at
            if detail.get("minutes") is not None:
                work[server]["install"] += float(detail["minutes"]) * 60
        elif kind == "updates_installed" and server in installs and "install" not in work[server]:
            work[server]["install"] += at - installs.pop(server)
        elif kind == "reboot_started":
            work[server]["restart"] += float(detail.get("seconds") or 0)
        elif kind == "failed_back":
            work[server]["failback"] += 0.0
    for server, (start, end) in drains.items():
        work[server]["drain"] += max(0.0, end - start)
    return {server: dict(phases) for server, phases in work.items()}


def out_of_service(events: list[dict]) -> dict[str, float]:
    """Virtual seconds each server spent out of service (first stop to last start after it)."""
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    for event in events:
        server, kind, at = event["server"], event["kind"], event["virtual_time"]
        if kind in _OUT:
            first.setdefault(server, at)
        elif kind in _BACK and server in first:
            last[server] = at
    return {server: last.get(server, start) - start for server, start in first.items()}


# -- one rollout -----------------------------------------------------------------------------


def rollout(work: pathlib.Path, key: str, speed: float, minutes: float) -> dict:
    label, build = ESTATES[key]
    pools = build(minutes)
    store, inventory = write_world(work, key, pools, speed)
    since = max((e["id"] for e in store.events()), default=0)
    wall, rc, tail, records = run_playbook(work, inventory, key, check=False)
    events = store.events(since_id=since)
    world = store.read()
    pool_of = {fqdn: server["pool"] for fqdn, server in world.servers.items()}
    edition = {p["fqdn"]: p["edition"] for p in pools}
    offline = offline_work(events)
    per_pool: dict[str, float] = collections.defaultdict(float)
    for server, phases in offline.items():
        if server in pool_of:
            per_pool[pool_of[server]] += sum(phases.values())
    critical = max(per_pool.values(), default=0.0)
    trips: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    busy: dict[str, float] = collections.defaultdict(float)
    staging = [r for r in records if r["action"] == "sfb.server.windows_update" and r["play"].startswith("Check every")]
    staged = (max(r["end"] for r in staging) - min(r["start"] for r in staging)) * speed if staging else 0.0
    for record in records:
        if record["action"].startswith("sfb.server.") and record["round_trips"] is not None:
            trips[record["host"]][record["action"].split(".")[-1]] += int(record["round_trips"])
        # A server waiting for its lane's previous one, or downloading while it serves, costs the controller nothing.
        if record["action"] != "sfb.server.rolling_patch_turn" and record not in staging:
            busy[record["host"]] += record["end"] - record["start"]
    servers = sorted(pool_of)
    return {
        "key": key, "label": label, "speed": speed, "rc": rc, "tail": tail, "wall": wall,
        "virtual": wall * speed, "critical": critical, "per_pool": dict(per_pool),
        "ratio": (wall * speed / critical) if critical else None, "staged": staged,
        "ratio_unstaged": ((wall * speed - staged) / critical) if critical else None,
        "summary": admin.summary(store), "quorum_lost": len([e for e in events if e["kind"] == "quorum_lost"]),
        "servers": [{
            "server": s, "pool": pool_of[s], "edition": edition.get(pool_of[s], "?"),
            "offline": offline.get(s, {}), "unavoidable": sum(offline.get(s, {}).values()),
            "out": out_of_service(events).get(s, 0.0), "trips": trips.get(s, collections.Counter()),
            "controller": busy.get(s, 0.0) - sum(offline.get(s, {}).values()) / speed,
        } for s in servers],
    }


def check_mode(work: pathlib.Path, pools: int, speed: float, minutes: float) -> dict:
    key = f"check{pools}"
    store, inventory = write_world(work, key, [enterprise(n, 12, minutes) for n in range(1, pools + 1)], speed)
    since = max((e["id"] for e in store.events()), default=0)
    wall, rc, tail, records = run_playbook(work, inventory, key, check=True)
    changed = sorted({e["server"] for e in store.events(since_id=since) if e["kind"] in _CHANGES})
    servers = 12 * pools
    return {"pools": pools, "servers": servers, "wall": wall, "per_server": wall / servers, "rc": rc,
            "tail": tail, "changed": changed}


# -- the report ------------------------------------------------------------------------------


def _met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "NO")


def report(rollouts: list[dict], checks: list[dict]) -> None:
    rows = []  # (figure, estate, value, target, met)
    for r in rollouts:
        if r["rc"] != 0:
            print(f"!! {r['label']}: the rollout FAILED (exit {r['rc']}); its figures are partial:\n{r['tail']}")
        ratio = r["ratio"]
        rows.append(("virtual time / critical path", r["label"],
                     f"{ratio:.2f} ({r['virtual'] / 60:.0f} / {r['critical'] / 60:.0f} min)" if ratio else "?",
                     f"<= {RATIO_TARGET}", _met(ratio is not None and ratio <= RATIO_TARGET and r["rc"] == 0)))
        if r["staged"]:
            rows.append(("  the same without the staging ahead", r["label"],
                         f"{r['ratio_unstaged']:.2f} ({r['staged'] / 60:.0f} min of downloads before the first server leaves)",
                         "", ""))
        for edition in ("Enterprise", "Standard"):
            mine = [s for s in r["servers"] if s["edition"] == edition]
            if not mine:
                continue
            totals = [sum(s["trips"].values()) for s in mine]
            worst = max(totals)
            rows.append((f"round trips per {'Front End' if edition == 'Enterprise' else 'SE server'} cycle",
                         r["label"], f"{statistics.median(totals):g} (max {worst})",
                         f"<= {ROUND_TRIPS_TARGET[edition]}", _met(worst <= ROUND_TRIPS_TARGET[edition])))
            rows.append((f"controller s per {'Front End' if edition == 'Enterprise' else 'SE server'}", r["label"],
                         f"{statistics.median(s['controller'] for s in mine):.1f}", "", ""))
    fe = {r["key"]: max((sum(s["trips"].values()) for s in r["servers"] if s["edition"] == "Enterprise"), default=None)
          for r in rollouts}
    if fe.get("pool12") is not None and fe.get("pools3") is not None:
        rows.append(("FE round trips: pool of 4 vs pool of 12", "both", f"{fe['pools3']} vs {fe['pool12']}",
                     "equal", _met(fe["pools3"] == fe["pool12"])))
    if checks:
        small, large = checks[0], checks[-1]
        for c in checks:
            rows.append(("check mode s per server", f"{c['servers']} servers", f"{c['per_server']:.2f} ({c['wall']:.0f} s)",
                         "", "" if c["rc"] == 0 and not c["changed"] else f"FAILED rc={c['rc']} changed={c['changed']}"))
        if large is not small and small["rc"] == 0 and large["rc"] == 0:
            growth = large["per_server"] / small["per_server"]
            rows.append(("check mode cost growth", f"{large['servers']} vs {small['servers']}", f"x{growth:.2f}",
                         f"<= {CHECK_GROWTH_TARGET}", _met(growth <= CHECK_GROWTH_TARGET)))
    widths = [max(len(str(row[i])) for row in rows + [("figure", "estate", "value", "target", "met")]) for i in range(5)]
    print()
    for row in [("figure", "estate", "value", "target", "met")] + rows:
        print("  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    for r in rollouts:
        print(f"\n{r['label']} at speed {r['speed']:g}: wall {r['wall']:.0f} s real = {r['virtual'] / 60:.0f} virtual min; "
              f"critical path per pool (virtual min): "
              + ", ".join(f"{p.split('.')[0]} {v / 60:.0f}" for p, v in sorted(r["per_pool"].items()))
              + f"; sessions dropped {r['summary']['sessions_dropped']}, refused {r['summary']['sessions_refused']}, "
              f"quorum lost {r['quorum_lost']}")
        modules = sorted({m for s in r["servers"] for m in s["trips"]})
        header = (f"  {'server':<22} {'out of svc':>10} {'offline':>8} {'ctrl s':>7} {'trips':>6}  "
                  + " ".join(f"{m[:14]:>14}" for m in modules))
        print(header)
        for s in r["servers"]:
            print(f"  {s['server']:<22} {s['out'] / 60:>8.1f} m {s['unavoidable'] / 60:>6.1f} m {s['controller']:>7.1f} "
                  f"{sum(s['trips'].values()):>6}  " + " ".join(f"{s['trips'].get(m, 0):>14}" for m in modules))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, default=60.0)
    parser.add_argument("--estates", nargs="*", default=list(ESTATES), choices=list(ESTATES))
    parser.add_argument("--check-pools", type=int, nargs="*", default=[1, 3],
                        help="check mode over this many pools of 12 (the issue's estate: 1 10)")
    parser.add_argument("--update-minutes", type=float, default=20.0)
    parser.add_argument("--download-minutes", type=float, default=10.0,
                        help="download time of the update apart from its install (0: none)")
    parser.add_argument("--keep", help="keep the worlds, inventories and records in this directory")
    parser.add_argument("--timeline", help="write each rollout's timeline (SVG and Markdown) in this directory")
    args = parser.parse_args()
    work = pathlib.Path(args.keep or tempfile.mkdtemp(prefix="sfb-bench-rollout-"))
    work.mkdir(parents=True, exist_ok=True)
    DOWNLOAD_MINUTES["value"] = args.download_minutes
    if args.download_minutes and not twin_models_downloads(work):
        print("note: this twin does not model download time apart from install time; the update downloads for free")
        DOWNLOAD_MINUTES["value"] = 0.0
    try:
        rollouts = [rollout(work, key, args.speed, args.update_minutes) for key in args.estates]
        if args.timeline:
            for r in rollouts:
                store = WorldStore(str(work / f"{r['key']}.db"))
                pool_of = {fqdn: server["pool"] for fqdn, server in store.read().servers.items()}
                drawn = timeline.from_events(store.events(), pool_of, f"{r['label']}, twin speed {args.speed:g}")
                pathlib.Path(args.timeline, f"{r['key']}.svg").write_text(timeline.svg(drawn), encoding="utf-8")
                pathlib.Path(args.timeline, f"{r['key']}.md").write_text(timeline.markdown(drawn, f"{r['key']}.svg"),
                                                                         encoding="utf-8")
        # Check mode needs no virtual waiting: a fast speed keeps the preflight's reads honest and short.
        checks = [check_mode(work, pools, 600.0, args.update_minutes) for pools in sorted(args.check_pools)]
        print(f"maintenance rollout on the twin (playbooks/patch_pool.yml), speed {args.speed:g}, "
              f"{args.update_minutes:g}-minute update on every server"
              + (f" (+ {DOWNLOAD_MINUTES['value']:g} minutes of download, not counted in the critical path)"
                 if DOWNLOAD_MINUTES["value"] else ""))
        report(rollouts, checks)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
