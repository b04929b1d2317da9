# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the twin knows of Skype for Business Server, read from its own tables.

The twin is a witness: it judges the collection, so it must not reason with the collection's rules
(`plugin_utils/domain`). Every fact it simulates with is in a YAML file beside this module, each row
naming the Microsoft page it was typed in from; this module only reads those files and answers the
questions the handlers ask. tests/unit/twin/test_knowledge.py compares these tables with the
collection's, row by row, and lists every difference (docs/twin.md, "Two readings").
"""

from __future__ import annotations

import ntpath
import pathlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

import yaml

from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument, SfbError

HERE = pathlib.Path(__file__).resolve().parent
FRONT_END = "FrontEnd"


@lru_cache(maxsize=None)
def table(name: str) -> dict:
    """One knowledge file, parsed once per process (the files never change while the twin runs)."""
    return yaml.safe_load((HERE / f"{name}.yml").read_text(encoding="utf-8"))


# -- products ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Product:
    key: str
    name: str
    rtm_version: str
    program_folder: str


def products() -> tuple[Product, ...]:
    return tuple(Product(str(p["key"]), p["name"], str(p["rtm_version"]), p["program_folder"])
                 for p in table("products")["products"])


def product(key: Any) -> Product:
    for candidate in products():
        if candidate.key.lower() == str(key).lower():
            return candidate
    raise SfbError(f"Unknown Skype for Business Server product {key!r}.",
                   hint=f"Use one of {', '.join(p.key for p in products())}.")


def format_server_version(product_key: str, version: str) -> str:
    """Get-CsServerVersion's one string: "<product> (<a.b.c.d>): Volume license key installed."."""
    return f"{product(product_key).name} ({version}): Volume license key installed."


# -- Front End pool quorum (quorum.yml) ----------------------------------------------------------


def maximum_front_ends(product_key: str) -> int:
    return int(table("quorum")["maximum_front_ends"][product(product_key).key])


def check_pool_size(size: int, product_key: str) -> None:
    limit = maximum_front_ends(product_key)
    if size < 1:
        raise SfbError("A pool has at least one server.")
    if size > limit:
        raise SfbError(f"An Enterprise pool of {size} Front End servers is beyond the documented limit "
                       f"of {limit} for Skype for Business Server {product(product_key).key}.")


def quorum_rows(size: int, product_key: str) -> list[dict]:
    """Every row of the functional-level table that covers a pool of `size` Front Ends."""
    check_pool_size(size, product_key)
    data = table("quorum")
    if size == 1:
        return [dict(data["single_server"], servers=[1, 1])]
    key = product(product_key).key
    return [row for row in data["functional_level"]
            if row["servers"][0] <= size <= row["servers"][1] and key in row["products"]]


def quorum_holds(running: list[bool], product_key: str) -> bool:
    """`running[i]`: the i-th server of the pool (topology order) runs. Where two rows cover the size,
    both must hold (quorum.yml `overlap`)."""
    rows = quorum_rows(len(running), product_key)
    if not rows:
        raise SfbError(f"No documented quorum row covers a pool of {len(running)} Front End servers.")
    for row in rows:
        first = len(running) if row["among_first"] == "all" else int(row["among_first"])
        if sum(1 for up in running[:first] if up) < int(row["required"]):
            return False
    return True


def first_start_minimum(size: int, product_key: str = "2019") -> int:
    """Servers that must run for a pool's first start; sizes the page does not list need all."""
    if size <= 1:
        return 1
    key = product(product_key).key
    for row in table("quorum")["first_start"]:
        if row["servers"] == size and key in row.get("products", [key]):
            return int(row["running"])
    return size


# -- roles and their services (services.yml) -----------------------------------------------------


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    display_name: str
    role: str  # the RoleName Get-CsWindowsService reports
    carries_sessions: bool = False
    counters: tuple[str, ...] = ()
    session_counter: str = ""


def roles() -> tuple[str, ...]:
    return tuple(table("services")["roles"])


def check_roles(wanted: Iterable[str]) -> list[str]:
    wanted = list(wanted)
    known = roles()
    unknown = [r for r in wanted if r not in known]
    if unknown:
        raise SfbError(f"Unknown server role(s): {', '.join(map(str, unknown))}.", hint=f"Known roles: {', '.join(known)}.")
    if not wanted:
        raise SfbError("A server needs at least one role.", hint=f"Known roles: {', '.join(known)}.")
    return wanted


def _spec(raw: dict) -> ServiceSpec:
    return ServiceSpec(raw["name"], raw["display_name"], raw["role_name"], bool(raw.get("carries_sessions")),
                       tuple(raw.get("counters") or ()), str(raw.get("session_counter") or ""))


def role_services(role: str) -> tuple[ServiceSpec, ...]:
    return tuple(_spec(raw) for raw in table("services")["roles"][role])


def common_services() -> tuple[ServiceSpec, ...]:
    return tuple(_spec(raw) for raw in table("services")["common"])


def services_for(held: Iterable[str]) -> list[ServiceSpec]:
    """The services of a server holding `held` roles, each once, in a stable order."""
    seen: dict[str, ServiceSpec] = {}
    for role in check_roles(held):
        for spec in role_services(role):
            seen.setdefault(spec.name, spec)
    for spec in common_services():
        seen.setdefault(spec.name, spec)
    return list(seen.values())


def service_spec(name: str) -> ServiceSpec | None:
    for role in roles():
        for spec in role_services(role):
            if spec.name.lower() == str(name).lower():
                return spec
    return None


def format_activity_level(service: str, sessions: int) -> str:
    """ActivityLevel as Get-CsWindowsService prints it: one string of `Counter Name=value` pairs joined
    by commas, no spaces around `=` or `,` (sample Get-CsWindowsService.1: "Incoming Requests per
    Second=0,Messages in Server=0..." for RTCSRV, "Concurrent Calls=0" for RTCCAA). The counter that
    carries the twin's session count is the row's `session_counter` ("Active Connections" where no
    published capture names the counter: an assumption, docs/twin.md)."""
    spec = service_spec(service)
    counters = list(spec.counters) if spec else []
    last = (spec.session_counter if spec and spec.session_counter else "Active Connections")
    return ",".join([f"{c}=0" for c in counters] + [f"{last}={int(sessions)}"])


def has_counter(service: str) -> bool:
    """Whether the knowledge names an ActivityLevel counter for this service."""
    spec = service_spec(service)
    return bool(spec and (spec.counters or spec.session_counter))


def topology_service_types(role: str) -> tuple[str, ...]:
    return tuple(table("services")["topology_service_types"][role])


# -- ports (ports.yml) --------------------------------------------------------------------------

_PORT_TEXT = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


class PortSpecError(InvalidArgument):
    """A port or port range written wrong."""


@dataclass(frozen=True, order=True)
class PortRange:
    first: int
    last: int

    def __contains__(self, port: int) -> bool:
        return self.first <= port <= self.last

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


def parse_ports(text: Any, where: str = "port") -> tuple[PortRange, ...]:
    """`5061` or `57501-65535` (New-NetFirewallRule -LocalPort: a port or a range, 1-65535)."""
    if isinstance(text, bool) or text is None:
        raise PortSpecError(f"{where}: {text!r} is not a port or a port range.")
    ranges = []
    for part in str(text).split("/"):
        match = _PORT_TEXT.match(part)
        if not match:
            raise PortSpecError(f"{where}: {text!r} is not a port or a port range.",
                                hint="Write a port as 5061 and a range as 49152-57500.")
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if not (1 <= first <= 65535 and 1 <= last <= 65535) or first > last:
            raise PortSpecError(f"{where}: {text!r} is not a port range within 1-65535.")
        ranges.append(PortRange(first, last))
    return tuple(ranges)


@dataclass(frozen=True)
class PortRow:
    row: int
    scope: str
    service: str
    port: str
    transport: tuple[str, ...]
    listens: bool
    ranges: tuple[PortRange, ...]


def _applies(scope: dict, held: set[str], cms: bool) -> bool:
    if scope.get("office_web_apps"):
        return False
    if scope.get("all_of") and not set(scope["all_of"]) <= held:
        return False
    if scope.get("any_of") and not held & set(scope["any_of"]):
        return False
    if held & set(scope.get("none_of") or ()):
        return False
    return cms or not scope.get("cms")


@lru_cache(maxsize=None)
def port_rows() -> tuple[PortRow, ...]:
    data = table("ports")
    return tuple(PortRow(int(r["row"]), r["scope"], r.get("service") or "", str(r["port"]), tuple(r["transport"]),
                         bool(r.get("listens", True)), parse_ports(r["port"], f"ports.yml row {r['row']}"))
                 for r in data["rows"])


def server_port_rows(held: Iterable[str], central_management_store: bool = False) -> list[PortRow]:
    """The rows of the page's server table that apply to a server holding `held` roles."""
    held = set(check_roles(held))
    scopes = table("ports")["scopes"]
    return [row for row in port_rows() if _applies(scopes[row.scope], held, central_management_store)]


def listens_on(held: Iterable[str], port: int, transport: str = "TCP", central_management_store: bool = False) -> bool:
    """Whether a running server of these roles has something listening on `port`."""
    return any(row.listens and transport in row.transport and any(port in r for r in row.ranges)
               for row in server_port_rows(held, central_management_store))


# -- certificates (certificates.yml) --------------------------------------------------------------


def certificate_types(role: str) -> tuple[str, ...]:
    return tuple(table("certificates")["per_role"][role])


def global_certificate_holders(use: str) -> tuple[str, ...]:
    entry = table("certificates")["global"].get(use)
    return tuple(entry["holders"]) if entry else ()


# -- Cloud Connector (cce.yml) ----------------------------------------------------------------------

_VERSION = re.compile(r"(\d+(?:\.\d+){1,3})")


def cce(name: str):
    return table("cce")[name]


def parse_version(text) -> tuple[int, ...] | None:
    if text is None:
        return None
    match = _VERSION.search(str(text))
    return tuple(int(p) for p in match.group(1).split(".")) if match else None


def version_text(version: tuple[int, ...] | None) -> str | None:
    return ".".join(str(p) for p in version) if version else None


def at_least(version: tuple[int, ...], floor: Iterable[int]) -> bool:
    floor = tuple(floor)
    width = max(len(version), len(floor))
    return tuple(version) + (0,) * (width - len(version)) >= floor + (0,) * (width - len(floor))


def cce_monitored_services(role: str, version: tuple[int, ...]) -> tuple[str, ...]:
    for entry in cce("monitored_services"):
        if at_least(version, entry["since"]):
            return tuple(entry["services"][role])
    return ()


def cce_monitored_firewall_rules(role: str) -> tuple[str, ...]:
    return tuple(cce("monitored_firewall_rules").get(role, ()))


def path_list_contains(path_list: str, folder: str) -> bool:
    return any(p.strip().rstrip("\\").lower() == folder.rstrip("\\").lower()
               for p in (path_list or "").split(";") if p.strip())


# -- documented errors (errors.yml) -----------------------------------------------------------------


def error(which: str, /, **values) -> tuple[str, str, str]:
    """(message, category, FullyQualifiedErrorId) of a documented error, its placeholders filled."""
    entry = table("errors")[which]
    return entry["message"].format(**values), entry["category"], entry["error_id"]


# -- Windows and setup facts the deployment family answers with ------------------------------------

# The uninstall entries Get-ItemProperty reads (Windows Installer's "Uninstall Registry Key").
UNINSTALL_KEYS = r"HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*"
# Windows Firewall's service name (Get-Service MpsSvc; "Windows Defender Firewall").
FIREWALL_SERVICE = "MpsSvc"
# The Skype for Business administrative group whose members may run setup, and the local group a
# setup account must be in. Facts of the product's deployment pages; no single page was read for them
# in this table (docs/twin.md, "The twin's own knowledge").
SERVER_ADMINS_GROUP = "RTCUniversalServerAdmins"
LOCAL_ADMINS_GROUP = "Administrators"
# Windows Installer: ERROR_SUCCESS_REBOOT_REQUIRED.
RESTART_EXIT_CODE = 3010
# The command-line form of the installation folder. Not documented: the twin accepts the same form the
# collection writes and says so in docs/twin.md ("Known differences").
INSTALL_DIR_ARGUMENT = "/InstallDir:{path}"
# Setup installs Bootstrapper.exe under <install folder>\Deployment (where the paired pools page runs it).
BOOTSTRAPPER = r"Deployment\Bootstrapper.exe"
# The user attribute that tells a user is enabled for Skype for Business Server (the schema extension's
# msRTCSIP-UserEnabled; the sign-in family reads and writes it with Get-ADUser / Set-ADUser).
SIP_ENABLED_ATTRIBUTE = "msRTCSIP-UserEnabled"


def bootstrapper_path(install_path: str) -> str:
    return ntpath.join(install_path.rstrip("\\"), BOOTSTRAPPER)


def drive_of(path: str) -> str:
    drive = ntpath.splitdrive(path)[0]
    if not drive or not drive.endswith(":"):
        raise SfbError(f"{path!r} is not an absolute path on a drive (such as D:\\Skype).")
    return drive.rstrip(":").upper()
