# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cloud Connector Edition on the twin: sites, appliance hosts, their VMs, calls, and the tenant.

Description sections:

    cce_tenant:
      host: tenant-admin.contoso.com   # the Windows machine that holds the tenant remote session
    cce_sites:
      - name: Amsterdam
        enable_auto_update: false
        load: {calls_per_minute: 4, call_minutes: 5}
        appliances:                     # the first one is the site's "first appliance"
          - host: cce01.contoso.com     # the appliance host (Hyper-V); its VMs are servers too
            version: "2.1.0"
            mediation_ip: 10.1.0.11
            ca_days_left: 1500          # the appliance's CA, issued 5 years before expiry
            internal_days_left: 500     # internal certificates of CMS, Mediation and Edge
            pending_updates: [{kb: KB1, minutes: 10}]
            vm_pending_updates: [{kb: KB2, minutes: 10}]
            faults: {vm_does_not_start: [Mediation]}

Each appliance host is a twin server (so reboot and Windows updates work as on any server) with a
`cce` record; its four VMs (AD, CMS, Mediation, Edge) are servers with a `cce_vm` record. Calls of a
site go to the Mediation VM of an appliance in HA; Enter-CcUpdate stops the appliance's services at once
and cuts its calls (its own page), and in update mode it takes no new calls; a restart cuts the calls
still on it (`sessions_dropped`).
"""

from __future__ import annotations

import hashlib
import ntpath
import uuid
from typing import Any

from ansible_collections.sfb.server.plugins.plugin_utils.errors import WorldDescriptionError
from ansible_collections.sfb.server.plugins.plugin_utils.twin import description, knowledge, simulation
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import REBOOT_SECONDS
from ansible_collections.sfb.server.plugins.plugin_utils.twin.cmdlets import (
    Call, CmdletError, ExitCode, cmdlet, executable, extends, powershell_module,
)
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import World

description.FAULTS.setdefault(
    "vm_does_not_start", "on an appliance host: list of VM roles (AD, CMS, Mediation, Edge) or true: "
    "those VMs stay Off when the host comes back")
description.FAULTS.setdefault(
    "credentials_key_invalid", "on an appliance host: true: the cached credentials were encrypted under "
    "the host account's old password (seed 001, ConvertTo-SecureString error)")

DOTNET_KEY = r"hklm:\software\microsoft\net framework setup\ndp\v4\full"
ENVIRONMENT_KEY = r"hklm:\system\currentcontrolset\control\session manager\environment"
DEFAULT_PSMODULEPATH = r"%ProgramFiles%\WindowsPowerShell\Modules;%SystemRoot%\system32\WindowsPowerShell\v1.0\Modules"
_VM_SUFFIX = {"AD": "ad", "CMS": "cms", "Mediation": "med", "Edge": "edge"}
_MAX_BACKFILL_MINUTES = 240
_NON_INTERACTIVE = ("PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.")


# -- the description --------------------------------------------------------------------------


@description.section("cce_tenant")
def _describe_tenant(value: Any, builder: description.WorldBuilder, settings: dict) -> None:
    tenant = description._mapping(value, "cce_tenant", required=("host",))
    fqdn = description._fqdn(tenant["host"], "cce_tenant.host")
    doc = _server_doc(fqdn, "tenant", builder.start, {}, [])
    # The hybrid cmdlets come from the tenant remote session; their reference lists them under the
    # SkypeForBusiness module, so this machine answers for that module.
    doc["installed"]["core"] = True
    doc["cce_tenant"] = {"deployment_status": {}}
    builder.add("server", fqdn, doc, "cce_tenant")
    settings["cce_tenant"] = fqdn


@description.section("cce_sites")
def _describe_sites(value: Any, builder: description.WorldBuilder, settings: dict) -> None:
    for i, site in enumerate(description._list(value, "cce_sites")):
        where = f"cce_sites[{i}]"
        site = description._mapping(site, where, required=("name", "appliances"),
                                    optional=("enable_auto_update", "load", "site_directory"))
        name = description._text(site["name"], f"{where}.name")
        load = description._mapping(site.get("load", {}), f"{where}.load",
                                    optional=("calls_per_minute", "call_minutes"))
        appliances = description._list(site["appliances"], f"{where}.appliances")
        if not appliances:
            raise WorldDescriptionError(f"{where}.appliances: a site has at least one appliance.")
        site_dir = str(site.get("site_directory") or rf"\\{_host_of(appliances[0], where)}\CceSite")
        hosts = [_describe_appliance(a, f"{where}.appliances[{j}]", name, site_dir, j, builder)
                 for j, a in enumerate(appliances)]
        builder.add("cce_site", name.lower(), {
            "name": name,
            "appliances": hosts,
            "site_directory": site_dir,
            "enable_auto_update": bool(site.get("enable_auto_update", False)),
            "ca_backup": None,
            "files": {},
            "load": {
                "calls_per_minute": int(description._number(
                    load.get("calls_per_minute", 4), f"{where}.load.calls_per_minute")),
                "call_minutes": description._number(load.get("call_minutes", 5), f"{where}.load.call_minutes", 0.1),
                "cursor": int(builder.start // 60),
                "next_call": 1,
            },
            "stats": {"calls_started": 0, "calls_refused": 0},
        }, where)


def _host_of(appliance: Any, where: str) -> str:
    if isinstance(appliance, dict) and "host" in appliance:
        return str(appliance["host"]).split(".", maxsplit=1)[0]
    raise WorldDescriptionError(f"{where}.appliances[0]: an appliance needs `host`.")


def _describe_appliance(value: Any, where: str, site: str, site_dir: str, index: int, builder) -> str:
    a = description._mapping(value, where, required=("host",), optional=(
        "name", "version", "mediation_fqdn", "mediation_ip", "registered", "ca_days_left", "internal_days_left",
        "pending_updates", "vm_pending_updates", "faults", "dotnet_release", "ini_state_line",
        "module_on_psmodulepath", "stuck_image_mount", "backup_version"))
    host = description._fqdn(a["host"], f"{where}.host")
    short, domain = host.split(".", 1)
    version = knowledge.parse_version(str(a.get("version", "2.1.0")))
    if version is None:
        raise WorldDescriptionError(f"{where}.version: {a.get('version')!r} is not a version such as 2.1.0.")
    faults = description._mapping(a.get("faults", {}), f"{where}.faults", optional=tuple(description.FAULTS))
    faults = {name: description.fault_value(name, value, f"{where}.faults.{name}") for name, value in faults.items()}
    updates = [description._update(u, f"{where}.pending_updates[{k}]")
               for k, u in enumerate(description._list(a.get("pending_updates", []), f"{where}.pending_updates"))]
    vm_updates = [description._update(u, f"{where}.vm_pending_updates[{k}]")
                  for k, u in enumerate(description._list(a.get("vm_pending_updates", []), f"{where}.vm_pending_updates"))]
    now = builder.start
    ca = _new_ca(host, now, a.get("ca_days_left", 1500))
    appliance_dir = r"C:\CCE\ApplianceRoot"
    vms = []
    for role in knowledge.cce("vm_roles"):
        fqdn = f"{short}-{_VM_SUFFIX[role]}.{domain}"
        doc = _server_doc(fqdn, site, now, {}, [dict(u) for u in vm_updates])
        services = knowledge.cce_monitored_services(role, version)
        doc["services"] = {n: _service(n, role) for n in services}
        internal = None
        if role != "AD":
            internal = _issue(fqdn, ca, now, a.get("internal_days_left", 500))
        doc["cce_vm"] = {
            "appliance": host,
            "role": role,
            "vm_name": f"{role}-{knowledge.version_text(version)}",
            "switches": list(knowledge.cce("switches")[role]),
            "firewall_rules": {rule: True for rule in knowledge.cce_monitored_firewall_rules(role)},
            "certificates": [internal] if internal else [],
        }
        builder.add("server", fqdn, doc, f"{where} ({role} VM)")
        vms.append(fqdn)
    doc = _server_doc(host, site, now, faults, updates)
    # Only the [Common] lines seed 001 quotes ("CountryCode=US State=WA City=Redmond").
    ini = ["[Common]", "CountryCode=US"]
    if a.get("ini_state_line", True):
        ini.append("State=WA")
    ini += ["City=Redmond", ""]
    on_path = a.get("module_on_psmodulepath", True)
    doc["registry"] = {
        DOTNET_KEY: {"Release": int(a.get("dotnet_release", 394802))},
        ENVIRONMENT_KEY: {"PSModulePath": DEFAULT_PSMODULEPATH.replace("%ProgramFiles%", r"C:\Program Files")
                          if on_path else r"C:\Windows\system32\WindowsPowerShell\v1.0\Modules"},
    }
    doc["files"] = {
        ntpath.join(appliance_dir, "CloudConnector.ini").lower(): {"path": ntpath.join(appliance_dir, "CloudConnector.ini"), "lines": ini},
        (knowledge.cce("module_folder") + r"\CloudConnector.psd1").lower(): {"path": knowledge.cce("module_folder") + r"\CloudConnector.psd1", "lines": []},
        r"c:\users\administrator\appdata\local\microsoft\windows\powershell\moduleanalysiscache": {
            "path": r"C:\Users\Administrator\AppData\Local\Microsoft\Windows\PowerShell\ModuleAnalysisCache", "lines": []},
        r"c:\programdata\cloudconnector\credentials.administrator.xml": {
            "path": r"C:\ProgramData\CloudConnector\credentials.Administrator.xml", "lines": []},
    }
    doc["cce"] = {
        "site": site,
        "name": a.get("name") or short.upper(),
        "identity": str(uuid.UUID(hashlib.md5(host.encode()).hexdigest())),
        "version": knowledge.version_text(version),
        "running_version": knowledge.version_text(version),
        "backup_version": a.get("backup_version"),
        "registered": bool(a.get("registered", True)),
        "mediation_fqdn": str(a.get("mediation_fqdn") or f"ms.{short}.{domain}"),
        "mediation_ip": str(a.get("mediation_ip") or f"10.0.{index}.10"),
        "appliance_directory": appliance_dir,
        "site_directory": site_dir,
        "update_mode": False,
        "vms": vms,
        "ca": ca,
        "legacy_certificates": [],
        "credentials": {"TenantAdmin": "admin@contoso.onmicrosoft.com", "DomainAdmin": "Administrator",
                        "VmAdmin": "Administrator", "SafeModeAdmin": "Administrator", "ExternalCert": "ExternalCert"},
        "stuck_image_mount": bool(a.get("stuck_image_mount", False)),
        "defender": {"ExclusionPath": [], "ExclusionProcess": []},
    }
    builder.add("server", host, doc, where)
    return host


def _server_doc(fqdn: str, site: str, now: float, faults: dict, updates: list) -> dict:
    """A Windows machine with the keys the shared simulation reads (power, sessions, updates ...)."""
    return {
        "fqdn": fqdn, "site": site, "pool": None, "edition": None, "roles": [], "product": None,
        "version": None, "power": "on", "boot_time": now, "reboot_until": None,
        "installed": {"core": False, "install_path": None, "local_store": False, "components": []},
        "services": {}, "sessions": [], "pending_reboot": False,
        "updates": {"pending": list(updates), "installed": []},
        "certificates": [], "windows_firewall": "Running", "faults": dict(faults),
    }


def _service(name: str, role: str) -> dict:
    return {"display_name": name, "role": role, "carries_sessions": name == "MEDSVC", "status": "Running",
            "startup_type": "Automatic", "accepting": True}


def _thumb(*parts) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest().upper()


def _new_ca(host: str, now: float, days_left: float) -> dict:
    not_after = now + float(days_left) * 86400
    # Seed 001: CA certificates are valid for five years.
    return {"thumbprint": _thumb("ca", host, now, days_left),
            "subject": f"CN=CCE CA {host.split('.')[0].upper()} {_thumb(host, now)[:6]}",
            "not_before": not_after - knowledge.cce("ca_lifetime_days") * 86400, "not_after": not_after}


def _issue(fqdn: str, ca: dict, now: float, days_left: float | None = None) -> dict:
    # Seed 001: internal certificates are valid for two years.
    not_after = now + (knowledge.cce("internal_lifetime_days") if days_left is None else float(days_left)) * 86400
    return {"thumbprint": _thumb("cert", fqdn, ca["thumbprint"], now, not_after), "subject": f"CN={fqdn}",
            "issuer": ca["subject"], "issuer_ca": dict(ca),
            "not_before": not_after - knowledge.cce("internal_lifetime_days") * 86400, "not_after": not_after}


# -- what moves by itself -----------------------------------------------------------------------


@simulation.advancer
def _advance_sites(world: World) -> None:
    for machine in world.servers.values():
        if "cce" in machine:
            _follow_host_power(world, machine)
        elif "cce_vm" in machine:
            _follow_vm_restarts(machine)
    for site in world.kind("cce_site").values():
        _place_calls(world, site)


def _vms(world: World, host: dict) -> list[dict]:
    return [world.servers[v] for v in host["cce"]["vms"] if v in world.servers]


def _follow_host_power(world: World, host: dict) -> None:
    """VMs stop with their host and start again when it is back (unless a fault keeps them off).

    A whole restart may happen between two looks at the world, so a new boot time counts as one."""
    restarted = host["boot_time"] != host["cce"].setdefault("seen_boot", host["boot_time"])
    if restarted:
        _note_outage(host, host["boot_time"])
    if host["power"] != "on" or restarted:
        for vm in _vms(world, host):
            if vm["power"] != "off":
                simulation.drop_sessions(world, vm, None, reason=f"host {host['fqdn']} restarting")
                for service in vm["services"].values():
                    service.update(status="Stopped", accepting=False, draining=False)
                vm.update(power="off", reboot_until=None, off_with_host=True)
                world.record(vm["fqdn"], "cce_vm_stopped", host=host["fqdn"])
    if host["power"] != "on":
        return
    host["cce"]["seen_boot"] = host["boot_time"]
    stuck = host["faults"].get("vm_does_not_start")
    for vm in _vms(world, host):
        if vm["power"] == "off" and vm.get("off_with_host"):
            role = vm["cce_vm"]["role"]
            if stuck is True or (isinstance(stuck, list) and role in stuck):
                continue
            vm.update(power="on", boot_time=world.now, off_with_host=False, pending_reboot=False)
            for update in vm["updates"].get("awaiting_reboot", []):
                vm["updates"]["installed"].append(update)
            vm["updates"]["awaiting_reboot"] = []
            for service in vm["services"].values():
                if service["startup_type"] == "Automatic":
                    service.update(status="Running", accepting=True, draining=False)
            world.record(vm["fqdn"], "cce_vm_started", host=host["fqdn"])


def _note_outage(machine: dict, back_at: float) -> None:
    """Remember when a machine was down, so that the calls of those minutes, placed later, miss it.

    A whole restart can happen between two looks at the world (the clock runs fast); the twin's
    restart takes REBOOT_SECONDS, so the outage is known from the boot time alone."""
    outages = machine.setdefault("cce_outages", [])
    outages.append([back_at - REBOOT_SECONDS, back_at])
    del outages[:-20]


def _down_at(machine: dict, moment: float) -> bool:
    return any(start <= moment <= end for start, end in machine.get("cce_outages", []))


def _follow_vm_restarts(vm: dict) -> None:
    if vm["boot_time"] != vm["cce_vm"].setdefault("seen_boot", vm["boot_time"]):
        if not vm.get("off_with_host"):
            _note_outage(vm, vm["boot_time"])
        vm["cce_vm"]["seen_boot"] = vm["boot_time"]


def _mediation(world: World, host: dict) -> dict | None:
    for vm in _vms(world, host):
        if vm["cce_vm"]["role"] == "Mediation":
            return vm
    return None


def takes_calls(world: World, host: dict, moment: float | None = None) -> bool:
    if host["power"] != "on" or host["cce"]["update_mode"] or not host["cce"]["registered"]:
        return False
    vm = _mediation(world, host)
    if vm is None or not simulation.accepting(vm):
        return False
    return moment is None or not (_down_at(host, moment) or _down_at(vm, moment))


def _place_calls(world: World, site: dict) -> None:
    load = site["load"]
    rate = int(load["calls_per_minute"])
    minute_now = int(world.now // 60)
    first = max(load["cursor"] + 1, minute_now - _MAX_BACKFILL_MINUTES)
    hosts = [world.servers[h] for h in site["appliances"] if h in world.servers]
    for minute in range(first, minute_now + 1):
        routes = [h for h in hosts if takes_calls(world, h, minute * 60.0)]
        if rate <= 0:
            break
        if not routes:
            site["stats"]["calls_refused"] += rate
            world.record(site["name"], "cce_calls_refused", site=site["name"], count=rate, minute=minute)
            continue
        for _call in range(rate):
            number = load["next_call"]
            load["next_call"] = number + 1
            vm = _mediation(world, routes[number % len(routes)])
            length = load["call_minutes"] * 60 * (0.5 + (number * 7919 % 100) / 100)
            vm["sessions"].append({"id": number, "service": "MEDSVC", "start": minute * 60.0,
                                   "end": minute * 60.0 + length})
            site["stats"]["calls_started"] += 1
    load["cursor"] = max(load["cursor"], minute_now)


# -- PowerShell modules -------------------------------------------------------------------------


@powershell_module("CloudConnector")
def _has_cloud_connector(world: World, server: dict) -> bool:
    # Seed 001: "no valid module file was found in any module directory" when the Modules folder that
    # holds CloudConnector is not on PSModulePath.
    if "cce" not in server:
        return False
    path = server["registry"][ENVIRONMENT_KEY].get("PSModulePath", "")
    return knowledge.path_list_contains(path, knowledge.cce("modules_root"))


@powershell_module("Hyper-V")
def _has_hyperv(world: World, server: dict) -> bool:
    return "cce" in server


@powershell_module("Defender")
def _has_defender(world: World, server: dict) -> bool:
    return "cce" in server


@powershell_module("Dism")
def _has_dism(world: World, server: dict) -> bool:
    return True


# -- helpers of the handlers ---------------------------------------------------------------------


def _appliance(call: Call) -> dict:
    if "cce" not in call.server:
        raise CmdletError("The Cloud Connector appliance is not deployed on this host.", "InvalidOperation")
    return call.server["cce"]


def _version(call: Call) -> tuple[int, ...]:
    return knowledge.parse_version(_appliance(call)["version"])


def _not_recognized(name: str) -> CmdletError:
    return CmdletError(*knowledge.error("not_recognized", name=name))


def _require(call: Call, since: tuple[int, ...] | None = None, until: tuple[int, ...] | None = None) -> None:
    """A cmdlet that the installed version does not have is simply unknown to PowerShell."""
    version = _version(call)
    if since and not knowledge.at_least(version, since):
        raise _not_recognized(call.name)
    if until and knowledge.at_least(version, until):
        raise _not_recognized(call.name)


def _site(call: Call) -> dict:
    return call.world.kind("cce_site")[_appliance(call)["site"].lower()]


def _record(call: Call, kind: str, **detail) -> None:
    appliance = call.server.get("cce", {})
    call.world.record(call.server["fqdn"], kind, site=appliance.get("site"), appliance=appliance.get("name"), **detail)


def _credentials_readable(call: Call) -> None:
    if r"c:\programdata\cloudconnector\credentials.administrator.xml" not in call.server["files"]:
        # Without the cache the cmdlets prompt for the passwords (seed 001, recovery step 3).
        raise CmdletError(_NON_INTERACTIVE, "InvalidOperation", "HostException")
    if call.server["faults"].get("credentials_key_invalid"):
        # Seed 001: after the host account's password changes the cached credentials cannot be decrypted.
        raise CmdletError(*knowledge.error("cce_credentials_key_invalid"))


# -- versions, directories, status --------------------------------------------------------------


@cmdlet("Get-CcVersion")
def get_cc_version(call: Call):
    _require(call, since=knowledge.cce("get_cc_version_since"))
    appliance = _appliance(call)
    kind = str(call.get("VersionType", "RunningScripts")).lower()
    if kind == "all":
        return [appliance["version"], appliance["running_version"], appliance["backup_version"] or ""]
    value = {"runningscripts": appliance["version"], "runningbits": appliance["running_version"],
             "backupbits": appliance["backup_version"] or ""}[kind]
    return [value]


@cmdlet("Get-CcRunningVersion")
def get_cc_running_version(call: Call):
    # Only mentioned for releases before 2.0 (seed 001); 2.0 documents Get-CcVersion -VersionType RunningBits.
    _require(call, until=(2, 0))
    return [_appliance(call)["running_version"] or ""]


@cmdlet("Get-CcApplianceStatus")
def get_cc_appliance_status(call: Call):
    _require(call, since=knowledge.cce("appliance_status_since"))
    appliance = _appliance(call)
    # The page documents no property names ("returns the status of the appliance"): the twin answers
    # with one line of text, which the info module reports as it comes.
    state = "Maintenance" if appliance["update_mode"] else ("Running" if takes_calls(call.world, call.server) else "Down")
    return [f"Appliance {appliance['name']} ({appliance['version']}): {state}"]


@cmdlet("Get-CcSiteDirectory")
def get_cc_site_directory(call: Call):
    return [_appliance(call)["site_directory"]]


@cmdlet("Get-CcApplianceDirectory")
def get_cc_appliance_directory(call: Call):
    return [_appliance(call)["appliance_directory"]]


@cmdlet("Switch-CcVersion")
def switch_cc_version(call: Call):
    appliance = _appliance(call)
    if not appliance["backup_version"]:
        raise CmdletError("There is no backup version to switch to.", "InvalidOperation")
    appliance["running_version"], appliance["backup_version"] = appliance["backup_version"], appliance["running_version"]
    _record(call, "cce_version_switched", running=appliance["running_version"])
    return []


# -- update mode --------------------------------------------------------------------------------


@cmdlet("Enter-CcUpdate")
def enter_cc_update(call: Call):
    """Enter-CcUpdate's own page (knowledge/cce.yml `enter_cc_update`): "The Enter-CcUpdate cmdlet will
    immediately stop all services ending any ongoing calls and the appliance will reject any new calls,
    which are transferred to other production appliances." No drain: the calls still on the appliance
    are cut (`sessions_dropped`), which is why a rolling update checks the other appliances' capacity
    first. The page says nothing of startup types, so they are left as they are; calls stay away from
    the appliance because it is in maintenance mode, not because its services are Manual."""
    appliance = _appliance(call)
    if not appliance["update_mode"]:
        appliance["update_mode"] = True
        _record(call, "cce_update_entered")
    for vm in _vms(call.world, call.server):
        simulation.drop_sessions(call.world, vm, None, reason="Enter-CcUpdate stopped the services")
        for name, service in vm["services"].items():
            if service["status"] != "Stopped":
                service.update(status="Stopped", accepting=False, draining=False)
                call.world.record(vm["fqdn"], "service_stopped", service=name, graceful=False, reason="Enter-CcUpdate")
    return []


@cmdlet("Exit-CcUpdate")
def exit_cc_update(call: Call):
    """Seed 001: "start services and exit maintenance mode"."""
    appliance = _appliance(call)
    off = [vm["fqdn"] for vm in _vms(call.world, call.server) if vm["power"] != "on"]
    if off:
        raise CmdletError(f"Cannot start the Skype for Business services: virtual machine(s) {', '.join(off)} "
                          "are not running.", "ResourceUnavailable")
    failing = []
    for vm in _vms(call.world, call.server):
        for name, service in vm["services"].items():
            service["startup_type"] = "Automatic"
            if not simulation.start_service(call.world, vm, name):
                failing.append(name)
    if failing:
        # The wording of sample CloudConnector-RTCMRAUTH.1 (../shared/reference/samples/published), quoted in
        # troubleshoot-your-cloud-connector-deployment.md.
        raise CmdletError(*knowledge.error("cce_service_failed_to_start", name=failing[0]))
    if appliance["update_mode"]:
        appliance["update_mode"] = False
        _record(call, "cce_update_exited")
    return []


# -- certificates -------------------------------------------------------------------------------


def _renew_server(call: Call):
    appliance = _appliance(call)
    roles = {str(r).lower() for r in (call.get("Roles") or ["Cms", "MS", "Edge"])}
    wanted = {"cms": "CMS", "ms": "Mediation", "edge": "Edge"}
    renewed = []
    for vm in _vms(call.world, call.server):
        role = vm["cce_vm"]["role"]
        if role == "AD" or not any(wanted[r] == role for r in roles if r in wanted):
            continue
        appliance["legacy_certificates"].extend(vm["cce_vm"]["certificates"])
        vm["cce_vm"]["certificates"] = [_issue(vm["fqdn"], appliance["ca"], call.world.now)]
        renewed.append(role)
    _record(call, "cce_server_certificates_renewed", roles=renewed, ca=appliance["ca"]["thumbprint"])
    return []


@cmdlet("Renew-CcServerCertificate")
def renew_cc_server_certificate(call: Call):
    _require(call, until=knowledge.cce("update_cmdlets_since"))
    return _renew_server(call)


@cmdlet("Update-CcServerCertificate")
def update_cc_server_certificate(call: Call):
    _require(call, since=knowledge.cce("update_cmdlets_since"))
    return _renew_server(call)


def _renew_ca(call: Call):
    appliance = _appliance(call)
    appliance["ca"] = _new_ca(call.server["fqdn"], call.world.now, knowledge.cce("ca_lifetime_days"))
    _record(call, "cce_ca_renewed", ca=appliance["ca"]["thumbprint"])
    return []


@cmdlet("Renew-CcCACertificate")
def renew_cc_ca_certificate(call: Call):
    _require(call, until=knowledge.cce("update_cmdlets_since"))
    return _renew_ca(call)


@cmdlet("Update-CcCACertificate")
def update_cc_ca_certificate(call: Call):
    _require(call, since=knowledge.cce("update_cmdlets_since"))
    return _renew_ca(call)


@cmdlet("Reset-CcCACertificate")
def reset_cc_ca_certificate(call: Call):
    """Seed 001: on the first appliance (after the CA files were cleaned) it makes a new CA; on the others
    it consumes the CA backup files of the site root, "so that the appliances all use the same root"."""
    appliance = _appliance(call)
    backup = _site(call)["ca_backup"]
    if backup is not None:
        appliance["ca"] = dict(backup)
        _record(call, "cce_ca_reset", ca=appliance["ca"]["thumbprint"], from_backup=True)
    else:
        appliance["ca"] = _new_ca(call.server["fqdn"], call.world.now, knowledge.cce("ca_lifetime_days"))
        _record(call, "cce_ca_reset", ca=appliance["ca"]["thumbprint"], from_backup=False)
    return []


@cmdlet("Backup-CcCertificationAuthority")
def backup_cc_certification_authority(call: Call):
    appliance = _appliance(call)
    _site(call)["ca_backup"] = dict(appliance["ca"])
    _record(call, "cce_ca_backed_up", ca=appliance["ca"]["thumbprint"])
    return []


@cmdlet("Remove-CcCertificationAuthorityFile")
def remove_cc_certification_authority_file(call: Call):
    _appliance(call)
    _site(call)["ca_backup"] = None
    _record(call, "cce_ca_files_removed")
    return []


@cmdlet("Remove-CcLegacyServerCertificate")
def remove_cc_legacy_server_certificate(call: Call):
    appliance = _appliance(call)
    removed = len(appliance["legacy_certificates"])
    appliance["legacy_certificates"] = []
    _record(call, "cce_legacy_certificates_removed", count=removed)
    return []


@cmdlet("Export-CcRootCertificate")
def export_cc_root_certificate(call: Call):
    appliance = _appliance(call)
    path = str(call.get("Path"))
    call.server["files"][path.lower()] = {"path": path, "lines": [appliance["ca"]["thumbprint"]]}
    _record(call, "cce_root_exported", path=path, ca=appliance["ca"]["thumbprint"])
    return []


# -- credentials and registration ----------------------------------------------------------------


@cmdlet("Get-CcCredential")
def get_cc_credential(call: Call):
    appliance = _appliance(call)
    _credentials_readable(call)
    account = str(call.get("AccountType"))
    return [{"UserName": appliance["credentials"].get(account), "Password": None}]


@cmdlet("Set-CcCredential")
def set_cc_credential(call: Call):
    _appliance(call)
    # The documented signature has only -AccountType: the cmdlet prompts for the old and the new
    # credential (seed 001), which a non-interactive session cannot answer.
    raise CmdletError(_NON_INTERACTIVE, "InvalidOperation", "HostException")


@cmdlet("Register-CcAppliance")
def register_cc_appliance(call: Call):
    appliance = _appliance(call)
    _credentials_readable(call)
    if call.switch("Local"):
        _record(call, "cce_registered_local")
        return []
    site = str(call.get("SiteName") or appliance["site"])
    name = str(call.get("ApplianceName") or appliance["name"])
    for other in call.world.servers.values():
        theirs = other.get("cce")
        if not theirs or other is call.server or not theirs["registered"]:
            continue
        if (theirs["name"].lower() == name.lower() or theirs["mediation_fqdn"].lower() == appliance["mediation_fqdn"].lower()
                or theirs["mediation_ip"] == appliance["mediation_ip"]):
            # Seed 001, the error Register-CcAppliance writes.
            raise CmdletError(*knowledge.error("cce_registration_conflict", site=site, appliance=name,
                                               fqdn=appliance["mediation_fqdn"], ip=appliance["mediation_ip"]))
    appliance.update(registered=True, site=site, name=name)
    _record(call, "cce_registered")
    return []


# -- the tenant (Skype for Business Online session) ------------------------------------------------


def _tenant(call: Call) -> dict:
    if "cce_tenant" not in call.server:
        raise _not_recognized(call.name)
    return call.server["cce_tenant"]


def _registered(world: World) -> list[dict]:
    return [s for s in world.servers.values() if s.get("cce", {}).get("registered")]


def _tenant_appliance(server: dict) -> dict:
    a = server["cce"]
    # Identity, Name, SiteName and MaintenanceMode are parameter names of the Get-/Set-CsHybridPSTNAppliance
    # pages; MediationServerFqdn/MediationServerIPAddress follow the seed's wording (not on a page).
    return {"Identity": a["identity"], "Name": a["name"], "SiteName": a["site"],
            "MediationServerFqdn": a["mediation_fqdn"], "MediationServerIPAddress": a["mediation_ip"],
            "MaintenanceMode": a["update_mode"]}


@cmdlet("Get-CsHybridPSTNAppliance")
def get_cs_hybrid_pstn_appliance(call: Call):
    _tenant(call)
    found = [_tenant_appliance(s) for s in _registered(call.world)]
    if call.get("SiteName") is not None:
        found = [a for a in found if a["SiteName"].lower() == str(call.get("SiteName")).lower()]
    if call.get("Name") is not None:
        found = [a for a in found if a["Name"].lower() == str(call.get("Name")).lower()]
    if call.get("Identity") is not None:
        found = [a for a in found if a["Identity"].lower() == str(call.get("Identity")).lower()]
    return found


@cmdlet("Get-CsHybridPSTNSite")
def get_cs_hybrid_pstn_site(call: Call):
    _tenant(call)
    sites = list(call.world.kind("cce_site").values())
    if call.get("Identity") is not None:
        sites = [s for s in sites if s["name"].lower() == str(call.get("Identity")).lower()]
    return [{"Identity": s["name"], "EnableAutoUpdate": s["enable_auto_update"]} for s in sites]


@cmdlet("Set-CsHybridPSTNSite")
def set_cs_hybrid_pstn_site(call: Call):
    _tenant(call)
    site = call.world.kind("cce_site").get(str(call.get("Identity")).lower())
    if site is None:
        raise CmdletError(f"Cannot find site {call.get('Identity')}.", "ObjectNotFound")
    if call.get("EnableAutoUpdate") is not None:
        site["enable_auto_update"] = bool(call.get("EnableAutoUpdate"))
    return []


@cmdlet("Unregister-CsHybridPSTNAppliance")
def unregister_cs_hybrid_pstn_appliance(call: Call):
    _tenant(call)
    wanted = str(call.get("Identity", "")).lower()
    for server in _registered(call.world):
        if server["cce"]["identity"].lower() == wanted:
            server["cce"]["registered"] = False
            call.world.record(server["fqdn"], "cce_unregistered", site=server["cce"]["site"])
            return []
    raise CmdletError(f"Cannot find appliance {call.get('Identity')}.", "ObjectNotFound")


@cmdlet("Set-CsCceApplianceDeploymentStatus")
def set_cs_cce_appliance_deployment_status(call: Call):
    tenant = _tenant(call)
    tenant["deployment_status"][str(call.get("Identity"))] = {"action": call.get("Action"), "status": call.get("Status")}
    return []


# -- Hyper-V on the appliance host -----------------------------------------------------------------
# Get-Service, Get-NetFirewallRule and the registry cmdlets on the hosts and VMs are answered by the
# winservices, firewall and winregistry families, from the same server records (services,
# cce_vm.firewall_rules, registry) this family describes.


def _vm_by_name(call: Call) -> list[dict]:
    vms = _vms(call.world, call.server) if "cce" in call.server else []
    names = call.get("Name") or call.get("VMName")
    if names is None:
        return vms
    names = [names] if isinstance(names, str) else list(names)
    if names == ["*"]:
        return vms
    return [vm for vm in vms if vm["cce_vm"]["vm_name"].lower() in (n.lower() for n in names)]


@cmdlet("Get-VM")
def get_vm(call: Call):
    # Microsoft.HyperV.PowerShell.VirtualMachine: Name and State ("Running" in the page's example 2).
    return [{"Name": vm["cce_vm"]["vm_name"], "State": "Running" if vm["power"] != "off" else "Off",
             "ComputerName": call.server["fqdn"]} for vm in _vm_by_name(call)]


@cmdlet("Get-VMNetworkAdapter")
def get_vm_network_adapter(call: Call):
    adapters = []
    for vm in _vm_by_name(call):
        for switch in vm["cce_vm"]["switches"]:
            adapters.append({"VMName": vm["cce_vm"]["vm_name"], "Name": "Network Adapter", "SwitchName": switch})
    return adapters


# -- files, Defender, DISM ----------------------------------------------------------------------


def _path(call: Call) -> str:
    value = call.get("LiteralPath") or call.get("Path")
    return str(value[0] if isinstance(value, list) else value)


@cmdlet("Get-Content")
def get_content(call: Call):
    entry = call.server.get("files", {}).get(_path(call).lower())
    if entry is None:
        raise CmdletError(f"Cannot find path '{_path(call)}' because it does not exist.", "ObjectNotFound",
                          "PathNotFound,Microsoft.PowerShell.Commands.GetContentCommand")
    return list(entry["lines"])


@cmdlet("Set-Content")
def set_content(call: Call):
    value = call.get("Value")
    lines = [str(v) for v in (value if isinstance(value, list) else [value])]
    call.server.setdefault("files", {})[_path(call).lower()] = {"path": _path(call), "lines": lines}
    call.world.record(call.server["fqdn"], "file_written", path=_path(call))
    return []


@cmdlet("Remove-Item")
def remove_item(call: Call):
    files = call.server.get("files", {})
    path = _path(call).lower()
    if path not in files:
        raise CmdletError(f"Cannot find path '{_path(call)}' because it does not exist.", "ObjectNotFound",
                          "PathNotFound,Microsoft.PowerShell.Commands.RemoveItemCommand")
    del files[path]
    call.world.record(call.server["fqdn"], "file_removed", path=_path(call))
    return []


@cmdlet("Get-MpPreference")
def get_mp_preference(call: Call):
    defender = _appliance(call)["defender"]
    return [{"ExclusionPath": list(defender["ExclusionPath"]) or None,
             "ExclusionProcess": list(defender["ExclusionProcess"]) or None}]


@cmdlet("Add-MpPreference")
def add_mp_preference(call: Call):
    defender = _appliance(call)["defender"]
    for key in ("ExclusionPath", "ExclusionProcess"):
        values = call.get(key)
        for value in ([values] if isinstance(values, str) else list(values or [])):
            if value.lower() not in (v.lower() for v in defender[key]):
                defender[key].append(value)
    call.world.record(call.server["fqdn"], "defender_exclusions_added")
    return []


@cmdlet("Get-WindowsImage")
def get_windows_image(call: Call):
    if call.server.get("cce", {}).get("stuck_image_mount"):
        # Seed 001: a failed Dismount-WindowsImage (0xc1550115) leaves a mount DISM must clean up.
        return [{"Path": r"C:\CCE\Mount", "MountStatus": "Invalid"}]
    return []


@executable("dism.exe")
def dism(call: Call):
    arguments = [a.lower() for a in call.arguments]
    if "/cleanup-wim" in arguments:
        # Seed 001: "DISM -Cleanup-Wim ... will clean up all troubled images".
        if "cce" in call.server:
            call.server["cce"]["stuck_image_mount"] = False
        call.world.record(call.server["fqdn"], "dism_cleanup_wim")
        return ExitCode(0, "The operation completed successfully.")
    return ExitCode(87, "Error: 87\n\nThe option is unknown.")


# -- the certificate drive ----------------------------------------------------------------------


def _iso(timestamp: float) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc).isoformat()


def _certificate(cert: dict, now: float) -> dict:
    # X509Certificate2 properties; the runner turns NotAfter (a DateTime) into ISO 8601 text.
    return {"Thumbprint": cert["thumbprint"], "Subject": cert["subject"], "Issuer": cert.get("issuer", cert["subject"]),
            "NotBefore": _iso(cert["not_before"]), "NotAfter": _iso(cert["not_after"])}


def _certificate_store(call: Call, path: str):
    store = path.rstrip("\\").lower().removeprefix("cert:\\localmachine\\")
    vm = call.server.get("cce_vm")
    if vm is None:
        return []
    if store == "my":
        return [_certificate(c, call.world.now) for c in vm["certificates"]]
    if store == "root":
        host = call.world.servers.get(vm["appliance"])
        roots = [host["cce"]["ca"]] if host else []
        for cert in vm["certificates"]:
            if cert["issuer_ca"]["thumbprint"] not in (r["thumbprint"] for r in roots):
                roots.append(cert["issuer_ca"])
        return [_certificate(r, call.world.now) for r in roots]
    raise CmdletError(f"Cannot find path '{path}' because it does not exist.", "ObjectNotFound",
                      "PathNotFound,Microsoft.PowerShell.Commands.GetChildItemCommand")


@extends("Get-ChildItem")
def _get_child_item(call: Call, base):
    """The certificate store of an appliance's VMs and the folders of an appliance host; every other
    machine's Get-ChildItem is the certificates family's."""
    path = call.get("Path")
    path = str(path[0] if isinstance(path, list) else path)
    if path.lower().startswith("cert:") and "cce_vm" in call.server:
        return _certificate_store(call, path)
    if "cce" not in call.server:
        return base(call)
    folder = path.rstrip("\\").lower() + "\\"
    inside = [f for key, f in call.server.get("files", {}).items() if key.startswith(folder)]
    wanted = str(call.get("Filter") or "*").lower()
    children = {}
    for entry in inside:
        name = entry["path"][len(folder):].split("\\")[0]
        if wanted in ("*", name.lower()):
            children[name.lower()] = {"Name": name, "FullName": entry["path"][:len(folder)] + name}
    return list(children.values())
