# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""service_info and server_info end to end, without ansible-playbook: the real ActionModule with a
stand-in task and connection, once on a twin world and once on a WindowsHost whose runner answer
is mocked."""

from __future__ import annotations

import pathlib

import pytest
import yaml
from ansible.errors import AnsibleConnectionFailure

from ansible_collections.sfb.server.plugins.action.server_info import ActionModule as ServerInfo
from ansible_collections.sfb.server.plugins.action.service_info import ActionModule as ServiceInfo
from ansible_collections.sfb.server.plugins.action.service_info import service_calls
from ansible_collections.sfb.server.plugins.connection.twin import Connection as TwinConnection
from ansible_collections.sfb.server.plugins.plugin_utils.host.select import TWIN_CONNECTION
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore
from sfb_fakes import FakeConnection, FakeTask, fixture, named, patch_execute_module

ESTATE = pathlib.Path(__file__).resolve().parents[1] / "twin" / "estate.yml"


@pytest.fixture
def world(tmp_path):
    desc = yaml.safe_load(ESTATE.read_text(encoding="utf-8"))
    # Slow the clock so that nothing happens by itself between two reads of one test.
    desc["speed"] = 1
    store = WorldStore(str(tmp_path / "estate.db"))
    admin.create(store, desc)
    return store


def twin_action(cls, world, args=None, server="fe02.contoso.com", check_mode=False):
    connection = FakeConnection(TWIN_CONNECTION, options={"world": world.path, "remote_addr": server})
    return named(cls(FakeTask(args, check_mode=check_mode), connection, None, None, None, None))


def windows_action(cls, answer, args=None, check_mode=False):
    action = named(cls(FakeTask(args, check_mode=check_mode), FakeConnection("ansible.builtin.psrp"), None, None, None, None))
    return action, patch_execute_module(action, answer)


def run(action, host="fe02.contoso.com"):
    return action.run(task_vars={"inventory_hostname": host})


def test_the_fake_twin_connection_is_named_like_the_real_one():
    assert TwinConnection.transport == TWIN_CONNECTION


class TestOnTheTwin:
    def test_service_info_reports_the_twin_services(self, world):
        result = run(twin_action(ServiceInfo, world))
        assert not result.get("failed"), result
        twin_view = admin.summary(world)["servers"]["fe02.contoso.com"]["services"]
        assert {s["name"] for s in result["services"]} == set(twin_view)
        assert {s["name"]: s["status"] for s in result["services"]} == twin_view
        assert result["running"] is True
        assert result["sessions"] == sum(s["sessions"] for s in result["services"])
        front_end = next(s for s in result["services"] if s["name"] == "RTCSRV")
        assert front_end["display_name"] == "Skype for Business Server Front-End"
        assert front_end["activity_level"].startswith("Incoming Requests per Second=")  # the published form
        assert result["changed"] is False and result["round_trips"] == 1

    def test_service_info_names_and_no_activity_level(self, world):
        result = run(twin_action(ServiceInfo, world, {"name": ["RTCSRV", "rtcmedsrv"], "activity_level": False}))
        assert [s["name"] for s in result["services"]] == ["RTCSRV", "RTCMEDSRV"]
        assert all(s["activity_level"] == "" and s["sessions"] == 0 for s in result["services"])
        assert result["round_trips"] == 1

    def test_service_info_unknown_service_fails_with_the_cmdlet_error(self, world):
        result = run(twin_action(ServiceInfo, world, {"name": ["RTCNOPE"]}))
        assert result["failed"] is True
        assert result["error"]["kind"] == "step_failed"
        assert result["error"]["category"] == "ObjectNotFound"
        assert "RTCNOPE" in result["msg"]

    def test_server_info_places_the_server_as_the_estate_describes_it(self, world):
        result = run(twin_action(ServerInfo, world))
        assert not result.get("failed"), result
        assert result["server"] == {
            "fqdn": "fe02.contoso.com",
            "product": "2019",
            "product_name": "Skype for Business Server 2019",
            "version": result["server"]["version"],
            "roles": ["FrontEnd", "Mediation"],
            "pool": "pool01.contoso.com",
            "pool_servers": ["fe01.contoso.com", "fe02.contoso.com", "fe03.contoso.com"],
            "site": "Redmond",
            "edition": "Enterprise",
            "uses_fabric": True,
        }
        assert result["server"]["version"] == admin.summary(world)["servers"]["fe02.contoso.com"]["version"]
        assert result["round_trips"] == 1

    def test_server_info_on_a_standard_edition_server(self, world):
        server = run(twin_action(ServerInfo, world, server="se01.contoso.com"), host="se01.contoso.com")["server"]
        assert server["edition"] == "Standard" and server["uses_fabric"] is False
        assert server["pool_servers"] == ["se01.contoso.com"] and server["roles"] == ["FrontEnd"]

    @pytest.mark.parametrize("cls", [ServiceInfo, ServerInfo])
    def test_check_mode_reads_and_changes_nothing(self, world, cls):
        before = admin.summary(world)
        result = run(twin_action(cls, world, check_mode=True))
        assert not result.get("failed"), result
        assert result["changed"] is False and result["round_trips"] == 1
        after = admin.summary(world)

        def steady(summary):
            # Sessions come and go by themselves on the twin; everything else only changes if asked.
            return {fqdn: {k: v for k, v in server.items() if k != "sessions"}
                    for fqdn, server in summary["servers"].items()}

        assert steady(after) == steady(before)
        assert {p: pool["started"] for p, pool in after["pools"].items()} == \
            {p: pool["started"] for p, pool in before["pools"].items()}

    def test_module_missing_on_the_twin(self, world):
        with world.transaction() as state:
            state.server("fe03.contoso.com")["installed"]["core"] = None
        result = run(twin_action(ServerInfo, world, server="fe03.contoso.com"), host="fe03.contoso.com")
        assert result["failed"] is True and result["error"]["kind"] == "module_missing"
        assert result["error"]["module"] == "SkypeForBusiness"

    def test_unreachable_server_marks_the_host_unreachable(self, world):
        admin.set_fault(world, "fe01.contoso.com", "unreachable", True)
        result = run(twin_action(ServiceInfo, world, server="fe01.contoso.com"), host="fe01.contoso.com")
        assert result["unreachable"] is True and "failed" not in result
        assert result["error"]["kind"] == "unreachable"


class TestOnWindows:
    def test_service_info_reads_the_runner_answer(self):
        action, calls = windows_action(ServiceInfo, fixture("get_cswindowsservice_ok"))
        result = run(action)
        assert not result.get("failed"), result
        assert result["services"] == [
            {"name": "RTCSRV", "display_name": "Skype for Business Server Front-End", "status": "Running",
             "activity_level": "Active Connections=12", "sessions": 12, "roles": ["Registrar", "UserServer"]},
            {"name": "RTCMEDSRV", "display_name": "Skype for Business Server Mediation", "status": "Stopped",
             "activity_level": "", "sessions": 0, "roles": ["MediationServer"]},
        ]
        assert result["sessions"] == 12 and result["running"] is False
        (call,) = calls
        assert call["module_name"] == "sfb.server.plan_runner"
        assert call["module_args"]["modules"] == ["SkypeForBusiness"]
        assert call["module_args"]["steps"] == [step.to_wire() for step in service_calls([], True)]

    def test_service_info_one_step_per_name_in_one_round_trip(self):
        def answer(module_args):
            return {"changed": False, "steps": [
                {"index": i, "error": None, "output": [{"Name": step["parameters"]["Name"], "Status": "Running"}]}
                for i, step in enumerate(module_args["steps"])]}

        action, calls = windows_action(ServiceInfo, answer, {"name": ["RTCSRV", "RTCMEDSRV"], "activity_level": False})
        result = run(action)
        assert [s["name"] for s in result["services"]] == ["RTCSRV", "RTCMEDSRV"]
        assert len(calls) == 1 and result["round_trips"] == 1
        steps = calls[0]["module_args"]["steps"]
        assert [s["parameters"] for s in steps] == [
            {"Name": "RTCSRV", "ExcludeActivityLevel": True}, {"Name": "RTCMEDSRV", "ExcludeActivityLevel": True}]
        assert all(s["switches"] == ["ExcludeActivityLevel"] for s in steps)

    def test_server_info_reads_version_computer_and_pools(self):
        action, calls = windows_action(ServerInfo, fixture("server_info_ok"))
        result = run(action)
        assert not result.get("failed"), result
        assert result["server"] == {
            "fqdn": "fe02.contoso.com", "product": "2019", "product_name": "Skype for Business Server 2019",
            "version": "7.0.2046.0", "roles": ["FrontEnd", "Mediation"], "pool": "pool01.contoso.com",
            "pool_servers": ["fe01.contoso.com", "fe02.contoso.com", "fe03.contoso.com"], "site": "Redmond",
            "edition": "Enterprise", "uses_fabric": True,
        }
        names = [step["name"] for step in calls[0]["module_args"]["steps"]]
        assert names == ["Get-CsServerVersion", "Get-CsComputer", "Get-CsPool"]
        assert calls[0]["module_args"]["steps"][1]["switches"] == ["Local"]

    def test_server_not_in_the_topology(self):
        answer = fixture("server_info_ok")
        answer["steps"][1]["output"] = []
        result = run(windows_action(ServerInfo, answer)[0])
        assert result["failed"] is True and "not in a pool of the published topology" in result["msg"]

    def test_missing_module_fails_the_task_with_the_install_hint(self):
        result = run(windows_action(ServiceInfo, fixture("missing_module"))[0])
        assert result["failed"] is True
        assert result["error"]["kind"] == "module_missing" and result["error"]["module"] == "SkypeForBusiness"
        assert "core components" in result["msg"]

    def test_cmdlet_error_fails_the_task_with_its_error_id(self):
        result = run(windows_action(ServiceInfo, fixture("cmdlet_error"), {"name": ["RTCFOO"]})[0])
        assert result["failed"] is True
        assert result["error"]["error_id"].startswith("NoServiceFoundForGivenName")
        assert result["error"]["command"] == "Get-CsWindowsService -Name 'RTCFOO'"

    @pytest.mark.parametrize("answer", [fixture("unreachable"), AnsibleConnectionFailure("psrp: connection reset")])
    def test_unreachable(self, answer):
        result = run(windows_action(ServerInfo, answer)[0])
        assert result["unreachable"] is True and result["error"]["kind"] == "unreachable"

    def test_runner_crash_fails_with_its_stderr(self):
        result = run(windows_action(ServerInfo, fixture("runner_crash"))[0])
        assert result["failed"] is True and "OutOfMemoryException" in result["msg"]

    @pytest.mark.parametrize("cls, answer", [(ServiceInfo, "get_cswindowsservice_ok"), (ServerInfo, "server_info_ok")])
    def test_check_mode_still_reads(self, cls, answer):
        action, calls = windows_action(cls, fixture(answer), check_mode=True)
        result = run(action)
        assert not result.get("failed"), result
        assert len(calls) == 1 and result["changed"] is False


class TestBadInput:
    @pytest.mark.parametrize("cls, args, expected", [
        (ServiceInfo, {"nmae": ["RTCSRV"]}, "Unsupported parameters"),
        (ServiceInfo, {"activity_level": "sometimes"}, "activity_level"),
        (ServiceInfo, {"name": {"a": 1}}, "name"),
        (ServerInfo, {"pool": "pool01"}, "Unsupported parameters"),
    ])
    def test_bad_options_fail_before_any_round_trip(self, cls, args, expected):
        action, calls = windows_action(cls, fixture("get_cswindowsservice_ok"), args)
        result = run(action)
        assert result["failed"] is True
        assert expected in result["msg"]
        assert result["error"]["kind"] == "invalid_argument"
        assert calls == []

    def test_name_as_a_string_is_a_one_element_list(self):
        action, calls = windows_action(ServiceInfo, fixture("get_cswindowsservice_ok"), {"name": "RTCSRV"})
        run(action)
        assert calls[0]["module_args"]["steps"][0]["parameters"] == {"Name": "RTCSRV"}

    def test_non_windows_connection_fails_with_the_fix(self):
        action = ServiceInfo(FakeTask({}), FakeConnection("ansible.builtin.ssh", shell="sh"), None, None, None, None)
        result = run(action)
        assert result["failed"] is True and "ansible_shell_type=powershell" in result["msg"]
        assert "round_trips" not in result
