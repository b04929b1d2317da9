# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Deployment Wizard's work on the twin: from a bare server to a started pool (seed 002).

A `bare` server (description state) is in the published topology with nothing installed. This
family answers what the deployment modules send:
- Windows: Get-LocalGroupMember, Get-ADGroupMember, Get-PSDrive, Get-Item (the media's Setup.exe),
  and the file-system side of Test-Path / Get-ItemProperty (uninstall entries) / Get-Service (MpsSvc);
- setup.exe /BootstrapLocalMgmt (core components), Bootstrapper.exe (step 2), Enable-CsReplica,
  Invoke-CsManagementStoreReplication, Import-CsConfiguration -LocalStore (step 1), Enable-CsComputer,
  Install-CsDatabase -LocalDatabases, Get-CsManagementStoreReplicationStatus and Start-CsPool.
Installation takes virtual time (INSTALL_SECONDS): the clock runs while setup works.

Exit codes and setup output are not documented (sfb_facts 8): the twin answers 0 for success and 3010
("restart required", the Windows Installer convention) as domain/deployment.py assumes, and writes
unmet prerequisites as "Prerequisite not satisfied: <what>" lines.
"""

from __future__ import annotations

import datetime
import fnmatch
import ntpath

from ansible_collections.sfb.server.plugins.plugin_utils.twin import knowledge
from ansible_collections.sfb.server.plugins.plugin_utils.twin import knowledge as dep
from ansible_collections.sfb.server.plugins.plugin_utils.twin import knowledge as role_catalog
from ansible_collections.sfb.server.plugins.plugin_utils.twin import knowledge as versions
from ansible_collections.sfb.server.plugins.plugin_utils.twin import description, simulation
from ansible_collections.sfb.server.plugins.plugin_utils.twin.cmdlets import (
    Call, CmdletError, ExitCode, Wait, cmdlet, executable, extends, powershell_module,
)

MEDIA_PATH = r"D:\Setup\amd64\Setup.exe"
# Virtual time each install takes; the clock moves while the executable runs.
CORE_INSTALL_SECONDS = 600
COMPONENTS_INSTALL_SECONDS = 1200
REPLICATION_SECONDS = 60
DEFAULT_DOMAIN = "CONTOSO"
DEFAULT_RUN_ACCOUNT = "sfbadmin"
DEFAULT_DIRECTORY = {
    "Domain Admins": ["Administrator", DEFAULT_RUN_ACCOUNT],
    dep.SERVER_ADMINS_GROUP: [DEFAULT_RUN_ACCOUNT],
}
GB = 1024 ** 3
# The unattended route the collection takes (Setup.exe is the interactive installer: "A dialog will pop
# up asking if you want to install it [Visual C++] ... select I accept the terms in the license
# agreement", "Install Skype for Business Server on servers in the topology", OfficeDocs-SkypeForBusiness
# Skype/SfbServer/deploy/install/install-skype-for-business-server.md). The media layout and switches
# are not documented: the twin accepts the forms docs/assumptions.md lists, and refuses what would show
# a dialog (no /quiet, no /qn).
VCREDIST_SECONDS = 60
BOOTSTRAP_LOCAL_MGMT_SECONDS = 300
VCREDIST_ALREADY_INSTALLED = 1638  # Windows Installer: ERROR_PRODUCT_VERSION (a newer version is installed)
RTCLOCAL_SERVICE = "MSSQL$RTCLOCAL"
REPLICA_SERVICE = "RTCREPLICA"
# Without become a WinRM logon cannot use DPAPI (Ansible's "Windows Remote Management" page, "WinRM
# limitations"), which SQL Server Express (RTCLocal, the local configuration store) needs.
DPAPI_REFUSAL = ("SQL Server Express setup failed: the data protection API (DPAPI) is not available in a "
                 "network logon. Run the task with become (become_method: runas).")
EDGE = "Edge"


# -- the world's extra sections ------------------------------------------------------------


@description.section("directory")
def _directory(value, builder, settings):
    """directory: {domain: CONTOSO, groups: {RTCUniversalServerAdmins: [sfbadmin], ...}}"""
    doc = description._mapping(value, "directory", optional=("domain", "groups"))
    groups = description._mapping(doc.get("groups", {}), "directory.groups",
                                  optional=tuple(doc.get("groups", {}) or ()))
    builder.add("directory", "ad", {
        "domain": str(doc.get("domain", DEFAULT_DOMAIN)).upper(),
        "groups": {str(k): [str(m) for m in description._list(v, f"directory.groups.{k}")] for k, v in groups.items()},
    }, "directory")


def directory(world) -> dict:
    return world.kind("directory").get("ad") or {"domain": DEFAULT_DOMAIN, "groups": DEFAULT_DIRECTORY}


# -- per-server deployment state ---------------------------------------------------------------


def state(server: dict) -> dict:
    """The deployment side of a server, created on first use (deployed servers start complete)."""
    if "deployment" not in server:
        installed = server["installed"]
        files = [MEDIA_PATH.lower()]
        if installed.get("core") and installed.get("install_path"):
            files.append(dep.bootstrapper_path(installed["install_path"]).lower())
        server["deployment"] = {
            "files": files,
            "drives": {"C": {"free": 60 * GB, "used": 40 * GB}, "D": {"free": 0, "used": 6 * GB},
                       "E": {"free": 400 * GB, "used": 10 * GB}},
            "local_admins": [{"Name": f"{DEFAULT_DOMAIN}\\Domain Admins", "ObjectClass": "Group",
                              "PrincipalSource": "ActiveDirectory"},
                             {"Name": f"{server['fqdn'].split('.')[0].upper()}\\Administrator",
                              "ObjectClass": "User", "PrincipalSource": "Local"}],
            "replica": {"enabled": bool(installed.get("local_store")), "synced_at": server["boot_time"]},
            "computer_enabled": bool(installed.get("components")),
            "databases": ["LocalDatabases"] if installed.get("components") else [],
            "restart_requested": False,
            "restart_done": False,
            "requests": {},
            # Deployed servers carry the redistributable and RTCLocal; a bare one gets them from the
            # unattended steps.
            "vcredist": bool(installed.get("core")),
            "rtclocal": bool(installed.get("core")),
        }
    return server["deployment"]


def _core_required(call: Call) -> dict:
    if not call.server["installed"]["core"]:
        raise CmdletError("The Skype for Business Server core components are not installed on this computer.",
                          "InvalidOperation", "CoreComponentsNotInstalled")
    return state(call.server)


def _paths(value) -> list[str]:
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


# -- Windows cmdlets -----------------------------------------------------------------------


@powershell_module("Microsoft.PowerShell.LocalAccounts")
def _has_local_accounts(world, server) -> bool:
    return True


# ActiveDirectory (RSAT-ADDS, a Skype for Business Server prerequisite) is answered by the sign-in
# family, Microsoft.PowerShell.Management by the Windows services family.


@cmdlet("Get-LocalGroupMember")
def get_local_group_member(call: Call):
    name = str(call.get("Name") or call.get("Group") or "")
    if name.lower() != dep.LOCAL_ADMINS_GROUP.lower():
        raise CmdletError(f"Group {name} was not found.", "ObjectNotFound", "GroupNotFound")
    members = list(state(call.server)["local_admins"])
    if call.get("Member"):
        members = [m for m in members if fnmatch.fnmatch(m["Name"].lower(), str(call.get("Member")).lower())]
    return members


@cmdlet("Get-ADGroupMember")
def get_ad_group_member(call: Call):
    ad = directory(call.world)
    identity = str(call.get("Identity"))
    groups = {k.lower(): (k, v) for k, v in ad["groups"].items()}
    if identity.lower() not in groups:
        raise CmdletError(f"Cannot find an object with identity: '{identity}' under: 'DC={ad['domain'].lower()},DC=com'.",
                          "ObjectNotFound", "ActiveDirectoryCmdlet:Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException")
    seen, members = set(), []

    def walk(group: str):
        for member in groups[group.lower()][1]:
            if member.lower() in groups and member.lower() not in seen:
                seen.add(member.lower())
                if call.switch("Recursive"):
                    walk(member)
                else:
                    members.append({"SamAccountName": member, "name": member, "objectClass": "group"})
            elif member.lower() not in groups:
                members.append({"SamAccountName": member, "name": member, "objectClass": "user",
                                "distinguishedName": f"CN={member},CN=Users,DC={ad['domain'].lower()},DC=com"})

    walk(identity)
    return members


@cmdlet("Get-PSDrive")
def get_psdrive(call: Call):
    drives = state(call.server)["drives"]
    names = _paths(call.get("Name")) if call.get("Name") is not None else list(drives)
    answers = []
    for name in names:
        key = name.rstrip(":").upper()
        if key not in drives:
            raise CmdletError(f"Cannot find drive. A drive with the name '{name}' does not exist.", "ObjectNotFound",
                              "GetLocationNoMatchingDrive,Microsoft.PowerShell.Commands.GetPSDriveCommand")
        answers.append({"Name": key, "Root": f"{key}:\\", "Free": drives[key]["free"], "Used": drives[key]["used"],
                        "Provider": "Microsoft.PowerShell.Core\\FileSystem"})
    return answers


@cmdlet("Get-Item")
def get_item(call: Call):
    answers = []
    for path in _paths(call.get("Path")):
        if path.lower() not in state(call.server)["files"]:
            raise CmdletError(f"Cannot find path '{path}' because it does not exist.", "ObjectNotFound",
                              "PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand")
        info = versions.product(call.server["product"])
        item = {"Name": ntpath.basename(path), "FullName": path}
        if path.lower().endswith("setup.exe"):
            item["VersionInfo"] = {"ProductName": info.name, "ProductVersion": info.rtm_version,
                                   "FileVersion": info.rtm_version}
        answers.append(item)
    return answers


@extends("Test-Path")
def test_path(call: Call, base):
    """Files of the installation (media, setup folders); registry paths are the registry family's."""
    given = call.get("Path")
    paths = _paths(given)
    if all(p.lower().startswith("hklm:") for p in paths):
        return base(call)
    files = state(call.server)["files"]
    shared = _shares(call.world)["files"]
    return [p.lower() in (shared if _is_share(p) else files) for p in paths]


def _uninstall_entries(server: dict) -> list[dict]:
    entries = []
    if state(server)["vcredist"]:
        entries.append({"DisplayName": "Microsoft Visual C++ 2015-2019 Redistributable (x64)",
                        "DisplayVersion": "14.28.29913"})
    installed = server["installed"]
    if installed["core"]:
        info = versions.product(server["product"])
        entries.append({"DisplayName": f"{info.name}, Core Components", "DisplayVersion": server["version"],
                        "InstallLocation": installed["install_path"] + "\\"})
        for role in installed["components"]:
            entries.append({"DisplayName": f"{info.name}, {role}", "DisplayVersion": server["version"]})
    return entries


@extends("Get-ItemProperty")
def get_item_property(call: Call, base):
    """The installed programs under the Uninstall key (a wildcard read); other keys are the registry family's."""
    paths = _paths(call.get("Path"))
    if any("*" in p for p in paths):
        if [p.lower() for p in paths] != [dep.UNINSTALL_KEYS.lower()]:
            raise CmdletError("The twin expands wildcards in the Uninstall key only.", "NotImplemented", "NotSimulated")
        return _uninstall_entries(call.server)
    return base(call)


@extends("Get-Service")
def get_service(call: Call, base):
    """The Windows Firewall service (seed 002 caution); Skype for Business services are the services family's."""
    names = call.get("Name")
    if names is not None and [n.lower() for n in _paths(names)] == [dep.FIREWALL_SERVICE.lower()]:
        status = call.server.get("windows_firewall", "Running")
        return [{"Name": dep.FIREWALL_SERVICE, "DisplayName": "Windows Defender Firewall", "Status": status,
                 "StartType": "Automatic" if status == "Running" else "Disabled"}]
    if names is not None and all(fnmatch.fnmatch(RTCLOCAL_SERVICE.lower(), n.lower()) for n in _paths(names)):
        # The local management store's SQL Server Express instance; a wildcard that matches nothing
        # answers nothing, as Get-Service does.
        if not state(call.server)["rtclocal"]:
            if any("*" in n for n in _paths(names)):
                return []
            raise CmdletError(f"Cannot find any service with service name '{names}'.", "ObjectNotFound",
                              "NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand")
        return [{"Name": RTCLOCAL_SERVICE, "DisplayName": "SQL Server (RTCLOCAL)", "Status": "Running",
                 "StartType": "Automatic"}]
    return base(call)


# -- core components -------------------------------------------------------------------------


def _argument(arguments: list[str], prefix: str) -> str | None:
    for argument in arguments:
        if argument.lower().startswith(prefix.lower()):
            return argument[len(prefix):].strip('"')
    return None


@executable("setup.exe")
def setup_exe(call: Call):
    """The interactive installer: under WinRM its Visual C++ and licence dialogs would wait, unseen, until
    the job's time-out. The twin refuses it rather than pretend it completes."""
    return ExitCode(1, stderr="Setup.exe is the interactive installer (it asks to install Visual C++ and to accept "
                              "the licence) and would wait on a hidden dialog: use the unattended steps "
                              "(the Visual C++ redistributable /quiet, msiexec /i ocscore.msi /qn, "
                              "Bootstrapper.exe /BootstrapLocalMgmt).")


def _media_folder(server: dict) -> str:
    return ntpath.dirname(MEDIA_PATH).lower()


@executable("vcredist_x64.exe")
def vcredist(call: Call):
    st = state(call.server)
    if not any(a.lower() in ("/quiet", "/q") for a in call.arguments):
        return ExitCode(1, stderr="Without /quiet the redistributable shows its set-up dialog.")
    if st["vcredist"]:
        return ExitCode(VCREDIST_ALREADY_INSTALLED, stdout="A newer or equal version is already installed.")

    def done(c: Call):
        state(c.server)["vcredist"] = True
        c.world.record(c.server["fqdn"], "vcredist_installed")
        return ExitCode(0)

    return Wait(until=call.world.now + VCREDIST_SECONDS, resume=done)


@executable("msiexec.exe")
def msiexec(call: Call):
    """msiexec /i <media>\\Setup\\ocscore.msi /qn [INSTALLDIR=<path>]: the core components."""
    server, info = call.server, versions.product(call.server["product"])
    st = state(server)
    arguments = [a.lower() for a in call.arguments]
    package = call.arguments[arguments.index("/i") + 1] if "/i" in arguments[:-1] else ""
    if ntpath.basename(package).lower() != "ocscore.msi":
        return ExitCode(1639, stderr="The twin installs ocscore.msi only.")  # ERROR_INVALID_COMMAND_LINE
    if package.lower() != ntpath.join(_media_folder(server), "setup", "ocscore.msi"):
        return ExitCode(1619, stderr=f"This installation package could not be opened: {package}.")  # ERROR_INSTALL_PACKAGE_OPEN_FAILED
    if not any(a in ("/qn", "/quiet") for a in arguments):
        return ExitCode(1, stderr="Without /qn Windows Installer shows the set-up dialog.")
    if not st["vcredist"]:
        return ExitCode(1603, stderr="The core components need the Visual C++ redistributable of the media.")
    path = (_argument(call.arguments, "INSTALLDIR=") or info.program_folder).rstrip("\\")
    drive = dep.drive_of(path)
    if drive not in st["drives"]:
        return ExitCode(1603, stderr=f"The drive {drive}: does not exist.")  # ERROR_INSTALL_FAILURE
    if server["installed"]["core"]:
        return ExitCode(0)

    def done(c: Call):
        s = c.server
        s["installed"].update(core=True, install_path=path)
        s["version"] = info.rtm_version
        state(s)["files"].append(dep.bootstrapper_path(path).lower())
        c.world.record(s["fqdn"], "core_components_installed", path=path, version=info.rtm_version)
        return ExitCode(0)

    return Wait(until=call.world.now + CORE_INSTALL_SECONDS, resume=done)


def _bootstrap_local_mgmt(call: Call):
    """Bootstrapper.exe /BootstrapLocalMgmt /SourceDirectory:<media>: SQL Server Express for RTCLocal."""
    st = state(call.server)
    if call.become is False:
        return ExitCode(1, stderr=DPAPI_REFUSAL)
    source = _argument(call.arguments, "/SourceDirectory:")
    if source is None or source.rstrip("\\").lower() != _media_folder(call.server):
        return ExitCode(1, stderr=f"The source directory {source} does not hold the setup files.")
    if st["rtclocal"]:
        return ExitCode(0, stdout="The local management store is already installed.")

    def done(c: Call):
        state(c.server)["rtclocal"] = True
        c.world.record(c.server["fqdn"], "local_management_store_installed")
        return ExitCode(0, stdout="Installed SQL Server Express (RTCLOCAL) and the local management store.")

    return Wait(until=call.world.now + BOOTSTRAP_LOCAL_MGMT_SECONDS, resume=done)


# -- step 1: local configuration store -----------------------------------------------------


def _replica_service(server: dict) -> None:
    for spec in role_catalog.services_for(server["roles"]):
        if spec.name == "RTCREPLICA" and spec.name not in server["services"]:
            # Stopped until started: Enable-CsReplica adds the computer to the replication path; the
            # agent that replicates runs once started (step 1 starts it).
            server["services"][spec.name] = {"display_name": spec.display_name, "role": spec.role,
                                             "carries_sessions": False, "status": "Stopped",
                                             "startup_type": "Automatic", "accepting": True}


def _local_store_required(call: Call) -> dict:
    """SQL Server Express (RTCLocal) holds the local store ("SQL Server Express Edition is required for the
    local configuration store", Install Skype for Business Server on servers in the topology, step 1)."""
    st = _core_required(call)
    if not st["rtclocal"]:
        raise CmdletError("The local configuration store database (RTCLOCAL) is not installed on this computer.",
                          "InvalidOperation", "LocalStoreNotInstalled")
    if call.become is False:
        raise CmdletError(DPAPI_REFUSAL, "SecurityError", "DpapiUnavailable")
    return st


def _is_share(path: str) -> bool:
    return path.startswith("\\\\")


def _shares(world) -> dict:
    return world.kind("deployment").setdefault("shares", {"files": []})


@cmdlet("Export-CsConfiguration")
def export_configuration(call: Call):
    """Export-CsConfiguration -FileName: the Central Management store's configuration as a .zip. An Edge
    Server, outside the domain, cannot read the store: "export the configuration data ... and then copy
    the .ZIP file to the computer in the perimeter network" (Export-CsConfiguration page)."""
    st = _core_required(call)
    if EDGE in call.server["roles"]:
        raise CmdletError("Cannot connect to the Central Management store from this computer: it is not a member "
                          "of the domain.", "ResourceUnavailable", "CmsNotReachable")
    if call.switch("AsBytes") or call.get("FileName") is None:
        raise CmdletError("The twin simulates Export-CsConfiguration -FileName only.", "NotImplemented", "NotSimulated")
    path = str(call.get("FileName")).lower()
    files = _shares(call.world)["files"] if _is_share(path) else st["files"]
    if path in files and not call.switch("Force"):
        raise CmdletError(f"The file '{call.get('FileName')}' already exists. Use -Force to overwrite it.",
                          "ResourceExists", "FileExists")
    if path not in files:
        files.append(path)
    call.world.record(call.server["fqdn"], "configuration_exported", file=call.get("FileName"))
    return []


@cmdlet("Enable-CsReplica")
def enable_replica(call: Call):
    st = _local_store_required(call)
    if not st["replica"]["enabled"]:
        st["replica"].update(enabled=True, synced_at=call.world.now + REPLICATION_SECONDS)
        call.server["installed"]["local_store"] = True
        _replica_service(call.server)
        call.world.record(call.server["fqdn"], "replica_enabled")
    return []


@cmdlet("Invoke-CsManagementStoreReplication")
def invoke_replication(call: Call):
    targets = [call.world.server(str(call.get("ReplicaFqdn")))] if call.get("ReplicaFqdn") else \
        [s for s in call.world.servers.values() if state(s)["replica"]["enabled"]]
    for server in targets:
        replica = state(server)["replica"]
        if replica["enabled"]:
            replica["synced_at"] = min(replica.get("synced_at") or call.world.now, call.world.now) + REPLICATION_SECONDS
    return []


@cmdlet("Import-CsConfiguration")
def import_configuration(call: Call):
    if not call.switch("LocalStore"):
        raise CmdletError("The twin simulates Import-CsConfiguration -LocalStore only.", "NotImplemented", "NotSimulated")
    st = _local_store_required(call)
    path = str(call.get("FileName") or "").lower()
    files = _shares(call.world)["files"] if _is_share(path) else st["files"]
    if call.get("FileName") is None or path not in files:
        raise CmdletError(f"Could not find file '{call.get('FileName')}'.", "ObjectNotFound", "FileNotFound")
    call.server["installed"]["local_store"] = True
    st["replica"]["imported"] = True
    call.world.record(call.server["fqdn"], "configuration_imported", file=call.get("FileName"))
    return []


def _iso(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc).isoformat()


@cmdlet("Get-CsManagementStoreReplicationStatus")
def get_replication_status(call: Call):
    """One ReplicaState per replica: UpToDate, ReplicaFqdn, LastStatusReport, LastUpdateCreation,
    ProductVersion (the properties sfb_facts 10 lists)."""
    if call.switch("CentralManagementStoreStatus"):
        raise CmdletError("The twin answers replica states only.", "NotImplemented", "NotSimulated")
    # "Run the Get-CsManagementStoreReplicationStatus cmdlet on the internal server which has the Central
    # Management store, or any domain joined computer on which ... Core Components (OcsCore.msi) are
    # installed" (Validate your Edge deployment, OfficeDocs-SkypeForBusiness
    # Skype/SfbServer/deploy/deploy-edge-server/validate-edge-deployment.md): an Edge Server is neither.
    if EDGE in call.server["roles"]:
        raise CmdletError("Cannot connect to the Central Management store from this computer: it is not a member "
                          "of the domain.", "ResourceUnavailable", "CmsNotReachable")
    _core_required(call)
    servers = [s for s in call.world.servers.values() if state(s)["replica"]["enabled"]]
    if call.get("ReplicaFqdn") is not None:
        servers = [s for s in servers if s["fqdn"] == str(call.get("ReplicaFqdn")).lower()]
    answers = []
    for server in servers:
        replica = state(server)["replica"]
        up = (simulation.is_up(server) and server["services"].get("RTCREPLICA", {}).get("status") == "Running"
              and call.world.now >= (replica.get("synced_at") or 0))
        answers.append({"ReplicaFqdn": server["fqdn"], "UpToDate": up,
                        "LastStatusReport": _iso(call.world.now), "LastUpdateCreation": _iso(replica.get("synced_at") or 0),
                        "ProductVersion": server["version"]})
    return answers


# -- step 2: components ----------------------------------------------------------------------


@executable("bootstrapper.exe")
def bootstrapper(call: Call):
    server = call.server
    if not server["installed"]["core"]:
        return ExitCode(1, stderr="Skype for Business Server core components are not installed.")
    if any(a.lower() == "/bootstraplocalmgmt" for a in call.arguments):
        return _bootstrap_local_mgmt(call)
    if call.become is False:
        return ExitCode(1, stderr=DPAPI_REFUSAL)
    st = state(server)
    unmet = []
    if not server["installed"]["local_store"]:
        unmet.append("Local configuration store (run step 1, Install Local Configuration Store)")
    if unmet:
        return ExitCode(1, stdout="\n".join(f"Prerequisite not satisfied: {u}" for u in unmet))
    if server["faults"].get("restart_during_setup") and not st["restart_done"]:
        if st["restart_requested"] and not server["pending_reboot"]:
            st["restart_done"] = True  # the server restarted since it asked: this run completes
        else:
            # Seed 002 step 2: "Restart the server if you are prompted (which can happen if Windows
            # user experience must be installed) ... then run this procedure again".
            st["restart_requested"] = True
            server["pending_reboot"] = True
            call.world.record(server["fqdn"], "setup_restart_required")
            return ExitCode(dep.RESTART_EXIT_CODE, stdout="A restart is required to complete the installation of "
                                                          "prerequisite Windows features. Restart and run setup again.")
    want = {spec.name: spec for spec in role_catalog.services_for(server["roles"])}
    if set(server["services"]) == set(want) and server["installed"]["components"] == list(server["roles"]):
        return ExitCode(0, stdout="All components defined in the topology are already installed.")

    def done(c: Call):
        s = c.server
        for name, spec in want.items():
            # The twin keeps new services from starting at boot until their first start (step 4):
            # what a real server does with them before Start-CsPool is not documented.
            s["services"].setdefault(name, {"display_name": spec.display_name, "role": spec.role,
                                            "carries_sessions": spec.carries_sessions, "status": "Stopped",
                                            "startup_type": "Manual", "accepting": False,
                                            "first_start_pending": True})
        for name in [n for n in s["services"] if n not in want]:
            del s["services"][name]
        s["installed"]["components"] = list(s["roles"])
        s["version"] = s["version"] or versions.product(s["product"]).rtm_version
        c.world.record(s["fqdn"], "components_installed", roles=list(s["roles"]))
        return ExitCode(0, stdout="Set up the components defined in the published topology.")

    return Wait(until=call.world.now + COMPONENTS_INSTALL_SECONDS, resume=done)


@cmdlet("Enable-CsComputer")
def enable_computer(call: Call):
    st = _core_required(call)
    if not call.server["installed"]["components"]:
        raise CmdletError("No server role is installed on this computer: run setup (step 2) first.",
                          "InvalidOperation", "NoRoleInstalled")
    if not st["computer_enabled"]:
        st["computer_enabled"] = True
        call.world.record(call.server["fqdn"], "computer_enabled")
    return []


@cmdlet("Install-CsDatabase")
def install_database(call: Call):
    """-LocalDatabases only (Install-CsDatabase page: "install databases and stores as needed on the
    local computer"). pool.py adds -Update on top of this handler."""
    st = _core_required(call)
    if not call.switch("LocalDatabases"):
        raise CmdletError("The twin simulates Install-CsDatabase -LocalDatabases only.", "NotImplemented", "NotSimulated")
    if "LocalDatabases" not in st["databases"]:
        st["databases"].append("LocalDatabases")
        call.world.record(call.server["fqdn"], "local_databases_installed")
    return []


# -- step 4: Start-CsPool --------------------------------------------------------------------


def _deployed(server: dict) -> bool:
    st = state(server)
    default = any("Default" in c.get("uses", []) for c in server.get("certificates", []))
    return (simulation.is_up(server) and bool(server["installed"]["components"]) and st["computer_enabled"]
            and default)


@cmdlet("Start-CsPool")
def start_pool(call: Call):
    pool = call.world.pools.get(str(call.get("PoolFqdn")).lower())
    if pool is None:
        raise CmdletError(f'Cannot find "Pool" "{call.get("PoolFqdn")}" because it does not exist.', "ObjectNotFound",
                          "IdentityNotFound")
    skip = {str(s).lower() for s in (call.get("SkipServer") or [])}
    members = [call.world.servers[n] for n in pool["servers"] if n in call.world.servers]
    ready = [s for s in members if s["fqdn"] not in skip and _deployed(s)]
    minimum = knowledge.first_start_minimum(len(members), pool["product"])
    # high-availability.md: "The first time you start a new Front End pool, it is essential that 85% of
    # the servers are up and running ... If fewer servers are running, the services might be stuck in
    # the starting state and the pool might not start."
    if len(ready) < minimum:
        raise CmdletError(
            f"Pool {pool['fqdn']} cannot start: {len(ready)} of its {len(members)} Front End servers can start, "
            f"and {minimum} must be running.", "InvalidOperation", "InsufficientServersToStartPool")
    failed = []
    for server in ready:
        for name, service in server["services"].items():
            _first_start(service)
            if not simulation.start_service(call.world, server, name):
                failed.append(f"{server['fqdn']}:{name}")
    pool["started"] = True
    call.world.record(pool["fqdn"], "pool_started", servers=[s["fqdn"] for s in ready], skipped=sorted(skip))
    if failed:
        raise CmdletError(f"Some services of pool {pool['fqdn']} did not start: {', '.join(failed)}.",
                          "OperationTimeout", "PoolServicesDidNotStart")
    return []


@extends("Start-CsWindowsService")
def start_windows_service(call: Call, base):
    """After their first start, new services start at boot (the twin's `Manual` before the first start
    is its own device, see bootstrapper()); later starts leave the startup type alone, as the real
    cmdlet does."""
    target = call.world.servers.get(str(call.get("ComputerName")).lower()) if call.get("ComputerName") else call.server
    for service in (target or call.server)["services"].values():
        _first_start(service)
    return base(call)


def _first_start(service: dict) -> None:
    if service.pop("first_start_pending", False):
        service["startup_type"] = "Automatic"
