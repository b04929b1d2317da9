# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the deployment (issue 3), on the twin.

1. WinRM round trips per server per step: each deployment module runs on a bare server (first run)
   and again (second run), and reports `round_trips` (what a real server would see: one per plan,
   reboot, update search or status poll). The goal is one read and at most one write per invocation.
2. Wall time of playbooks/deploy.yml from bare servers to running services, for 1, 4 and 16 servers.
3. Deploy time / critical path for 16 bare servers (issue 16, item 5; target at most 1.5): the
   playbook's virtual time on the twin for 16 bare servers (four Enterprise pools of four Front Ends)
   divided by its critical path, the virtual time of the same playbook for one pool of four alone
   (a pool's steps 1-3 run on its servers side by side and its start waits for all of them, so one
   pool alone is the shortest the estate can take). Measured at a slow twin speed (--ratio-speed), so
   that the installers' modelled minutes, not the controller's own seconds, make the time; with as
   many forks as servers (the playbook warns when there are fewer) and with Ansible's default of 5.

Run: PYTHONPATH=.deps/collections python tests/bench/deploy.py [--sizes 1,4,16] [--speed 20000]
Numbers depend on the machine (and on how many other jobs share it): read them as orders of magnitude.
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

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "unit"))

from ansible_collections.sfb.server.plugins.action.certificate import ActionModule as Certificate  # noqa: E402
from ansible_collections.sfb.server.plugins.action.components import ActionModule as Components  # noqa: E402
from ansible_collections.sfb.server.plugins.action.core_components import ActionModule as CoreComponents  # noqa: E402
from ansible_collections.sfb.server.plugins.action.local_store import ActionModule as LocalStore  # noqa: E402
from ansible_collections.sfb.server.plugins.action.prerequisites_info import ActionModule as Prerequisites  # noqa: E402
from ansible_collections.sfb.server.plugins.action.services_started import ActionModule as ServicesStarted  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.host.select import TWIN_CONNECTION  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore  # noqa: E402
from sfb_fakes import FakeConnection, FakeTask  # noqa: E402

CA = r"ca01.contoso.com\Contoso Issuing CA"
STEPS = (
    ("prerequisites_info", Prerequisites, {}),
    ("core_components", CoreComponents, {"install_path": r"E:\Program Files\Skype for Business Server 2019"}),
    ("local_store (step 1)", LocalStore, {}),
    ("components (step 2)", Components, {}),
    ("certificate (step 3)", Certificate, {"ca": CA, "sip_domains": ["contoso.com"]}),
    ("services_started (step 4)", ServicesStarted, {}),
)


def estate(servers: int, speed: float) -> dict:
    """`servers` bare servers: Enterprise pools of four Front Ends, the rest Standard Edition."""
    pools, index = [], 1
    while servers - (index - 1) >= 4 and len(pools) < servers // 4:
        members = [f"fe{index + i:02d}.contoso.com" for i in range(4)]
        pools.append({"fqdn": f"pool{len(pools) + 1:02d}.contoso.com", "edition": "Enterprise", "roles": ["FrontEnd"],
                      "state": "bare", "load": {"sessions_per_minute": 0}, "servers": members})
        index += 4
    for i in range(servers - (index - 1)):
        fqdn = f"se{i + 1:02d}.contoso.com"
        pools.append({"fqdn": fqdn, "edition": "Standard", "roles": ["FrontEnd"], "state": "bare",
                      "load": {"sessions_per_minute": 0}, "servers": [fqdn]})
    return {"speed": speed, "product": "2019", "sites": [{"name": "Redmond", "pools": pools}]}


class Runas:
    name = "ansible.builtin.runas"


def run_module(cls, world: WorldStore, server: str, args: dict) -> dict:
    connection = FakeConnection(TWIN_CONNECTION, options={"world": world.path, "remote_addr": server})
    connection.become, connection.runs_with_become = Runas(), True  # as ansible_become_method runas hands it over
    action = cls(FakeTask(args), connection, None, None, None, None)
    result = action.run(task_vars={"inventory_hostname": server, "ansible_user": "CONTOSO\\sfbadmin"})
    if result.get("failed"):
        raise SystemExit(f"{cls.__module__} failed on {server}: {result.get('msg')}")
    return result


def round_trips(workdir: pathlib.Path, speed: float) -> list[tuple[str, str, int, int, bool]]:
    world = WorldStore(str(workdir / "trips.db"))
    admin.create(world, estate(5, speed), replace=True)  # a pool of four Front Ends and se01
    pool = ["fe01.contoso.com", "fe02.contoso.com", "fe03.contoso.com", "fe04.contoso.com"]
    rows = []
    for label, cls, args in STEPS:
        groups = [("pool leader", ["fe01.contoso.com"]), ("Standard Edition", ["se01.contoso.com"])] \
            if cls is ServicesStarted else [("Enterprise FE (x4)", pool), ("Standard Edition", ["se01.contoso.com"])]
        for name, servers in groups:
            first = [run_module(cls, world, s, args) for s in servers]
            second = [run_module(cls, world, s, args) for s in servers]
            rows.append((label, name, max(r["round_trips"] for r in first), max(r["round_trips"] for r in second),
                         any(r["changed"] for r in second)))
    return rows


def inventory(desc: dict, world: pathlib.Path) -> dict:
    hosts = {s: None for site in desc["sites"] for p in site["pools"] for s in p["servers"]}
    return {"all": {"children": {"sfb": {"hosts": hosts, "vars": {
        "ansible_connection": "sfb.server.twin", "sfb_twin_world": str(world), "ansible_user": "CONTOSO\\sfbadmin",
        "ansible_become": True, "ansible_become_method": "ansible.builtin.runas",
        "ansible_become_user": "CONTOSO\\sfbadmin",
        "deploy_ca": CA, "deploy_sip_domains": ["contoso.com"]}}}}}


def playbook_run(workdir: pathlib.Path, size: int, speed: float, forks: int, tag: str = "") -> tuple[float, float]:
    """One run of deploy.yml from bare servers: (wall seconds, virtual seconds on the twin)."""
    desc = estate(size, speed)
    world = WorldStore(str(workdir / f"ratio{size}{tag}.db"))
    admin.create(world, desc, replace=True)
    inv = workdir / f"ratio-inventory{size}{tag}.yml"
    inv.write_text(yaml.safe_dump(inventory(desc, pathlib.Path(world.path))))
    env = dict(os.environ, ANSIBLE_FORKS=str(forks), ANSIBLE_COLLECTIONS_PATH=str(REPO / ".deps" / "collections"))
    playbook = shutil.which("ansible-playbook", path=str(pathlib.Path(sys.executable).parent)) or "ansible-playbook"
    virtual_start, started = world.clock().now(), time.perf_counter()
    done = subprocess.run([playbook, "-i", str(inv), str(REPO / "playbooks" / "deploy.yml")], env=env,
                          capture_output=True, text=True, check=False)
    wall, virtual = time.perf_counter() - started, world.clock().now() - virtual_start
    if done.returncode != 0:
        raise SystemExit(f"deploy.yml failed for {size} servers:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return wall, virtual


def critical_path_ratio(workdir: pathlib.Path, speed: float) -> list[tuple[str, float, float, float]]:
    _unused, critical = playbook_run(workdir, 4, speed, 4, "-alone")
    rows = []
    for forks in (16, 5):
        wall, virtual = playbook_run(workdir, 16, speed, forks, f"-f{forks}")
        rows.append((f"16 servers, {forks} forks", virtual, critical, virtual / critical))
    return rows


def wall_time(workdir: pathlib.Path, size: int, speed: float) -> tuple[float, float]:
    desc = estate(size, speed)
    world = WorldStore(str(workdir / f"deploy{size}.db"))
    admin.create(world, desc, replace=True)
    inv = workdir / f"inventory{size}.yml"
    inv.write_text(yaml.safe_dump(inventory(desc, pathlib.Path(world.path))))
    env = dict(os.environ, ANSIBLE_FORKS=str(max(5, size)),
               ANSIBLE_COLLECTIONS_PATH=str(REPO / ".deps" / "collections"))
    playbook = shutil.which("ansible-playbook", path=str(pathlib.Path(sys.executable).parent)) or "ansible-playbook"
    times = []
    for _unused in range(2):  # bare to running, then the idempotent second run
        started = time.perf_counter()
        done = subprocess.run([playbook, "-i", str(inv), str(REPO / "playbooks" / "deploy.yml")], env=env,
                              capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"deploy.yml failed for {size} servers:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return times[0], times[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,4,16")
    parser.add_argument("--speed", type=float, default=20000.0, help="virtual seconds per real second")
    parser.add_argument("--ratio-speed", type=float, default=40.0,
                        help="twin speed for deploy time / critical path (slow: the installers' time dominates)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sfb-bench-deploy-") as tmp:
        workdir = pathlib.Path(tmp)
        print("Round trips per server per step (max over the pool's servers)")
        print(f"{'step':28} {'server':20} {'first run':>9} {'second run':>10} {'2nd changed':>11}")
        for label, server, first, second, changed in round_trips(workdir, options.speed):
            print(f"{label:28} {server:20} {first:9d} {second:10d} {str(changed):>11}")
        print()
        print(f"Wall time of playbooks/deploy.yml on the twin (speed {options.speed:g})")
        print(f"{'servers':>7} {'bare to running (s)':>20} {'second run (s)':>15}")
        for size in (int(s) for s in options.sizes.split(",")):
            first, second = wall_time(workdir, size, options.speed)
            print(f"{size:7d} {first:20.1f} {second:15.1f}")
        print()
        print(f"Deploy time / critical path (twin speed {options.ratio_speed:g}; critical path: one pool of four alone)")
        print(f"{'run':24} {'virtual s':>10} {'critical s':>10} {'ratio':>6}")
        for label, virtual, critical, ratio in critical_path_ratio(workdir, options.ratio_speed):
            print(f"{label:24} {virtual:10.0f} {critical:10.0f} {ratio:6.2f}")


if __name__ == "__main__":
    main()
