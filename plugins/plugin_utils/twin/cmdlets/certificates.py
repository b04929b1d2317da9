# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Step 3 on the twin: an enterprise CA, the LocalMachine certificate stores and the Cs certificate cmdlets.

- Request-CsCertificate -New: online (the CA issues at once, or refuses with the `ca_refuses` fault's
  reason) or offline with -Output (a request file; the twin's CA answers it with a response file
  `<request>-response.cer` beside it after OFFLINE_RESPONSE_SECONDS: a rehearsal aid, no real CA does that);
- Import-CsCertificate -Path: imports such a response into LocalMachine\\My;
- Set-CsCertificate -Thumbprint [-Type] [-Identity Global]: assigns uses; Global certificates
  ("automatically copied and distributed", Set-CsCertificate page) live in the world, not on a server;
- Get-CsCertificate: one CertificateReference per use (properties of sfb_facts 9: Use, Thumbprint,
  Subject, Issuer, NotBefore, NotAfter, AlternativeNames, SerialNumber, SourceScope);
- Get-ChildItem Cert:\\LocalMachine\\My | Root | CA: X509Certificate2 properties.
Error texts for a denied or unreachable CA are not documented; the twin's wording is its own.
"""

from __future__ import annotations

import datetime
import hashlib

from ansible_collections.sfb.server.plugins.plugin_utils.twin import description, knowledge
from ansible_collections.sfb.server.plugins.plugin_utils.twin.cmdlets import Call, CmdletError, cmdlet, extends
from ansible_collections.sfb.server.plugins.plugin_utils.twin.cmdlets.deployment import state

DEFAULT_CA = {"name": r"ca01.contoso.com\Contoso Issuing CA", "issuer": "CN=Contoso Issuing CA",
              "root": "CN=Contoso Root CA", "lifetime_days": 730, "sip_domains": ["contoso.com"]}
OFFLINE_RESPONSE_SECONDS = 300
# The Server Authentication enhanced key usage (RFC 5280 id-kp-serverAuth), which the CA's Web Server
# template gives; the default key length of the wizard ("accept the default of 2048 bits").
SERVER_AUTHENTICATION = {"FriendlyName": "Server Authentication", "ObjectId": "1.3.6.1.5.5.7.3.1"}
CLIENT_AUTHENTICATION = {"FriendlyName": "Client Authentication", "ObjectId": "1.3.6.1.5.5.7.3.2"}
DEFAULT_KEY_SIZE = 2048
OAUTH = "OAuthTokenIssuer"
description.FAULTS.setdefault(
    "store_certificate_without_server_authentication",
    "true: LocalMachine\\My holds a valid certificate for the server's names whose only usage is Client "
    "Authentication (it must not be reused)")
_STORES = {"cert:\\localmachine\\my": "My", "cert:\\localmachine\\root": "Root", "cert:\\localmachine\\ca": "CA"}


@description.section("certificate_authority")
def _authority(value, builder, settings):
    """certificate_authority: {name: 'ca01.contoso.com\\Contoso Issuing CA', sip_domains: [contoso.com]}"""
    doc = description._mapping(value, "certificate_authority",
                               optional=("name", "issuer", "root", "lifetime_days", "sip_domains"))
    builder.add("authority", "ca", {**DEFAULT_CA, **doc}, "certificate_authority")


def authority(world) -> dict:
    return world.kind("authority").get("ca") or DEFAULT_CA


def _iso(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc).isoformat()


def _x509(cert: dict, ca: dict) -> dict:
    issuer = cert["issuer"] if cert.get("trusted_root", True) else "CN=Untrusted Lab CA"
    return {"Thumbprint": cert["thumbprint"], "Subject": cert["subject"], "Issuer": issuer,
            "NotBefore": _iso(cert["not_before"]), "NotAfter": _iso(cert["not_after"]),
            "HasPrivateKey": cert.get("has_private_key", True), "FriendlyName": cert.get("friendly_name", ""),
            "DnsNameList": [{"Punycode": n, "Unicode": n} for n in cert["alternative_names"]],
            "EnhancedKeyUsageList": list(cert.get("usages", [SERVER_AUTHENTICATION])),
            "PublicKey": {"Key": {"KeySize": int(cert.get("key_size", DEFAULT_KEY_SIZE))}}}


@cmdlet("Get-ChildItem")
def get_child_item(call: Call):
    path = call.get("Path")
    path = (path[0] if isinstance(path, list) else str(path or "")).rstrip("\\").lower()
    store = _STORES.get(path)
    if store is None:
        raise CmdletError("The twin lists the certificate stores Cert:\\LocalMachine\\My, Root and CA only.",
                          "NotImplemented", "NotSimulated")
    ca = authority(call.world)
    if store == "My":
        _client_only_certificate(call)
        return [_x509(c, ca) for c in call.server.get("certificates", [])]
    if store == "Root":
        return [{"Subject": ca["root"], "Issuer": ca["root"], "Thumbprint": _thumb("root", ca["root"])}]
    return [{"Subject": ca["issuer"], "Issuer": ca["root"], "Thumbprint": _thumb("ca", ca["issuer"])}]


def _client_only_certificate(call: Call) -> None:
    """The fault's certificate: trusted, valid, covering the server's names, but Client Authentication only."""
    server = call.server
    if not server["faults"].get("store_certificate_without_server_authentication"):
        return
    if any(c.get("fault") for c in server.setdefault("certificates", [])):
        return
    # Every name the topology requires, so that only its usage keeps it from being reused.
    from ansible_collections.sfb.server.plugins.plugin_utils.twin.cmdlets.published_names import certificate_names
    names = certificate_names(call.world, server)
    cert = _issue(call, names, f"CN={server['pool']}", "Client certificate", False)
    cert.update(usages=[CLIENT_AUTHENTICATION], fault=True,
                thumbprint=_thumb("client-only", server["fqdn"]), not_after=call.world.now + 3650 * 86400)
    server["certificates"].append(cert)


def _role_types(server: dict) -> set[str]:
    return {t for role in server["roles"] for t in knowledge.certificate_types(role)}


def _refuse_foreign_types(server: dict, types: list[str]) -> None:
    """Set-CsCertificate/Request-CsCertificate for a type the computer's roles do not use: the real cmdlets
    find no service of that type on the computer (their error text is not documented; the twin's is its own)."""
    foreign = [t for t in types if t != OAUTH and t not in _role_types(server)]
    if foreign:
        raise CmdletError(f"The certificate type {', '.join(foreign)} is not used by any service of this computer "
                          f"({', '.join(server['roles'])}).", "InvalidArgument", "CertificateTypeNotApplicable")


def _refuse_oauth_outside_front_end(server: dict) -> None:
    holders = knowledge.global_certificate_holders(OAUTH)
    if not any(role in holders for role in server["roles"]):
        # "Assign a server-to-server authentication certificate": run "only on one of your Front End Servers".
        raise CmdletError("The OAuthTokenIssuer certificate is managed from a Front End Server.", "InvalidOperation",
                          "OAuthTokenIssuerOutsideFrontEnd")


def _thumb(*parts) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest().upper()


def _reference(cert: dict, use: str, scope: str) -> dict:
    return {"Use": use, "Thumbprint": cert["thumbprint"], "Subject": cert["subject"], "Issuer": cert["issuer"],
            "NotBefore": _iso(cert["not_before"]), "NotAfter": _iso(cert["not_after"]),
            "AlternativeNames": list(cert["alternative_names"]), "SerialNumber": cert["thumbprint"][:16],
            "SourceScope": scope}


def _global(world) -> dict:
    return world.kind("global").setdefault("certificates", {"uses": {}})


def _types(value) -> list[str]:
    if value is None:
        return []
    values = value if isinstance(value, list) else str(value).split(",")
    return [str(v).strip() for v in values if str(v).strip()]


@cmdlet("Get-CsCertificate")
def get_cs_certificate(call: Call):
    wanted = {t.lower() for t in _types(call.get("Type"))}
    answers = []
    if str(call.get("Identity") or "").lower() == "global":
        for use, cert in _global(call.world)["uses"].items():
            answers.append(_reference(cert, use, "Global"))
    else:
        for cert in call.server.get("certificates", []):
            answers.extend(_reference(cert, use, "Local") for use in cert.get("uses", []))
    return [a for a in answers if not wanted or a["Use"].lower() in wanted]


def _issue(call: Call, names: list[str], subject: str, friendly: str, exportable: bool,
           key_size: int = DEFAULT_KEY_SIZE) -> dict:
    ca = authority(call.world)
    now = call.world.now
    return {"key_size": key_size, "usages": [SERVER_AUTHENTICATION],
            "thumbprint": _thumb(call.server["fqdn"], subject, now, len(call.server.get("certificates", []))),
            "subject": subject, "alternative_names": names, "issuer": ca["issuer"], "not_before": now,
            "not_after": now + float(ca["lifetime_days"]) * 86400, "uses": [], "has_private_key": True,
            "trusted_root": True, "friendly_name": friendly, "exportable": exportable}


@cmdlet("Request-CsCertificate")
def request_cs_certificate(call: Call):
    if not call.switch("New"):
        raise CmdletError("The twin simulates Request-CsCertificate -New only.", "NotImplemented", "NotSimulated")
    server, ca = call.server, authority(call.world)
    types = _types(call.get("Type"))
    _refuse_foreign_types(server, types)
    if OAUTH in types:
        _refuse_oauth_outside_front_end(server)
    key_size = int(call.get("KeySize") or DEFAULT_KEY_SIZE)
    computer = str(call.get("ComputerFqdn") or server["fqdn"]).lower()
    names = [computer]
    if server["pool"] != computer:
        names.append(server["pool"])  # Request-CsCertificate: the pool name is added automatically
    domains = ca["sip_domains"] if call.switch("AllSipDomain") else ca["sip_domains"][:1]
    names.extend(f"sip.{d}" for d in domains)
    names.extend(n.strip().lower() for n in str(call.get("DomainName") or "").split(",") if n.strip())
    names = list(dict.fromkeys(names))
    friendly = str(call.get("FriendlyName") or f"Skype for Business Server {','.join(types)} {datetime.date.fromtimestamp(call.world.now)}")
    exportable = bool(call.get("PrivateKeyExportable", False))
    if call.get("CaAccount") is not None and call.get("CaPassword") is None:
        raise CmdletError("CaPassword is required with CaAccount.", "InvalidArgument", "MissingCaPassword")
    if call.get("Output") is not None:
        path = str(call.get("Output"))
        st = state(server)
        st["files"].append(path.lower())
        st["requests"][path.lower()] = {"names": names, "subject": f"CN={server['pool']}", "friendly": friendly,
                                        "exportable": exportable, "answer_at": call.world.now + OFFLINE_RESPONSE_SECONDS}
        call.world.record(server["fqdn"], "certificate_request_written", path=path, types=types)
        return []
    if call.get("CA") is None or str(call.get("CA")).lower() != ca["name"].lower():
        raise CmdletError(f"The certification authority {call.get('CA')} cannot be contacted: no enterprise CA of "
                          f"that name is published in Active Directory.", "ResourceUnavailable", "CANotFound")
    reason = server["faults"].get("ca_refuses")
    if reason:
        call.world.record(server["fqdn"], "certificate_request_denied", reason=str(reason))
        raise CmdletError(f"The certificate request was denied by the certification authority {ca['name']}: {reason}",
                          "PermissionDenied", "CertificateRequestDenied")
    # The OAuth certificate names the SIP domain in its subject (the OAuth page: "any Web server
    # certificate that includes the name of your SIP domain in the Subject field").
    subject = f"CN={domains[0]}" if OAUTH in types and domains else f"CN={server['pool']}"
    cert = _issue(call, names, subject, friendly, exportable, key_size)
    server.setdefault("certificates", []).append(cert)
    call.world.record(server["fqdn"], "certificate_issued", thumbprint=cert["thumbprint"], names=names)
    return []


def _responses(world, server: dict) -> None:
    """The twin's CA answers offline requests after a while (a rehearsal aid, see the module docstring)."""
    st = state(server)
    for path, request in st["requests"].items():
        response = path.rsplit(".", 1)[0] + "-response.cer"
        if world.now >= request["answer_at"] and response not in st["files"]:
            st["files"].append(response)


@cmdlet("Import-CsCertificate")
def import_cs_certificate(call: Call):
    if call.get("Identity") is not None:
        raise CmdletError("The twin imports certificates into the local store only.", "NotImplemented", "NotSimulated")
    server, st = call.server, state(call.server)
    _responses(call.world, server)
    path = str(call.get("Path")).lower()
    request = next((r for p, r in st["requests"].items() if p.rsplit(".", 1)[0] + "-response.cer" == path), None)
    if path not in st["files"] or request is None:
        raise CmdletError(f"Cannot find file '{call.get('Path')}'.", "ObjectNotFound", "FileNotFound")
    cert = _issue(call, request["names"], request["subject"], request["friendly"],
                  bool(call.get("PrivateKeyExportable", request["exportable"])))
    if any(c["thumbprint"] == cert["thumbprint"] for c in server["certificates"]):
        return []
    server["certificates"].append(cert)
    call.world.record(server["fqdn"], "certificate_imported", thumbprint=cert["thumbprint"])
    return []


@cmdlet("Set-CsCertificate")
def set_cs_certificate(call: Call):
    server = call.server
    thumbprint = str(call.get("Thumbprint") or "").upper()
    if not thumbprint:
        raise CmdletError("The twin assigns certificates by -Thumbprint.", "NotImplemented", "NotSimulated")
    cert = next((c for c in server.get("certificates", []) if c["thumbprint"] == thumbprint), None)
    if cert is None:
        raise CmdletError(f"Cannot find a certificate with thumbprint {thumbprint} in the local computer's "
                          "personal store.", "ObjectNotFound", "CertificateNotFound")
    if not cert.get("has_private_key", True):
        raise CmdletError(f"The certificate {thumbprint} has no private key.", "InvalidData", "NoPrivateKey")
    types = _types(call.get("Type")) or ["Default"]
    if str(call.get("Identity") or "").lower() == "global":
        if OAUTH in types:
            _refuse_oauth_outside_front_end(server)
        for use in types:
            _global(call.world)["uses"][use] = dict(cert, uses=[])
        # "Global certificates will automatically be copied and distributed" (Set-CsCertificate page) to the
        # servers that use them: for OAuthTokenIssuer, "all your Front End Servers" (the OAuth page), not Edge
        # Servers, Directors or Cloud Connector appliances.
        holders = {h for use in types for h in knowledge.global_certificate_holders(use)}
        for other in call.world.servers.values():
            if holders and not any(role in holders for role in other.get("roles", [])):
                continue
            store = other.setdefault("certificates", [])
            if other is not server and not any(c["thumbprint"] == thumbprint for c in store):
                store.append(dict(cert, uses=[]))
        call.world.record(server["fqdn"], "global_certificate_assigned", thumbprint=thumbprint, uses=types)
        return []
    _refuse_foreign_types(server, types)
    for other in server["certificates"]:
        other["uses"] = [u for u in other.get("uses", []) if u not in types]
    cert["uses"] = sorted(set(cert.get("uses", [])) | set(types))
    call.world.record(server["fqdn"], "certificate_assigned", thumbprint=thumbprint, uses=types)
    return []


@extends("Test-Path")
def _test_path_with_responses(call: Call, base):
    """An offline request's response file appears once the CA has answered: look before testing."""
    _responses(call.world, call.server)
    return base(call)
