# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cumulative updates on the twin: SkypeServerUpdateInstaller.exe, Get-CsServerPatchVersion, Test-CsDatabase
and the Back End SQL Servers they are checked against.

Sources: the CU KB articles ("Updates for Skype for Business Server 2015" / "... 2019": the update is
SkypeServerUpdateInstaller.exe, /silentmode installs it unattended); office-docs-powershell
Get-CsServerPatchVersion.md ("returns the Skype for Business Server version for each component
installed on the server"; introduced with the November 2015 CU, 6.0.9319.102), Test-CsDatabase.md and
Install-CsDatabase.md ("the Update parameter cannot be used against mirrored databases"); the property
names of Test-CsDatabase are those of OfficeDocs-SkypeForBusiness
Lync/LyncServer/lync-server-2013-testing-database-configuration.md.

A world describes its update packages and SQL Servers:

    cumulative_updates:
      - {path: '\\\\files\\cu\\SkypeServerUpdateInstaller.exe', version: 7.0.2046.530, minutes: 25, restart: true}
    sql_servers:
      - {fqdn: sql01.contoso.com, mirrored: false, reachable: true}
"""

from __future__ import annotations

import ntpath
from typing import Any

from ansible_collections.sfb.server.plugins.plugin_utils.twin import description, knowledge
from ansible_collections.sfb.server.plugins.plugin_utils.twin.cmdlets import (
    Call, CmdletError, ExitCode, Wait, cmdlet, executable, extends,
)

description.FAULTS.setdefault("cu_installer_exit_code", "number: the exit code SkypeServerUpdateInstaller.exe ends with")
description.FAULTS.setdefault(
    "readiness_insufficient", "number: how many more reads of the pool's upgrade readiness answer InsufficientActiveFrontEnds")

INSTALLER = "skypeserverupdateinstaller.exe"
# Get-CsServerPatchVersion.md: "You should have installed November 2015 Cumulative Update (6.0.9319.102)".
PATCH_VERSION_SINCE = {"2015": (6, 0, 9319, 102)}
# INFERENCE (docs/assumptions.md): the exit codes are not published. 3010 is Windows Installer's
# ERROR_SUCCESS_REBOOT_REQUIRED; 1 is what the twin's installer ends with when it refuses to run.
RESTART_EXIT_CODE = 3010
# The databases the twin lists for a Back End (Test-CsDatabase -ConfiguredDatabases) and for a
# Standard Edition server's local store. Names as Microsoft's database list gives them; the twin keeps
# one schema version per SQL Server (an inference: real schemas carry their own numbers).
BACK_END_DATABASES = ("rtcxds", "rtcshared", "rtcab", "rgsconfig", "cpsdyn")
LOCAL_DATABASES = ("rtc", "rtcdyn", "rtcab")


def _version(text: Any) -> tuple[int, ...]:
    return tuple(int(p) for p in str(text).split(".")) if text else ()


# -- the description -----------------------------------------------------------------------------


@description.section("cumulative_updates")
def _describe_updates(value: Any, builder: description.WorldBuilder, settings: dict) -> None:
    for i, package in enumerate(description._list(value, "cumulative_updates")):
        where = f"cumulative_updates[{i}]"
        package = description._mapping(package, where, required=("path", "version"),
                                       optional=("minutes", "restart", "exit_code"))
        path = description._text(package["path"], f"{where}.path")
        if ntpath.basename(path).lower() != INSTALLER:
            raise description.WorldDescriptionError(f"{where}.path: the package is SkypeServerUpdateInstaller.exe, not {path}.")
        builder.add("cu_package", path.lower(), {
            "path": path, "version": str(package["version"]),
            "minutes": description._number(package.get("minutes", 20), f"{where}.minutes", 0),
            "restart": bool(package.get("restart", True)),
            "exit_code": int(package.get("exit_code", RESTART_EXIT_CODE if package.get("restart", True) else 0)),
        }, where)


@description.section("sql_servers")
def _describe_sql(value: Any, builder: description.WorldBuilder, settings: dict) -> None:
    for i, sql in enumerate(description._list(value, "sql_servers")):
        where = f"sql_servers[{i}]"
        sql = description._mapping(sql, where, required=("fqdn",), optional=("mirrored", "reachable", "product"))
        fqdn = description._fqdn(sql["fqdn"], f"{where}.fqdn")
        product = knowledge.product(sql.get("product", settings["product"]))
        builder.add("database", fqdn, {
            "server": fqdn, "version": product.rtm_version, "back_end": True,
            "mirror": f"mirror-{fqdn}" if sql.get("mirrored") else "",
            "reachable": bool(sql.get("reachable", True)),
        }, where)


def back_end(world, fqdn: str) -> dict:
    """The SQL Server a call names, as Install-/Test-CsDatabase find it (raises what they would)."""
    sql = world.kind("database").get(str(fqdn).lower())
    if sql is None or not sql.get("back_end") or not sql.get("reachable", True):
        # Test-CsDatabase.md: the cmdlet "attempts to connect each of the relevant databases, and then
        # reports back the success or failure": a server that does not answer is a failure.
        raise CmdletError(f"Cannot connect to SQL Server {fqdn}: the server was not found or was not accessible.",
                          "ResourceUnavailable", "SqlConnectionFailed")
    return sql


def local_store(world, server: dict) -> dict:
    return world.kind("database").setdefault(server["fqdn"], {
        "server": server["fqdn"], "version": knowledge.product(server["product"]).rtm_version, "mirror": ""})


def patch_version(server: dict) -> str:
    return server.get("patch_version") or server["version"]


# -- Get-CsServerPatchVersion ----------------------------------------------------------------------


@cmdlet("Get-CsServerPatchVersion")
def get_server_patch_version(call: Call):
    server = call.server
    version = patch_version(server)
    floor = PATCH_VERSION_SINCE.get(server["product"])
    if floor and _version(version) < floor:
        raise CmdletError("The term 'Get-CsServerPatchVersion' is not recognized as the name of a cmdlet, function, "
                          "script file, or operable program.", "ObjectNotFound", "CommandNotFoundException")
    name = knowledge.product(server["product"]).name
    components = ["Core Components", *(f"{role} Server" for role in server["roles"])]
    return [{"ComponentName": f"{name}, {component}", "Version": version} for component in components]


# -- SkypeServerUpdateInstaller.exe ----------------------------------------------------------------


@extends("Test-Path")
def test_path(call: Call, base):
    """The update packages of the world (reachable from every server, a share, or not at all), and an
    installer copied from the controller to this server (TwinHost.copy_file: the server's files)."""
    paths = call.get("Path")
    paths = [paths] if isinstance(paths, str) else list(paths or [])
    if paths and all(ntpath.basename(str(p)).lower() == INSTALLER for p in paths):
        copied = call.server.get("files", {})
        return [str(p).lower() in call.world.kind("cu_package") or str(p).lower() in copied for p in paths]
    return base(call)


@executable(INSTALLER)
def update_installer(call: Call):
    """The installer of a cumulative update: its own duration, exit code and log (server["cu_log"])."""
    server = call.server
    fqdn = server["fqdn"]
    log = server.setdefault("cu_log", [])
    package = None
    for path, candidate in call.world.kind("cu_package").items():
        if ntpath.basename(path) == INSTALLER:
            package = candidate if package is None or _version(candidate["version"]) > _version(package["version"]) else package
    if package is None:
        return ExitCode(2, stderr="The system cannot find the file specified.")
    if "/silentmode" not in [a.lower() for a in call.arguments]:
        # The interactive installer waits for a click that never comes: the twin fails closed.
        return ExitCode(1, stderr="SkypeServerUpdateInstaller.exe without /silentmode waits for user input.")
    running = [n for n, s in server["services"].items()
               if s.get("carries_sessions") and s["status"] == "Running" and s.get("accepting")]
    if running:
        # INFERENCE (docs/assumptions.md): the KB gives the install after the server is out of service;
        # the twin refuses to patch a server that still takes traffic rather than guess what it would do.
        log.append(f"ERROR: services still accepting connections: {', '.join(running)}")
        return ExitCode(1, stdout="\n".join(log[-3:]))
    if _version(patch_version(server)) >= _version(package["version"]):
        log.append(f"All components are up to date ({patch_version(server)}).")
        return ExitCode(0, stdout=log[-1])
    started = call.world.now
    call.world.record(fqdn, "cu_install_started", version=package["version"], minutes=package["minutes"])
    log.append(f"Installing {package['version']} over {patch_version(server)}")

    def done(c: Call):
        s = c.server
        fault = s["faults"].get("cu_installer_exit_code")
        code = int(fault) if fault is not None else package["exit_code"]
        s.setdefault("cu_log", [])
        if code not in (0, RESTART_EXIT_CODE):
            s["cu_log"].append(f"ERROR: installation failed with exit code {code}")
            c.world.record(s["fqdn"], "cu_install_failed", exit_code=code)
            return ExitCode(code, stdout="\n".join(s["cu_log"][-3:]))
        s["patch_version"] = package["version"]
        if code == RESTART_EXIT_CODE:
            s["pending_reboot"] = True
        s["cu_log"].append(f"Installed {package['version']}; exit code {code}")
        c.world.record(s["fqdn"], "cu_installed", version=package["version"], exit_code=code,
                       seconds=c.world.now - started)
        return ExitCode(code, stdout=s["cu_log"][-1])

    return Wait(until=started + package["minutes"] * 60, resume=done)


# -- Test-CsDatabase -----------------------------------------------------------------------------


@cmdlet("Test-CsDatabase")
def test_database(call: Call):
    server = call.server
    expected = patch_version(server)
    if call.switch("ConfiguredDatabases"):
        store, names = back_end(call.world, call.get("SqlServerFqdn")), BACK_END_DATABASES
    elif call.switch("LocalService"):
        if server["edition"] != "Standard":
            raise CmdletError("No local databases on this server.", "InvalidOperation", "NoLocalDatabases")
        store, names = local_store(call.world, server), LOCAL_DATABASES
    else:
        raise CmdletError("The twin simulates Test-CsDatabase -ConfiguredDatabases and -LocalService.",
                          "NotImplemented", "NotSimulated")
    return [{"SqlServerFqdn": store["server"], "SqlInstanceName": "rtc", "MirrorSqlServerFqdn": store.get("mirror", ""),
             "MirrorSqlInstanceName": "rtc" if store.get("mirror") else "", "DatabaseName": name,
             "ExpectedVersion": expected, "InstalledVersion": store["version"], "Succeed": True}
            for name in names]
