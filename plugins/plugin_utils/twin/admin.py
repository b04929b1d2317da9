# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Create, inspect and change a twin world from outside a play: for the CLI and the twin_* modules."""

from __future__ import annotations

import datetime

import yaml

from ansible_collections.sfb.server.plugins.plugin_utils.errors import TwinWorldError, WorldDescriptionError
from ansible_collections.sfb.server.plugins.plugin_utils.twin import description, simulation
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import World, WorldStore


def load_description(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except OSError as exc:
        raise WorldDescriptionError(f"Cannot read the world description {path}: {exc.strerror}.") from None
    except yaml.YAMLError as exc:
        raise WorldDescriptionError(f"The world description {path} is not valid YAML: {exc}") from None


def check_description(desc: dict) -> None:
    """Raise WorldDescriptionError when `desc` does not describe a world."""
    description.build(desc)


def create(store: WorldStore, desc: dict, replace: bool = False) -> dict:
    entities, settings, speed, start = description.build(desc)
    store.create(entities, settings, speed=speed, virtual_start=start, replace=replace)
    return summary(store)


def summary(store: WorldStore) -> dict:
    """What an administrator wants to see of a world: servers, pools and what happened to calls."""
    with store.transaction(simulation.advance) as world:
        return {
            "path": store.path,
            "virtual_time": _iso(world.now),
            "speed": world.clock.speed,
            "servers": {fqdn: _server(world, s) for fqdn, s in sorted(world.servers.items())},
            "pools": {fqdn: _pool(p) for fqdn, p in sorted(world.pools.items())},
            "sessions_dropped": sum(p.get("stats", {}).get("sessions_dropped", 0) for p in world.pools.values()),
            "sessions_refused": sum(p.get("stats", {}).get("sessions_refused", 0) for p in world.pools.values()),
        }


def set_fault(store: WorldStore, server: str, fault: str, value, check_mode: bool = False) -> dict:
    # Handler families add faults of their own when they are imported.
    from ansible_collections.sfb.server.plugins.plugin_utils.twin import cmdlets

    cmdlets.load()
    if fault not in description.FAULTS:
        raise TwinWorldError(f"Unknown fault {fault!r}.", hint=f"Known faults: {', '.join(description.FAULTS)}.")
    if value not in (None, False, [], ""):
        value = description.fault_value(fault, value, f"fault {fault}")
    with store.transaction(simulation.advance) as world:
        host = world.server(server)
        before = host["faults"].get(fault)
        if check_mode:
            after = None if value in (None, False, [], "") else value
            return {"changed": before != after, "faults": dict(host["faults"])}
        if value in (None, False, [], ""):
            host["faults"].pop(fault, None)
        else:
            host["faults"][fault] = value
        if before != host["faults"].get(fault):
            world.record(host["fqdn"], "fault_set", fault=fault, value=value)
        return {"changed": before != host["faults"].get(fault), "faults": dict(host["faults"])}


def _server(world: World, server: dict) -> dict:
    return {
        "pool": server["pool"],
        "power": server["power"],
        "product": server["product"],
        "version": server["version"],
        "installed": server["installed"]["core"],
        "services": {name: s["status"] + ("" if s["accepting"] or s["status"] != "Running" else " (draining)")
                     for name, s in server["services"].items()},
        "sessions": sum(1 for s in server["sessions"] if s["end"] is None or s["end"] > world.now),
        "pending_updates": [u["kb"] for u in server["updates"]["pending"]],
        "pending_reboot": server["pending_reboot"],
        "faults": server["faults"],
    }


def _pool(pool: dict) -> dict:
    return {
        "site": pool["site"],
        "edition": pool["edition"],
        "servers": pool["servers"],
        "started": pool["started"],
        "quorum": pool.get("quorum", True),
        "stats": pool.get("stats", {}),
    }


def _iso(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc).isoformat(timespec="seconds")
