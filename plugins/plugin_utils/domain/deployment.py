# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Deployment Wizard's knowledge, without I/O: what each step needs and when it is done.

Seed 002 (install Skype for Business Server on the servers of the topology) is the procedure. Microsoft
documents what each wizard step achieves, not which commands it runs internally (sfb_facts 10), so
the modules reach each step's documented outcome with documented cmdlets:
- core components: `Setup.exe /BootstrapLocalMgmt` ("installs core files + RTCLocal", watcher-nodes page);
- step 1, local configuration store: `Enable-CsReplica` ("adds the local computer to the replication
  path") and `Invoke-CsManagementStoreReplication`, or `Import-CsConfiguration -LocalStore` from an
  exported file for servers that cannot reach the Central Management store (Edge); the outcome is
  checked with `Get-CsManagementStoreReplicationStatus` (UpToDate);
- step 2, components: `<install>\\Deployment\\Bootstrapper.exe` (re-runs component setup from the
  topology), `Enable-CsComputer`, `Install-CsDatabase -LocalDatabases` where the role keeps local stores;
- step 3, certificates: `Request-CsCertificate`, `Import-CsCertificate`, `Set-CsCertificate`;
- step 4, start: `Start-CsPool` (Enterprise pool of three or more Front Ends) or `Start-CsWindowsService`.
"""

from __future__ import annotations

import datetime
import ntpath
from dataclasses import dataclass, field
from typing import Iterable

from ansible_collections.sfb.server.plugins.plugin_utils.domain import roles as role_catalog
from ansible_collections.sfb.server.plugins.plugin_utils.domain import versions
from ansible_collections.sfb.server.plugins.plugin_utils.domain.quorum import first_start_minimum
from ansible_collections.sfb.server.plugins.plugin_utils.domain.topology_document import TopologyNames, web_fqdn
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError

# Where Windows Installer lists installed products (DisplayName, DisplayVersion, InstallLocation).
UNINSTALL_KEYS = r"HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*"
# sfb_facts 3: "Core Components" is the ComponentName suffix Get-CsServerPatchVersion reports
# ("Skype for Business Server 2019, Core Components").
CORE_SUFFIX = ", core components"
PRODUCT_PREFIX = "skype for business server"
# Deployment\Bootstrapper.exe under the installation folder (sfb_facts 8, paired pools page).
BOOTSTRAPPER = r"Deployment\Bootstrapper.exe"
# ASSUMPTION: Windows Installer's "success, restart required" code. Setup.exe and Bootstrapper.exe
# exit codes are not documented (sfb_facts 8); 3010 is the MSI convention (ERROR_SUCCESS_REBOOT_REQUIRED).
RESTART_EXIT_CODE = 3010
# ASSUMPTION: the command-line form of the installation folder the wizard asks for (seed 002 note
# "drive and path for the installation"). Not documented; the modules check the result with Test-Path.
INSTALL_DIR_ARGUMENT = "/InstallDir:{path}"

# -- the unattended installation of the core components (issue 11) ------------------------------
# "Install Skype for Business Server on servers in the topology" documents the interactive path only:
# Setup.exe asks to install Visual C++ ("A dialog will pop up ... Click Yes") and to accept the
# licence, so it is never run (it would wait on a hidden dialog). The unattended route runs, each in
# its own plan, the pieces Setup.exe runs: the Visual C++ redistributable, the core components MSI
# (the same page: "If you install the Setup files to this path, including OCSCore.msi"), then
# Bootstrapper.exe /BootstrapLocalMgmt, which installs the local management store (SQL Server Express,
# RTCLocal) from the media. ASSUMPTIONS (docs/assumptions.md): the media layout, the msiexec property
# that chooses the folder, and the redistributable's switches are not on any Skype for Business page.
VCREDIST = "vcredist_x64.exe"                      # beside Setup.exe on the media (<media>\Setup\amd64)
VCREDIST_ARGUMENTS = ("/install", "/quiet", "/norestart")
# Visual C++ redistributable exit codes: 0 installed; 1638 a newer version is already installed; 3010
# installed, restart required (the Windows Installer codes, which the redistributable passes on).
VCREDIST_SUCCESS_CODES = (0, 1638)
OCSCORE_MSI = r"Setup\ocscore.msi"                 # under <media>\Setup\amd64
MSIEXEC = r"C:\Windows\System32\msiexec.exe"
# Windows Installer's documented exit codes (msiexec): 0 success, 1641 success and a restart was
# started, 3010 success and a restart is required.
MSI_SUCCESS_CODES = (0,)
MSI_RESTART_CODES = (3010, 1641)
# The runner quotes each argument by the Windows argv rules (Argv-ToString), so no quotes are added here.
OCSCORE_INSTALL_DIR_PROPERTY = "INSTALLDIR={path}"
BOOTSTRAP_LOCAL_MGMT = "/BootstrapLocalMgmt"
SOURCE_DIRECTORY_ARGUMENT = "/SourceDirectory:{media}"
# The SQL Server Express instance of the local management store (RTCLocal): its service is the marker
# that /BootstrapLocalMgmt completed.
RTCLOCAL_SERVICE = "MSSQL$RTCLOCAL"
# Seconds each unattended step may take (the time limit of the async job that runs it); a stuck installer fails the
# step after this long instead of the four hours of a whole plan.
INSTALL_TIMEOUTS = {"vcredist": 900, "ocscore": 1800, "bootstrap": 3600}
VCREDIST_MARKER = "microsoft visual c++"

# -- step 1 -------------------------------------------------------------------------------------
# The Replica Replicator Agent, started after Enable-CsReplica so that replication keeps the local
# store current (its service name as Get-CsWindowsService reports it).
REPLICA_SERVICE = "RTCREPLICA"
# Where step 1 writes the exported configuration on an internal server (Export-CsConfiguration page:
# "Export-CsConfiguration -FileName C:\Config.zip"); the Windows temporary folder always exists.
DEFAULT_CONFIGURATION_FILE = r"C:\Windows\Temp\sfb-CsConfiguration.zip"

# Windows Firewall's service name; seed 002: it must run the first time services start on a Front End.
FIREWALL_SERVICE = "MpsSvc"
SERVER_ADMINS_GROUP = "RTCUniversalServerAdmins"
LOCAL_ADMINS_GROUP = "Administrators"

# Roles whose servers keep local databases that Install-CsDatabase -LocalDatabases creates from the
# topology ("install databases and stores as needed on the local computer", Install-CsDatabase page):
# the Front End's LYSS store and, on Standard Edition, its local back end.
ROLES_WITH_LOCAL_DATABASES = ("FrontEnd",)

CERTIFICATE_USES_LOCAL = ("Default", "WebServicesInternal", "WebServicesExternal")
# OAuthTokenIssuer is global (Set-CsCertificate -Identity Global), assigned once on one Front End and
# replicated to every Front End ("Assign a server-to-server authentication certificate to Skype for
# Business Server", OfficeDocs-SkypeForBusiness Skype/SfbServer/manage/authentication/
# assign-a-server-to-server-certificate.md: "this command should only be run one time, and only on one
# of your Front End Servers"; "the certificate must be at least 2048 bits"; "any Web server certificate
# that includes the name of your SIP domain in the Subject field").
OAUTH_USE = "OAuthTokenIssuer"
OAUTH_ROLE = "FrontEnd"
# The certificates each role's servers carry, one group per certificate (Environmental requirements for
# Skype for Business Server, OfficeDocs-SkypeForBusiness Skype/SfbServer/plan-your-deployment/
# requirements-for-your-environment/environmental-requirements.md, "Certificates" tables; Deploy Edge
# Servers: an internal Edge certificate and an external one): -Type values of Set-CsCertificate.
EDGE_INTERNAL_USES = ("Internal",)
EDGE_EXTERNAL_USES = ("AccessEdgeExternal", "DataEdgeExternal", "AudioVideoAuthentication")
CERTIFICATE_GROUPS_BY_ROLE = {
    "FrontEnd": (CERTIFICATE_USES_LOCAL,),
    "Director": (CERTIFICATE_USES_LOCAL,),
    "Mediation": (("Default",),),   # collocated with Front Ends, their certificate suffices
    "PersistentChat": (("Default",),),
    "Edge": (EDGE_INTERNAL_USES, EDGE_EXTERNAL_USES),
}
ALL_LOCAL_USES = tuple(dict.fromkeys(u for groups in CERTIFICATE_GROUPS_BY_ROLE.values() for g in groups for u in g))
# "at least 2048 bits" (the OAuth page above); the wizard's default bit length is 2048 too.
MIN_KEY_BITS = 2048
# The Server Authentication enhanced key usage (RFC 5280 id-kp-serverAuth): the Web Server template's.
SERVER_AUTHENTICATION_OID = "1.3.6.1.5.5.7.3.1"
KEY_SIZES = (1024, 2048, 4096)  # Request-CsCertificate -KeySize: "Valid key sizes are 1024; 2048; and 4096."


# -- products and installation folders -------------------------------------------------------


def product_of(name: str, version: str) -> versions.Product:
    """The product a setup file or an installed entry belongs to, from its name and version."""
    text = f"{name} ({_padded_version(version)}): "
    try:
        return versions.parse_server_version(text)[0]
    except SfbError:
        raise SfbError(
            f"Cannot tell which Skype for Business Server release {name!r} version {version!r} is.",
            hint="Point setup_path at the Setup.exe of Skype for Business Server 2015, 2019 or Subscription Edition media.",
        ) from None


def _padded_version(version: str) -> str:
    parts = str(version or "").split(".")
    while len(parts) < 4:
        parts.append("0")
    return ".".join(parts[:4])


@dataclass(frozen=True)
class Installed:
    """What Windows Installer says about Skype for Business Server on a server."""

    product: versions.Product | None
    version: str | None
    components: tuple[str, ...]
    location: str | None = None  # Windows Installer's InstallLocation of the core components, when it is set

    @property
    def core(self) -> bool:
        return self.product is not None


def installed_from(entries: Iterable[dict]) -> Installed:
    """Read the uninstall entries (Get-ItemProperty on UNINSTALL_KEYS)."""
    components = []
    core = None
    for entry in entries or ():
        name = str(entry.get("DisplayName") or "")
        if not name.lower().startswith(PRODUCT_PREFIX):
            continue
        components.append(name)
        if name.lower().endswith(CORE_SUFFIX):
            core = entry
    if core is None:
        return Installed(product=None, version=None, components=tuple(components))
    version = _padded_version(str(core.get("DisplayVersion") or ""))
    product_name = str(core["DisplayName"])[: -len(CORE_SUFFIX)]
    location = str(core.get("InstallLocation") or "").rstrip("\\") or None
    return Installed(product=product_of(product_name, version), version=version, components=tuple(components),
                     location=location)


def default_install_path(product: versions.Product) -> str:
    return product.program_folder


def candidate_install_paths(install_path: str | None) -> list[str]:
    """Folders to look for an installation in: the chosen one, else each product's default folder."""
    if install_path:
        return [install_path.rstrip("\\")]
    return [p.program_folder for p in versions.PRODUCTS]


def bootstrapper_path(install_path: str) -> str:
    return ntpath.join(install_path.rstrip("\\"), BOOTSTRAPPER)


def found_install_path(candidates: list[str], exists: list) -> str | None:
    """The first candidate folder whose Bootstrapper.exe exists (Test-Path answers, in order)."""
    for path, present in zip(candidates, exists or ()):
        if present is True or str(present).lower() == "true":
            return path
    return None


def drive_of(path: str) -> str:
    drive = ntpath.splitdrive(path)[0]
    if not drive or not drive.endswith(":"):
        raise SfbError(f"{path!r} is not an absolute path on a drive (such as D:\\Skype).",
                       hint="Give install_path as a full Windows path, for example D:\\Program Files\\Skype for Business Server 2019.")
    return drive.rstrip(":").upper()


# -- prerequisites -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    check: str
    problem: str
    fix: str

    def to_result(self) -> dict:
        return {"check": self.check, "problem": self.problem, "fix": self.fix}


def _names(members: Iterable[dict], *keys: str) -> set[str]:
    names = set()
    for member in members or ():
        for key in keys:
            value = member.get(key)
            if value:
                names.add(str(value).lower())
    return names


def account_parts(account: str) -> tuple[str, str]:
    if "\\" in account:
        domain, user = account.split("\\", 1)
        return domain, user
    if "@" in account:
        user, domain = account.split("@", 1)
        return domain.split(".")[0], user
    return "", account


def domain_groups_of(local_admins: Iterable[dict]) -> list[str]:
    """Domain groups that are members of the local Administrators group, as sAMAccountNames."""
    groups = []
    for member in local_admins or ():
        if str(member.get("ObjectClass", "")).lower() != "group":
            continue
        if str(member.get("PrincipalSource", "")).lower() not in ("activedirectory", "active directory"):
            continue
        groups.append(account_parts(str(member.get("Name", "")))[1])
    return groups


def is_local_admin(account: str, local_admins: Iterable[dict], nested: dict[str, list[dict]]) -> bool:
    """Direct member of Administrators, or member (recursively) of a domain group that is."""
    wanted = account.lower()
    user = account_parts(account)[1].lower()
    if wanted in _names(local_admins, "Name"):
        return True
    return any(user in _names(members, "SamAccountName") for members in nested.values())


def is_server_admin(account: str, server_admins: Iterable[dict]) -> bool:
    return account_parts(account)[1].lower() in _names(server_admins, "SamAccountName")


@dataclass
class PrerequisiteFacts:
    account: str
    local_admin: bool
    server_admin: bool | None  # None: the ActiveDirectory module could not be asked
    firewall_status: str | None
    install_path: str | None
    drive_free_bytes: int | None
    drive_exists: bool | None
    pending_updates: list[dict] | None
    in_topology: bool | None  # None: not checked (core components not installed yet)
    min_free_gb: float | None = None
    system_drive: str = "C"
    notes: list[str] = field(default_factory=list)


def prerequisite_findings(facts: PrerequisiteFacts) -> list[Finding]:
    """Every prerequisite that is not met, each with what to do (seed 002 cautions and notes)."""
    found = []
    if not facts.local_admin:
        found.append(Finding(
            "local_administrator", f"{facts.account} is not a member of the local Administrators group.",
            f"Add {facts.account} (or a domain group it belongs to) to the server's Administrators group, "
            "or run the deployment with an account that is (seed 002: the account must be both local "
            "administrator and member of RTCUniversalServerAdmins)."))
    if facts.server_admin is False:
        found.append(Finding(
            "rtc_universal_server_admins", f"{facts.account} is not a member of {SERVER_ADMINS_GROUP}.",
            f"Add {facts.account} to the {SERVER_ADMINS_GROUP} domain group, then sign out and in again "
            "(a new logon token is needed)."))
    elif facts.server_admin is None:
        found.append(Finding(
            "rtc_universal_server_admins", f"Membership of {SERVER_ADMINS_GROUP} could not be read: the "
            "ActiveDirectory PowerShell module is not available.",
            "Install RSAT-ADDS (Install-WindowsFeature RSAT-ADDS), a Skype for Business Server prerequisite."))
    if facts.firewall_status != "Running":
        found.append(Finding(
            "windows_firewall", f"The Windows Firewall service ({FIREWALL_SERVICE}) is "
            f"{facts.firewall_status or 'not installed'}.",
            "Start it and set it to Automatic (Set-Service MpsSvc -StartupType Automatic -Status Running): "
            "seed 002 requires it running the first time the services start."))
    if facts.pending_updates:
        kbs = ", ".join(u.get("kb") or u.get("title", "?") for u in facts.pending_updates)
        found.append(Finding(
            "windows_update", f"{len(facts.pending_updates)} Windows update(s) pending: {kbs}.",
            "Install them before the deployment (run the role with deploy_update_windows=true, or "
            "sfb.server.windows_update): seed 002 asks for an up-to-date Windows Server."))
    if facts.install_path and facts.drive_exists is False:
        found.append(Finding(
            "install_path", f"The drive of {facts.install_path} does not exist on the server.",
            "Choose install_path on an existing drive (seed 002: any drive, not only the system drive)."))
    elif (facts.install_path and facts.min_free_gb is not None and facts.drive_free_bytes is not None
          and facts.drive_free_bytes < facts.min_free_gb * 1024 ** 3):
        found.append(Finding(
            "install_path", f"Drive {drive_of(facts.install_path)}: has "
            f"{facts.drive_free_bytes / 1024 ** 3:.1f} GB free, less than the {facts.min_free_gb:g} GB asked for.",
            "Free space on that drive or choose another drive for install_path."))
    if facts.in_topology is False:
        found.append(Finding(
            "topology", "The server is not in the published topology.",
            "Add it with Topology Builder and publish the topology before deploying (seed 002, IMPORTANT)."))
    return found


# -- step 2: components ------------------------------------------------------------------------


def expected_services(roles: Iterable[str]) -> list[str]:
    return [spec.name for spec in role_catalog.services_for(list(roles))]


def components_drift(roles: Iterable[str], installed_services: Iterable[dict]) -> dict:
    """Services the topology wants that are missing, and installed ones it no longer wants."""
    want = set(expected_services(roles))
    have = {str(s.get("Name")) for s in installed_services or ()}
    return {"missing": sorted(want - have), "extra": sorted(have - want)}


def carries_cumulative_update(installed: Installed) -> bool:
    """Whether the core components are above the release's own version (a cumulative update applied)."""
    if not installed.core or not installed.version:
        return False
    return _version_tuple(installed.version) > _version_tuple(installed.product.rtm_version)


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in _padded_version(version).split(".") if p.isdigit())


def needs_local_databases(roles: Iterable[str]) -> bool:
    return any(role in ROLES_WITH_LOCAL_DATABASES for role in roles)


# ASSUMPTION: the line format in which Bootstrapper reports unmet prerequisites. The wizard shows
# "Prerequisites not satisfied" (seed 002, step 2 note) but the command-line text is not documented;
# lines are recognised by that phrase, so a different wording still surfaces the whole output.
PREREQUISITE_MARKER = "prerequisite not satisfied"


def unmet_prerequisites(stdout: str) -> list[str]:
    unmet = []
    for line in (stdout or "").splitlines():
        lowered = line.lower()
        if PREREQUISITE_MARKER in lowered:
            unmet.append(line.split(":", 1)[1].strip() if ":" in line else line.strip())
    return unmet


# -- step 3: certificates ----------------------------------------------------------------------


def parse_time(value) -> datetime.datetime | None:
    """A date as the runner sends it (ISO 8601, UTC) or as epoch seconds."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(float(value), tz=datetime.timezone.utc)
    text = str(value).strip()
    if text.startswith("/Date("):  # ConvertTo-Json's form for DateTime
        inside = text[6:].split(")", maxsplit=1)[0]  # milliseconds, maybe followed by an offset
        milliseconds = inside.split("+", maxsplit=1)[0].split("-", maxsplit=1)[0]
        return datetime.datetime.fromtimestamp(int(milliseconds) / 1000, tz=datetime.timezone.utc)
    text = text.replace("Z", "+00:00")
    if "." in text:  # .NET writes 7 fractional digits; Python reads 6
        head, _unused, tail = text.partition(".")
        digits = tail[:len(tail) - len(tail.lstrip("0123456789"))]  # the fraction only, not the offset's digits
        zone = tail[len(digits):]
        # Python 3.10's fromisoformat reads exactly 3 or 6 digits: pad a shorter fraction.
        text = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    moment = datetime.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def dns_names(certificate: dict) -> list[str]:
    """Names a store certificate covers: DnsNameList (objects with Unicode/Punycode, or strings)."""
    names = []
    for entry in certificate.get("DnsNameList") or ():
        if isinstance(entry, dict):
            entry = entry.get("Unicode") or entry.get("Punycode")
        if entry:
            names.append(str(entry).lower())
    subject = str(certificate.get("Subject") or "")
    for part in subject.split(","):
        part = part.strip()
        if part.upper().startswith("CN="):
            names.append(part[3:].lower())
    return sorted(set(names))


def covers(names: Iterable[str], wanted: str) -> bool:
    wanted = wanted.lower()
    for name in names:
        if name == wanted:
            return True
        if name.startswith("*.") and wanted.count(".") == name.count(".") and wanted.endswith(name[1:]):
            return True
    return False


def _cn(distinguished: str) -> str:
    return str(distinguished or "").strip().lower()


def chain_trusted(certificate: dict, intermediates: list[dict], roots: list[dict]) -> bool:
    """Whether the issuer chain ends in LocalMachine\\Root (seed 002 step 3, note on invalid certificates)."""
    root_subjects = {_cn(r.get("Subject")) for r in roots}
    by_subject = {_cn(i.get("Subject")): i for i in intermediates}
    issuer = _cn(certificate.get("Issuer"))
    for _unused in range(8):
        if issuer in root_subjects:
            return True
        parent = by_subject.get(issuer)
        if parent is None:
            return False
        issuer = _cn(parent.get("Issuer"))
    return False


@dataclass(frozen=True)
class CertificateVerdict:
    thumbprint: str
    problems: tuple[str, ...]
    names_missing: tuple[str, ...]
    not_after: str | None

    @property
    def valid(self) -> bool:
        return not self.problems

    def to_result(self) -> dict:
        return {"thumbprint": self.thumbprint, "valid": self.valid, "problems": list(self.problems),
                "names_missing": list(self.names_missing), "not_after": self.not_after}


def judge(certificate: dict | None, thumbprint: str, required_names: Iterable[str], now: datetime.datetime,
          renew_before_days: int, intermediates: list[dict], roots: list[dict]) -> CertificateVerdict:
    """Why a certificate cannot serve (empty problems: it can), as the wizard's checks name them."""
    if certificate is None:
        return CertificateVerdict(thumbprint, ("not_in_store",), (), None)
    problems = []
    if not _truthy(certificate.get("HasPrivateKey")):
        problems.append("missing_private_key")
    if not chain_trusted(certificate, intermediates, roots):
        problems.append("untrusted_root")
    not_after = parse_time(certificate.get("NotAfter"))
    not_before = parse_time(certificate.get("NotBefore"))
    if not_after is not None and not_after <= now:
        problems.append("expired")
    elif not_after is not None and not_after <= now + datetime.timedelta(days=renew_before_days):
        problems.append("expiring")
    if not_before is not None and not_before > now:
        problems.append("not_yet_valid")
    names = dns_names(certificate)
    missing = tuple(n for n in required_names if not covers(names, n))
    if missing:
        problems.append("names_not_covered")
    # What is known to be wrong counts against an assigned certificate; what could not be read only
    # keeps a store certificate from being reused (reuse_problems).
    if has_server_authentication(certificate) is False:
        problems.append("no_server_authentication")
    bits = key_bits(certificate)
    if bits is not None and bits < MIN_KEY_BITS:
        problems.append("key_too_small")
    return CertificateVerdict(thumbprint, tuple(problems), missing,
                              not_after.isoformat() if not_after else None)


def _truthy(value) -> bool:
    return value is True or str(value).lower() == "true"


PROBLEM_TEXT = {
    "not_in_store": "it is not in the LocalMachine\\My store",
    "missing_private_key": "its private key is missing",
    "untrusted_root": "its root CA is not in the Trusted Root Certification Authorities store",
    "expired": "it has expired",
    "expiring": "it expires within renew_before_days",
    "not_yet_valid": "it is not valid yet",
    "names_not_covered": "it does not cover every required name",
    "no_server_authentication": "it lacks the Server Authentication enhanced key usage",
    "usage_unreadable": "its enhanced key usages could not be read",
    "key_too_small": f"its key is shorter than {MIN_KEY_BITS} bits",
    "key_size_unreadable": "its key length could not be read",
    "oauth_subject": "its subject does not name a SIP domain",
}


def describe_problems(verdict: CertificateVerdict) -> str:
    parts = [PROBLEM_TEXT.get(p, p) for p in verdict.problems]
    if verdict.names_missing:
        parts.append(f"missing names: {', '.join(verdict.names_missing)}")
    return "; ".join(parts)


def certificate_groups(roles: Iterable[str]) -> list[tuple[str, ...]]:
    """The certificates a server holding `roles` needs, each as the uses one certificate serves.
    A Front End with a collocated Mediation Server keeps the Front End's certificate only."""
    groups: list[tuple[str, ...]] = []
    for role in roles:
        for group in CERTIFICATE_GROUPS_BY_ROLE.get(role, ()):
            if not any(set(group) <= set(g) for g in groups):
                groups = [g for g in groups if not set(g) <= set(group)] + [group]
    return groups


def uses_of(roles: Iterable[str]) -> list[str]:
    return [u for g in certificate_groups(roles) for u in g]


def key_bits(certificate: dict) -> int | None:
    """The key length from X509Certificate2.PublicKey.Key.KeySize (None when it was not readable)."""
    public_key = certificate.get("PublicKey")
    key = public_key.get("Key") if isinstance(public_key, dict) else None
    size = key.get("KeySize") if isinstance(key, dict) else None
    try:
        return int(size) if size is not None else None
    except (TypeError, ValueError):
        return None


def has_server_authentication(certificate: dict) -> bool | None:
    """Whether EnhancedKeyUsageList holds Server Authentication (None when it was not readable)."""
    usages = certificate.get("EnhancedKeyUsageList")
    if usages is None:
        return None
    for usage in usages if isinstance(usages, list) else [usages]:
        oid = usage.get("ObjectId") if isinstance(usage, dict) else usage
        if str(oid or "").strip() == SERVER_AUTHENTICATION_OID:
            return True
    return False


def reuse_problems(certificate: dict) -> list[str]:
    """Why a store certificate that covers the names may still not be reused (fail closed: what
    cannot be read does not qualify)."""
    problems = []
    eku = has_server_authentication(certificate)
    if eku is not True:
        problems.append("no_server_authentication" if eku is False else "usage_unreadable")
    bits = key_bits(certificate)
    if bits is None or bits < MIN_KEY_BITS:
        problems.append("key_too_small" if bits is not None else "key_size_unreadable")
    return problems


def oauth_candidates(store: list[dict], skype_thumbprints: Iterable[str], sip_domains: Iterable[str]) -> list[dict]:
    """Store certificates that may become the OAuthTokenIssuer: "any Skype for Business Server certificate"
    (one assigned to a Skype use on this server, such as the Default one) or "any Web server certificate
    that includes the name of your SIP domain in the Subject field", read as a subject CN that is the SIP
    domain itself, so that a WinRM HTTPS certificate for the computer's name does not qualify."""
    skype = {str(t).upper() for t in skype_thumbprints}
    domains = {d.lower() for d in sip_domains or ()}
    chosen = []
    for cert in store:
        cns = {part.strip()[3:].lower() for part in str(cert.get("Subject") or "").split(",")
               if part.strip().upper().startswith("CN=")}
        if str(cert.get("Thumbprint")).upper() in skype or cns & domains:
            if oauth_subject_ok(cert, sip_domains):
                chosen.append(cert)
    return chosen


def oauth_subject_ok(certificate: dict, sip_domains: Iterable[str]) -> bool:
    """The OAuth page: a Web server certificate "that includes the name of your SIP domain in the Subject"."""
    subject = str(certificate.get("Subject") or "").lower()
    return any(d.lower() in subject for d in sip_domains or ())


def ca_problem(value) -> str:
    """Why a value is not a certification authority as Request-CsCertificate -CA takes it (""
    when it is): "the fully qualified domain name (FQDN) of the CA server and the name of the
    certification authority", e.g. atl-ca-001.litwareinc.com\\myca (office-docs-powershell
    Request-CsCertificate.md)."""
    text = str(value or "").strip()
    if not text:
        return "it is empty"
    server, sep, name = text.partition("\\")
    if not sep:
        return f"{text!r} has no backslash between the CA server's FQDN and the CA name"
    labels = server.split(".")
    if len(labels) < 2 or not all(labels) or any(not ch.isalnum() and ch != "-" for ch in server.replace(".", "")):
        return f"{server!r} is not a fully qualified domain name"
    if not name.strip() or "\\" in name:
        return f"{name!r} is not a CA name"
    return ""


def required_names(server_fqdn: str, pool_fqdn: str, sip_domains: Iterable[str], extra: Iterable[str]) -> list[str]:
    """The names the Default/web certificate must carry: the computer (Request-CsCertificate: "always
    use the computer name"), the pool, sip.<domain> per SIP domain chosen in the wizard, and extras."""
    names = [server_fqdn.lower()]
    if pool_fqdn and pool_fqdn.lower() != server_fqdn.lower():
        names.append(pool_fqdn.lower())
    names.extend(f"sip.{d.lower()}" for d in sip_domains or ())
    names.extend(n.lower() for n in extra or ())
    seen = []
    for name in names:
        if name not in seen:
            seen.append(name)
    return seen


def newest_covering(store: list[dict], names: Iterable[str], now: datetime.datetime, renew_before_days: int,
                    intermediates: list[dict], roots: list[dict], friendly_name: str | None = None) -> dict | None:
    """The valid store certificate (preferring `friendly_name`) that lives longest and covers `names`."""
    names = list(names)
    good = []
    for cert in store:
        verdict = judge(cert, str(cert.get("Thumbprint")), names, now, renew_before_days, intermediates, roots)
        if verdict.valid and not reuse_problems(cert):
            good.append(cert)
    if friendly_name:
        named = [c for c in good if str(c.get("FriendlyName") or "") == friendly_name]
        good = named or good
    if not good:
        return None
    return max(good, key=lambda c: parse_time(c.get("NotAfter")) or now)


# -- step 4: start ---------------------------------------------------------------------------


def start_check(pool_servers: list[str], ready: list[str]) -> tuple[list[str], int]:
    """Servers to skip and the minimum that must start, for Start-CsPool on an Enterprise pool.

    The high-availability planning page: "The first time you start a new Front End pool, it is
    essential that 85% of the servers are up and running" (table in domain/quorum.py).
    """
    ready_set = {r.lower() for r in ready}
    skip = [s for s in pool_servers if s.lower() not in ready_set]
    minimum = first_start_minimum(len(pool_servers))
    if len(pool_servers) - len(skip) < minimum:
        raise SfbError(
            f"Only {len(pool_servers) - len(skip)} of the {len(pool_servers)} servers of the pool finished steps "
            f"1-3; starting the pool needs at least {minimum} of them (about 85%: services may stay stuck in "
            f"the starting state otherwise).",
            hint=f"Finish steps 1-3 on {', '.join(skip)} and run again.",
            not_ready=skip, minimum=minimum,
        )
    return skip, minimum


def not_running(services_by_server: dict[str, list[dict]]) -> dict[str, list[str]]:
    late = {}
    for server, services in services_by_server.items():
        names = [str(s.get("Name")) for s in services if str(s.get("Status")) != "Running"]
        if names or not services:
            late[server] = names or ["(no Skype for Business services installed)"]
    return late


def certificate_names(uses: Iterable[str], server_fqdn: str, pool_fqdn: str, topology: TopologyNames,
                      web_service: dict, extra_sip_domains: Iterable[str] = (), extra: Iterable[str] = ()) -> list[str]:
    """Every name the certificate serving `uses` must carry, from the published topology (Environmental
    requirements for Skype for Business Server, "Certificates" tables):
    - Default: the computer, the pool and sip.<domain> for every SIP domain;
    - WebServicesInternal: the internal web services FQDN and every simple URL;
    - WebServicesExternal: the external web services FQDN and the simple URLs but the internal-only admin one;
    - Internal (Edge): the computer and its pool;
    - AccessEdgeExternal, DataEdgeExternal, AudioVideoAuthentication: sip.<domain> for every SIP domain
      (the external Edge FQDNs are not read: `extra` adds them).
    `extra_sip_domains` and `extra` are additions to what the topology requires, never replacements."""
    uses = set(uses)
    domains = list(dict.fromkeys(list(topology.sip_domains) + [d.lower() for d in extra_sip_domains or ()]))
    if uses <= set(EDGE_EXTERNAL_USES):
        return required_names("", "", domains, extra)[1:]
    names: list[str] = []
    if "Default" in uses or uses & set(EDGE_INTERNAL_USES):
        names += required_names(server_fqdn, pool_fqdn, [], [])
    if "Default" in uses:
        names += [f"sip.{d}" for d in domains]
    if uses & {"WebServicesInternal", "WebServicesExternal"}:
        names += required_names(server_fqdn, pool_fqdn, [], [])
    if "WebServicesInternal" in uses:
        names += [web_fqdn(web_service, "InternalFqdn")] + topology.simple_url_hosts(external=False)
    if "WebServicesExternal" in uses:
        names += [web_fqdn(web_service, "ExternalFqdn")] + topology.simple_url_hosts(external=True)
    names += [n.lower() for n in extra or ()]
    return list(dict.fromkeys(names))
