# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Skype for Business Cloud Connector Edition (CCE): what the documentation says about appliances.

Pure knowledge, no I/O. Sources:
- seed 001 (troubleshoot-your-cloud-connector-deployment.md): monitored services per role and
  version, the automatic recovery schedule, certificate lifetimes, the CA-compromise procedures,
  the registration conflict rule, .NET 4.6.1 for 2.1+, the `State` line of CloudConnector.ini,
  the antivirus exclusions, the ModuleAnalysisCache and PSModulePath remedies;
- the Cloud Connector cmdlet reference (cce_versions of signatures/documented.json): Renew-* are
  1.4.2 only and became Update-* in 2.0; Get-CcVersion is 2.0+; Get-CcApplianceStatus is 2.1+.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from ansible_collections.sfb.server.plugins.plugin_utils.errors import (
    ACCEPT_UNREADABLE_VARIABLE, InvalidArgument, SfbError, UnreadableOutput, accepts_unreadable,
)

# -- versions ------------------------------------------------------------------------------------

_VERSION = re.compile(r"(\d+(?:\.\d+){1,3})")
UPDATE_CMDLETS_SINCE = (2, 0)       # Renew-* -> Update-* (seed 001 note; cmdlet reference)
GET_CC_VERSION_SINCE = (2, 0)       # cce_versions of Get-CcVersion
APPLIANCE_STATUS_SINCE = (2, 1)     # cce_versions of Get-CcApplianceStatus
DOTNET_REQUIRED_SINCE = (2, 1)      # seed 001: "Cloud Connector 2.1 and later requires .NET Framework 4.6.1"
RENEW_CMDLETS_ONLY = (1, 4, 2)      # Renew-* pages apply to 1.4.2 only
# The Release value of HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full for .NET 4.6.1 is
# 394254 on Windows 10 November Update and 394271 elsewhere (learn.microsoft.com, "Determine which
# .NET Framework versions are installed"); the smaller one is the floor.
DOTNET_461_RELEASE = 394254


def parse_version(text) -> tuple[int, ...] | None:
    """(2, 1, 0) from '2.1.0', 'Version 2.1.0.1234' or a VM name that carries the version."""
    if text is None:
        return None
    match = _VERSION.search(str(text))
    if not match:
        return None
    return tuple(int(part) for part in match.group(1).split("."))


def read_version(text, command: str) -> tuple[int, ...] | None:
    """The one version in a version cmdlet's text (Get-CcVersion, Get-CcRunningVersion), failing closed.

    ASSUMPTION (docs/assumptions.md, "Cloud Connector version text"; no output is published): the
    text holds one dotted version, alone or in words ("2.1.0", "Version 2.1.0.1234"). Empty or None
    is the documented empty value of Get-CcRunningVersion (seed 001): None. A text with no version,
    or with two different ones, raises UnreadableOutput unless the task names `command` in
    sfb_accept_unreadable_output, when it reads as unknown (None).
    """
    if text is None or not str(text).strip():
        return None
    found = {tuple(int(p) for p in m.split(".")) for m in _VERSION.findall(str(text))}
    if len(found) == 1:
        return found.pop()
    if accepts_unreadable(command):
        return None
    raise UnreadableOutput(
        command, "one dotted version such as 2.1.0" + (" (it holds several)" if found else ""), str(text),
        accept_with=f"{ACCEPT_UNREADABLE_VARIABLE}: [{command}]")


def version_text(version: tuple[int, ...] | None) -> str | None:
    return ".".join(str(p) for p in version) if version else None


def at_least(version: tuple[int, ...], floor: tuple[int, ...]) -> bool:
    width = max(len(version), len(floor))
    return tuple(version) + (0,) * (width - len(version)) >= tuple(floor) + (0,) * (width - len(floor))


@dataclass(frozen=True)
class CertificateCmdlets:
    server: str
    ca: str


def certificate_cmdlets(version: tuple[int, ...]) -> CertificateCmdlets:
    """The renewal cmdlets of the installed version (seed 001: renamed in 2.0)."""
    if at_least(version, UPDATE_CMDLETS_SINCE):
        return CertificateCmdlets("Update-CcServerCertificate", "Update-CcCACertificate")
    if at_least(version, RENEW_CMDLETS_ONLY):
        return CertificateCmdlets("Renew-CcServerCertificate", "Renew-CcCACertificate")
    raise SfbError(
        f"Cloud Connector {version_text(version)} has no documented certificate renewal cmdlet.",
        hint="Renew-CcServerCertificate/Renew-CcCACertificate exist from 1.4.2 and Update-* from 2.0: "
        "upgrade the appliance first.",
    )


# -- monitored services (seed 001, "Monitoring") ---------------------------------------------------

VM_ROLES = ("CMS", "Mediation", "Edge", "AD")
_MONITORED_2_0 = {
    "CMS": ("REPLICA", "MASTER"),
    "Mediation": ("REPLICA", "RTCSRV", "MEDSVC"),
    "Edge": ("REPLICA", "RTCSRV", "RTCDATAPROXY", "RTCMRAUTH", "RTCMEDIARELAY"),
    "AD": (),
}
_MONITORED_1_4_2 = {
    "CMS": (),
    "Mediation": ("RTCSRV", "MEDSVC"),
    "Edge": ("RTCSRV",),
    "AD": (),
}
# "Inbound firewall rules are disabled for CS RTCSRV on Edge server, CS RTCMEDSRV on Mediation server"
MONITORED_FIREWALL_RULES = {"Edge": ("CS RTCSRV",), "Mediation": ("CS RTCMEDSRV",)}
# "Virtual Machines are not connected to the Cloud Connector Corporate or Internet virtual switches"
SWITCH_CORPNET = "SfB CCE Corpnet Switch"
SWITCH_INTERNET = "SfB CCE Internet Switch"
EXPECTED_SWITCHES = {
    "CMS": (SWITCH_CORPNET,),
    "Mediation": (SWITCH_CORPNET,),
    "AD": (SWITCH_CORPNET,),
    "Edge": (SWITCH_CORPNET, SWITCH_INTERNET),
}


def monitored_services(role: str, version: tuple[int, ...]) -> tuple[str, ...]:
    if role not in VM_ROLES:
        raise InvalidArgument(f"{role!r} is not a Cloud Connector VM role.", hint=f"Roles: {', '.join(VM_ROLES)}.")
    table = _MONITORED_2_0 if at_least(version, (2, 0)) else _MONITORED_1_4_2
    return table[role]


def monitored_firewall_rules(role: str, version: tuple[int, ...]) -> tuple[str, ...]:
    # The seed lists firewall rules among what 2.0 and later monitor; 1.4.2 monitors services only.
    return MONITORED_FIREWALL_RULES.get(role, ()) if at_least(version, (2, 0)) else ()


# -- the recovery schedule (seed 001, "Recovery process") ------------------------------------------

RECOVERY_FIRST_INTERVAL = 10.0
RECOVERY_FLAT_ATTEMPTS = 3
RECOVERY_MAX_INTERVAL = 3600.0


def recovery_intervals(window: float, scale: float = 1.0) -> list[float]:
    """The waits between health probes that fit in `window` seconds.

    Seed 001: "For the first three recovery attempts, the interval time is 10 seconds. Starting from
    the fourth retry, the interval time increases by two times the previous interval time ... When the
    maximum interval time of one hour is reached, retries will continue once per hour." `scale`
    shrinks or stretches every interval (a rehearsal may want the same shape in less time); the
    last wait is cut so the sum never exceeds the window.
    """
    if window <= 0:
        raise InvalidArgument(f"The health window must be positive, not {window}.")
    if scale <= 0:
        raise InvalidArgument(f"The schedule scale must be positive, not {scale}.")
    intervals: list[float] = []
    spent = 0.0
    interval = RECOVERY_FIRST_INTERVAL
    attempt = 1
    while spent < window:
        if attempt > RECOVERY_FLAT_ATTEMPTS:
            interval = min(interval * 2, RECOVERY_MAX_INTERVAL)
        step = min(interval * scale, window - spent)
        intervals.append(step)
        spent += step
        attempt += 1
    return intervals


# -- certificates (seed 001, certificate issue) -----------------------------------------------------

CA_LIFETIME_DAYS = 5 * 365          # "certification authority certificates are valid for five years"
INTERNAL_LIFETIME_DAYS = 2 * 365    # "Internal certificates ... are valid for two years"


@dataclass(frozen=True)
class CertificateState:
    kind: str           # "ca" or "internal"
    subject: str
    not_after: float
    days_left: float
    due: bool


def certificate_state(kind: str, subject: str, not_after: float, now: float, threshold_days: float) -> CertificateState:
    days_left = (not_after - now) / 86400
    return CertificateState(kind, subject, not_after, round(days_left, 1), days_left <= threshold_days)


# -- the CA-compromise procedures (seed 001) ------------------------------------------------------


@dataclass(frozen=True)
class ProcedureStep:
    """One step of a procedure, on one appliance. `key` names it in the progress record."""

    key: str
    appliance: str
    action: str     # enter_update | reset_ca | renew_server | remove_legacy | backup_ca | clean_ca_files
    #                 | export_root | exit_update

    def to_dict(self) -> dict:
        return {"key": self.key, "appliance": self.appliance, "action": self.action}


def ca_compromise_steps(appliances: list[str], export_root: bool) -> list[ProcedureStep]:
    """The ordered steps of the documented procedure for a site's appliances (first = appliances[0]).

    Single appliance: enter update mode; Reset-CcCACertificate, renew server certificates,
    Remove-CcLegacyServerCertificate; export the root certificate if TLS gateways use it; exit.
    Several appliances: clean the CA backup files on the first; put each appliance in update mode;
    reset and renew on the first; back the CA up to the site root; reset and renew on the others
    (they consume the backup, so all share one root); export the root; exit update mode.
    """
    if not appliances:
        raise InvalidArgument("A CA reset needs at least one appliance.")
    if len(set(a.lower() for a in appliances)) != len(appliances):
        raise InvalidArgument(f"An appliance is listed twice: {', '.join(appliances)}.")
    first, others = appliances[0], appliances[1:]
    steps: list[ProcedureStep] = []

    def add(appliance: str, action: str) -> None:
        steps.append(ProcedureStep(f"{len(steps) + 1:02d}-{action}-{appliance.lower()}", appliance, action))

    if not others:
        add(first, "enter_update")
        for action in ("reset_ca", "renew_server", "remove_legacy"):
            add(first, action)
        if export_root:
            add(first, "export_root")
        add(first, "exit_update")
        return steps
    add(first, "clean_ca_files")
    for appliance in appliances:
        add(appliance, "enter_update")
    for action in ("reset_ca", "renew_server", "remove_legacy"):
        add(first, action)
    add(first, "backup_ca")
    for appliance in others:
        for action in ("reset_ca", "renew_server", "remove_legacy"):
            add(appliance, action)
    if export_root:
        add(first, "export_root")
    for appliance in appliances:
        add(appliance, "exit_update")
    return steps


def remaining_steps(steps: list[ProcedureStep], done: Iterable[str]) -> list[ProcedureStep]:
    """Steps not yet done, in order. A progress record from another procedure is refused."""
    done = list(done)
    known = {s.key for s in steps}
    foreign = [key for key in done if key not in known]
    if foreign:
        raise SfbError(
            f"The recorded CA-reset progress does not match this procedure (unknown steps: {', '.join(foreign)}).",
            hint="The site's appliances or their order changed since the procedure started: finish it with "
            "the same appliance list, or remove the progress file after checking every appliance by hand.",
        )
    return [s for s in steps if s.key not in done]


# -- registration conflicts (seed 001, Register-CcAppliance error) --------------------------------


@dataclass(frozen=True)
class ApplianceIdentity:
    site: str
    name: str
    mediation_fqdn: str
    mediation_ip: str
    identity: str = ""


@dataclass
class Conflict:
    field: str
    value: str
    registered: ApplianceIdentity

    def describe(self) -> str:
        return (f"{self.field} {self.value} is already used by appliance {self.registered.name} "
                f"(site {self.registered.site}, identity {self.registered.identity or 'unknown'})")


@dataclass
class RegistrationCheck:
    conflicts: list[Conflict] = field(default_factory=list)
    already_registered: ApplianceIdentity | None = None


def check_registration(mine: ApplianceIdentity, registered: list[ApplianceIdentity]) -> RegistrationCheck:
    """Seed 001: ApplianceName, Mediation Server FQDN and IP "must be unique and only used for one
    appliance registration". The same appliance registered with the same values is not a conflict
    (it is already registered); any other appliance sharing one of them is."""
    check = RegistrationCheck()
    for other in registered:
        same = (other.name.lower() == mine.name.lower() and other.site.lower() == mine.site.lower()
                and other.mediation_fqdn.lower() == mine.mediation_fqdn.lower()
                and other.mediation_ip == mine.mediation_ip)
        if same:
            check.already_registered = other
            continue
        if other.name.lower() == mine.name.lower():
            check.conflicts.append(Conflict("ApplianceName", mine.name, other))
        if other.mediation_fqdn.lower() == mine.mediation_fqdn.lower():
            check.conflicts.append(Conflict("Mediation Server FQDN", mine.mediation_fqdn, other))
        if other.mediation_ip == mine.mediation_ip:
            check.conflicts.append(Conflict("Mediation Server IP Address", mine.mediation_ip, other))
    return check


# -- CloudConnector.ini ([Common] State line, seed 001) --------------------------------------------


def ini_sections(lines: list[str]) -> dict[str, dict[str, str]]:
    sections: dict[str, dict[str, str]] = {}
    current = None
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith(";") or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1].strip(), {})
            continue
        if current is not None and "=" in line:
            key, value = line.split("=", 1)
            current[key.strip()] = value.strip()
    return sections


def ini_has_state_line(lines: list[str]) -> bool:
    return "State" in ini_sections(lines).get("Common", {})


def ini_with_state_line(lines: list[str], value: str = "") -> list[str]:
    """The file with `State=` added to [Common] (seed 001: the value may be empty, the line may not
    be missing). The line goes right after CountryCode when present, else at the section's end."""
    if ini_has_state_line(lines):
        return list(lines)
    out = list(lines)
    start = next((i for i, l in enumerate(out) if l.strip().lower() == "[common]"), None)
    if start is None:
        raise SfbError("CloudConnector.ini has no [Common] section.",
                       hint="The file is not a Cloud Connector configuration file; restore it from your deployment.")
    end = next((i for i in range(start + 1, len(out)) if out[i].strip().startswith("[")), len(out))
    insert_at = end
    for i in range(start + 1, end):
        if out[i].strip().lower().startswith("countrycode"):
            insert_at = i + 1
    while insert_at > start + 1 and not out[insert_at - 1].strip():
        insert_at -= 1
    out.insert(insert_at, f"State={value}")
    return out


# -- antivirus exclusions (seed 001, "Tips when installing anti-virus software") -------------------

PROGRAM_FOLDER = r"C:\Program Files\Skype for Business Cloud Connector Edition"
PROGRAM_DATA_FOLDER = r"C:\ProgramData\CloudConnector"
MODULE_FOLDER = r"C:\Program Files\WindowsPowerShell\Modules\CloudConnector"
MODULES_ROOT = r"C:\Program Files\WindowsPowerShell\Modules"
MANAGEMENT_PROCESS = "Microsoft.Rtc.CCE.ManagementService.exe"


def antivirus_exclusions(appliance_directory: str, site_directory: str, hosts_site_root: bool) -> dict:
    """Paths and processes to exclude. The seed lists the Local Appliance Directory, the Remote Site
    Directory, the Local Site Directory on the machine that hosts the share, %ProgramFiles%\\Skype for
    Business Cloud Connector Edition, %ALLUSERSPROFILE%\\CloudConnector, the module folder and the
    management service process."""
    paths = [appliance_directory, site_directory, PROGRAM_FOLDER, PROGRAM_DATA_FOLDER, MODULE_FOLDER]
    if hosts_site_root:
        paths.append(site_directory)
    unique: list[str] = []
    for path in paths:
        if path and path.rstrip("\\").lower() not in (p.rstrip("\\").lower() for p in unique):
            unique.append(path)
    return {"paths": unique, "processes": [MANAGEMENT_PROCESS]}


def missing_entries(wanted: list[str], present: list[str] | None) -> list[str]:
    have = {str(p).rstrip("\\").lower() for p in (present or [])}
    return [w for w in wanted if w.rstrip("\\").lower() not in have]


def path_list_contains(path_list: str, folder: str) -> bool:
    return any(p.strip().rstrip("\\").lower() == folder.rstrip("\\").lower()
               for p in (path_list or "").split(";") if p.strip())
