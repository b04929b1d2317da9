# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers of the maintenance tests: world descriptions, action plugins called without an Ansible run,
and reads of the twin. A module of its own name (not conftest) so that the whole suite imports the right one."""

from __future__ import annotations

from types import SimpleNamespace

from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore


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
