# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the twin's world moves on by itself between two commands.

Users keep signing in and calling: each pool receives `sessions_per_minute` new sessions, spread
over the servers that accept new connections, each lasting about `session_minutes`. A session that
is cut (its service stopped without a graceful drain, its server rebooted) is recorded as
`sessions_dropped`: the count an administrator wants to see stay at zero during maintenance.
Seed 000: a server that prevents new connections keeps its existing sessions until they end
naturally; when none is left it is ready to be taken offline.
"""

from __future__ import annotations

from typing import Callable

from ansible_collections.sfb.server.plugins.plugin_utils.twin import knowledge
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import World

# The twin does not replay more than this much missed history in one go: older sessions would
# have ended anyway.
_MAX_BACKFILL_MINUTES = 240

# What moves by itself in the parts of the world a handler family adds (CCE sites place calls ...):
# each runs after restarts finished and before ended sessions are swept, so what it adds or cuts is
# accounted like the pools' sessions. A family registers with `@advancer`.
ADVANCERS: list[Callable[[World], None]] = []


def advancer(step: Callable[[World], None]) -> Callable[[World], None]:
    ADVANCERS.append(step)
    return step


def advance(world: World) -> None:
    """Bring the world up to `world.now`."""
    # Families register their advancers when they are imported.
    from ansible_collections.sfb.server.plugins.plugin_utils.twin import cmdlets

    cmdlets.load()
    for server in world.servers.values():
        _finish_reboot(world, server)
    for pool in world.pools.values():
        _generate_sessions(world, pool)
    for step in ADVANCERS:
        step(world)
    for server in world.servers.values():
        _end_sessions(world, server)
    check_pools(world)


# -- questions handlers ask ------------------------------------------------------------------


def is_up(server: dict) -> bool:
    return server["power"] == "on"


def session_service(server: dict) -> str | None:
    """The service that carries a server's user sessions (RTCSRV on most roles)."""
    if "RTCSRV" in server["services"]:
        return "RTCSRV"
    for name, service in server["services"].items():
        if service.get("carries_sessions"):
            return name
    return None


def accepting(server: dict) -> bool:
    name = session_service(server)
    if not is_up(server) or name is None:
        return False
    service = server["services"][name]
    return service["status"] == "Running" and service["accepting"]


def activity(world: World, server: dict, service: str) -> int:
    return sum(1 for s in server["sessions"] if s["service"] == service and _alive(world, s))


# -- changes handlers make -------------------------------------------------------------------


def drop_sessions(world: World, server: dict, service: str | None, reason: str) -> int:
    """End sessions abnormally: those of `service`, or every session when it is None."""
    cut = [s for s in server["sessions"] if (service is None or s["service"] == service) and _alive(world, s)]
    if not cut:
        return 0
    server["sessions"] = [s for s in server["sessions"] if s not in cut]
    pool = world.pools.get(server["pool"])
    if pool is not None:
        stats = pool.setdefault("stats", {})
        stats["sessions_dropped"] = stats.get("sessions_dropped", 0) + len(cut)
    world.record(server["fqdn"], "sessions_dropped", count=len(cut), service=service or "*", reason=reason)
    return len(cut)


def stop_service(world: World, server: dict, name: str, graceful: bool) -> None:
    service = server["services"][name]
    if service["status"] == "Stopped":
        return
    if graceful and activity(world, server, name):
        # Seed 000: no new connections; existing sessions continue until they end naturally.
        service["accepting"] = False
        service["draining"] = True
        ends = [s["end"] for s in server["sessions"] if s["service"] == name and _alive(world, s)]
        # `until`: when the last of those sessions ends by itself (None: one never does), so a benchmark
        # can tell the drain's unavoidable length from the polling around it.
        world.record(server["fqdn"], "drain_started", service=name, sessions=activity(world, server, name),
                     until=None if None in ends else max(ends))
        return
    drop_sessions(world, server, name, reason=f"{name} stopped")
    service.update(status="Stopped", accepting=False, draining=False)
    world.record(server["fqdn"], "service_stopped", service=name, graceful=graceful)
    check_pools(world)


def start_service(world: World, server: dict, name: str) -> bool:
    """Start a service; False when a fault keeps it stopped."""
    service = server["services"][name]
    failing = server["faults"].get("service_fails_to_start") or []
    if name in failing or "*" in failing:
        world.record(server["fqdn"], "service_start_failed", service=name)
        return False
    if service.get("startup_type") == "Disabled":
        # Windows refuses to start a disabled service (Set-Service.md: "Disabled. Service can't be started.").
        world.record(server["fqdn"], "service_start_failed", service=name, reason="disabled")
        return False
    if service["status"] != "Running" or not service["accepting"]:
        service.update(status="Running", accepting=True, draining=False)
        world.record(server["fqdn"], "service_started", service=name)
        check_pools(world)
    return True


def begin_reboot(world: World, server: dict, seconds: float, reason: str) -> None:
    drop_sessions(world, server, None, reason=f"reboot: {reason}")
    for service in server["services"].values():
        service.update(status="Stopped", accepting=False, draining=False)
    server["power"] = "rebooting"
    server["reboot_until"] = world.now + seconds
    world.record(server["fqdn"], "reboot_started", reason=reason, seconds=seconds)
    check_pools(world)


# -- the passage of time ---------------------------------------------------------------------


def _alive(world: World, session: dict) -> bool:
    return session["end"] is None or session["end"] > world.now


def _finish_reboot(world: World, server: dict) -> None:
    if server["power"] == "down" and not server["faults"].get("no_return_after_reboot"):
        # The fault was cleared: someone repaired the server at its console and it boots now, so a
        # rehearsal can practise "fix it, then run the playbook again to resume".
        server.update(power="rebooting", reboot_until=world.now)
    if server["power"] != "rebooting" or server["reboot_until"] > world.now:
        return
    if server["faults"].get("no_return_after_reboot"):
        if server["power"] != "down":
            server["power"] = "down"
            world.record(server["fqdn"], "server_did_not_return")
        return
    server.update(power="on", boot_time=server["reboot_until"], reboot_until=None, pending_reboot=False)
    for update in server["updates"].get("awaiting_reboot", []):
        server["updates"]["installed"].append(update)
    server["updates"]["awaiting_reboot"] = []
    failing = server["faults"].get("service_fails_to_start") or []
    for name, service in server["services"].items():
        if service["startup_type"] == "Automatic" and name not in failing and "*" not in failing:
            service.update(status="Running", accepting=True, draining=False)
    world.record(server["fqdn"], "reboot_finished")


def _generate_sessions(world: World, pool: dict) -> None:
    load = pool["load"]
    rate = int(load["sessions_per_minute"])
    minute_now = int(world.now // 60)
    cursor = load.get("cursor")
    if cursor is None or rate <= 0:
        load["cursor"] = minute_now
        return
    stats = pool.setdefault("stats", {})
    first = max(cursor + 1, minute_now - _MAX_BACKFILL_MINUTES)
    servers = [world.servers[name] for name in pool["servers"] if name in world.servers]
    for minute in range(first, minute_now + 1):
        targets = [s for s in servers if accepting(s)]
        if not targets:
            stats["sessions_refused"] = stats.get("sessions_refused", 0) + rate
            world.record(pool["fqdn"], "sessions_refused", count=rate, minute=minute)
            continue
        for _unused in range(rate):
            number = load["next_session"]
            load["next_session"] = number + 1
            server = targets[number % len(targets)]
            # Lengths spread from half to one and a half times the mean, deterministically.
            length = load["session_minutes"] * 60 * (0.5 + (number * 7919 % 100) / 100)
            never_ends = bool(server["faults"].get("drain_never_ends"))
            server["sessions"].append({
                "id": number,
                "service": session_service(server),
                "start": minute * 60.0,
                "end": None if never_ends else minute * 60.0 + length,
            })
            stats["sessions_started"] = stats.get("sessions_started", 0) + 1
    load["cursor"] = minute_now


def _end_sessions(world: World, server: dict) -> None:
    ended = [s for s in server["sessions"] if not _alive(world, s)]
    if ended:
        server["sessions"] = [s for s in server["sessions"] if _alive(world, s)]
        pool = world.pools.get(server["pool"])
        if pool is not None:
            stats = pool.setdefault("stats", {})
            stats["sessions_ended"] = stats.get("sessions_ended", 0) + len(ended)
    for name, service in server["services"].items():
        if service.get("draining") and not activity(world, server, name):
            service.update(status="Stopped", accepting=False, draining=False)
            world.record(server["fqdn"], "drain_finished", service=name)


def check_pools(world: World) -> None:
    """Record when an Enterprise pool's Front Ends fall below quorum, and when they recover.

    Called after every change that stops or starts a server or a service, not only when time
    passes, so that a stop and a start in the same plan cannot hide a loss of quorum.
    """
    for pool in world.pools.values():
        # The quorum table is about Front End pools (OfficeDocs-SkypeForBusiness, plan-your-deployment/
        # high-availability-and-disaster-recovery/high-availability.md); Edge or Mediation pools have none.
        if pool["edition"] != "Enterprise" or "FrontEnd" not in pool["roles"] or not pool.get("started"):
            continue
        running = [
            is_up(world.servers[name]) and world.servers[name]["services"].get("RTCSRV", {}).get("status") == "Running"
            for name in pool["servers"]
        ]
        holds = knowledge.quorum_holds(running, pool["product"])
        if holds != pool.get("quorum", True):
            pool["quorum"] = holds
            world.record(pool["fqdn"], "quorum_restored" if holds else "quorum_lost",
                         running=sum(running), servers=len(running))
            if not holds:
                _stop_after_quorum_loss(world, pool)


def _stop_after_quorum_loss(world: World, pool: dict) -> None:
    """high-availability.md: "If the number of servers running falls below the functional level ... the
    remaining servers in the pool will stop all Skype for Business Server services." Their sessions end
    abnormally: this is what a maintenance that loses quorum costs the users."""
    for name in pool["servers"]:
        server = world.servers[name]
        if not is_up(server):
            continue
        drop_sessions(world, server, None, reason="pool quorum lost")
        for service_name, service in server["services"].items():
            if service["status"] != "Stopped":
                service.update(status="Stopped", accepting=False, draining=False)
                world.record(server["fqdn"], "service_stopped", service=service_name, graceful=False,
                             reason="pool quorum lost")
