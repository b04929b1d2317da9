# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the maintenance tests: twin worlds on a clock the test drives, and action plugins
called without an Ansible run."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin, engine
from ansible_collections.sfb.server.plugins.plugin_utils.twin import host as twin_host
from ansible_collections.sfb.server.plugins.plugin_utils.twin import world as world_module
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore


class DrivenClock:
    """Replaces `time` in the twin: real time moves only when something sleeps or the test says so."""

    def __init__(self):
        self.real = 1_900_000_000.0

    def time(self) -> float:
        return self.real

    def sleep(self, seconds: float) -> None:
        self.real += max(0.0, seconds)


@pytest.fixture
def clock(monkeypatch) -> DrivenClock:
    driven = DrivenClock()
    for module in (world_module, engine, twin_host):
        monkeypatch.setattr(module, "time", driven)
    return driven


def pool_world(servers: int = 4, product: str = "2019", faults: dict | None = None, updates: bool = True,
               edition: str = "Enterprise", load_balancing: str = "dns") -> dict:
    faults = faults or {}
    names = [f"fe{i:02d}.contoso.com" for i in range(1, servers + 1)]
    fqdn = names[0] if edition == "Standard" else "pool01.contoso.com"
    return {
        "speed": 600,
        "product": product,
        "sites": [{"name": "Redmond", "pools": [{
            "fqdn": fqdn, "edition": edition, "roles": ["FrontEnd"], "load_balancing": load_balancing,
            "load": {"sessions_per_minute": 12, "session_minutes": 10},
            "servers": [{"fqdn": name, "faults": faults.get(name, {}),
                         "pending_updates": [{"kb": "KB5030001", "minutes": 20}] if updates else []}
                        for name in names],
        }]}],
    }


@pytest.fixture
def make_store(tmp_path, clock):
    def make(desc: dict) -> WorldStore:
        store = WorldStore(str(tmp_path / "world.db"))
        admin.create(store, desc, replace=True)
        return store

    return make


def run_action(module, store: WorldStore, server: str, args: dict, check_mode: bool = False) -> dict:
    """Call an action plugin's execute() the way SfbAction.run does, with its defaults filled in."""
    action = object.__new__(module.ActionModule)
    action._task = SimpleNamespace(check_mode=check_mode, diff=True)
    full = {name: spec.get("default") for name, spec in module.ActionModule.ARGUMENT_SPEC.items()}
    full.update(args)
    return action.execute(TwinHost(store, server, check_mode=check_mode), full, {})


def events(store: WorldStore, *kinds: str) -> list[dict]:
    return store.events(kinds=tuple(kinds))


def service(store: WorldStore, server: str, name: str = "RTCSRV") -> dict:
    return store.read().servers[server]["services"][name]
