# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine: wire plans bound again as PowerShell would, modules, reachability, Select, waits."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.errors import HostUnreachable, PowerShellModuleMissing
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin, engine
from ansible_collections.sfb.server.plugins.plugin_utils.twin.cmdlets import SecretValue
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost

from twinworlds import FRONT_ENDS, describe, kinds, look, pool, three_front_ends

FE1 = FRONT_ENDS[0]


def _cmdlet(name, parameters=None, select=()):
    return {"type": "cmdlet", "module": "SkypeForBusiness", "name": name, "parameters": parameters or {},
            "select": list(select)}


@pytest.mark.parametrize("step, message", [
    (_cmdlet("Get-CsWindowsService", {"Colour": "blue"}),
     "Get-CsWindowsService: a parameter cannot be found that matches parameter name 'Colour'."),
    (_cmdlet("Start-CsPool"),
     "Start-CsPool: cannot process command because of one or more missing mandatory parameters: PoolFqdn."),
    (_cmdlet("Install-CcAppliance"),
     "Install-CcAppliance: parameter set cannot be resolved using the specified named parameters: they fit "
     "the sets __syntax_1, __syntax_2, __syntax_3 and none is the default."),
    (_cmdlet("Stop-CsWindowsService", {"Leave": True}),
     "Stop-CsWindowsService: parameter cannot be processed because the parameter name 'Leave' is ambiguous."),
    (_cmdlet("Stop-CsWindowsService", {"Graceful": "yes"}),
     "Stop-CsWindowsService: -Graceful is a switch; give it True or False, not 'yes'."),
    (_cmdlet("Get-CsWindowsService", {"Name": "RTCSRV", "InputObject": "x"}),
     "Get-CsWindowsService: a parameter cannot be found that matches parameter name 'InputObject'."),
])
def test_a_step_the_real_binder_refuses_is_refused_and_changes_nothing(make_world, fake_time, step, message):
    store = make_world(three_front_ends())
    entities_before = store.read().entities
    answer = engine.execute(store, FE1, [step, _cmdlet("Stop-CsWindowsService")], [])
    assert answer["failed"] is False
    assert len(answer["steps"]) == 1, "the first failing step stops the plan"
    error = answer["steps"][0]["error"]
    assert error["message"].startswith(message)
    assert error["category"] == "InvalidArgument"
    assert "ParameterBindingException" in error["error_id"]
    assert answer["steps"][0]["output"] == []
    assert store.read().entities == entities_before
    (refused,) = kinds(store, "step_refused")
    assert refused["server"] == FE1
    assert refused["detail"] == {"command": step["name"], "error": error["message"]}


def test_a_step_needing_skype_on_a_bare_server_fails_with_the_missing_module(make_world, fake_time):
    # As plan_runner.ps1 does (Import-StepModule): the module is imported when a step needs it, so the
    # step fails with "ModuleMissing:<module>" and the steps before it have run.
    store = make_world(describe(pool("p.contoso.com", ["a.contoso.com", {"fqdn": "b.contoso.com", "state": "bare"}])))
    path_check = {"type": "cmdlet", "module": "Microsoft.PowerShell.Management", "name": "Test-Path",
                  "parameters": {"Path": "C:\\"}, "select": ["Value"]}
    answer = engine.execute(store, "b.contoso.com", [path_check, _cmdlet("Get-CsWindowsService")], ["SkypeForBusiness"])
    assert answer["failed"] is False
    first, second = answer["steps"]
    assert first["error"] is None
    assert second["error"]["error_id"] == "ModuleMissing:SkypeForBusiness"
    assert "'SkypeForBusiness' was not loaded because no valid module file was found" in second["error"]["message"]
    assert kinds(store, "module_missing")[0]["detail"] == {"module": "SkypeForBusiness"}
    # Through the Host seam it becomes the error modules turn into a task failure with a hint.
    with pytest.raises(PowerShellModuleMissing) as info:
        TwinHost(store, "b.contoso.com").read(CmdletCall("Get-CsWindowsService", {}, select=("Name",)))
    assert "core components" in info.value.hint
    # The deployed server of the same pool has the module.
    assert engine.execute(store, "a.contoso.com", [_cmdlet("Get-CsWindowsService")], ["SkypeForBusiness"])[
        "steps"][0]["error"] is None


def test_a_module_the_twin_does_not_know_is_missing_for_its_step_only(make_world, fake_time):
    store = make_world(three_front_ends())
    step = dict(_cmdlet("Get-CsWindowsService"), module="NoSuchModule")
    (answer,) = engine.execute(store, FE1, [step], ["NoSuchModule"])["steps"]
    assert answer["error"]["error_id"] == "ModuleMissing:NoSuchModule"
    # A plan without steps loads nothing, as on a real server.
    assert engine.execute(store, FE1, [], ["NoSuchModule"]) == {"failed": False, "changed": False, "steps": []}


def test_an_unreachable_server_raises_host_unreachable(make_world, fake_time):
    store = make_world(three_front_ends(servers=[{"fqdn": FE1, "faults": {"unreachable": True}}, "fe02.contoso.com"]))
    with pytest.raises(HostUnreachable) as info:
        engine.execute(store, FE1, [_cmdlet("Get-CsWindowsService")], ["SkypeForBusiness"])
    assert info.value.msg == f"Failed to connect to the host via the twin: {FE1} is unreachable (fault injected)."
    assert "sfb-twin fault" in info.value.hint


def test_an_executable_without_a_handler_is_not_recognised(make_world, fake_time):
    store = make_world(three_front_ends())
    step = {"type": "executable", "path": r"C:\Tools\NoSuchTool.exe", "arguments": ["/quiet"], "success_codes": [0]}
    answer = engine.execute(store, FE1, [step], [])
    error = answer["steps"][0]["error"]
    assert error["category"] == "ObjectNotFound"
    assert error["error_id"] == "CommandNotFoundException"
    assert error["message"].startswith(r"The term 'C:\Tools\NoSuchTool.exe' is not recognized as the name of a cmdlet")
    assert kinds(store, "step_refused")[0]["detail"]["command"] == r"C:\Tools\NoSuchTool.exe"


def test_select_keeps_the_asked_properties_and_gives_none_for_missing_ones(make_world, fake_time):
    store = make_world(three_front_ends())
    answer = engine.execute(store, FE1, [_cmdlet("Get-CsWindowsService", {"Name": "RTCSRV"},
                                                 select=["Name", "status", "NoSuchProperty"])], ["SkypeForBusiness"])
    assert answer["steps"][0]["output"] == [{"Name": "RTCSRV", "status": "Running", "NoSuchProperty": None}]


def test_without_select_no_property_comes_back(make_world, fake_time):
    store = make_world(three_front_ends())
    answer = engine.execute(store, FE1, [_cmdlet("Get-CsWindowsService", {"Name": "RTCSRV"})], ["SkypeForBusiness"])
    # Objects are discarded (the runner drops unselected objects): no property may leak back.
    assert not any(answer["steps"][0]["output"])


def test_a_string_comes_back_as_itself(make_world, fake_time):
    store = make_world(three_front_ends())
    answer = engine.execute(store, FE1, [_cmdlet("Get-CsServerVersion", select=["Length"])], ["SkypeForBusiness"])
    assert answer["steps"][0]["output"] == ["Skype for Business Server 2019 (7.0.2046.0): Volume license key installed."]


def test_a_cmdlet_error_is_returned_with_its_category(make_world, fake_time):
    store = make_world(three_front_ends())
    answer = engine.execute(store, FE1, [_cmdlet("Get-CsWindowsService", {"Name": "Spooler"}),
                                         _cmdlet("Get-CsServerVersion")], ["SkypeForBusiness"])
    assert len(answer["steps"]) == 1
    assert answer["steps"][0]["error"] == {"message": "Cannot find any service with service name 'Spooler'.",
                                           "category": "ObjectNotFound", "error_id": "NoServiceFoundForGivenName"}


def test_secrets_reach_handlers_as_references_only():
    value = engine._unwire({"secret": "admin", "kind": "PSCredential", "username": "CONTOSO\\sfbadmin"},
                           {"admin": "Pa55w0rd!"})
    assert value == SecretValue(kind="PSCredential", username="CONTOSO\\sfbadmin", given=True)
    assert "Pa55w0rd" not in repr(value)
    assert engine._unwire([{"secret": "x"}], {}) == [SecretValue(kind="SecureString", username=None, given=False)]


# -- waits -------------------------------------------------------------------------------------


def test_a_graceful_stop_without_nowait_returns_when_drained(make_world, fake_time):
    store = make_world(three_front_ends())
    host = TwinHost(store, FE1)
    started = host.now()
    sessions_end = max(s["end"] for s in look(store, FE1)["sessions"] if s["end"] > started)
    result = host.run(Plan.of(CmdletCall("Stop-CsWindowsService", {"Name": "RTCSRV", "Graceful": True})))
    assert result.ok
    assert host.now() >= sessions_end, "the cmdlet returned before the last session ended"
    assert host.now() - started < 16 * 60, "sessions last at most 15 minutes"
    assert sum(fake_time.slept) == pytest.approx(store.clock().real_seconds(host.now() - started), rel=0.01)
    assert look(store, FE1)["services"]["RTCSRV"]["status"] == "Stopped"
    assert kinds(store, "sessions_dropped") == []
    assert [e["kind"] for e in kinds(store, "drain_started", "drain_finished")] == ["drain_started", "drain_finished"]


def test_a_graceful_stop_with_nowait_returns_at_once(make_world, fake_time):
    store = make_world(three_front_ends())
    host = TwinHost(store, FE1)
    assert host.run(Plan.of(CmdletCall("Stop-CsWindowsService",
                                       {"Name": "RTCSRV", "Graceful": True, "NoWait": True}))).ok
    assert fake_time.slept == []
    assert look(store, FE1)["services"]["RTCSRV"]["status"] == "Running"


def test_a_graceful_stop_in_a_fast_world_with_the_real_clock(make_world):
    store = make_world(three_front_ends(speed=100000))
    host = TwinHost(store, FE1)
    assert host.run(Plan.of(CmdletCall("Stop-CsWindowsService", {"Name": "RTCSRV", "Graceful": True}))).ok
    assert admin.summary(store)["servers"][FE1]["services"]["RTCSRV"] == "Stopped"
    assert admin.summary(store)["sessions_dropped"] == 0


def test_a_drain_that_never_ends_gives_up_after_a_virtual_day(make_world, fake_time):
    store = make_world(three_front_ends(servers=[{"fqdn": FE1, "faults": {"drain_never_ends": True}},
                                                 "fe02.contoso.com", "fe03.contoso.com"]))
    host = TwinHost(store, FE1)
    started = host.now()
    assert host.run(Plan.of(CmdletCall("Stop-CsWindowsService", {"Name": "RTCSRV", "Graceful": True}))).ok
    assert host.now() - started == pytest.approx(86400, abs=1)
    assert look(store, FE1)["services"]["RTCSRV"]["status"] == "Running", "still draining"


def test_a_cmdlet_that_does_not_exist_is_not_recognised(make_world, fake_time):
    store = make_world(three_front_ends())
    answer = engine.execute(store, FE1, [_cmdlet("Get-CsUnicorn", {"Colour": "pink"})], [])
    assert answer["steps"][0]["error"] == {
        "message": "The term 'Get-CsUnicorn' is not recognized as the name of a cmdlet, function, script file, "
                   "or operable program.",
        "category": "ObjectNotFound", "error_id": "CommandNotFoundException"}
    assert kinds(store, "step_refused")[0]["detail"]["command"] == "Get-CsUnicorn"


def test_a_blocked_graceful_stop_returns_when_someone_else_stops_the_service(make_world, fake_time, monkeypatch):
    from ansible_collections.sfb.server.plugins.plugin_utils.twin import simulation
    from ansible_collections.sfb.server.plugins.plugin_utils.twin.cmdlets import services as service_handlers

    store = make_world(three_front_ends(servers=[{"fqdn": FE1, "faults": {"drain_never_ends": True}},
                                                 "fe02.contoso.com", "fe03.contoso.com"]))
    # Another fork cuts the drain short with a plain stop one virtual hour into the wait.
    real_sleep = fake_time.sleep
    stopped_at = []

    def sleep_and_interfere(seconds):
        real_sleep(seconds)
        if not stopped_at and store.clock().now() - started >= 3600:
            with store.transaction(simulation.advance) as world:
                simulation.stop_service(world, world.server(FE1), "RTCSRV", graceful=False)
                stopped_at.append(world.now)

    monkeypatch.setattr(fake_time, "sleep", sleep_and_interfere)
    host = TwinHost(store, FE1)
    started = host.now()
    assert host.run(Plan.of(CmdletCall("Stop-CsWindowsService", {"Name": "RTCSRV", "Graceful": True}))).ok
    assert stopped_at, "the interfering stop happened"
    assert host.now() - stopped_at[0] <= service_handlers.DRAIN_POLL_SECONDS + 1
    assert host.now() - started < 86400 / 2
