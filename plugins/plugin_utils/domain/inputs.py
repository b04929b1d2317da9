# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one validation vocabulary of sfb.server: what a good value of each kind of option looks like.

Every check is a callable `check(value, option)` that returns the value (normalised where that is
harmless, e.g. a KB number in upper case) or raises `InputError` naming the option, the value given
and what is expected. A secret option's value is never repeated (`secret=True`, or the module base
marks `no_log` options). The module base (`plugin_utils/action.py`) applies an action plugin's
`INPUT_CHECKS` after Ansible's own type validation and before `execute`, so a bad value fails the
task before the first round trip; `sfb.server.job_inputs` applies the same checks to a playbook's
variables in its first play.

Pure Python, no Ansible: the rules are tested without a controller (tests/unit/inputs/).

Sources of the rules:
- host names: RFC 1123 section 2.1 and RFC 952 (letters, digits and hyphens, labels of 1-63
  characters, 253 in all); Skype for Business topologies name every server by its FQDN
  ("DNS requirements for Skype for Business Server", OfficeDocs-SkypeForBusiness).
- CA names: the "<CA server FQDN>\\<CA name>" form Request-CsCertificate -CA takes
  (Request-CsCertificate reference page, office-docs-powershell).
- distinguished names: RFC 4514 (string representation of DNs).
- KB numbers: the "KB" + digits identifiers of the Microsoft Update catalog.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import string
from typing import Any, Callable, Iterable, Mapping

Check = Callable[[Any, str], Any]

# The longest value an error repeats; the rest is cut so a pasted file does not flood the log.
_SHOWN = 80
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_KB = re.compile(r"^(?:KB)?([0-9]{1,9})$", re.IGNORECASE)
_VERSION = re.compile(r"^[0-9]+(?:\.[0-9]+){1,3}$")
_DN_KEYWORD = re.compile(r"^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+)$")
_WINDOWS_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:\\|\\\\[^\\/:*?\"<>|]+\\[^\\/:*?\"<>|]+)")
_WINDOWS_BAD_CHARS = re.compile(r"[<>\"|?*\x00-\x1f]")
_ACCOUNT_NAME = re.compile(r"^[^\\/\[\]:;|=,+*?<>\"@\s][^\\/\[\]:;|=,+*?<>\"@]*$")
# The longest file name (one path component) and path Linux file systems take (NAME_MAX, PATH_MAX).
_NAME_MAX, _PATH_MAX = 255, 4096
# Folders of the controller that are no place for a report: kernel pseudo file systems.
_PSEUDO_FILE_SYSTEMS = ("/proc", "/sys", "/dev")


class _Missing:
    def __repr__(self):
        return "missing"


MISSING = _Missing()


class InputError(ValueError):
    """A value an option cannot take: `option`, what was given (`shown`) and what is `expected`;
    `hint` says where a good value comes from, when that is not obvious."""

    def __init__(self, option: str, value: Any, expected: str, secret: bool = False, hint: str = ""):
        self.option = option
        self.expected = expected
        self.hint = hint
        self.shown = "(a secret value, not shown)" if secret else show(value)
        if value is MISSING:
            text = f"{option} is missing: it is required ({expected})."
        else:
            text = f"{option}: {self.shown} is not {expected}."
        super().__init__(f"{text} {hint}".strip())

    @property
    def message(self) -> str:
        return str(self)

    def with_hint(self, hint: str) -> "InputError":
        if hint and not self.hint:
            self.hint = hint
            self.args = (f"{self.args[0]} {hint}",)
        return self


def show(value: Any) -> str:
    """A value as an error repeats it: its Python text, with its type when that is the problem."""
    if value is MISSING:
        return "missing"
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, bool) or value is None:
        text = f"{value!r} (a boolean)" if isinstance(value, bool) else "nothing (null)"
    elif isinstance(value, (int, float)):
        text = repr(value)
    elif isinstance(value, Mapping):
        text = f"a dict {value!r}"
    elif isinstance(value, (list, tuple)):
        text = f"a list {list(value)!r}"
    else:
        text = f"a {type(value).__name__}"
    return text if len(text) <= _SHOWN else text[:_SHOWN - 3] + "..."


def expects(phrase: str) -> Callable[[Check], Check]:
    """What a check expects, in the words errors and docs/inputs.md use."""

    def mark(check: Check) -> Check:
        check.expects = phrase
        return check

    return mark


# --- shapes ---------------------------------------------------------------------------------------


@expects("a string")
def text(value: Any, option: str, secret: bool = False, expected: str = "a string") -> str:
    """A plain string (not a list or dict passed where a string belongs)."""
    if not isinstance(value, str):
        raise InputError(option, value, expected, secret)
    return value


@expects("a non-empty string")
def nonempty(value: Any, option: str, secret: bool = False) -> str:
    text(value, option, secret)
    if not value.strip():
        raise InputError(option, value, "a non-empty string", secret)
    return value


@expects("a non-empty string (a secret: never shown)")
def secret(value: Any, option: str) -> str:
    """A password or key: a non-empty string, never repeated in the error."""
    if not isinstance(value, str) or not value:
        kind = "a list" if isinstance(value, (list, tuple)) else "a dict" if isinstance(value, Mapping) else ""
        raise InputError(option, value, "a non-empty string" + (f" (it was {kind})" if kind else ""), secret=True)
    return value


@expects("a whole number")
def integer(value: Any, option: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(option, value, "a whole number")
    return value


@expects("true or false")
def boolean(value: Any, option: str) -> bool:
    """true or false"""
    if not isinstance(value, bool):
        raise InputError(option, value, "true or false")
    return value


@expects("a number")
def number(value: Any, option: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise InputError(option, value, "a number")
    return value


def at_least(minimum: float, what: str = "a number") -> Check:
    """A number >= minimum."""

    def check(value, option):
        number(value, option)
        if value < minimum:
            raise InputError(option, value, f"{what} of at least {minimum:g}")
        return value

    check.expects = f"{what} of at least {minimum:g}"
    return check


def greater_than(minimum: float, what: str = "a number") -> Check:
    """A number > minimum (a factor, a tolerance)."""

    def check(value, option):
        number(value, option)
        if value <= minimum:
            raise InputError(option, value, f"{what} greater than {minimum:g}")
        return value

    check.expects = f"{what} greater than {minimum:g}"
    return check


def plain_name(forbidden: str = "") -> Check:
    """A non-empty one-line name without the given characters (record separators)."""

    def check(value, option):
        nonempty(value, option)
        bad = [c for c in forbidden if c in value]
        if bad or "\n" in value or "\r" in value:
            listed = " or ".join(repr(c) for c in forbidden)
            raise InputError(option, value, "a name on one line" + (f" without {listed}" if forbidden else ""))
        return value

    check.expects = "a non-empty name on one line" + (
        " without " + " or ".join(repr(c) for c in forbidden) if forbidden else "")
    return check


def between(low: int, high: int, what: str = "a whole number") -> Check:
    def check(value, option):
        integer(value, option)
        if not low <= value <= high:
            raise InputError(option, value, f"{what} from {low} to {high}")
        return value

    check.expects = f"{what} from {low} to {high}"
    return check


@expects("a duration in seconds, 0 or more")
def duration(value: Any, option: str) -> float:
    """A duration in seconds, 0 or more."""
    number(value, option)
    if value < 0:
        raise InputError(option, value, "a duration in seconds of 0 or more")
    return value


@expects("a duration in seconds, more than 0")
def positive_duration(value: Any, option: str) -> float:
    """A duration in seconds that lets something happen: more than 0."""
    number(value, option)
    if value <= 0:
        raise InputError(option, value, "a duration in seconds greater than 0")
    return value


@expects("a number of days, 0 or more")
def days(value: Any, option: str) -> int:
    """A number of days, 0 or more."""
    integer(value, option)
    if value < 0:
        raise InputError(option, value, "a number of days of 0 or more")
    return value


@expects("a count, 1 or more")
def count(value: Any, option: str) -> int:
    """A count of things or attempts: 1 or more."""
    integer(value, option)
    if value < 1:
        raise InputError(option, value, "a count of 1 or more")
    return value


@expects("a count, 0 or more")
def non_negative_count(value: Any, option: str) -> int:
    """A count that may be 0 (retries, restarts)."""
    integer(value, option)
    if value < 0:
        raise InputError(option, value, "a count of 0 or more")
    return value


def choice(*allowed: str) -> Check:
    def check(value, option):
        if value not in allowed:
            raise InputError(option, value, "one of " + ", ".join(allowed))
        return value

    check.expects = "one of " + ", ".join(allowed)
    return check


# --- network --------------------------------------------------------------------------------------


def _labels(value: str) -> list[str] | None:
    name = value[:-1] if value.endswith(".") else value
    if not name or len(name) > 253:
        return None
    labels = name.split(".")
    if not all(_LABEL.match(label) for label in labels):
        return None
    return labels


@expects("an FQDN such as fe01.contoso.com (not a short name, not an address)")
def fqdn(value: Any, option: str) -> str:
    """A fully qualified host name (fe01.contoso.com): two labels or more, not an address."""
    expected = "a fully qualified domain name such as fe01.contoso.com"
    text(value, option, expected=expected)
    labels = _labels(value)
    if labels is None:
        raise InputError(option, value, expected)
    if len(labels) < 2:
        raise InputError(option, value, expected + " (a short host name is not enough: give the FQDN the topology knows)")
    if labels[-1].isdigit():
        raise InputError(option, value, expected + " (an IP address is not a host name)")
    return value


@expects("a host name, short (fe01) or FQDN")
def host_name(value: Any, option: str) -> str:
    """A host's short name (fe01) or its FQDN."""
    text(value, option, expected="a host name such as fe01 or fe01.contoso.com")
    labels = _labels(value)
    if labels is None or labels[-1].isdigit():
        raise InputError(option, value, "a host name such as fe01 or fe01.contoso.com")
    return value


@expects("a short host name (one label, such as fe01)")
def short_name(value: Any, option: str) -> str:
    """A single DNS label (fe01), as NetBIOS-style names and VM names are."""
    text(value, option, expected="a short host name (one label, such as fe01), not an FQDN")
    labels = _labels(value)
    if labels is None or len(labels) != 1 or labels[0].isdigit():
        raise InputError(option, value, "a short host name (one label, such as fe01), not an FQDN")
    return value


@expects("a DNS domain such as contoso.com")
def domain(value: Any, option: str) -> str:
    """A DNS domain (contoso.com)."""
    text(value, option, expected="a DNS domain name such as contoso.com")
    labels = _labels(value)
    if labels is None or len(labels) < 2 or labels[-1].isdigit():
        raise InputError(option, value, "a DNS domain name such as contoso.com")
    return value


@expects("a SIP domain such as contoso.com")
def sip_domain(value: Any, option: str) -> str:
    """A SIP domain (contoso.com): the part after the @ of a SIP address."""
    text(value, option, expected="a SIP domain such as contoso.com (the part after the @ of a SIP address)")
    labels = _labels(value)
    if labels is None or len(labels) < 2 or labels[-1].isdigit():
        raise InputError(option, value, "a SIP domain such as contoso.com (the part after the @ of a SIP address)")
    return value


@expects("an IPv4 address")
def ipv4(value: Any, option: str) -> str:
    text(value, option, expected="an IPv4 address such as 10.0.0.1 (four numbers from 0 to 255)")
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        raise InputError(option, value, "an IPv4 address such as 10.0.0.1 (four numbers from 0 to 255)") from None
    return value


@expects("an IPv6 address")
def ipv6(value: Any, option: str) -> str:
    text(value, option, expected="an IPv6 address such as fd00::10")
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        raise InputError(option, value, "an IPv6 address such as fd00::10") from None
    return value


@expects("an IPv4 or IPv6 address")
def ip_address(value: Any, option: str) -> str:
    text(value, option, expected="an IPv4 or IPv6 address such as 10.0.0.1 or fd00::10")
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise InputError(option, value, "an IPv4 or IPv6 address such as 10.0.0.1 or fd00::10") from None
    return value


@expects("a host name or an IP address")
def host_or_address(value: Any, option: str) -> str:
    """A host name (short or FQDN) or an IP address: what a resolver or a peer may be given as."""
    text(value, option, expected="a host name or an IP address such as dc01.contoso.com or 10.0.0.1")
    try:
        ipaddress.ip_address(value)
        return value
    except ValueError:
        pass
    labels = _labels(value)
    if labels is None or labels[-1].isdigit():
        raise InputError(option, value, "a host name or an IP address such as dc01.contoso.com or 10.0.0.1")
    return value


@expects("a port, 1-65535")
def port(value: Any, option: str) -> int:
    """A TCP/UDP port, 1-65535."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise InputError(option, value, "a port number from 1 to 65535")
    return value


@expects("a port or a range of ports such as 50000-59999")
def port_range(value: Any, option: str) -> tuple[int, int]:
    """A port or a range of ports: 5061, '5061' or '50000-59999' (first <= last). Returns (first, last)."""
    expected = "a port (1-65535) or a range such as 50000-59999, first port first"
    if isinstance(value, int) and not isinstance(value, bool):
        port(value, option)
        return value, value
    if not isinstance(value, str):
        raise InputError(option, value, expected)
    match = re.fullmatch(r"\s*([0-9]{1,5})\s*(?:-\s*([0-9]{1,5})\s*)?", value)
    if not match:
        raise InputError(option, value, expected)
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if not (1 <= first <= last <= 65535):
        raise InputError(option, value, expected)
    return first, last


def port_block(start_option: str, start: Any, size_option: str, size: Any) -> tuple[int, int]:
    """A first port and a number of ports that must end at or below 65535."""
    port(start, start_option)
    count(size, size_option)
    if start + size - 1 > 65535:
        raise InputError(size_option, size, f"a number of ports that fits after {start_option}={start}: the range "
                                            f"{start}-{start + size - 1} ends above 65535 (at most {65536 - start} ports)")
    return start, start + size - 1


# --- directory and certificates -------------------------------------------------------------------


@expects("a distinguished name such as OU=Users,DC=contoso,DC=com (RFC 4514)")
def distinguished_name(value: Any, option: str) -> str:
    """An LDAP distinguished name (RFC 4514): OU=Users,DC=contoso,DC=com."""
    expected = "a distinguished name such as OU=Users,DC=contoso,DC=com (attribute=value pairs separated by commas)"
    text(value, option, expected=expected)
    if not _rdns_valid(value):
        raise InputError(option, value, expected)
    return value


def _rdns_valid(value: str) -> bool:
    # Split on unescaped commas (and '+' of multi-valued RDNs), honouring \-escapes and quotes.
    parts, current, escaped, quoted = [], [], False, False
    for char in value:
        if escaped:
            current.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
            current.append(char)
        elif char in ",+;" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped or quoted:
        return False
    parts.append("".join(current))
    for part in parts:
        keyword, sep, attribute_value = part.partition("=")
        if not sep or not _DN_KEYWORD.match(keyword.strip()) or not attribute_value.strip():
            return False
    return True


@expects("a CA as <CA server FQDN>\\<CA name>")
def ca_name(value: Any, option: str) -> str:
    r"""An enterprise CA as <CA server FQDN>\<CA name> (ca01.contoso.com\Contoso Issuing CA)."""
    expected = r"a CA as <CA server FQDN>\<CA name>, such as ca01.contoso.com\Contoso Issuing CA"
    text(value, option, expected=expected)
    server, sep, name = value.partition("\\")
    if not sep or not name.strip() or "\\" in name or _WINDOWS_BAD_CHARS.search(name):
        raise InputError(option, value, expected)
    try:
        fqdn(server, option)
    except InputError:
        raise InputError(option, value, expected + " (the part before the backslash must be the CA server's FQDN)") from None
    return value


@expects("a KB number such as KB5005112")
def kb(value: Any, option: str) -> str:
    """A Microsoft Update KB number: KB5005112 or 5005112. Returns it as KB<digits>."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text(value, option, expected="a KB number such as KB5005112")
    match = _KB.match(value.strip())
    if not match:
        raise InputError(option, value, "a KB number such as KB5005112")
    return "KB" + match.group(1)


def config_scope(*services: str) -> Check:
    """A Skype for Business configuration's Identity: global, site:<site name>, or
    service:<Service>:<FQDN> for the named services (the -Identity syntax of the Set-Cs*Configuration
    reference pages, e.g. Set-CsConferencingConfiguration)."""
    example = "Global, site:Redmond" + (f" or service:{services[0]}:fe01.contoso.com" if services else "")

    def check(value, option):
        text(value, option, expected=f"a configuration scope such as {example}")
        scope, _sep, rest = value.partition(":")
        if value.lower() == "global":
            return value
        if scope.lower() == "site" and rest.strip() and ":" not in rest:
            return value
        if scope.lower() == "service" and services:
            service, _sep, fqdn_part = rest.partition(":")
            if service.lower() in (s.lower() for s in services) and _labels(fqdn_part) and "." in fqdn_part:
                return value
        raise InputError(option, value, f"a configuration scope such as {example}")

    check.expects = f"a configuration scope: {example}"
    return check


@expects("a dotted version such as 2.1.0 or 7.0.2046.0")
def version(value: Any, option: str) -> str:
    """A dotted version such as 2.1.0 or 7.0.2046.0 (two to four numbers)."""
    if isinstance(value, float):
        value = repr(value)
    text(value, option, expected="a version such as 2.1.0 or 7.0.2046.0 (numbers separated by dots)")
    if not _VERSION.match(value.strip()):
        raise InputError(option, value, "a version such as 2.1.0 or 7.0.2046.0 (numbers separated by dots)")
    return value.strip()


@expects("an FQDN, or a wildcard such as *.contoso.com")
def certificate_name(value: Any, option: str) -> str:
    """A name a certificate carries: an FQDN, or a wildcard *.contoso.com."""
    text(value, option, expected="a host name such as meet.contoso.com or a wildcard such as *.contoso.com")
    name = value[2:] if value.startswith("*.") else value
    labels = _labels(name)
    if labels is None or len(labels) < 2 or labels[-1].isdigit():
        raise InputError(option, value, "a host name such as meet.contoso.com or a wildcard such as *.contoso.com")
    return value


@expects("an absolute Windows path (D:\\Setup\\Setup.exe or \\\\server\\share\\file)")
def windows_path(value: Any, option: str) -> str:
    r"""An absolute Windows path: D:\Setup\Setup.exe or \\server\share\file."""
    text(value, option, expected=r"an absolute Windows path such as D:\Setup or \\server\share\folder")
    rest = value[2:] if value[1:2] == ":" else value
    if not _WINDOWS_ABSOLUTE.match(value) or _WINDOWS_BAD_CHARS.search(rest) or ":" in rest:
        raise InputError(option, value, r"an absolute Windows path such as D:\Setup or \\server\share\folder")
    return value


@expects("a registry key such as HKLM:\\Software\\Policies\\Microsoft\\Communicator")
def registry_key(value: Any, option: str) -> str:
    r"""A registry key path in PowerShell's provider form: HKLM:\Software\Policies\..."""
    text(value, option, expected=r"a registry key such as HKLM:\Software\Policies\Microsoft\Communicator")
    if not re.match(r"^(HKLM|HKCU|HKCR|HKU|HKCC):\\[^\\]", value) or _WINDOWS_BAD_CHARS.search(value):
        raise InputError(option, value, r"a registry key such as HKLM:\Software\Policies\Microsoft\Communicator")
    return value


@expects("an account as DOMAIN\\user or user@contoso.com")
def windows_account(value: Any, option: str) -> str:
    r"""A Windows account as DOMAIN\user or user@domain.com."""
    expected = r"an account as DOMAIN\user or user@contoso.com"
    text(value, option)
    if "\\" in value:
        prefix, _sep, user = value.partition("\\")
        if not prefix or not _ACCOUNT_NAME.match(user) or not _LABEL.match(prefix.replace("_", "-").split(".")[0]):
            raise InputError(option, value, expected)
        return value
    if "@" in value:
        user, _sep, dns = value.partition("@")
        if not _ACCOUNT_NAME.match(user or " "):
            raise InputError(option, value, expected)
        try:
            domain(dns, option)
        except InputError:
            raise InputError(option, value, expected) from None
        return value
    if _ACCOUNT_NAME.match(value):
        return value  # a local account (Administrator)
    raise InputError(option, value, expected)


@expects("a SIP address such as sip:alice@contoso.com")
def sip_address(value: Any, option: str) -> str:
    """A user's SIP address: sip:alice@contoso.com or alice@contoso.com."""
    text(value, option, expected="a SIP address such as sip:alice@contoso.com")
    address = value[4:] if value.lower().startswith("sip:") else value
    user, sep, dns = address.partition("@")
    if not sep or not user or any(c.isspace() for c in user):
        raise InputError(option, value, "a SIP address such as sip:alice@contoso.com")
    try:
        sip_domain(dns, option)
    except InputError:
        raise InputError(option, value, "a SIP address such as sip:alice@contoso.com") from None
    return value


def format_template(*fields: str, required: tuple[str, ...] = ()) -> Check:
    """A str.format template that uses only the named fields ('INSTALLDIR={path}'), and each `required` one."""
    allowed = ", ".join("{" + f + "}" for f in fields)

    def check(value, option):
        text(value, option)
        try:
            used = [name for _lit, name, _spec, _conv in string.Formatter().parse(value) if name is not None]
        except ValueError:
            raise InputError(option, value, f"a template whose only placeholders are {allowed} (braces unbalanced)") from None
        unknown = [name for name in used if name not in fields]
        if unknown:
            raise InputError(option, value, f"a template whose only placeholders are {allowed} "
                                            f"(unknown: {', '.join('{' + u + '}' for u in unknown)})")
        missing = [name for name in required if name not in used]
        if missing:
            raise InputError(option, value, f"a template that contains {', '.join('{' + m + '}' for m in missing)}")
        return value

    check.expects = f"a template whose only placeholders are {allowed}"
    return check


# --- controller folders ---------------------------------------------------------------------------


@expects("a path on the controller (not empty, no name longer than 255 bytes)")
def controller_path(value: Any, option: str) -> str:
    """A path the controller can open: every name at most NAME_MAX bytes, the whole at most PATH_MAX."""
    text(value, option, expected="a path on the controller")
    if not value.strip():
        raise InputError(option, value, "a path on the controller (it is empty)")
    if len(value.encode("utf-8")) > _PATH_MAX or any(len(part.encode("utf-8")) > _NAME_MAX for part in value.split("/")):
        raise InputError(option, value, f"a path on the controller whose names are at most {_NAME_MAX} bytes each")
    return value


@expects("a folder on the controller the job can write in (created when missing; not under /proc, /sys or /dev)")
def writable_folder(value: Any, option: str, create: bool = True) -> str:
    """A folder on the controller the job can write in: it exists (or can be created in a writable
    existing parent when `create`) and is not a kernel pseudo file system (/proc, /sys, /dev)."""
    text(value, option, expected="a folder on the controller")
    if not value.strip():
        raise InputError(option, value, "a folder on the controller")
    controller_path(value, option)
    path = os.path.abspath(os.path.expanduser(value))
    real = os.path.realpath(path)
    for pseudo in _PSEUDO_FILE_SYSTEMS:
        if real == pseudo or real.startswith(pseudo + "/"):
            raise InputError(option, value, f"a folder for files on the controller ({pseudo} is a kernel pseudo file system)")
    probe = real
    while not os.path.exists(probe):
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    if not os.path.isdir(probe):
        raise InputError(option, value, f"a folder on the controller ({probe} is a file)")
    if probe != real and not create:
        raise InputError(option, value, "an existing folder on the controller")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(option, value, f"a folder the job can write in ({probe} is not writable for this user)")
    return value


@expects("an existing folder on the controller the job can write in")
def existing_writable_folder(value: Any, option: str) -> str:
    return writable_folder(value, option, create=False)


@expects("a readable file on the controller")
def existing_file(value: Any, option: str) -> str:
    """A file on the controller that exists and can be read."""
    text(value, option, expected="a readable file on the controller")
    path = os.path.expanduser(value)
    if not os.path.isfile(path) or not os.access(path, os.R_OK):
        raise InputError(option, value, "a readable file on the controller")
    return value


@expects("a file base name (no folder)")
def file_name(value: Any, option: str) -> str:
    """A base name for files (no folder, no characters Windows or Linux refuse in a name)."""
    text(value, option)
    if not value.strip() or "/" in value or "\\" in value or value in (".", "..") or _WINDOWS_BAD_CHARS.search(value):
        raise InputError(option, value, "a file base name without folders or any of < > \" | ? * / \\")
    if len(value.encode("utf-8")) > _NAME_MAX - 32:  # room for the suffixes and temporary names the writers add
        raise InputError(option, value, f"a file base name of at most {_NAME_MAX - 32} bytes")
    return value


# --- combinators ----------------------------------------------------------------------------------


def each(check: Check) -> Check:
    """Every element of a list passes `check`; errors name the element as option[index]."""

    def checked(value, option):
        if not isinstance(value, (list, tuple)):
            raise InputError(option, value, "a list")
        return [check(item, f"{option}[{index}]") for index, item in enumerate(value)]

    checked.expects = f"a list, each element {describe(check)}"
    return checked


def unique(check: Check) -> Check:
    def checked(value, option):
        values = check(value, option)
        seen = set()
        for index, item in enumerate(values):
            key = item.lower() if isinstance(item, str) else repr(item)
            if key in seen:
                raise InputError(f"{option}[{index}]", item, "a value not given twice")
            seen.add(key)
        return values

    checked.expects = describe(check) + ", no value twice"
    return checked


def nonempty_list(check: Check, expected: str = "a list with at least one element (it is empty)") -> Check:
    def checked(value, option):
        values = check(value, option)
        if not values:
            raise InputError(option, value, expected)
        return values

    checked.expects = describe(check) + " (at least one)"
    return checked


def empty_or(check: Check) -> Check:
    """'' (or None) means "not set" (a role default); anything else passes `check`."""

    def checked(value, option):
        if value is None or value == "":
            return value
        return check(value, option)

    checked.expects = f"empty, or {describe(check)}"
    return checked


def fields(spec: Mapping[str, Check], required: Iterable[str] = (), extra: bool = False) -> Check:
    """A dict whose keys pass their check; `required` keys must be there; other keys are refused
    unless `extra`."""
    required = tuple(required)

    def checked(value, option):
        if not isinstance(value, Mapping):
            raise InputError(option, value, "a dict with the keys " + ", ".join(spec))
        for key in required:
            if value.get(key) in (None, ""):
                raise InputError(f"{option}.{key}", MISSING if value.get(key) is None else value[key],
                                 describe(spec[key]) if key in spec else "given")
        if not extra:
            unknown = [key for key in value if key not in spec]
            if unknown:
                raise InputError(f"{option}.{unknown[0]}", value[unknown[0]],
                                 "a known key (the keys are " + ", ".join(spec) + ")")
        out = dict(value)
        for key, check in spec.items():
            if value.get(key) is not None:
                out[key] = check(value[key], f"{option}.{key}")
        return out

    checked.expects = "a dict with " + "; ".join(f"{k}: {describe(c)}" for k, c in spec.items())
    return checked


def mapping(key_check: Check, value_check: Check) -> Check:
    def checked(value, option):
        if not isinstance(value, Mapping):
            raise InputError(option, value, "a dict")
        for key, item in value.items():
            key_check(key, f"{option} key")
            value_check(item, f"{option}.{key}")
        return value

    checked.expects = f"a dict of {describe(key_check)} to {describe(value_check)}"
    return checked


def hinted(check: Check, hint: str) -> Check:
    """The same check, its errors saying where a good value comes from."""

    def checked(value, option):
        try:
            return check(value, option)
        except InputError as exc:
            raise exc.with_hint(hint) from None

    checked.expects = describe(check)
    return checked


def describe(check: Check) -> str:
    """What a check expects, for documentation (docs/inputs.md) and error texts."""
    phrase = getattr(check, "expects", None)
    if phrase:
        return phrase
    return (check.__doc__ or check.__name__).strip().splitlines()[0].rstrip(".")


# --- applying the checks --------------------------------------------------------------------------

# Ansible turns a list or a dict given for a `str` option into its text (with a warning only): the
# value that reaches the server is then "['a', 'b']". The shapes below refuse that first.
_SCALARS = (str, int, float)


def shape_errors(spec: Mapping[str, dict], raw: Mapping[str, Any]) -> list[InputError]:
    """Values of the task's arguments (before Ansible's conversion) whose shape does not fit the
    option's declared type: a list or dict for a str/int/float/bool/path option, a dict or a list
    where a list element should be a string or a number."""
    errors = []
    for name, option in spec.items():
        if name not in raw or raw[name] is None:
            continue
        value = raw[name]
        kind = option.get("type", "str")
        secret = bool(option.get("no_log"))
        if kind in ("str", "path", "int", "float", "bool") and isinstance(value, (list, tuple, Mapping)):
            errors.append(InputError(name, value, f"a single value of type {kind}, not a "
                                                  f"{'dict' if isinstance(value, Mapping) else 'list'}", secret))
        elif kind == "list" and option.get("elements", "str") in ("str", "path", "int", "float", "bool") \
                and isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                if isinstance(item, (list, tuple, Mapping)):
                    errors.append(InputError(f"{name}[{index}]", item, f"a {option.get('elements', 'str')}, "
                                                                       "not a nested list or dict", secret))
                    break
        elif kind == "list" and option.get("elements") == "dict" and isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                if not isinstance(item, Mapping):
                    errors.append(InputError(f"{name}[{index}]", item, "a dict", secret))
                    break
    return errors


def check_errors(checks: Mapping[str, Check], args: Mapping[str, Any], secrets: Iterable[str] = ()) -> list[InputError]:
    """Run each option's check on its (validated) value; None means "not given" and is skipped.
    The error of a secret option never carries its value."""
    secrets = set(secrets)
    errors = []
    for name, check in checks.items():
        value = args.get(name)
        if value is None:
            continue
        try:
            check(value, name)
        except InputError as exc:
            if name in secrets or exc.option.split("[")[0].split(".")[0] in secrets:
                exc = InputError(exc.option, value, exc.expected, secret=True, hint=exc.hint)
            errors.append(exc)
        except (TypeError, ValueError, KeyError) as exc:  # a check must not crash a task
            errors.append(InputError(name, "" if name in secrets else value, f"a valid value ({exc})", name in secrets))
    return errors


def refusal(errors: list[InputError]) -> str:
    """The task's message for a list of bad inputs."""
    lines = "; ".join(str(e).rstrip(".") for e in errors)
    return f"Invalid input, nothing was changed: {lines}."


# --- a vocabulary by name, for playbooks (sfb.server.job_inputs) ----------------------------------

NAMED: dict[str, Check] = {
    "str": text,
    "nonempty": nonempty,
    "secret": secret,
    "int": integer,
    "number": number,
    "bool": boolean,
    "duration": duration,
    "positive_duration": positive_duration,
    "days": days,
    "count": count,
    "count0": non_negative_count,
    "fqdn": fqdn,
    "host_name": host_name,
    "short_name": short_name,
    "domain": domain,
    "sip_domain": sip_domain,
    "ipv4": ipv4,
    "ipv6": ipv6,
    "ip_address": ip_address,
    "host_or_address": host_or_address,
    "port": port,
    "port_range": port_range,
    "dn": distinguished_name,
    "ca_name": ca_name,
    "kb": kb,
    "version": version,
    "windows_path": windows_path,
    "windows_account": windows_account,
    "registry_key": registry_key,
    "sip_address": sip_address,
    "writable_folder": writable_folder,
    "existing_writable_folder": existing_writable_folder,
    "file_name": file_name,
    "controller_path": controller_path,
    "certificate_name": certificate_name,
    "name": plain_name(",|"),
    # A Cloud Connector appliance's VMs as the cce playbooks' inventories list them ({host, role}).
    "cce_vm": fields({"host": host_name, "role": choice("AD", "CMS", "Mediation", "Edge")},
                     required=("host", "role"), extra=True),
}


def named(expression: str) -> Check:
    """A check from its name in a playbook: 'fqdn', 'list of fqdn', 'optional ca_name' (empty allowed),
    'one of renew, ca_reset', 'int >= 1', 'number > 0', 'int from 1 to 10', 'nonempty list of sip_domain'."""
    words = expression.strip()
    if words.startswith("optional "):
        return empty_or(named(words[len("optional "):]))
    if words.startswith("nonempty list of "):
        return nonempty_list(each(named(words[len("nonempty list of "):])))
    if words.startswith("list of "):
        return each(named(words[len("list of "):]))
    if words.startswith("one of "):
        return choice(*[w.strip() for w in words[len("one of "):].split(",")])
    match = re.fullmatch(r"number\s*>\s*(-?[0-9.]+)", words)
    if match:
        return greater_than(float(match.group(1)))
    match = re.fullmatch(r"int\s+from\s+(-?[0-9]+)\s+to\s+(-?[0-9]+)", words)
    if match:
        return between(int(match.group(1)), int(match.group(2)))
    match = re.fullmatch(r"(int|number)\s*>=\s*(-?[0-9.]+)", words)
    if match:
        minimum = float(match.group(2))
        base = at_least(minimum, "a whole number" if match.group(1) == "int" else "a number")
        if match.group(1) == "int":
            def whole(value, option, _base=base):
                integer(value, option)
                return _base(value, option)
            whole.expects = describe(base)
            return whole
        return base
    if words in NAMED:
        return NAMED[words]
    raise KeyError(f"unknown check {expression!r}; known: {', '.join(sorted(NAMED))}, with 'optional ', "
                   "'list of ', 'nonempty list of ', 'one of a, b', 'int >= N', 'number >= N', 'number > N', "
                   "'int from N to M'")
