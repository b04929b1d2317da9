# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers of the twin tests: small world descriptions, a clock the test drives, short cuts."""

from __future__ import annotations

import pathlib
from typing import Callable

from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin, simulation
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import World, WorldStore

REPO = pathlib.Path(__file__).resolve().parents[3]
ESTATE = REPO / "tests" / "twin" / "estate.yml"


def pool(fqdn: str, servers: list, **extra) -> dict:
    return {"fqdn": fqdn, "servers": servers, **extra}


def describe(*pools: dict, speed: float = 600, **top) -> dict:
    return {"speed": speed, "sites": [{"name": "Redmond", "pools": list(pools)}], **top}


FRONT_ENDS = ["fe01.contoso.com", "fe02.contoso.com", "fe03.contoso.com"]


def three_front_ends(servers: list | None = None, pool_extra: dict | None = None, **top) -> dict:
    """One Enterprise pool of three Front Ends, 6 new sessions a minute lasting 5 to 15 minutes."""
    extra = {"load": {"sessions_per_minute": 6, "session_minutes": 10}, **(pool_extra or {})}
    return describe(pool("pool01.contoso.com", servers or list(FRONT_ENDS), **extra), **top)


def make_store(path: str, desc: dict) -> WorldStore:
    store = WorldStore(path)
    admin.create(store, desc)
    return store


def change(store: WorldStore, edit: Callable[[World], object]) -> object:
    """Change the world as a handler would, inside one transaction (the simulation advanced first)."""
    with store.transaction(simulation.advance) as world:
        return edit(world)


def look(store: WorldStore, server: str) -> dict:
    """A server as it is now (the simulation advanced, nothing else changed)."""
    return change(store, lambda world: world.server(server))


def kinds(store: WorldStore, *wanted: str) -> list[dict]:
    return store.events(kinds=tuple(wanted))


def services(host: TwinHost, **parameters) -> dict[str, dict]:
    answer = host.read(CmdletCall("Get-CsWindowsService", parameters,
                                  select=("Name", "Status", "ActivityLevel", "RoleName", "DisplayName")))
    return {obj["Name"]: obj for obj in answer.output(0)}
