# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The documented reads the deployment modules share, and how their answers are read back.

Pure construction: nothing here talks to a server. Each builder returns CmdletCalls (bound against
the signatures when built), so a module's whole read goes in one plan, one round trip.
"""

from __future__ import annotations

import datetime

from ansible_collections.sfb.server.plugins.plugin_utils.domain import deployment as dep
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.state import topology as topology_state
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall

# EnhancedKeyUsageList (ObjectId, FriendlyName) and PublicKey (its Key.KeySize) decide whether a store
# certificate may be reused (domain/deployment.py reuse_problems).
CERT_PROPERTIES = ("Thumbprint", "Subject", "Issuer", "NotBefore", "NotAfter", "HasPrivateKey", "FriendlyName",
                   "DnsNameList", "EnhancedKeyUsageList", "PublicKey")
CS_CERT_PROPERTIES = ("Use", "Thumbprint", "Subject", "Issuer", "NotBefore", "NotAfter", "AlternativeNames",
                      "SourceScope")
SERVICE_PROPERTIES = ("Name", "Status", "RoleName")


def uninstall_entries() -> CmdletCall:
    return CmdletCall("Get-ItemProperty", {"Path": dep.UNINSTALL_KEYS},
                      select=("DisplayName", "DisplayVersion", "InstallLocation"))


def bootstrapper_exists(candidates: list[str]) -> CmdletCall:
    return CmdletCall("Test-Path", {"Path": [dep.bootstrapper_path(c) for c in candidates], "PathType": "Leaf"})


def placement_reads() -> tuple[CmdletCall, CmdletCall]:
    return topology_state.PLACEMENT_READS


placement_from = topology_state.placement_from


def local_services(computer: str | None = None) -> CmdletCall:
    parameters = {"ExcludeActivityLevel": True}
    if computer:
        parameters["ComputerName"] = computer
    return CmdletCall("Get-CsWindowsService", parameters, select=SERVICE_PROPERTIES)


def certificate_stores() -> tuple[CmdletCall, ...]:
    return (CmdletCall("Get-ChildItem", {"Path": r"Cert:\LocalMachine\My"}, select=CERT_PROPERTIES),
            CmdletCall("Get-ChildItem", {"Path": r"Cert:\LocalMachine\CA"}, select=("Subject", "Issuer")),
            CmdletCall("Get-ChildItem", {"Path": r"Cert:\LocalMachine\Root"}, select=("Subject", "Issuer")))


def installation_path(candidates: list[str], exists: list) -> str:
    path = dep.found_install_path(candidates, exists)
    if path is None:
        raise SfbError(
            f"Skype for Business Server is not installed in {' or '.join(candidates)}.",
            hint="Install the core components first (sfb.server.core_components), or give install_path.",
        )
    return path


# Get-CsService -WebServer: the Web Services service of each pool; Identity "WebServer:<pool>", InternalFqdn
# and ExternalFqdn as Set-CsWebServer names them (its page documents the parameters, not Get-CsService's
# output: docs/assumptions.md, "Web Services FQDNs").
WEB_SERVICE_PROPERTIES = ("Identity", "InternalFqdn", "ExternalFqdn")
WEB_SERVICES = CmdletCall("Get-CsService", {"WebServer": True}, select=WEB_SERVICE_PROPERTIES,
                          as_text=WEB_SERVICE_PROPERTIES)
# The topology document: SIP domains and simple URLs (domain/topology_document.py).
TOPOLOGY_DOCUMENT = CmdletCall("Get-CsTopology", {"AsXml": True})
# Positions in certificate_reads' answer (the extra reads follow these).
CERTIFICATE_READ_STEPS = ("computer", "pools", "assigned", "store", "intermediates", "roots", "web_services",
                          "topology")


def certificate_reads(global_scope: bool, extra: tuple = ()) -> tuple:
    """Everything step 3 decides from, in one plan: the placement, the assignments, the stores, and the
    names the topology requires (web services FQDNs, SIP domains, simple URLs)."""
    computer, pools = placement_reads()
    assigned = CmdletCall("Get-CsCertificate", {"Identity": "Global"} if global_scope else {},
                          select=CS_CERT_PROPERTIES)
    # For the global OAuth certificate, the local assignments tell which store certificates are Skype
    # for Business Server certificates (the last read of the plan).
    local = (CmdletCall("Get-CsCertificate", select=CS_CERT_PROPERTIES),) if global_scope else ()
    return (computer, pools, assigned, *certificate_stores(), WEB_SERVICES, TOPOLOGY_DOCUMENT, *extra, *local)


def certificate_answer(answer) -> dict:
    """The answer of certificate_reads by step name (the extra reads and the local assignments are not named)."""
    return {name: answer.output(i) for i, name in enumerate(CERTIFICATE_READ_STEPS)}


def evaluate(uses, assigned: list[dict], store: list[dict], intermediates: list[dict], roots: list[dict],
             names: list[str], now: datetime.datetime, renew_before_days: int) -> dict[str, dep.CertificateVerdict]:
    """For each wanted use: the verdict on the certificate assigned to it (None when nothing is)."""
    by_thumbprint = {str(c.get("Thumbprint")).upper(): c for c in store}
    verdicts = {}
    for use in uses:
        reference = next((a for a in assigned if str(a.get("Use")).lower() == use.lower()), None)
        if reference is None:
            verdicts[use] = None
            continue
        thumbprint = str(reference.get("Thumbprint")).upper()
        verdicts[use] = dep.judge(by_thumbprint.get(thumbprint), thumbprint, names, now, renew_before_days,
                                  intermediates, roots)
    return verdicts
