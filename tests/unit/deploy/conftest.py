# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bare twin worlds and stand-in tasks for the deployment action plugins."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.host.select import TWIN_CONNECTION
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore
from sfb_fakes import FakeConnection, FakeTask

CA = r"ca01.contoso.com\Contoso Issuing CA"
INSTALL = r"E:\Program Files\Skype for Business Server 2019"


def bare_estate(faults: dict | None = None, speed: float = 200000) -> dict:
    faults = faults or {}

    def server(fqdn):
        return {"fqdn": fqdn, "faults": faults[fqdn]} if fqdn in faults else fqdn

    return {
        "speed": speed,
        "product": "2019",
        "sites": [{"name": "Redmond", "pools": [
            {"fqdn": "pool01.contoso.com", "edition": "Enterprise", "roles": ["FrontEnd", "Mediation"], "state": "bare",
             "load": {"sessions_per_minute": 0},
             "servers": [server(f"fe0{i}.contoso.com") for i in (1, 2, 3)]},
            {"fqdn": "se01.contoso.com", "edition": "Standard", "roles": ["FrontEnd"], "state": "bare",
             "load": {"sessions_per_minute": 0}, "servers": [server("se01.contoso.com")]},
        ]}],
    }


@pytest.fixture
def make_world(tmp_path):
    def make(faults=None, speed=200000):
        store = WorldStore(str(tmp_path / "bare.db"))
        admin.create(store, bare_estate(faults, speed), replace=True)
        return store

    return make


class Runas:
    """What Ansible puts in `connection.become` for become_method runas."""

    name = "ansible.builtin.runas"


def with_become(connection, become: bool = True):
    """A connection as Ansible hands it over with (or without) become: runas, and the twin connection's
    `runs_with_become` that TwinHost passes to the twin's calls."""
    connection.become = Runas() if become else None
    connection.runs_with_become = become
    return connection


def run_twin(cls, world, server, args=None, check_mode=False, diff=False, task_vars=None, become=True):
    connection = with_become(FakeConnection(TWIN_CONNECTION, options={"world": world.path, "remote_addr": server}),
                             become)
    action = cls(FakeTask(args, check_mode=check_mode, diff=diff), connection, None, None, None, None)
    return action.run(task_vars={"inventory_hostname": server, "ansible_user": "CONTOSO\\sfbadmin", **(task_vars or {})})
