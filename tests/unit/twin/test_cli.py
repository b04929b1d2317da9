# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""scripts/sfb-twin, run as a user runs it."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess

import pytest
import yaml

from ansible_collections.sfb.server.plugins.plugin_utils.twin import cli

from twinworlds import ESTATE, REPO

SCRIPT = REPO / "scripts" / "sfb-twin"


def sfb_twin_process(*args, env_world=None):
    """The script as a user runs it: its own process, its own imports."""
    env = dict(os.environ, PYTHONPATH=str(REPO / ".deps" / "collections"))
    env.pop("SFB_TWIN_WORLD", None)
    if env_world:
        env["SFB_TWIN_WORLD"] = env_world
    return subprocess.run([str(SCRIPT), *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def sfb_twin(*args, env_world=None):
    """The same command line in this process (the script only calls cli.main): much cheaper."""
    out, err = io.StringIO(), io.StringIO()
    saved = os.environ.pop("SFB_TWIN_WORLD", None)
    if env_world:
        os.environ["SFB_TWIN_WORLD"] = env_world
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main([str(a) for a in args])
            except SystemExit as exc:  # argparse's own errors
                code = exc.code
    finally:
        os.environ.pop("SFB_TWIN_WORLD", None)
        if saved is not None:
            os.environ["SFB_TWIN_WORLD"] = saved
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def _ok(process) -> object:
    assert process.returncode == 0, process.stderr
    assert process.stderr == ""
    return yaml.safe_load(process.stdout)


def _refused(process, *fragments):
    assert process.returncode == 2
    assert "Traceback" not in process.stderr
    for fragment in fragments:
        assert fragment in process.stderr
    assert process.stdout == ""


@pytest.fixture
def world(tmp_path):
    path = tmp_path / "estate.db"
    _ok(sfb_twin("create", ESTATE, "--world", path))
    return path


def test_create_prints_the_world(tmp_path):
    path = tmp_path / "estate.db"
    summary = _ok(sfb_twin_process("create", ESTATE, "--world", path))
    assert path.exists()
    assert summary["path"] == str(path)
    assert summary["speed"] == 600.0
    assert sorted(summary["servers"]) == ["fe01.contoso.com", "fe02.contoso.com", "fe03.contoso.com",
                                          "se01.contoso.com"]
    assert summary["servers"]["fe01.contoso.com"]["services"]["RTCSRV"] == "Running"
    assert summary["pools"]["pool01.contoso.com"]["quorum"] is True
    assert summary["sessions_dropped"] == 0


def test_create_refuses_an_existing_world_unless_replace(world):
    _refused(sfb_twin("create", ESTATE, "--world", world), "already exists", "replace")
    _ok(sfb_twin("create", ESTATE, "--world", world, "--replace"))


def test_show_and_events(world):
    summary = _ok(sfb_twin("show", "--world", world))
    assert summary["servers"]["se01.contoso.com"]["pool"] == "se01.contoso.com"
    events = _ok(sfb_twin("events", "--world", world))
    assert events[0]["kind"] == "world_created"
    assert _ok(sfb_twin("events", "--kind", "no_such_kind", "--world", world)) == []
    assert _ok(sfb_twin("events", "--since", events[-1]["id"], "--world", world)) == []


def test_the_world_can_come_from_the_environment(world):
    assert "fe02.contoso.com" in _ok(sfb_twin_process("show", env_world=str(world)))["servers"]


def test_fault_set_and_clear(world):
    answer = _ok(sfb_twin("fault", "fe01.contoso.com", "service_fails_to_start", "[RTCSRV, rtcmedsrv]", "--world", world))
    assert answer == {"changed": True, "faults": {"service_fails_to_start": ["RTCSRV", "RTCMEDSRV"]}}
    # One name is a list of one (YAML reads the bare word as a string).
    answer = _ok(sfb_twin("fault", "fe02.contoso.com", "update_fails", "KB5031234", "--world", world))
    assert answer["faults"] == {"update_fails": ["KB5031234"]}
    answer = _ok(sfb_twin("fault", "fe01.contoso.com", "service_fails_to_start", "--world", world))
    assert answer == {"changed": True, "faults": {}}
    answer = _ok(sfb_twin("fault", "fe01.contoso.com", "service_fails_to_start", "--world", world))
    assert answer["changed"] is False
    kinds = [e["kind"] for e in _ok(sfb_twin("events", "--kind", "fault_set", "--world", world))]
    assert kinds == ["fault_set"] * 3


def test_fault_refusals(world):
    _refused(sfb_twin("fault", "fe01.contoso.com", "disk_full", "true", "--world", world),
             "Unknown fault 'disk_full'", "Known faults:")
    _refused(sfb_twin("fault", "fe09.contoso.com", "unreachable", "true", "--world", world),
             "no server named fe09.contoso.com", "fe01.contoso.com")
    _refused(sfb_twin("fault", "fe01.contoso.com", "unreachable", "sometimes", "--world", world),
             "expected true or false")


def test_a_bad_description_exits_2_with_the_place(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("sites:\n  - name: Redmond\n    pools:\n      - fqdn: pool01.contoso.com\n"
                   "        edition: Standard\n        servers: [a.contoso.com, b.contoso.com]\n")
    _refused(sfb_twin_process("create", bad, "--world", tmp_path / "w.db"),
             "sfb-twin: sites[0].pools[0]: a Standard Edition pool has exactly one server, not 2.")
    assert not (tmp_path / "w.db").exists()


def test_a_description_that_is_not_yaml_or_not_there(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("sites: [\n")
    _refused(sfb_twin("create", broken, "--world", tmp_path / "w.db"), "is not valid YAML")
    _refused(sfb_twin("create", tmp_path / "absent.yml", "--world", tmp_path / "w.db"),
             "Cannot read the world description")


def test_a_missing_world_or_no_world_given(tmp_path):
    _refused(sfb_twin_process("show", "--world", tmp_path / "absent.db"), "No twin world at", "sfb-twin create")
    process = sfb_twin_process("show")
    assert process.returncode == 2 and "give --world PATH or set SFB_TWIN_WORLD" in process.stderr
    not_a_world = tmp_path / "notes.txt"
    not_a_world.write_text("hello\n" * 100)
    _refused(sfb_twin("events", "--world", not_a_world), "cannot be read")


def test_world_option_before_or_after_the_command(world):
    before = _ok(sfb_twin("--world", world, "show"))
    after = _ok(sfb_twin("show", "--world", world))
    assert before["path"] == after["path"] == str(world)
