# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: a rolling patch of 4, 8 and 12 Front End pools on the twin.

For each size it runs playbooks/patch_pool.yml (the real playbook, one server at a time) against a
fresh twin world and compares the wall time with the sum of the unavoidable per-server times, read
from the twin's own events and converted from virtual to real seconds (virtual / speed):
- drain: from the drain's start to the natural end of the last session it waited for;
- update: the minutes the world gives each pending update;
- reboot: the twin's restart time (twin.host.REBOOT_SECONDS).
What is left is the orchestration overhead: Ansible, the round trips, polling granularity, the
preflight and the health checks.

    PYTHONPATH=.deps/collections ANSIBLE_COLLECTIONS_PATH=.deps/collections python tests/bench/patch.py [--sizes 4 8 12] [--speed 1800]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / ".deps" / "collections"))

from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import REBOOT_SECONDS  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore  # noqa: E402

UPDATE_MINUTES = 20


def description(size: int, speed: float) -> dict:
    return {
        "speed": speed,
        "product": "2019",
        "sites": [{"name": "Redmond", "pools": [{
            "fqdn": "pool01.contoso.com", "edition": "Enterprise", "roles": ["FrontEnd"],
            "load": {"sessions_per_minute": 3 * size, "session_minutes": 10},
            "servers": [{"fqdn": f"fe{i:02d}.contoso.com",
                         "pending_updates": [{"kb": "KB5030001", "minutes": UPDATE_MINUTES}]}
                        for i in range(1, size + 1)],
        }]}],
    }


def inventory(path: pathlib.Path, world: pathlib.Path, size: int) -> None:
    hosts = "\n".join(f"        fe{i:02d}.contoso.com:" for i in range(1, size + 1))
    path.write_text(
        "all:\n  vars:\n    ansible_connection: sfb.server.twin\n"
        f"    sfb_twin_world: {world}\n    rolling_patch_poll_interval: 30\n"
        f"  children:\n    sfb_pool01:\n      hosts:\n{hosts}\n", encoding="utf-8")


def unavoidable(store: WorldStore, speed: float) -> dict[str, float]:
    """Real seconds each phase could not be shorter than, summed over the servers.

    A drain lasts at least until the last session it waits for ends by itself: the twin records that
    moment (`until`) when the drain starts; a server's services drain in parallel, so the longest counts.
    """
    drain_until: dict[str, tuple[float, float]] = {}
    for event in store.events(kinds=("drain_started",)):
        until = event["detail"].get("until")
        if until is None:
            continue
        start, end = drain_until.get(event["server"], (event["virtual_time"], event["virtual_time"]))
        drain_until[event["server"]] = (min(start, event["virtual_time"]), max(end, until))
    drain = sum(max(0.0, end - start) for start, end in drain_until.values())
    servers = len(store.read().servers)
    return {"drain": drain / speed, "update": servers * UPDATE_MINUTES * 60 / speed,
            "reboot": servers * REBOOT_SECONDS / speed}


def run(size: int, speed: float, work: pathlib.Path) -> dict:
    world = work / f"pool{size}.db"
    store = WorldStore(str(world))
    admin.create(store, description(size, speed), replace=True)
    inv = work / f"pool{size}.yml"
    inventory(inv, world, size)
    playbook = shutil.which("ansible-playbook") or str(pathlib.Path(sys.executable).parent / "ansible-playbook")
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    begin = time.monotonic()
    done = subprocess.run([playbook, "-i", str(inv), str(REPO / "playbooks" / "patch_pool.yml")],
                          capture_output=True, text=True, env=env, check=False)
    wall = time.monotonic() - begin
    if done.returncode != 0:
        raise SystemExit(f"the rolling patch of {size} servers failed:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
    summary = admin.summary(store)
    if summary["sessions_dropped"] or store.events(kinds=("quorum_lost",)):
        raise SystemExit(f"pool of {size}: sessions were cut or quorum was lost; the numbers would mean nothing")
    floor = unavoidable(store, speed)
    total = sum(floor.values())
    return {"size": size, "wall": wall, **floor, "unavoidable": total, "overhead": wall - total,
            "per_server": (wall - total) / size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 8, 12])
    parser.add_argument("--speed", type=float, default=1800.0)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="sfb-bench-patch-") as tmp:
        for size in args.sizes:
            rows.append(run(size, args.speed, pathlib.Path(tmp)))
    print(f"rolling patch on the twin, speed {args.speed:g} (virtual seconds per real second); times in real seconds")
    header = f"{'servers':>7} {'wall':>8} {'drain':>7} {'update':>7} {'reboot':>7} {'unavoid.':>9} {'overhead':>9} {'per server':>10}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['size']:>7} {r['wall']:>8.1f} {r['drain']:>7.1f} {r['update']:>7.1f} {r['reboot']:>7.1f} "
              f"{r['unavoidable']:>9.1f} {r['overhead']:>9.1f} {r['per_server']:>10.2f}")


if __name__ == "__main__":
    main()
