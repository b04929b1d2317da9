# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Skype for Business Online sign-in diagnostics: what each documented cause looks like, and its fix.

Source: seed 003, the administrators' guide "Troubleshoot Skype for Business Online sign-in errors
for administrators" (support.office.com article cdd4801a-2fe1-4aab-bbb6-db5f95f972d1). Every check
ends in one of three states: `pass`, `fail` (with the action that fixes it) or `not_checked` (with
the reason it could not be decided). Nothing here does I/O: DNS answers, registry values, directory
users and w32tm output are handed in, so every outcome can be tested without a network or Windows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument, UnreadableOutput

PASS = "pass"
FAIL = "fail"
NOT_CHECKED = "not_checked"
STATUSES = (PASS, FAIL, NOT_CHECKED)

# Seed 003, "Update DNS settings": type CNAME, name sip, value sipdir.online.microsoft.com.
SIP_LABEL = "sip"
SIP_TARGET = "sipdir.online.microsoft.com"
# Seed 003: DNS changes can take up to 72 hours to reach the whole system.
DNS_PROPAGATION_HOURS = 72

# Seed 003, "Modify TrustModelData registry keys".
TRUST_MODEL_KEY = r"HKLM:\Software\Policies\Microsoft\Communicator"
TRUST_MODEL_VALUE = "TrustModelData"

# Seed 003, "Update user settings in Active Directory".
SIP_ENABLED_ATTRIBUTE = "msRTCSIP-UserEnabled"

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@dataclass
class Check:
    """One line of the report."""

    id: str
    title: str
    target: str
    status: str
    reason: str
    action: str = ""
    details: dict = field(default_factory=dict)
    changed: bool = False

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"check status must be one of {STATUSES}, not {self.status!r}")

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "target": self.target, "status": self.status,
                "reason": self.reason, "action": self.action, "details": self.details, "changed": self.changed}


# -- names -----------------------------------------------------------------------------------


def normalise_domain(value: Any, what: str = "domain") -> str:
    """A DNS domain in lower case without the root dot; fails on anything that is not one."""
    text = str(value or "").strip().lower().rstrip(".")
    labels = text.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or len(text) > 253:
        raise InvalidArgument(
            f"{what} {value!r} is not a DNS domain name.",
            hint="Give the SIP domain as the users' sign-in addresses show it, for example contoso.com.",
        )
    return text


def sip_name(domain: str) -> str:
    return f"{SIP_LABEL}.{normalise_domain(domain)}"


def record_to_create(domain: str, target: str = SIP_TARGET) -> str:
    """The record, in zone-file form, the administrator asks the registrar for (seed 003)."""
    return f"{sip_name(domain)}. 3600 IN CNAME {target.rstrip('.')}."


# -- DNS -------------------------------------------------------------------------------------

CNAME = "cname"
NO_ANSWER = "no_answer"
NXDOMAIN = "nxdomain"
TIMEOUT = "timeout"
ERROR = "error"
OUTCOMES = (CNAME, NO_ANSWER, NXDOMAIN, TIMEOUT, ERROR)


@dataclass(frozen=True)
class Lookup:
    """What one resolver said about `sip.<domain>` CNAME."""

    outcome: str
    target: str = ""
    detail: str = ""

    def __post_init__(self):
        if self.outcome not in OUTCOMES:
            raise ValueError(f"lookup outcome must be one of {OUTCOMES}, not {self.outcome!r}")


Resolve = Callable[[str], Lookup]


def check_sip_cname(domain: str, resolvers: Mapping[str, Resolve], expected: str = SIP_TARGET) -> Check:
    """The seed's DNS check for one SIP domain, asked of every named resolver.

    All resolvers must give the expected CNAME: a resolver that still serves an old answer is
    exactly the propagation case the seed warns about. A resolver that could not answer leaves the
    domain not checked, unless another one already proved it wrong.
    """
    domain = normalise_domain(domain)
    name = sip_name(domain)
    wanted = expected.lower().rstrip(".")
    record = record_to_create(domain, wanted)
    answers = {label: resolve(name) for label, resolve in resolvers.items()}
    details = {"name": name, "expected": wanted,
               "answers": {label: {"outcome": a.outcome, "target": a.target, "detail": a.detail}
                           for label, a in answers.items()}}
    title = f"DNS: {name} CNAME {wanted}"
    wrong = {label: a for label, a in answers.items() if a.outcome == CNAME and a.target.lower().rstrip(".") != wanted}
    missing = {label: a for label, a in answers.items() if a.outcome in (NO_ANSWER, NXDOMAIN)}
    silent = {label: a for label, a in answers.items() if a.outcome in (TIMEOUT, ERROR)}
    if wrong:
        seen = ", ".join(f"{a.target.rstrip('.')} ({label})" for label, a in wrong.items())
        return Check("dns", title, domain, FAIL, f"{name} is a CNAME to {seen}, not {wanted}.",
                     f"Change the record at the domain's DNS host to: {record}", details)
    if missing:
        why = "; ".join(
            f"{label}: {'the name does not exist (NXDOMAIN)' if a.outcome == NXDOMAIN else 'the name has no CNAME record'}"
            for label, a in missing.items())
        return Check("dns", title, domain, FAIL, f"{name} has no CNAME to {wanted} ({why}).",
                     f"Create at the domain's DNS host (type CNAME, name {SIP_LABEL}, value {wanted}): {record}. "
                     f"Changes can take up to {DNS_PROPAGATION_HOURS} hours to propagate.", details)
    if silent or not answers:
        why = "; ".join(f"{label}: {a.detail or a.outcome}" for label, a in silent.items()) or "no resolver was given"
        return Check("dns", title, domain, NOT_CHECKED, f"No answer for {name} ({why}).",
                     "Check that the named resolvers are reachable from the controller, then run the check again.",
                     details)
    return Check("dns", title, domain, PASS,
                 f"Every resolver ({', '.join(answers)}) answers {name} CNAME {wanted}.", "", details)


# -- TrustModelData ----------------------------------------------------------------------------


def trusted_domains(value: Any) -> list[str]:
    """The domains of a TrustModelData value: a comma-separated REG_SZ list.

    Office ADMX policy "Trusted Domain List" (L_PolicyTrustModelData): "Multiple domain addresses
    as comma separated values can be provided", example "contoso.com, contoso.co.in", type REG_SZ.
    """
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        value = ",".join(str(v) for v in value)
    return [part.strip() for part in str(value).split(",") if part.strip()]


def add_trusted_domains(current: Any, domains: Iterable[str]) -> tuple[str, list[str]]:
    """The value with `domains` added, and which ones were added.

    Seed 003: "You must *add* your domain name to the existing value, not simply replace it." The
    existing entries stay as they are, in their order and spelling; only missing domains are
    appended, with the separator the value already uses.
    """
    existing = trusted_domains(current)
    known = {d.lower().rstrip(".") for d in existing}
    added = []
    for domain in domains:
        name = normalise_domain(domain)
        if name not in known:
            added.append(name)
            known.add(name)
    if not added:
        return ("" if current is None else str(current)), []
    text = "" if current is None else str(current).strip().rstrip(",").strip()
    separator = "," if ("," in text and ", " not in text) else ", "
    return (f"{text}{separator}{separator.join(added)}" if text else separator.join(added)), added


# -- time --------------------------------------------------------------------------------------

# Sources w32tm reports when the clock follows no time server (w32tm /query /status "Source:").
LOCAL_SOURCES = ("local cmos clock", "free-running system clock")
# Hyper-V's integration service: the guest follows its host, which is not an external source.
VM_HOST_SOURCE = "vm ic time synchronization provider"
LEAP_NOT_SYNCHRONISED = 3


W32TM_STATUS = "w32tm /query /status"


def parse_w32tm_status(text: str) -> dict:
    """The fields of `w32tm /query /status` (English output), by name, without regard to case.

    ASSUMPTION (docs/assumptions.md, "w32tm /query /status"; samples w32tm-query-status.*): one
    `Label: value` line per field, labels in English ("Leap Indicator", "Stratum", "Source", "Last
    Successful Sync Time"); the code comes first in "3(not synchronized)" and "0 (unspecified)".
    w32tm localises the labels: an output without them is not guessed at (require_w32tm_status
    raises UnreadableOutput, which check_time reports as not checked). An error line ("The
    following error occurred: ...") is kept.
    """
    fields: dict[str, Any] = {}
    for raw in str(text or "").splitlines():
        line = raw.strip()
        if line.lower().startswith("the following error occurred"):
            fields["error"] = line.split(":", 1)[1].strip() if ":" in line else line
            continue
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        fields[key.lower()] = value
    status: dict[str, Any] = {"raw": fields}
    if "error" in fields:
        status["error"] = fields["error"]
    leap = re.match(r"^(\d+)", fields.get("leap indicator", ""))
    stratum = re.match(r"^(\d+)", fields.get("stratum", ""))
    status["leap_indicator"] = int(leap.group(1)) if leap else None
    status["stratum"] = int(stratum.group(1)) if stratum else None
    status["source"] = fields.get("source", "").strip() or None
    status["last_sync"] = fields.get("last successful sync time") or None
    return status


def require_w32tm_status(text: str) -> dict:
    """parse_w32tm_status, failing closed: UnreadableOutput when neither an error line nor the
    English Leap Indicator and Source lines are there (localised Windows, another tool's output)."""
    status = parse_w32tm_status(text)
    if not status.get("error") and (status["leap_indicator"] is None or status["source"] is None):
        raise UnreadableOutput(
            W32TM_STATUS, "English 'Leap Indicator: <n>(...)' and 'Source: <name>' lines", text,
            hint="The output is not in the English form the check knows (a localised Windows?): read "
                 "`w32tm /query /status` on the host by hand; the check stays not checked.")
    return status


_SAMPLE = re.compile(r"^\s*\d{1,2}:\d{2}:\d{2},\s*(?:d:\S+\s+o:)?(?P<offset>[+-]?\d+[.,]\d+)s\s*$")
_SAMPLE_ERROR = re.compile(r"^\s*\d{1,2}:\d{2}:\d{2},?\s*error:\s*(?P<code>\S+)", re.IGNORECASE)


def parse_stripchart(text: str) -> dict:
    """The offsets (seconds) and errors of `w32tm /stripchart ... /dataonly`.

    ASSUMPTION (w32tm's output is not specified in Microsoft's reference): a sample line reads
    "HH:MM:SS, +00.0123456s" (or "d:... o:..." without /dataonly), with the locale's decimal
    separator; a failed sample reads "HH:MM:SS, error: 0x800705B4". Only the magnitude of the
    offset is used: the sign convention is not documented.
    """
    offsets, errors = [], []
    for line in str(text or "").splitlines():
        sample = _SAMPLE.match(line)
        if sample:
            offsets.append(float(sample.group("offset").replace(",", ".")))
            continue
        failed = _SAMPLE_ERROR.match(line)
        if failed:
            errors.append(failed.group("code"))
    return {"offsets": offsets, "errors": errors}


def check_time(host: str, status_text: str, stripchart_text: str | None, reference: str | None,
               max_skew: float) -> Check:
    """Seed 003: the domain controller is synchronised with a reliable external time source."""
    title = "Time: synchronised with a reliable external source"
    status = parse_w32tm_status(status_text)
    try:
        require_w32tm_status(status_text)
        unreadable = None
    except UnreadableOutput as exc:
        unreadable = exc
    details: dict[str, Any] = {"status": {k: v for k, v in status.items() if k != "raw"}, "reference": reference,
                               "max_skew_seconds": max_skew}
    fix = ("Configure the domain controller that holds the PDC emulator role to follow a reliable external "
           "NTP source (KB 816042, \"How to configure an authoritative time server in Windows Server\"), "
           "then run `w32tm /resync` on this host.")
    if status.get("error"):
        return Check("time", title, host, NOT_CHECKED, f"w32tm /query /status failed: {status['error']}",
                     "Start the Windows Time service (w32time) or run as an administrator, then check again.", details)
    source = (status["source"] or "").lower()
    if unreadable is not None:
        details["unreadable"] = unreadable.to_result()
        return Check("time", title, host, NOT_CHECKED,
                     "The w32tm status output has no English 'Source' or 'Leap Indicator' line (localised "
                     "Windows?), so it cannot be judged.", "Read `w32tm /query /status` on the host by hand.",
                     details)
    if status["leap_indicator"] == LEAP_NOT_SYNCHRONISED:
        return Check("time", title, host, FAIL, f"w32tm reports the clock as not synchronised (source {status['source']}).",
                     fix, details)
    if any(source.startswith(local) for local in LOCAL_SOURCES):
        return Check("time", title, host, FAIL, f"The clock follows no time server: source is {status['source']}.",
                     fix, details)
    if source.startswith(VM_HOST_SOURCE):
        return Check("time", title, host, FAIL,
                     "The clock follows the virtualisation host (VM IC Time Synchronization Provider), not an "
                     "external time source.",
                     "Disable the host time synchronisation for this virtual domain controller and " + fix[0].lower()
                     + fix[1:], details)
    if reference is None:
        return Check("time", title, host, PASS,
                     f"Synchronised with {status['source']} (stratum {status['stratum']}); skew not measured: no "
                     "reference server was given.", "", details)
    samples = parse_stripchart(stripchart_text or "")
    details["samples"] = samples
    if not samples["offsets"]:
        why = f"errors {', '.join(samples['errors'])}" if samples["errors"] else "no sample line in the output"
        return Check("time", title, host, NOT_CHECKED,
                     f"Synchronised with {status['source']}, but the skew against {reference} could not be "
                     f"measured ({why}).",
                     f"Check that {reference} answers NTP (UDP 123) from this host, then run the check again.",
                     details)
    skew = max(abs(offset) for offset in samples["offsets"])
    details["skew_seconds"] = skew
    if skew > max_skew:
        return Check("time", title, host, FAIL,
                     f"The clock is {skew:.3f} s away from {reference} (allowed {max_skew:g} s).", fix, details)
    return Check("time", title, host, PASS,
                 f"Synchronised with {status['source']}; {skew:.3f} s from {reference} (allowed {max_skew:g} s).",
                 "", details)


# -- Active Directory ----------------------------------------------------------------------------


def sip_disabled_filter() -> str:
    """LDAP filter for the users the seed describes: msRTCSIP-UserEnabled still FALSE."""
    return f"(&(objectCategory=person)(objectClass=user)({SIP_ENABLED_ATTRIBUTE}=FALSE))"


def select_users(users: Sequence[Mapping[str, Any]], only: Sequence[str]) -> list[Mapping[str, Any]]:
    """The users to enable: all of them, or those named by sAMAccountName, UPN or DN."""
    if not only:
        return list(users)
    wanted = {name.lower() for name in only}
    return [u for u in users
            if any(str(u.get(key) or "").lower() in wanted
                   for key in ("SamAccountName", "UserPrincipalName", "DistinguishedName"))]


def user_label(user: Mapping[str, Any]) -> str:
    return str(user.get("UserPrincipalName") or user.get("SamAccountName") or user.get("DistinguishedName"))


# -- guidance ------------------------------------------------------------------------------------

# The causes seed 003 lists that no playbook can read from here: each with the seed's resolution,
# in English. `id` is what a user names in `signin_guidance_skip` to leave one out of the report.
GUIDANCE = (
    ("msoidsvc_proxy", "Proxy or firewall blocks the Microsoft Online Services Sign-In Assistant (msoidsvc.exe)",
     "Error \"Sign-in address not found\".",
     "On the web proxy (Forefront TMG 2010: Networking > Configure Forefront TMG Client Settings > New), add an "
     "application entry for msoidsvc with Disable = 0 and DisableEx = 0; on another gateway use the same "
     "settings. See KB 2409256."),
    ("licence", "User not licensed for Skype for Business Online",
     "The user is not registered as a Skype for Business Online user.",
     "Check that the user has a Skype for Business Online licence; if not, assign it and ask the user to sign in again."),
    ("client_version", "Wrong version of Skype for Business installed",
     "Error \"the authentication service is not compatible with this version of the program\".",
     "Ask the user to uninstall Skype for Business and install it again from the Office 365 portal."),
    ("credentials", "Sign-in address, user name or password mistyped, or password forgotten",
     "The user name must be in the form bobk@contoso.com, which can differ from the network logon.",
     "Check the user name and password; reset the password and give the user the temporary one if it was forgotten."),
    ("cached_signin", "Cached sign-in data after a sign-in address change",
     "Error \"There was a problem acquiring a personal certificate that is required to sign in\".",
     "Ask the user to sign out, click \"Delete my sign-in info\" on the sign-in screen, and sign in again."),
    ("security_credentials", "Corrupt user certificate or stored credentials",
     "Still \"problem acquiring a personal certificate\" after the cached data was deleted.",
     "In certmgr.msc > Personal > Certificates, delete the certificate issued by Communications Server; on "
     "Windows 7 also remove the Skype for Business credential set in Credential Manager; sign in again."),
    ("rsa_folder", "RSA folder on the user's computer blocks authentication",
     "The error persists after the credentials were renewed.",
     "As an administrator on the user's computer, remove the folders whose names start with S-1-5-21- under "
     "%APPDATA%\\Microsoft\\Crypto\\RSA (C:\\Documents and Settings\\<user>\\Application Data\\Microsoft\\Crypto\\RSA "
     "on old Windows). This role does it only when asked, after renaming each folder as a backup."),
    ("adfs_certificate", "Self-signed SSL certificate on the AD FS server",
     "Error \"The server is temporarily unavailable\" with single sign-on through AD FS.",
     "Get an SSL certificate from a third-party certification authority and install it on the AD FS server with "
     "the AD FS management console."),
    ("dirsync", "Directory synchronisation after changing msRTCSIP-UserEnabled",
     "Users fixed in Active Directory must reach Office 365.",
     "Run the directory synchronisation tool (DirSync / Azure AD Connect) again after the attributes were set to TRUE."),
)


def guidance_checks(skip: Iterable[str] = ()) -> list[Check]:
    skipped = set(skip)
    unknown = sorted(skipped - {g[0] for g in GUIDANCE})
    if unknown:
        raise InvalidArgument(f"Unknown guidance item(s) to skip: {', '.join(unknown)}.",
                              hint=f"Known items: {', '.join(g[0] for g in GUIDANCE)}.")
    return [Check(f"guidance.{gid}", title, "(manual)", NOT_CHECKED,
                  f"Cannot be read from here. Symptom: {symptom}", resolution)
            for gid, title, symptom, resolution in GUIDANCE if gid not in skipped]


# -- report ----------------------------------------------------------------------------------------


def summary(checks: Sequence[Check]) -> dict:
    return {status: sum(1 for c in checks if c.status == status) for status in STATUSES}


def report_document(checks: Sequence[Check], generated: str, scope: Mapping[str, Any]) -> dict:
    return {"title": "Skype for Business Online sign-in diagnostics", "generated": generated,
            "source": "Seed 003: Troubleshoot Skype for Business Online sign-in errors for administrators",
            "scope": dict(scope), "summary": summary(checks), "checks": [c.to_dict() for c in checks]}


_STATUS_WORD = {PASS: "PASS", FAIL: "FAIL", NOT_CHECKED: "NOT CHECKED"}


def render_markdown(document: Mapping[str, Any]) -> str:
    """The report for a human: a summary, then one table row per check, failures first."""
    order = {FAIL: 0, NOT_CHECKED: 1, PASS: 2}
    checks = sorted(document["checks"], key=lambda c: (order[c["status"]], not c["id"].startswith(("dns", "time", "trust", "sip")), c["id"], c["target"]))
    counts = document["summary"]
    lines = [
        f"# {document['title']}",
        "",
        f"Generated {document['generated']}. {document['source']}.",
        "",
        f"**{counts[FAIL]} fail, {counts[NOT_CHECKED]} not checked, {counts[PASS]} pass.**",
        "",
        "| Result | Check | Target | Why | Action |",
        "| --- | --- | --- | --- | --- |",
    ]
    for check in checks:
        changed = " (changed)" if check.get("changed") else ""
        lines.append("| " + " | ".join(_cell(x) for x in (
            _STATUS_WORD[check["status"]] + changed, check["title"], check["target"], check["reason"],
            check["action"] or "-")) + " |")
    lines.append("")
    return "\n".join(lines)


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


# -- checks of the fixes -------------------------------------------------------------------------


def trust_model_check(host: str, domains: Sequence[str], added: Sequence[str], applied: bool) -> Check:
    """TrustModelData on one computer: pass when every domain is trusted (possibly just added)."""
    title = "TrustModelData lists the Skype for Business domains"
    details = {"domains": list(domains), "added": list(added)}
    if not added:
        return Check("trust_model_data", title, host, PASS, f"Already trusted: {', '.join(domains)}.", "", details)
    if applied:
        return Check("trust_model_data", title, host, PASS,
                     f"Added {', '.join(added)} to the existing TrustModelData value.",
                     "Add the same domains to the Group Policy that deploys TrustModelData, if one does.", details,
                     changed=True)
    return Check("trust_model_data", title, host, FAIL,
                 f"TrustModelData does not list {', '.join(added)}: users get the \"cannot verify that the server is "
                 "trusted\" prompt at first sign-in.",
                 f"Add {', '.join(added)} to the existing value, never replacing it (sfb.server.trust_model_data, or "
                 "the Group Policy object that deploys HKLM\\Software\\Policies\\Microsoft\\Communicator\\TrustModelData).",
                 details)


def sip_users_check(host: str, disabled: Sequence[str], changed: Sequence[str], remaining: Sequence[str]) -> Check:
    """msRTCSIP-UserEnabled in the directory: pass when no user is left FALSE."""
    title = f"{SIP_ENABLED_ATTRIBUTE} is not FALSE for any user"
    details = {"disabled": list(disabled), "changed": list(changed), "remaining": list(remaining)}
    sync = "Run the directory synchronisation (DirSync / Azure AD Connect) so Office 365 sees the change."
    if not remaining and changed:
        return Check("sip_user_enabled", title, host, PASS,
                     f"Set {SIP_ENABLED_ATTRIBUTE} to TRUE for {len(changed)} user(s): {', '.join(changed)}.", sync,
                     details, changed=True)
    if not remaining:
        return Check("sip_user_enabled", title, host, PASS, f"No user has {SIP_ENABLED_ATTRIBUTE} FALSE.", "", details)
    shown = ", ".join(list(remaining)[:20]) + (f" and {len(remaining) - 20} more" if len(remaining) > 20 else "")
    return Check("sip_user_enabled", title, host, FAIL,
                 f"{len(remaining)} user(s) still have {SIP_ENABLED_ATTRIBUTE} FALSE (left by a retired OCS/Lync "
                 f"server): {shown}.",
                 f"Set the attribute to TRUE for them (sfb.server.sip_user_enabled with enable=true), then: {sync}",
                 details, changed=bool(changed))
