# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The topology document (Get-CsTopology -AsXml): the XML helpers every reader of it shares, and the
names a certificate must carry that only the document holds (SIP domains, simple URLs).

The Get-CsTopology page (office-docs-powershell skype/skype-ps/SkypeForBusiness/Get-CsTopology.md) says
the cmdlet returns "internal domains, sites, clusters, computers, services" and that -AsXml returns "your
entire topology in XML format"; Microsoft publishes no sample of that XML. What is assumed of it is in
docs/assumptions.md ("Topology document"); a document without what is assumed fails closed.
The inventory plugin's reader (controller/topology.py) uses the same element helpers.
"""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET  # nosec: the server's own topology, read over an authenticated session
from dataclasses import dataclass

from ansible_collections.sfb.server.plugins.plugin_utils.errors import UnreadableOutput

COMMAND = "Get-CsTopology -AsXml"


def local_name(tag: str) -> str:
    """An element name without its XML namespace (the schema version lives in the namespace)."""
    return tag.rsplit("}", 1)[-1]


def children(node: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in node if local_name(child.tag) == name]


def descendants(node: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in node.iter() if local_name(child.tag) == name]


@dataclass(frozen=True)
class TopologyNames:
    """The names of the published topology a certificate may have to carry."""

    sip_domains: tuple[str, ...]
    # (component, host name) of each simple URL, e.g. ("Meet", "meet.contoso.com").
    simple_urls: tuple[tuple[str, str], ...]

    def simple_url_hosts(self, external: bool) -> list[str]:
        """The administrative access URL is internal only (Plan for simple URLs: "Admin ... internal")."""
        return list(dict.fromkeys(host for component, host in self.simple_urls
                                  if not (external and "admin" in component.lower())))


def document_text(output: list) -> str:
    """The document from the read's answer: one string (or its lines)."""
    return "".join(str(part) for part in output or () if part is not None)


def read_names(output: list) -> TopologyNames:
    """The SIP domains (InternalDomains/InternalDomain Name) and simple URLs (SimpleUrlConfiguration/
    SimpleUrl Component, ActiveUrl) of the document; UnreadableOutput when either cannot be read."""
    text = document_text(output)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise UnreadableOutput(COMMAND, f"an XML document ({exc})", text) from None
    if local_name(root.tag) != "Topology":
        raise UnreadableOutput(COMMAND, f"a Topology root element, not {local_name(root.tag)}", text)
    domains = []
    for container in children(root, "InternalDomains"):
        for domain in children(container, "InternalDomain"):
            name = (domain.get("Name") or "").strip().lower()
            if not name:
                raise UnreadableOutput(COMMAND, "a Name on every InternalDomains/InternalDomain", text)
            domains.append(name)
    if not domains:
        raise UnreadableOutput(COMMAND, "at least one SIP domain (InternalDomains/InternalDomain Name)", text)
    urls = []
    for simple in descendants(root, "SimpleUrl"):
        component, active = (simple.get("Component") or "").strip(), (simple.get("ActiveUrl") or "").strip()
        host = urllib.parse.urlsplit(active).hostname if active else None
        if not component or not host:
            raise UnreadableOutput(COMMAND, "a Component and an https ActiveUrl on every SimpleUrl", text)
        urls.append((component, host.lower()))
    if not urls:
        # Topology Builder does not publish a topology without the Meet and Dialin simple URLs.
        raise UnreadableOutput(COMMAND, "the simple URLs (SimpleUrlConfiguration/SimpleUrl)", text)
    return TopologyNames(tuple(dict.fromkeys(domains)), tuple(dict.fromkeys(urls)))


def web_services_of(answer: list, pool_fqdn: str) -> dict:
    """The pool's Web Services service from Get-CsService -WebServer, by its Identity "WebServer:<pool>"
    (Set-CsWebServer page: -Identity "WebServer:atl-cs-001.litwareinc.com"); {} when the pool has none."""
    wanted = f"webserver:{pool_fqdn}".lower()
    for service in answer or ():
        if isinstance(service, dict) and str(service.get("Identity") or "").strip().lower() == wanted:
            return service
    return {}


def web_fqdn(service: dict, prop: str) -> str:
    """InternalFqdn or ExternalFqdn of a Web Services service (Set-CsWebServer -InternalFqdn/-ExternalFqdn);
    UnreadableOutput when the service is there but the property is not a name."""
    value = service.get(prop)
    text = str(value or "").strip().lower()
    if not text or " " in text or "." not in text:
        raise UnreadableOutput("Get-CsService -WebServer", f"{prop} as a fully qualified domain name", service)
    return text
