# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bad-input suite of issue #15 (cases.py holds the table).

For every case: the task, play or command is refused; its message names the option; no traceback is
shown (playbooks run with -vvv); no secret is repeated; and the twin world is the same afterwards
(its entities and events compared row by row). The twin's clock is frozen for module and CLI cases,
so a read changes nothing either.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import importlib
import io
import json
import os
import pathlib
import shutil
import sqlite3
import subprocess
import sys

import pytest
import yaml

from ansible_collections.sfb.server.plugins.plugin_utils.host.select import TWIN_CONNECTION
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin, cli, engine
from ansible_collections.sfb.server.plugins.plugin_utils.twin import host as twin_host
from ansible_collections.sfb.server.plugins.plugin_utils.twin import world as world_module
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore
from inputs_cases import BASE, CLI_CASES, PENDING, PLAYBOOK_RUNS, SECRETS, module_cases
from sfb_fakes import FakeConnection, FakeTask, FakeTime, named

REPO = pathlib.Path(__file__).resolve().parents[3]
ESTATE = REPO / "tests" / "twin" / "estate.yml"
CCE_ESTATE = REPO / "tests" / "twin" / "cce_estate.yml"
TRACEBACKS = ("Traceback (most recent call last)", "The full traceback is")

# One world for every module and CLI case: the rehearsal estate, the Cloud Connector sites and the
# sign-in machines of tests/unit/signin/signin_worlds.py.
SIGNIN = {
    "clients": [{"fqdn": "pc01.contoso.com"}],
    "domain_controllers": [{"fqdn": "dc01.contoso.com"}],
    "active_directory": {"domain": "contoso.com", "users": [{"sam": "bob", "upn": "bob@contoso.com", "sip_enabled": False}]},
}


def all_world_description() -> dict:
    description = yaml.safe_load(ESTATE.read_text(encoding="utf-8"))
    cce = yaml.safe_load(CCE_ESTATE.read_text(encoding="utf-8"))
    description.update({k: v for k, v in cce.items() if k != "speed"})
    description.update(SIGNIN)
    description["speed"] = 1
    return description


def snapshot(path: str) -> tuple:
    """The world's rows (what a change would touch), or None when there is no world file."""
    if not os.path.exists(path):
        return None
    with contextlib.closing(sqlite3.connect(path)) as db:
        return ({(kind, key): json.loads(doc) for kind, key, doc in db.execute("SELECT * FROM entities")},
                tuple(db.execute("SELECT * FROM events ORDER BY id")),
                tuple(db.execute("SELECT * FROM meta ORDER BY key")))


def changes(before, after, path="") -> list[str]:
    """What differs between two snapshots. Entities are compared as data, and a key that was absent
    before is not a change: the twin writes the default state of a concept (a server's deployment
    files, its registry) into the entity the first time a read asks for it. Every event and every value
    that existed before must be the same."""
    if before is None or after is None:
        return [] if before is after else [f"{path}: {before!r} -> {after!r}"]
    if isinstance(before, tuple) and len(before) == 3 and isinstance(before[0], dict):
        return changes(before[0], after[0], "entities") + (
            [] if before[1:] == after[1:] else [f"events or meta: {len(before[1])} -> {len(after[1])} events"])
    if isinstance(before, dict) and isinstance(after, dict):
        found = [f"{path}.{k}: removed" for k in before if k not in after]
        for key in before:
            if key in after:
                found += changes(before[key], after[key], f"{path}.{key}")
        return found
    return [] if before == after else [f"{path}: {str(before)[:80]} -> {str(after)[:80]}"]


@pytest.fixture(scope="module")
def place(tmp_path_factory):
    root = tmp_path_factory.mktemp("inputs")
    store = WorldStore(str(root / "all.db"))
    with pytest.MonkeyPatch.context() as patch:
        clock = FakeTime()
        for module in (world_module, engine, twin_host):
            patch.setattr(module, "time", clock)
        admin.create(store, all_world_description())
        (root / "out").mkdir()
        yield {"root": root, "store": store, "tmp": str(root / "out"), "world": store.path, "estate": str(ESTATE)}


def fill(value, place):
    if isinstance(value, str):
        for key in ("tmp", "world", "estate"):
            value = value.replace("{" + key + "}", place[key])
        return value
    if isinstance(value, list):
        return [fill(v, place) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, place) for k, v in value.items()}
    return value


def run_module(case, place) -> dict:
    cls = importlib.import_module(f"ansible_collections.sfb.server.plugins.action.{case.module}").ActionModule
    args = fill(dict(case.args), place)
    hostvars = args.pop("_hostvars", None)
    connection = FakeConnection(TWIN_CONNECTION, options={"world": place["world"], "remote_addr": case.host})
    action = named(cls(FakeTask(args, action=f"sfb.server.{case.module}"), connection, None, None, None, None),
                   f"sfb.server.{case.module}")
    task_vars = {"inventory_hostname": case.host, "ansible_user": "CONTOSO\\sfbadmin"}
    if hostvars is not None:
        task_vars["hostvars"] = {"fe01.contoso.com": hostvars}
    return action.run(task_vars=task_vars)


MODULE_CASES = module_cases()


def test_the_table_covers_every_module():
    modules = {p.stem for p in (REPO / "plugins" / "action").glob("*.py") if p.stem != "__init__"}
    assert modules <= set(BASE), f"modules without bad-input cases: {sorted(modules - set(BASE))}"


@pytest.mark.parametrize("case", MODULE_CASES, ids=[f"{c.module}:{c.why}" for c in MODULE_CASES])
def test_module_refuses_bad_input(case, place):
    if case.module in PENDING:
        pytest.skip(f"{case.module}: its input checks are not declared yet")
    before = snapshot(place["world"])
    try:
        result = run_module(case, place)
    except Exception as exc:  # what ansible-playbook would show as a traceback
        pytest.fail(f"{case.module} raised {type(exc).__name__}: {exc}")
    text = json.dumps(result, default=str)
    assert result.get("failed") or result.get("unreachable"), f"{case.module} accepted {case.args}: {text[:400]}"
    assert case.option in result.get("msg", ""), f"{case.module}: the message does not name {case.option}: {result.get('msg')}"
    assert not result.get("changed"), f"{case.module} reported a change while refusing"
    assert "exception" not in result and not any(t in text for t in TRACEBACKS)
    assert not any(secret in text for secret in SECRETS), f"{case.module} repeated a secret: {text[:400]}"
    assert not changes(before, snapshot(place["world"])), f"{case.module} changed the twin world while refusing {case.args}"


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.why for c in CLI_CASES])
def test_cli_refuses_bad_input(case, place, monkeypatch):
    monkeypatch.delenv("SFB_TWIN_WORLD", raising=False)
    before = snapshot(place["world"])
    argv = [fill(a, place) for a in case.argv]
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            code = cli.main(argv)
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code
        except Exception as exc:
            pytest.fail(f"sfb-twin {' '.join(argv)} raised {type(exc).__name__}: {exc}")
    message = err.getvalue()
    assert code not in (0, None), f"sfb-twin {' '.join(argv)} was accepted: {out.getvalue()[:300]}"
    assert case.option in message, f"sfb-twin {' '.join(argv)}: {message!r} does not name {case.option}"
    assert not any(t in message for t in TRACEBACKS)
    assert not changes(before, snapshot(place["world"]))


# -- playbooks ----------------------------------------------------------------------------------------

INVENTORY_HEAD = {"localhost": {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}}


def inventories(world: str) -> dict[str, dict]:
    twin = {"ansible_connection": "sfb.server.twin", "sfb_twin_world": world}
    estate = {"all": {"hosts": dict(INVENTORY_HEAD), "children": {"sfb": {"vars": twin, "children": {
        "sfb_pool01": {"hosts": {"fe01.contoso.com": {}, "fe02.contoso.com": {}, "fe03.contoso.com": {}}},
        "sfb_se01": {"hosts": {"se01.contoso.com": {}}}}}}}}

    def appliance(name, site, with_site=True):
        vms = [{"host": f"{name}-{suffix}.contoso.com", "role": role}
               for suffix, role in (("ad", "AD"), ("cms", "CMS"), ("med", "Mediation"), ("edge", "Edge"))]
        return {"cce_site": site, "cce_vms": vms} if with_site else {}

    def cce(with_site=True):
        hosts = {f"{n}.contoso.com": appliance(n, s, with_site) for n, s in
                 (("cce-ams1", "Amsterdam"), ("cce-ams2", "Amsterdam"), ("cce-lis1", "Lisbon"))}
        return {"all": {"hosts": dict(INVENTORY_HEAD), "children": {"cce": {"vars": twin, "children": {
            "cce_tenant": {"hosts": {"tenant-admin.contoso.com": {}}}, "cce_hosts": {"hosts": hosts}}}}}}

    signin = {"all": {"hosts": dict(INVENTORY_HEAD), "children": {"signin": {"vars": twin, "children": {
        "signin_domain_controllers": {"hosts": {"dc01.contoso.com": {}}},
        "signin_clients": {"hosts": {"pc01.contoso.com": {}}}}}}}}
    noworld = {"all": {"hosts": dict(INVENTORY_HEAD), "children": {"sfb": {
        "vars": {"ansible_connection": "sfb.server.twin"}, "hosts": {"fe01.contoso.com": {}}}}}}
    return {"estate": estate, "cce": cce(), "cce_no_site": cce(with_site=False), "signin": signin, "noworld": noworld}


def ansible_playbook(run, root: pathlib.Path, template: str) -> dict:
    """Run one playbook against its own copy of the world; return its output and the world before/after."""
    slot = root / run.name.replace(" ", "_").replace(":", "").replace("/", "_")
    slot.mkdir()
    world = str(slot / "world.db")
    shutil.copy(template, world)
    inventory = slot / "inventory.yml"
    inventory.write_text(yaml.safe_dump(inventories(world)[run.inventory]), encoding="utf-8")
    extra = slot / "extra.json"
    extra.write_text(json.dumps(run.extra_vars), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "SFB_TWIN"))}
    env.update(HOME=str(slot), ANSIBLE_COLLECTIONS_PATH=str(REPO.parents[2] if REPO.parts[-3:] == (
        "ansible_collections", "sfb", "server") else REPO / ".deps" / "collections"),
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false", ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false", ANSIBLE_RETRY_FILES_ENABLED="false")
    before = snapshot(world)
    command = [str(pathlib.Path(sys.executable).parent / "ansible-playbook"), "-vvv", "-i", str(inventory),
               "-e", f"@{extra}", str(REPO / "playbooks" / run.playbook)]
    done = subprocess.run(command, cwd=str(slot), env=env, capture_output=True, text=True, timeout=300, check=False)
    return {"rc": done.returncode, "output": done.stdout + done.stderr, "before": before, "after": snapshot(world)}


@pytest.fixture(scope="module")
def playbook_results(place):
    root = place["root"] / "playbooks"
    root.mkdir()
    template = str(root / "template.db")
    shutil.copy(place["world"], template)
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        futures = {run.name: pool.submit(ansible_playbook, run, root, template) for run in PLAYBOOK_RUNS
                   if run.playbook not in PENDING}
        return {name: future.result() for name, future in futures.items()}


PLAYBOOK_CASES = [(run, option) for run in PLAYBOOK_RUNS for option in run.options]


@pytest.mark.parametrize("run,option", PLAYBOOK_CASES, ids=[f"{r.playbook}:{r.name}:{o}" for r, o in PLAYBOOK_CASES])
def test_playbook_refuses_bad_input(run, option, playbook_results):
    if run.playbook in PENDING:
        pytest.skip(f"{run.playbook}: its first play is not added yet")
    result = playbook_results[run.name]
    output = result["output"]
    assert result["rc"] != 0, f"{run.playbook} accepted {run.extra_vars}:\n{output[-2000:]}"
    failed = [line for line in output.splitlines() if "FAILED!" in line or "UNREACHABLE!" in line or "ERROR" in line]
    assert any(option in line for line in failed) or option in "\n".join(failed) or option in _messages(output), \
        f"{run.playbook}: no failure names {option}:\n{output[-3000:]}"
    assert not any(t in output for t in TRACEBACKS), f"{run.playbook} showed a traceback:\n{output[-3000:]}"
    assert not any(secret in output for secret in SECRETS), f"{run.playbook} repeated a secret"
    assert not changes(result["before"], result["after"]), f"{run.playbook} changed the twin world before refusing"


def _messages(output: str) -> str:
    """The msg fields of the failed tasks (-vvv prints them over several lines)."""
    start = [i for i, line in enumerate(output.splitlines()) if "FAILED!" in line or "UNREACHABLE!" in line]
    lines = output.splitlines()
    return "\n".join("\n".join(lines[i:i + 40]) for i in start)


def test_the_world_comparison_sees_a_change(place, tmp_path):
    """The 'world unchanged' assertion can fail: an accepted fault is seen as a change."""
    world = str(tmp_path / "copy.db")
    shutil.copy(place["world"], world)
    before = snapshot(world)
    admin.set_fault(WorldStore(world), "fe01.contoso.com", "unreachable", True)
    assert changes(before, snapshot(world))
