# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module base applies each plugin's INPUT_CHECKS (and check_inputs) after Ansible's own
validation and before execute/work, for SfbAction and ControllerAction alike."""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.action import ControllerAction, SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from sfb_fakes import FakeConnection, FakeTask, named


class Toy(SfbAction):
    ARGUMENT_SPEC = {"sql_server_fqdn": {"type": "str"}, "ca_password": {"type": "str", "no_log": True},
                     "first": {"type": "int"}, "size": {"type": "int"}}
    INPUT_CHECKS = {"sql_server_fqdn": inputs.fqdn, "ca_password": inputs.secret}
    executed = False

    def check_inputs(self, args):
        if args["first"] is not None and args["size"] is not None:
            try:
                inputs.port_block("first", args["first"], "size", args["size"])
            except inputs.InputError as exc:
                return [exc]
        return []

    def execute(self, host, args, task_vars):
        Toy.executed = True
        return {"changed": True}


class ToyReport(ControllerAction):
    ARGUMENT_SPEC = {"dest": {"type": "path", "required": True}}
    INPUT_CHECKS = {"dest": inputs.writable_folder}

    def work(self, args):
        raise AssertionError("work ran with a refused input")


def run(cls, args):
    cls.executed = False
    action = named(cls(FakeTask(args), FakeConnection(), None, None, None, None))
    return action.run(task_vars={})


def test_a_refused_value_stops_the_task_before_execute():
    result = run(Toy, {"sql_server_fqdn": "not a host"})
    assert result["failed"] and not Toy.executed and result["changed"] is False
    assert "sql_server_fqdn" in result["msg"] and "'not a host'" in result["msg"]
    assert result["error"] == {"kind": "invalid_argument", "message": result["msg"], "options": ["sql_server_fqdn"]}


def test_a_list_or_dict_for_a_string_is_refused_and_the_secret_never_shown():
    for value in (["hunter2"], {"p": "hunter2"}):
        result = run(Toy, {"ca_password": value})
        assert result["failed"] and not Toy.executed
        assert "ca_password" in result["msg"] and "hunter2" not in str(result)


def test_cross_option_checks_run_too():
    result = run(Toy, {"first": 65530, "size": 20})
    assert result["failed"] and "size" in result["msg"] and not Toy.executed


def test_controller_actions_are_checked_alike():
    result = run(ToyReport, {"dest": "/proc/sfb"})
    assert result["failed"] and "dest" in result["msg"] and "pseudo" in result["msg"]


def test_good_values_reach_execute():
    run(Toy, {"sql_server_fqdn": "sql01.contoso.com", "ca_password": "x"})
    assert Toy.executed
