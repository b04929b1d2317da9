# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mutation tests: a wrong row in one of the collection's tables must make a twin scenario fail.

The twin judges with its own tables (twin/knowledge), so a row changed in plugin_utils/domain changes
what the modules do and not what the twin answers: each test runs a scenario once with the
collection's table as it is (it passes) and once with one row changed (the twin catches it).
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from ansible_collections.sfb.server.plugins.action import components as components_action
from ansible_collections.sfb.server.plugins.action import drain as drain_action
from ansible_collections.sfb.server.plugins.action.firewall import ActionModule as Firewall
from ansible_collections.sfb.server.plugins.action.port_check import ActionModule as PortCheck
from ansible_collections.sfb.server.plugins.plugin_utils.domain import maintenance
from ansible_collections.sfb.server.plugins.plugin_utils.domain import ports as domain_ports
from ansible_collections.sfb.server.plugins.plugin_utils.domain import quorum as domain_quorum
from ansible_collections.sfb.server.plugins.plugin_utils.domain import roles as domain_roles
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore

FE = [f"fe{i:02d}.contoso.com" for i in (1, 2, 3)]


def _world(tmp_path, roles=("FrontEnd",)) -> WorldStore:
    store = WorldStore(str(tmp_path / "w.db"))
    admin.create(store, {"speed": 100000, "product": "2019", "sites": [{"name": "Redmond", "pools": [
        {"fqdn": "pool01.contoso.com", "roles": list(roles), "servers": FE,
         "load": {"sessions_per_minute": 6, "session_minutes": 5}}]}]})
    return store


def _execute(module, store: WorldStore, server: str, args: dict) -> dict:
    action = object.__new__(module.ActionModule)
    action._task = SimpleNamespace(check_mode=False, diff=False)
    full = {name: spec.get("default") for name, spec in module.ActionModule.ARGUMENT_SPEC.items()}
    full.update(args)
    return action.execute(TwinHost(store, server), full, {})


def _quorum_lost(store: WorldStore) -> list[dict]:
    return store.events(kinds=("quorum_lost",))


# -- quorum -----------------------------------------------------------------------------------


def test_drain_with_the_collection_quorum_table_keeps_the_pool_up(tmp_path):
    store = _world(tmp_path)
    _execute(drain_action, store, FE[0], {"state": "drained"})
    with pytest.raises(SfbError) as refused:
        _execute(drain_action, store, FE[1], {"state": "drained"})
    assert "below quorum" in refused.value.msg
    assert _quorum_lost(store) == []


def test_a_wrong_quorum_row_lets_drain_through_and_the_twin_loses_quorum(tmp_path, monkeypatch):
    # The mutation: "3-4 servers: any 2" typed in as "any 1".
    real = domain_quorum.quorum_rule

    def wrong(size, product_key="2019"):
        return domain_quorum.QuorumRule(required=1, among_first=size) if size in (3, 4) else real(size, product_key)

    monkeypatch.setattr(maintenance, "quorum_rule", wrong)
    store = _world(tmp_path)
    _execute(drain_action, store, FE[0], {"state": "drained"})
    _execute(drain_action, store, FE[1], {"state": "drained"})  # the collection now allows it
    lost = _quorum_lost(store)
    assert [e["server"] for e in lost] == ["pool01.contoso.com"], "the twin must judge with its own table"
    assert store.read().pools["pool01.contoso.com"]["stats"].get("sessions_dropped", 0) > 0


# -- ports ------------------------------------------------------------------------------------


def _run(cls, store, server, args, become=False):
    from ansible_collections.sfb.server.plugins.plugin_utils.host.select import TWIN_CONNECTION
    from sfb_fakes import FakeConnection, FakeTask

    connection = FakeConnection(TWIN_CONNECTION, options={"world": store.path, "remote_addr": server})
    if become:  # as Ansible hands a connection over with become_method runas
        connection.become = SimpleNamespace(name="ansible.builtin.runas")
        connection.runs_with_become = True
    return cls(FakeTask(args), connection, None, None, None, None).run(
        task_vars={"inventory_hostname": server, "ansible_user": "CONTOSO\\sfbadmin"})


def _port_check(store) -> dict:
    _run(Firewall, store, FE[1], {})
    result = _run(PortCheck, store, FE[0], {"peers": [{"fqdn": FE[1], "roles": ["FrontEnd"]}]})
    assert not result.get("failed"), result
    return result


def test_the_collection_port_table_opens_what_the_twin_listens_on(tmp_path):
    result = _port_check(_world(tmp_path))
    assert result["open"] > 10 and result["closed"] == []


def test_a_wrong_port_row_is_caught_by_the_twin(tmp_path, monkeypatch):
    # The mutation: the Front End's SIP port 5061 typed in as 5091.
    m = domain_ports.matrix()
    rows = tuple(dataclasses.replace(r, port="5091", ranges=domain_ports.parse_ports("5091"))
                 if r.role == "FrontEnd" and r.port == "5061" else r for r in m.rows(domain_ports.SERVER_ROLES))
    assert any(r.port == "5091" for r in rows)
    mutated = dataclasses.replace(m, tables={**m.tables, domain_ports.SERVER_ROLES: rows})
    monkeypatch.setattr(domain_ports, "matrix", lambda: mutated)
    result = _port_check(_world(tmp_path))
    assert [(p["destination"], p["port"]) for p in result["closed"]] == [(FE[1], "5091")]


# -- role services ----------------------------------------------------------------------------


def test_the_collection_role_services_match_a_deployed_twin_server(tmp_path):
    result = _run(components_action.ActionModule, _world(tmp_path), FE[0], {}, become=True)
    assert not result.get("failed"), result
    assert result["changed"] is False


def test_a_wrong_role_service_row_is_caught_by_the_twin(tmp_path, monkeypatch):
    # The mutation: a service the Front End does not run, added to the collection's FrontEnd row.
    invented = domain_roles.ServiceSpec("RTCNOTASERVICE", "Skype for Business Server Invented", "Registrar")
    changed = dict(domain_roles.ROLE_SERVICES)
    changed["FrontEnd"] = domain_roles.ROLE_SERVICES["FrontEnd"] + (invented,)
    monkeypatch.setattr(domain_roles, "ROLE_SERVICES", changed)
    result = _run(components_action.ActionModule, _world(tmp_path), FE[0], {}, become=True)
    # The module runs setup, the twin installs the services of its own table, and the module's check
    # after setup finds the invented service missing.
    assert result.get("failed") and "RTCNOTASERVICE" in result["msg"], result
