# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The check-mode guard is the Host's, so it holds the same on a real server and on the twin:
plans that change something, restarts and update installs are refused; reads run."""

from __future__ import annotations

import pathlib

import pytest
import yaml

from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Executable, Plan
from ansible_collections.sfb.server.plugins.plugin_utils.host.windows import REBOOT_ACTION, UPDATES_ACTION, WindowsHost
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore
from sfb_fakes import FakeAction, FakeTask, fixture

ESTATE = pathlib.Path(__file__).resolve().parents[2] / "twin" / "estate.yml"
SERVER = "fe01.contoso.com"


@pytest.fixture
def store(tmp_path):
    desc = yaml.safe_load(ESTATE.read_text(encoding="utf-8"))
    desc["speed"] = 1
    store = WorldStore(str(tmp_path / "estate.db"))
    admin.create(store, desc)
    return store


@pytest.fixture(params=["windows", "twin"])
def checking_host(request, store):
    if request.param == "twin":
        return TwinHost(store, SERVER, check_mode=True), None
    action = FakeAction(answers=[fixture("get_cswindowsservice_ok")], task=FakeTask(check_mode=True),
                        actions={REBOOT_ACTION: {"rebooted": True, "elapsed": 1},
                                 UPDATES_ACTION: {"updates": {}, "reboot_required": False}})
    return WindowsHost(action, {}, SERVER, check_mode=True), action


def _twin_state(store):
    return admin.summary(store)["servers"][SERVER]


def test_read_only_plan_runs(checking_host, store):
    host, _unused = checking_host
    result = host.run(Plan.of(CmdletCall("Get-CsWindowsService", select=("Name", "Status"))))
    assert result.ok and result.output(0)
    assert host.round_trips == 1


@pytest.mark.parametrize("plan", [
    Plan.of(CmdletCall("Stop-CsWindowsService", {"Graceful": True})),
    Plan.of(CmdletCall("Get-CsPool"), CmdletCall("Start-CsWindowsService")),
    Plan.of(Executable(r"C:\Install\SkypeServerUpdateInstaller.exe", ["/silentmode"])),
], ids=["stop", "read then start", "executable"])
def test_changing_plan_is_refused(checking_host, store, plan):
    host, action = checking_host
    before = _twin_state(store)
    with pytest.raises(SfbError, match="Refusing to change .* in check mode"):
        host.run(plan)
    assert host.round_trips == 0
    assert _twin_state(store)["services"] == before["services"]
    if action is not None:
        assert action.module_calls == []


def test_restart_is_refused(checking_host, store):
    host, action = checking_host
    with pytest.raises(SfbError, match="Refusing to restart the server on fe01.contoso.com in check mode"):
        host.reboot("patch", timeout=1800)
    assert _twin_state(store)["power"] == "on"
    if action is not None:
        assert action._shared_loader_obj.action_loader.requests == []


def test_update_install_is_refused(checking_host, store):
    host, action = checking_host
    pending = _twin_state(store)["pending_updates"]
    with pytest.raises(SfbError, match="Refusing to install Windows updates"):
        host.install_updates([], [], timeout=3600)
    assert _twin_state(store)["pending_updates"] == pending
    if action is not None:
        assert action._shared_loader_obj.action_loader.requests == []


def test_windows_search_updates_is_allowed_and_mapped():
    answer = {"changed": False, "found_update_count": 1, "updates": {
        "c3": {"id": "c3", "title": "Security Update for Skype for Business Server 2019 (KB5032428)",
               "kb": ["5032428"], "categories": ["Security Updates"], "installed": False}}}
    action = FakeAction(task=FakeTask(check_mode=True), actions={UPDATES_ACTION: answer})
    host = WindowsHost(action, {}, SERVER, check_mode=True)
    assert host.search_updates(["Security Updates"], ["KB1"]) == [
        {"kb": "KB5032428", "title": answer["updates"]["c3"]["title"], "category": "Security Updates"}]
    (request,) = action._shared_loader_obj.action_loader.requests
    assert request["task"].args == {"state": "searched", "reject_list": ["KB1"], "category_names": ["Security Updates"]}
    assert request["task"].check_mode is True


def test_windows_search_updates_failure_names_the_cause():
    action = FakeAction(actions={UPDATES_ACTION: {"failed": True, "msg": "WU_E_PT_WINHTTP_NAME_NOT_RESOLVED"}})
    with pytest.raises(SfbError, match="WU_E_PT_WINHTTP_NAME_NOT_RESOLVED"):
        WindowsHost(action, {}, SERVER).search_updates([], [])
