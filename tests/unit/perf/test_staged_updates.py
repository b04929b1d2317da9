# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""windows_update state=downloaded: updates staged ahead while the server serves (issue #16), on the twin
and through the Windows path (win_updates answered by a stand-in action plugin)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.sfb.server.plugins.action import windows_update
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost
from sfb_fakes import FakeActionLoader, FakeConnection, FakeSharedLoader, FakeTask

FE = "fe01.contoso.com"


def world(download_minutes=15, minutes=20):
    return {"speed": 600, "product": "2019", "sites": [{"name": "Redmond", "pools": [{
        "fqdn": "pool01.contoso.com", "edition": "Enterprise", "roles": ["FrontEnd"],
        "load": {"sessions_per_minute": 12, "session_minutes": 10},
        "servers": [{"fqdn": f"fe0{i}.contoso.com", "pending_updates": [
            {"kb": "KB5030001", "minutes": minutes, "download_minutes": download_minutes}]} for i in (1, 2, 3)],
    }]}]}


def twin_run(store, args, check_mode=False):
    action = object.__new__(windows_update.ActionModule)
    action._task = SimpleNamespace(check_mode=check_mode, diff=False)
    full = {name: spec.get("default") for name, spec in windows_update.ActionModule.ARGUMENT_SPEC.items()}
    full.update(args)
    return action.execute(TwinHost(store, FE, check_mode=check_mode), full, {})


def charged(store):
    """Virtual minutes the twin charged for the install: (install, download inside the install)."""
    event = store.events(kinds=("updates_install_started",))[-1]["detail"]
    return event["minutes"], event["download_minutes"]


def test_an_update_staged_ahead_installs_in_its_install_minutes_only(make_store):
    store = make_store(world())
    staged = twin_run(store, {"state": "downloaded"})
    assert staged["changed"] and [u["kb"] for u in staged["downloaded"]] == ["KB5030001"]
    download = store.events(kinds=("updates_download_started", "updates_downloaded"))
    assert [e["kind"] for e in download] == ["updates_download_started", "updates_downloaded"]
    assert download[1]["virtual_time"] - download[0]["virtual_time"] >= 15 * 60
    # The server served throughout: nothing stopped, nothing installed yet.
    assert not store.events(kinds=("service_stopped", "drain_started", "sessions_dropped", "updates_install_started"))
    assert store.read().servers[FE]["updates"]["pending"][0]["kb"] == "KB5030001"
    again = twin_run(store, {"state": "downloaded"})
    assert not again["changed"] and again["downloaded"] == [] and [u["kb"] for u in again["staged"]] == ["KB5030001"]
    installed = twin_run(store, {"reboot": False})
    assert [u["kb"] for u in installed["installed"]] == ["KB5030001"]
    assert charged(store) == (20, 0)


def test_an_update_not_staged_is_downloaded_inside_the_install(make_store):
    store = make_store(world())
    before = store.clock().now()
    twin_run(store, {"reboot": False})
    assert charged(store) == (20, 15)
    assert store.clock().now() - before >= 35 * 60


def test_a_world_without_download_minutes_installs_as_before(make_store):
    store = make_store(world(download_minutes=0))
    twin_run(store, {"reboot": False})
    assert charged(store) == (20, 0)


def test_check_mode_reports_what_it_would_download_and_changes_nothing(make_store):
    store = make_store(world())
    result = twin_run(store, {"state": "downloaded"}, check_mode=True)
    assert result["changed"] and [u["kb"] for u in result["pending"]] == ["KB5030001"] and result["downloaded"] == []
    assert not store.events(kinds=("updates_download_started",))
    with pytest.raises(SfbError, match="check mode"):
        TwinHost(store, FE, check_mode=True).download_updates([], [], 600)


def test_a_rejected_update_is_not_downloaded(make_store):
    store = make_store(world())
    result = twin_run(store, {"state": "downloaded", "reject": ["KB5030001"]})
    assert not result["changed"] and result["staged"] == []
    assert not store.read().servers[FE]["updates"]["pending"][0].get("downloaded")


# -- the Windows path ------------------------------------------------------------------------


def windows(answer, check_mode=False):
    actions = {"ansible.windows.win_updates": answer}
    action = windows_update.ActionModule(FakeTask({"state": "downloaded", "reject": ["KB1"]}, check_mode=check_mode),
                                         FakeConnection("ansible.builtin.psrp"), None, None, None, None)
    action._shared_loader_obj = FakeSharedLoader(FakeActionLoader(actions))
    return action


def test_windows_downloads_through_win_updates_state_downloaded():
    answer = {"changed": True, "updates": {
        "u1": {"kb": ["5031234"], "title": "CU", "categories": ["Security Updates"], "installed": False,
               "downloaded": True},
        "u2": {"kb": ["5031111"], "title": ".NET", "categories": ["Security Updates"], "installed": False,
               "downloaded": False},
        "u3": {"kb": ["1"], "title": "rejected", "categories": ["Security Updates"], "installed": False,
               "downloaded": False, "filtered_reasons": ["skip_reject"]}}}
    action = windows(answer)
    result = action.run(task_vars={"inventory_hostname": FE})
    request = action._shared_loader_obj.action_loader.requests[0]
    assert request["name"] == "ansible.windows.win_updates"
    assert request["task"].args == {"state": "downloaded", "reboot": False, "reject_list": ["KB1"],
                                    "category_names": ["CriticalUpdates", "SecurityUpdates", "UpdateRollups"]}
    assert result["changed"] and [u["kb"] for u in result["downloaded"]] == ["KB5031234"]
    # Downloaded earlier (win_updates skips it and leaves downloaded false); the rejected one is not staged.
    assert [u["kb"] for u in result["staged"]] == ["KB5031234", "KB5031111"]
    assert result["installed"] == [] and result["round_trips"] == 1


def test_windows_download_failure_names_the_update():
    answer = {"failed": True, "msg": "Failed to download all updates", "updates": {
        "u1": {"kb": ["5031234"], "title": "CU", "categories": ["Security Updates"], "installed": False,
               "downloaded": False, "failure_hresult_code": -2145124329}}}
    result = windows(answer).run(task_vars={"inventory_hostname": FE})
    assert result["failed"] and "KB5031234" in result["msg"] and "failed to download" in result["msg"]


def test_windows_check_mode_only_searches():
    answer = {"changed": False, "updates": {"u1": {"kb": ["5031234"], "title": "CU", "categories": ["Security Updates"]}}}
    action = windows(answer, check_mode=True)
    result = action.run(task_vars={"inventory_hostname": FE})
    assert action._shared_loader_obj.action_loader.requests[0]["task"].args["state"] == "searched"
    assert result["downloaded"] == [] and [u["kb"] for u in result["pending"]] == ["KB5031234"]
