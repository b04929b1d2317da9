# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The twin's Cloud Connector family: calls follow the appliances in HA, drains, restarts, versions."""

from __future__ import annotations

import time

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.errors import WorldDescriptionError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore

A1, A2 = "cce-a1.contoso.com", "cce-a2.contoso.com"


def make(tmp_path, **appliance):
    store = WorldStore(str(tmp_path / "w.db"))
    # 60000 virtual seconds per real second: an hour-long call lasts 60 ms, so calls are always in progress.
    admin.create(store, {"speed": 60000, "cce_sites": [{
        "name": "S", "load": {"calls_per_minute": 6, "call_minutes": 60},
        "appliances": [{"host": A1, "mediation_ip": "10.0.0.1", **appliance}, {"host": A2, "mediation_ip": "10.0.0.2"}]}]})
    return store


def events(store, *kinds):
    return store.events(kinds=kinds)


def test_enter_cc_update_stops_the_services_at_once_and_the_other_appliance_keeps_a_route(tmp_path):
    store = make(tmp_path)
    time.sleep(0.05)  # about 50 virtual minutes of calls
    before = list(store.read().servers["cce-a1-med.contoso.com"]["sessions"])
    assert before, "the appliance carries calls before the update"
    host = TwinHost(store, A1)
    host.run(Plan.of(CmdletCall("Enter-CcUpdate"))).raise_for_failure()
    world = store.read()
    med = world.servers["cce-a1-med.contoso.com"]
    # enter-ccupdate.md: "will immediately stop all services ending any ongoing calls": no drain.
    assert [s for s in med["sessions"] if s["end"] > world.now] == []
    assert all(s["status"] == "Stopped" for vm in ("cms", "med", "edge")
               for s in world.servers[f"cce-a1-{vm}.contoso.com"]["services"].values())
    dropped = events(store, "sessions_dropped")
    assert [e["server"] for e in dropped] == ["cce-a1-med.contoso.com"]
    assert dropped[0]["detail"]["reason"] == "Enter-CcUpdate stopped the services"
    host.reboot("patch", 3600)
    time.sleep(0.02)
    # "... the appliance will reject any new calls, which are transferred to other production appliances."
    assert events(store, "cce_calls_refused") == [] and len(events(store, "sessions_dropped")) == 1
    assert world.kind("cce_site")["s"]["stats"]["calls_started"] > 0
    # The other appliance carried the site meanwhile.
    assert store.read().servers["cce-a2-med.contoso.com"]["sessions"]
    host.run(Plan.of(CmdletCall("Exit-CcUpdate"))).raise_for_failure()
    assert [e["kind"] for e in events(store, "cce_update_entered", "cce_update_exited")] == [
        "cce_update_entered", "cce_update_exited"]


def test_restarting_the_only_serving_appliance_cuts_and_refuses_calls(tmp_path):
    store = make(tmp_path)
    time.sleep(0.05)
    TwinHost(store, A1).run(Plan.of(CmdletCall("Enter-CcUpdate"))).raise_for_failure()
    since = store.events()[-1]["id"]
    TwinHost(store, A2).reboot("careless restart", 3600)
    dropped = [e for e in events(store, "sessions_dropped") if e["id"] > since]
    assert dropped and dropped[0]["server"] == "cce-a2-med.contoso.com"
    assert events(store, "cce_calls_refused")


def test_vm_that_does_not_start_after_the_host_restart(tmp_path):
    store = make(tmp_path, faults={"vm_does_not_start": ["Edge"]})
    TwinHost(store, A1).reboot("patch", 3600)
    answer = TwinHost(store, A1).read(CmdletCall("Get-VM", select=("Name", "State")))
    states = {vm["Name"].split("-")[0]: vm["State"] for vm in answer.output(0)}
    assert states == {"CMS": "Running", "Mediation": "Running", "Edge": "Off", "AD": "Running"}
    failed = TwinHost(store, A1).run(Plan.of(CmdletCall("Exit-CcUpdate")))
    assert "cce-a1-edge.contoso.com" in failed.failed().error.message


def test_version_dependent_cmdlets(tmp_path):
    store = make(tmp_path, version="1.4.2")
    old = TwinHost(store, A1)
    answer = old.run(Plan.of(CmdletCall("Get-CcVersion", select=("Value",))))
    assert answer.failed().error.error_id == "CommandNotFoundException"
    assert old.read(CmdletCall("Get-CcRunningVersion", select=("Value",))).output(0) == ["1.4.2"]
    assert old.run(Plan.of(CmdletCall("Update-CcServerCertificate"))).failed() is not None
    new = TwinHost(store, A2)
    assert new.run(Plan.of(CmdletCall("Renew-CcServerCertificate"))).failed() is not None
    assert new.run(Plan.of(CmdletCall("Get-CcRunningVersion", select=("Value",)))).failed() is not None


def test_module_missing_when_psmodulepath_lacks_it(tmp_path):
    store = make(tmp_path, module_on_psmodulepath=False)
    from ansible_collections.sfb.server.plugins.plugin_utils.errors import PowerShellModuleMissing

    with pytest.raises(PowerShellModuleMissing, match="CloudConnector"):
        TwinHost(store, A1).read(CmdletCall("Get-CcSiteDirectory", select=("Value",)))


@pytest.mark.parametrize("appliance,message", [
    ({"host": "cce-x.contoso.com", "version": "two"}, "version"),
    ({"host": "cce-x.contoso.com", "colour": "red"}, "unknown key"),
    ({"host": "cce-x.contoso.com", "faults": {"update_fails": 3}}, "list of names"),
])
def test_description_errors_name_the_place(tmp_path, appliance, message):
    with pytest.raises(WorldDescriptionError, match=message) as caught:
        admin.create(WorldStore(str(tmp_path / "bad.db")), {"cce_sites": [{"name": "S", "appliances": [appliance]}]})
    assert "cce_sites[0].appliances[0]" in caught.value.msg
