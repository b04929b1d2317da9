# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A cumulative update copied from the controller to each server (cumulative_update state=staged, issue #10):
on the twin (the copy lands in the server's files, where Test-Path and the installer find it) and through
the Windows path (ansible.windows.win_copy answered by a stand-in action plugin)."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest
from patch_helpers import events, pool_world, run_action

from ansible_collections.sfb.server.plugins.action import cumulative_update, failover, pool_health_info
from ansible_collections.sfb.server.plugins.plugin_utils.action import refused_inputs
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.windows import COPY_ACTION, WindowsHost
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost
from sfb_fakes import FakeActionLoader, FakeConnection, FakeSharedLoader, FakeTask

FE1 = "fe01.contoso.com"
LOCAL = r"C:\ProgramData\sfb.server\CU\SkypeServerUpdateInstaller.exe"
SHARE = r"\\files.contoso.com\sfb\cu\SkypeServerUpdateInstaller.exe"
CU_VERSION = "7.0.2046.530"


def world() -> dict:
    # The twin knows the version a package brings from its description; the copy supplies the file.
    return {**pool_world(), "cumulative_updates": [{"path": SHARE, "version": CU_VERSION, "minutes": 25}]}


@pytest.fixture
def installer(tmp_path):
    path = tmp_path / "SkypeServerUpdateInstaller.exe"
    path.write_bytes(b"MZ cumulative update 7.0.2046.530")
    return path


def stage(store, src, check_mode=False):
    return run_action(cumulative_update, store, FE1, {"state": "staged", "src": str(src), "path": LOCAL},
                      check_mode=check_mode)


def test_the_copied_installer_is_found_and_the_cu_installs_from_it(make_store, clock, installer):
    store = make_store(world())
    with pytest.raises(SfbError, match="cannot reach the cumulative update"):
        run_action(pool_health_info, store, FE1, {"mode": "preflight", "cu_path": LOCAL, "cu_version": CU_VERSION})
    copied = stage(store, installer)
    assert copied["changed"] and copied["copied"]
    assert copied["checksum"] == hashlib.sha1(installer.read_bytes()).hexdigest()
    held = store.read().servers[FE1]["files"][LOCAL.lower()]
    assert held["checksum"] == copied["checksum"] and held["size"] == installer.stat().st_size
    assert TwinHost(store, FE1).read(
        cumulative_update.CmdletCall("Test-Path", {"Path": LOCAL})).results[0].output == (True,)
    over = run_action(failover, store, FE1, {})
    done = run_action(cumulative_update, store, FE1, {"path": LOCAL, "version": CU_VERSION, "known_state": over["state"]})
    assert done["installed"] and done["exit_code"] == 3010
    assert [e["detail"]["dest"] for e in events(store, "file_copied")] == [LOCAL]
    assert run_action(pool_health_info, store, FE1, {"mode": "preflight", "cu_path": LOCAL,
                                                     "cu_version": CU_VERSION})["changed"] is False


def test_a_local_cu_path_not_copied_is_not_found(make_store, clock):
    store = make_store(world())
    answer = TwinHost(store, FE1).read(cumulative_update.CmdletCall("Test-Path", {"Path": LOCAL}))
    assert answer.results[0].output == (False,)


def test_a_second_copy_of_the_same_file_changes_nothing_and_a_new_file_is_copied(make_store, clock, installer):
    store = make_store(world())
    assert stage(store, installer)["changed"]
    again = stage(store, installer)
    assert not again["changed"] and not again["copied"]
    assert len(events(store, "file_copied")) == 1
    installer.write_bytes(b"MZ cumulative update 7.0.2046.600")
    assert stage(store, installer)["changed"] and len(events(store, "file_copied")) == 2


def test_check_mode_says_what_it_would_copy_and_copies_nothing(make_store, clock, installer):
    store = make_store(world())
    planned = stage(store, installer, check_mode=True)
    assert planned["changed"] and not planned["copied"]
    assert planned["commands"] == [f"copy {installer} to {LOCAL}"]
    assert planned["checksum"] == hashlib.sha1(installer.read_bytes()).hexdigest()
    assert "files" not in store.read().servers[FE1] or LOCAL.lower() not in store.read().servers[FE1]["files"]
    with pytest.raises(SfbError, match="in check mode"):
        TwinHost(store, FE1, check_mode=True).copy_file(str(installer), LOCAL)


@pytest.mark.parametrize(("args", "option"), [
    ({"state": "staged", "src": "/nonexistent/SkypeServerUpdateInstaller.exe", "path": LOCAL}, "src"),
    ({"state": "staged", "path": LOCAL}, "src"),
    ({"state": "staged", "src": "{tmp}", "path": LOCAL}, "src"),
    ({"state": "staged", "src": "{installer}", "path": SHARE}, "path"),
    ({"state": "staged", "src": "{installer}", "path": "ProgramData\\SkypeServerUpdateInstaller.exe"}, "path"),
    ({"path": LOCAL}, "version"),
    ({"path": LOCAL, "version": CU_VERSION, "src": "{installer}"}, "src"),
])
def test_bad_input_is_refused_before_anything(args, option, installer):
    args = {key: str(value).format(tmp=installer.parent, installer=installer) for key, value in args.items()}
    full = {name: spec.get("default") for name, spec in cumulative_update.ActionModule.ARGUMENT_SPEC.items()}
    full.update(args)
    action = object.__new__(cumulative_update.ActionModule)
    action._task = SimpleNamespace(args=args)
    refused = refused_inputs(action, full)
    assert refused and refused["failed"] and option in refused["error"]["options"], refused


def test_staging_leaves_the_server_in_service(make_store, clock, installer):
    # Staging touches no service: the server stays in service (no marker, nothing drained).
    store = make_store(world())
    stage(store, installer)
    health = run_action(pool_health_info, store, FE1, {})
    assert not health["in_maintenance"]


# -- the Windows path ------------------------------------------------------------------------------


def windows(answer, check_mode=False):
    action = cumulative_update.ActionModule(FakeTask({}, check_mode=check_mode),
                                            FakeConnection("ansible.builtin.psrp"), None, None, None, None)
    action._shared_loader_obj = FakeSharedLoader(FakeActionLoader({COPY_ACTION: answer}))
    return WindowsHost(action, {"inventory_hostname": FE1}, FE1, check_mode=check_mode), action


def test_windows_copies_through_win_copy(installer):
    host, action = windows({"changed": True, "checksum": "ab" * 20, "size": 33, "dest": LOCAL})
    copy = host.copy_file(str(installer), LOCAL)
    (request,) = action._shared_loader_obj.action_loader.requests
    assert request["name"] == "ansible.windows.win_copy"
    assert request["task"].args == {"src": str(installer), "dest": LOCAL}
    assert request["connection"] is action._connection and request["task"] is not action._task
    assert copy.changed and copy.checksum == "ab" * 20 and copy.size == 33 and host.round_trips == 1


def test_windows_reports_an_unchanged_copy(installer):
    host = windows({"changed": False, "checksum": "ab" * 20, "size": 33})[0]
    assert not host.copy_file(str(installer), LOCAL).changed


def test_windows_copy_failure_says_what_failed(installer):
    host = windows({"failed": True, "msg": "There is not enough space on the disk"})[0]
    with pytest.raises(SfbError, match="not enough space") as error:
        host.copy_file(str(installer), LOCAL)
    assert "free space" in error.value.hint


def test_windows_refuses_the_copy_in_check_mode(installer):
    host, action = windows({"changed": True}, check_mode=True)
    with pytest.raises(SfbError, match="in check mode"):
        host.copy_file(str(installer), LOCAL)
    assert action._shared_loader_obj.action_loader.requests == []
