# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pool maintenance cmdlets on the twin.

Get-CsPoolFabricState, Get-CsPoolUpgradeReadinessState (2015), Get-CsUpgradeDomainInfo (2019 and
later), Invoke-CsComputerFailOver / Invoke-CsComputerFailBack and Install-CsDatabase -Update (on top of
the deployment family's -LocalDatabases; Get-CsManagementStoreReplicationStatus is the deployment
family's too). Sources: the cmdlet pages in office-docs-powershell
(skype/skype-ps/SkypeForBusiness/) and OfficeDocs-SkypeForBusiness
manage/topology/patch-or-update-front-end-servers.md, sfbs2019/upgrade-or-update-front-end-servers.md.
"""

from __future__ import annotations

import re

from ansible_collections.sfb.server.plugins.plugin_utils.twin import description, knowledge, simulation
from ansible_collections.sfb.server.plugins.plugin_utils.twin.cmdlets import Call, CmdletError, Wait, cmdlet, extends
from ansible_collections.sfb.server.plugins.plugin_utils.twin.cmdlets import patching

description.FAULTS.setdefault(
    "readiness_busy", "number: how many more reads of the pool's upgrade readiness answer Busy")
description.FAULTS.setdefault(
    "missing_replicas", "number: routing-group replicas Get-CsPoolFabricState reports missing for the pool")

# Invoke-CsComputerFailOver/FailBack -WaitTime: "The default is one hour."
DEFAULT_WAIT_SECONDS = 3600
ROUTING_GROUPS_PER_SERVER = 12


def _not_recognized(name: str) -> CmdletError:
    return CmdletError(f"The term '{name}' is not recognized as the name of a cmdlet, function, script file, "
                       "or operable program.", "ObjectNotFound", "CommandNotFoundException")


def _timespan(value, default):
    """A TimeSpan given as [d.]hh:mm:ss text (how PowerShell converts a string) or seconds."""
    if value is None:
        return default
    if isinstance(value, (int, float)):
        return float(value)
    match = re.fullmatch(r"(?:(\d+)\.)?(\d+):(\d+):(\d+)", str(value).strip())
    if not match:
        raise CmdletError(f"Cannot convert value \"{value}\" to type \"System.TimeSpan\".", "InvalidArgument",
                          "ParameterArgumentTransformationError")
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return float(((days * 24 + hours) * 60 + minutes) * 60 + seconds)


def _pool_of(call: Call, server: dict) -> dict:
    return call.world.pools[server["pool"]]


def _front_end_running(server: dict) -> bool:
    return simulation.is_up(server) and server["services"].get("RTCSRV", {}).get("status") == "Running"


def _running(call: Call, pool: dict) -> list[bool]:
    return [_front_end_running(call.world.servers[name]) for name in pool["servers"]]


def _holds_without(call: Call, pool: dict, fqdn: str) -> bool:
    flags = [up and name != fqdn for name, up in zip(pool["servers"], _running(call, pool))]
    return knowledge.quorum_holds(flags, pool["product"])


def _local_front_end(call: Call, name: str) -> dict:
    # Both readiness cmdlets "must be run locally on a Front End server in the pool being checked".
    server = call.server
    pool = _pool_of(call, server)
    if pool["edition"] != "Enterprise" or "FrontEnd" not in pool["roles"]:
        raise CmdletError(f"{name} must be run on a Front End server of an Enterprise Edition pool.",
                          "InvalidOperation", "NotAnEnterpriseFrontEnd")
    return pool


def _upgrade_state(call: Call, name: str) -> list[dict]:
    pool = _local_front_end(call, name)
    running = _running(call, pool)
    busy = [call.world.servers[s] for s in pool["servers"]
            if call.world.servers[s]["faults"].get("readiness_busy")]
    insufficient = [call.world.servers[s] for s in pool["servers"]
                    if call.world.servers[s]["faults"].get("readiness_insufficient")]
    if busy:
        busy[0]["faults"]["readiness_busy"] = int(busy[0]["faults"]["readiness_busy"]) - 1
        if busy[0]["faults"]["readiness_busy"] <= 0:
            busy[0]["faults"].pop("readiness_busy")
        state = "Busy"
    elif insufficient:
        # An injected fault: the pool reports InsufficientActiveFrontEnds whatever runs (Lync 2013
        # "Upgrade or update Front End Servers" names it as a state that means "an issue with the pool").
        insufficient[0]["faults"]["readiness_insufficient"] = int(insufficient[0]["faults"]["readiness_insufficient"]) - 1
        if insufficient[0]["faults"]["readiness_insufficient"] <= 0:
            insufficient[0]["faults"].pop("readiness_insufficient")
        state = "InsufficientActiveFrontEnds"
    elif not knowledge.quorum_holds(running, pool["product"]):
        state = "InsufficientActiveFrontEnds"
    else:
        state = "Ready"
    # One upgrade domain per Front End: an INFERENCE for small pools (the pages do not say how the
    # fabric groups servers). ReadyforUpgrade: the pool keeps quorum with that domain out.
    domains = [{
        "UpgradeDomain": f"UpgradeDomain{i + 1}",
        "FrontEnds": [fqdn],
        "ReadyforUpgrade": state == "Ready" and _holds_without(call, pool, fqdn),
    } for i, fqdn in enumerate(pool["servers"])]
    call.world.record(call.server["fqdn"], "upgrade_readiness_read", state=state)
    return [{"PoolFqdn": pool["fqdn"], "PoolUpgradeState": state, "TotalFrontends": len(running),
             "TotalActiveFrontends": sum(running), "UpgradeDomains": domains}]


@cmdlet("Get-CsPoolUpgradeReadinessState")
def get_pool_upgrade_readiness_state(call: Call):
    # Documented for Lync Server 2013 and Skype for Business Server 2015; replaced in 2019.
    if call.server["product"] != "2015":
        raise _not_recognized("Get-CsPoolUpgradeReadinessState")
    return _upgrade_state(call, "Get-CsPoolUpgradeReadinessState")


@cmdlet("Get-CsUpgradeDomainInfo")
def get_upgrade_domain_info(call: Call):
    # Skype for Business Server 2019 (and later) only.
    if call.server["product"] == "2015":
        raise _not_recognized("Get-CsUpgradeDomainInfo")
    return _upgrade_state(call, "Get-CsUpgradeDomainInfo")


@cmdlet("Get-CsPoolFabricState")
def get_pool_fabric_state(call: Call):
    fqdn = call.get("PoolFqdn")
    if fqdn is None:
        raise CmdletError("The twin answers Get-CsPoolFabricState -PoolFqdn only.", "NotImplemented",
                          "ParameterSetNotSimulated")
    pool = call.world.pools.get(str(fqdn).lower())
    if pool is None:
        raise CmdletError(f"Pool {fqdn} was not found in the topology.", "ObjectNotFound", "PoolNotFound")
    servers = [call.world.servers[s] for s in pool["servers"]]
    running = _running(call, pool)
    groups = ROUTING_GROUPS_PER_SERVER * len(servers)
    missing = sum(int(s["faults"].get("missing_replicas") or 0) for s in servers)
    if not knowledge.quorum_holds(running, pool["product"]):
        missing = groups
    # The output is a String whose layout is not documented; this is the twin's own wording.
    return [f"Pool {pool['fqdn']}: {sum(running)} of {len(servers)} Front End servers active; "
            f"routing groups: {groups}; missing replicas: {missing}"]


def _computer(call: Call) -> dict:
    name = call.get("ComputerName")
    if name is None:
        return call.server
    server = call.world.servers.get(str(name).lower())
    if server is None:
        raise CmdletError(f"Computer {name} was not found in the topology.", "ObjectNotFound", "ComputerNotFound")
    return server


@cmdlet("Invoke-CsComputerFailOver")
def invoke_computer_failover(call: Call):
    """Invoke-CsComputerFailOver.md: "migrates the users and data, and drains the existing conferences
    and sessions before the Skype for Business services are stopped and disabled to prevent accidental
    restart when computer is rebooted". -WaitTime exceeded: "the cmdlet fails and no action is taken";
    -DrainingTimeout reached: the remaining conferences and sessions end and the services stop."""
    server = _computer(call)
    fqdn = server["fqdn"]
    if server.get("failed_over"):
        return []
    pool = _pool_of(call, server)
    if not simulation.is_up(server):
        raise CmdletError(f"Cannot connect to computer {fqdn}.", "ResourceUnavailable", "ComputerUnreachable")
    # patch-or-update-front-end-servers.md: the cmdlet "moves all services to other Front End Servers in
    # the pool": a server outside an Enterprise Front End pool has none to move them to.
    if pool["edition"] != "Enterprise" or "FrontEnd" not in pool["roles"]:
        raise CmdletError(f"Cannot fail over {fqdn}: it is not a Front End server of an Enterprise Edition pool.",
                          "InvalidOperation", "NotAnEnterpriseFrontEnd")
    # INFERENCE (docs/assumptions.md): with its Front-End service already stopped there are no users to
    # migrate nor sessions to drain from it; the twin fails rather than report a failover that moved nothing.
    if server["services"].get("RTCSRV", {}).get("status") != "Running":
        raise CmdletError(f"Cannot fail over {fqdn}: the Front-End service (RTCSRV) is not running on it.",
                          "InvalidOperation", "FrontEndServiceNotRunning")
    # -Force: "failed over without verifying the pool's capacity to absorb the failed over server's workload."
    if not call.switch("Force") and pool["edition"] == "Enterprise" and not _holds_without(call, pool, fqdn):
        raise CmdletError(f"Cannot fail over {fqdn}: the remaining Front End servers of {pool['fqdn']} cannot "
                          "absorb its workload without losing quorum.", "InvalidOperation", "InsufficientCapacity")
    wait = _timespan(call.get("WaitTime"), DEFAULT_WAIT_SECONDS)
    draining = _timespan(call.get("DrainingTimeout"), None)
    started = call.world.now
    for service in server["services"].values():
        if service.get("carries_sessions") and service["status"] == "Running":
            service["accepting"] = False
    call.world.record(fqdn, "failover_started", wait=wait, draining_timeout=draining)

    def check(c: Call):
        host = c.world.server(fqdn)
        live = [s for s in host["sessions"] if s["end"] is None or s["end"] > c.world.now]
        if not live:
            return _finish_failover(c, host)
        if draining is not None and c.world.now >= started + draining:
            simulation.drop_sessions(c.world, host, None, reason="failover draining timeout")
            return _finish_failover(c, host)
        if c.world.now >= started + wait:
            for service in host["services"].values():
                if service["status"] == "Running":
                    service["accepting"] = True
            c.world.record(fqdn, "failover_timed_out", sessions=len(live))
            raise CmdletError(f"Failover of {fqdn} did not complete within the wait time: {len(live)} sessions "
                              "were still active. No action was taken.", "OperationTimeout", "FailoverTimeout")
        ends = [s["end"] for s in live if s["end"] is not None]
        deadline = started + (draining if draining is not None else wait)
        return Wait(until=min(ends + [deadline]) + 1, resume=check)

    return Wait(until=started, resume=check)


def _finish_failover(call: Call, server: dict):
    server["failover_startup_types"] = {n: s["startup_type"] for n, s in server["services"].items()}
    for name, service in server["services"].items():
        simulation.stop_service(call.world, server, name, graceful=False)
        service["startup_type"] = "Disabled"
    server["failed_over"] = True
    call.world.record(server["fqdn"], "failed_over")
    return []


@cmdlet("Invoke-CsComputerFailBack")
def invoke_computer_failback(call: Call):
    """Invoke-CsComputerFailBack.md: flags the server as available again; without -NoStart its services
    are enabled and started; -WaitTime exceeded: "the cmdlet will fail and Skype for Business services
    will not be started or enabled"."""
    server = _computer(call)
    if not simulation.is_up(server):
        raise CmdletError(f"Cannot connect to computer {server['fqdn']}.", "ResourceUnavailable", "ComputerUnreachable")
    saved = server.pop("failover_startup_types", None) or {}
    for name, service in server["services"].items():
        if service["startup_type"] == "Disabled":
            service["startup_type"] = saved.get(name, "Automatic")
    server["failed_over"] = False
    call.world.record(server["fqdn"], "failed_back", start=not call.switch("NoStart"))
    if call.switch("NoStart"):
        return []
    failed = [n for n in server["services"] if not simulation.start_service(call.world, server, n)]
    if failed:
        raise CmdletError(f"Failback of {server['fqdn']}: service {failed[0]} did not start within the wait time.",
                          "OperationTimeout", "FailbackTimeout")
    return []


@extends("Install-CsDatabase")
def install_database(call: Call, base):
    """Only -Update is simulated here (patch-or-update-a-back-end-or-standard-edition-server.md):
    -LocalDatabases on a Standard Edition server, -ConfiguredDatabases -SqlServerFqdn for a Back End."""
    if not call.switch("Update"):
        return base(call)
    if call.switch("Clean"):
        raise CmdletError("You cannot use Update and Clean in the same command.", "InvalidArgument", "UpdateAndClean")
    server = call.server
    if call.switch("LocalDatabases"):
        if server["edition"] != "Standard":
            raise CmdletError("No local databases to update: this server is not a Standard Edition server.",
                              "InvalidOperation", "NoLocalDatabases")
        target = server["fqdn"]
        databases = patching.local_store(call.world, server)
    elif call.switch("ConfiguredDatabases"):
        target = str(call.get("SqlServerFqdn")).lower()
        databases = patching.back_end(call.world, target)
    else:
        raise CmdletError("The twin simulates -Update with -LocalDatabases or -ConfiguredDatabases.",
                          "NotImplemented", "NotSimulated")
    # Install-CsDatabase.md: "the Update parameter cannot be used against mirrored databases; the command
    # will fail because the mirror databases cannot be dropped and recreated."
    if databases.get("mirror"):
        raise CmdletError(f"Cannot update the databases on {target}: they are mirrored ({databases['mirror']}); the "
                          "mirror databases cannot be dropped and recreated.", "InvalidOperation", "MirroredDatabases")
    version = patching.patch_version(server)
    databases["version"] = version
    call.world.record(server["fqdn"], "database_updated", sql_server=target, version=version,
                      exclude_collocated=call.switch("ExcludeCollocatedStores"))
    return []
