# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The twin_world, twin_info and twin_fault action plugins, run with a task as Ansible builds it."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
import yaml

pytest.importorskip("ansible")

from ansible_collections.sfb.server.plugins.action import twin_fault, twin_info, twin_world  # noqa: E402

from twinworlds import ESTATE, describe, pool  # noqa: E402


def run(module, check_mode=False, **args):
    task = SimpleNamespace(args=args, check_mode=check_mode, diff=False, async_val=0,
                           action=f"sfb.server.{module.__name__.rsplit('.', 1)[-1]}")
    connection = SimpleNamespace(_shell=SimpleNamespace(tmpdir="/unused"))
    action = module.ActionModule(task, connection, play_context=None, loader=None, templar=None,
                                 shared_loader_obj=None)
    action._load_name = task.action  # the plugin loader sets it; ansible-core 2.16 names it in errors
    return action.run(task_vars={})


@pytest.fixture
def estate():
    return yaml.safe_load(ESTATE.read_text(encoding="utf-8"))


@pytest.fixture
def world(tmp_path, estate):
    path = str(tmp_path / "estate.db")
    assert run(twin_world, path=path, description=estate)["changed"] is True
    return path


# -- twin_world --------------------------------------------------------------------------------


def test_twin_world_creates_from_a_description_or_a_file(tmp_path, estate):
    result = run(twin_world, path=str(tmp_path / "a.db"), description=estate)
    assert result["changed"] is True and not result.get("failed")
    assert result["world"]["servers"]["fe01.contoso.com"]["services"]["RTCSRV"] == "Running"
    result = run(twin_world, path=str(tmp_path / "b.db"), src=str(ESTATE))
    assert result["changed"] is True
    assert sorted(result["world"]["pools"]) == ["pool01.contoso.com", "se01.contoso.com"]


def test_twin_world_is_idempotent_and_replaces_on_request(world, estate):
    again = run(twin_world, path=world, description=estate)
    assert again["changed"] is False
    assert "fe01.contoso.com" in again["world"]["servers"]
    replaced = run(twin_world, path=world, description=describe(pool("p.contoso.com", ["a.contoso.com"])),
                   replace=True)
    assert replaced["changed"] is True
    assert list(replaced["world"]["servers"]) == ["a.contoso.com"]


def test_twin_world_check_mode_checks_the_description_and_creates_nothing(tmp_path, estate):
    path = tmp_path / "c.db"
    result = run(twin_world, check_mode=True, path=str(path), description=estate)
    assert result["changed"] is True and not result.get("failed")
    assert not path.exists()
    bad = run(twin_world, check_mode=True, path=str(path), description={"sites": [{"name": "R", "pools": "x"}]})
    assert bad["failed"] is True
    assert bad["msg"].startswith("sites[0].pools: expected a list, got str.")
    assert bad["error"]["kind"] == "world_description"


def test_twin_world_reports_a_bad_description_with_its_place(tmp_path):
    desc = describe(pool("p.contoso.com", ["a.contoso.com"], roles=["FrontEnd", "Gateway"]))
    result = run(twin_world, path=str(tmp_path / "d.db"), description=desc)
    assert result["failed"] is True
    assert result["msg"].startswith("sites[0].pools[0].roles: Unknown server role(s): Gateway.")
    assert not (tmp_path / "d.db").exists()


def test_twin_world_absent(world):
    assert run(twin_world, path=world, state="absent") == {"changed": True, "path": world}
    assert not os.path.exists(world)
    assert run(twin_world, path=world, state="absent")["changed"] is False


def test_twin_world_absent_in_check_mode_keeps_the_file(world):
    assert run(twin_world, check_mode=True, path=world, state="absent")["changed"] is True
    assert os.path.exists(world)


def test_twin_world_argument_errors(tmp_path, estate):
    missing = run(twin_world, path=str(tmp_path / "e.db"))
    assert missing["failed"] is True and "src" in missing["msg"] and "description" in missing["msg"]
    both = run(twin_world, path=str(tmp_path / "e.db"), src=str(ESTATE), description=estate)
    assert both["failed"] is True and "mutually exclusive" in both["msg"]
    unknown = run(twin_world, path=str(tmp_path / "e.db"), description=estate, colour="blue")
    assert unknown["failed"] is True and "colour" in unknown["msg"]


# -- twin_info ---------------------------------------------------------------------------------


def test_twin_info_returns_the_world_and_its_events(world):
    result = run(twin_info, path=world)
    assert result["changed"] is False
    assert result["world"]["pools"]["pool01.contoso.com"]["edition"] == "Enterprise"
    assert result["events"][0]["kind"] == "world_created"
    assert result["last_event"] == result["events"][-1]["id"]
    later = run(twin_info, path=world, events_since=result["last_event"])
    assert later["events"] == [] and later["last_event"] == result["last_event"]


def test_twin_info_filters_events_by_kind(world):
    run(twin_fault, path=world, server="fe01.contoso.com", fault="drain_never_ends", value=True)
    result = run(twin_info, path=world, event_kinds=["fault_set"])
    assert [e["kind"] for e in result["events"]] == ["fault_set"]
    assert result["events"][0]["detail"] == {"fault": "drain_never_ends", "value": True}


def test_twin_info_of_a_missing_world_fails_with_a_hint(tmp_path):
    result = run(twin_info, path=str(tmp_path / "absent.db"))
    assert result["failed"] is True
    assert "No twin world at" in result["msg"]
    assert result["error"]["kind"] == "twin_world"
    assert "twin_world" in result["error"]["hint"]


# -- twin_fault --------------------------------------------------------------------------------


def test_twin_fault_sets_and_clears_idempotently(world):
    first = run(twin_fault, path=world, server="fe02.contoso.com", fault="service_fails_to_start", value=["RTCSRV"])
    assert first == {"changed": True, "faults": {"service_fails_to_start": ["RTCSRV"]}}
    again = run(twin_fault, path=world, server="fe02.contoso.com", fault="service_fails_to_start", value=["RTCSRV"])
    assert again["changed"] is False
    cleared = run(twin_fault, path=world, server="fe02.contoso.com", fault="service_fails_to_start", state="absent")
    assert cleared == {"changed": True, "faults": {}}


def test_twin_fault_check_mode_changes_nothing(world):
    result = run(twin_fault, check_mode=True, path=world, server="fe01.contoso.com", fault="unreachable", value=True)
    assert result["changed"] is True
    assert run(twin_info, path=world)["world"]["servers"]["fe01.contoso.com"]["faults"] == {}


def test_twin_fault_refusals(world):
    unknown = run(twin_fault, path=world, server="fe01.contoso.com", fault="disk_full", value=True)
    assert unknown["failed"] is True and "Unknown fault 'disk_full'" in unknown["msg"]
    nobody = run(twin_fault, path=world, server="fe09.contoso.com", fault="unreachable", value=True)
    assert nobody["failed"] is True and "no server named fe09.contoso.com" in nobody["msg"]
    wrong = run(twin_fault, path=world, server="fe01.contoso.com", fault="unreachable", value="often")
    assert wrong["failed"] is True and "expected true or false" in wrong["msg"]
    no_value = run(twin_fault, path=world, server="fe01.contoso.com", fault="unreachable")
    assert no_value["failed"] is True and "value" in no_value["msg"]
