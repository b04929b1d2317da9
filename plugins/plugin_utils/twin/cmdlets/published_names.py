# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The names the published topology holds beyond its pools and computers, on the twin:
Get-CsService -WebServer (each Web Services service, with its internal and external FQDNs) and
Get-CsTopology -AsXml (the document: SIP domains, sites, pools, simple URLs).

Pages: office-docs-powershell Get-CsService.md (-WebServer "returns information about the Web Services
service"), Set-CsWebServer.md (-Identity "WebServer:<pool>", -InternalFqdn, -ExternalFqdn),
Get-CsTopology.md (-AsXml: "your entire topology in XML format"). Microsoft publishes no sample of the
document: the twin writes the elements docs/assumptions.md lists ("Topology document"), from its own
world, and nothing more. The twin answers only the -WebServer set of Get-CsService; any other switch is
refused as not simulated rather than answered wrongly.

World description (optional section; defaults in brackets):
  published_names:
    sip_domains: [contoso.com]          # [the certificate authority's sip_domains]
    simple_urls: {Meet: https://meet.contoso.com, Dialin: https://dialin.contoso.com}
                                        # [Meet per SIP domain, Dialin for the first]
    web_services:                       # per Front End or Director pool [internal: the pool FQDN,
      pool01.contoso.com: {internal_fqdn: pool01.contoso.com, external_fqdn: webext.contoso.com}
                                        #  external: webext-<pool host>.<pool domain>]
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr, escape

from ansible_collections.sfb.server.plugins.plugin_utils.twin import description
from ansible_collections.sfb.server.plugins.plugin_utils.twin.cmdlets import Call, CmdletError, cmdlet

# Pools whose role runs the Web Services service (Get-CsService page's -WebServer; the twin's
# knowledge/services.yml topology_service_types lists WebServer for these two roles).
WEB_ROLES = ("FrontEnd", "Director")
NAMESPACE = "urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008"
description.FAULTS.setdefault(
    "topology_document_unreadable",
    "true: Get-CsTopology -AsXml answers a document without its simple URLs (a reader must refuse it)")


@description.section("published_names")
def _published(value, builder, settings):
    doc = description._mapping(value, "published_names", optional=("sip_domains", "simple_urls", "web_services"))
    names = {}
    if "sip_domains" in doc:
        names["sip_domains"] = [description._fqdn(d, "published_names.sip_domains")
                                for d in description._list(doc["sip_domains"], "published_names.sip_domains")]
    if "simple_urls" in doc:
        urls = description._mapping(doc["simple_urls"], "published_names.simple_urls",
                                    optional=tuple(doc["simple_urls"]) if isinstance(doc["simple_urls"], dict) else ())
        names["simple_urls"] = {str(k): description._text(v, f"published_names.simple_urls.{k}") for k, v in urls.items()}
    if "web_services" in doc:
        services = doc["web_services"]
        if not isinstance(services, dict):
            raise description.WorldDescriptionError("published_names.web_services: expected a mapping of pools.")
        names["web_services"] = {
            description._fqdn(pool, "published_names.web_services"): {
                k: description._fqdn(v, f"published_names.web_services.{pool}.{k}")
                for k, v in description._mapping(fqdns, f"published_names.web_services.{pool}",
                                                 optional=("internal_fqdn", "external_fqdn")).items()}
            for pool, fqdns in services.items()}
    builder.add("published", "names", names, "published_names")


def sip_domains(world) -> list[str]:
    from ansible_collections.sfb.server.plugins.plugin_utils.twin.cmdlets.certificates import authority
    given = world.kind("published").get("names", {}).get("sip_domains")
    return [d.lower() for d in (given or authority(world)["sip_domains"])]


def simple_urls(world) -> dict[str, str]:
    given = world.kind("published").get("names", {}).get("simple_urls")
    if given:
        return dict(given)
    domains = sip_domains(world)
    urls = {f"Meet:{d}": f"https://meet.{d}" for d in domains}
    urls["Dialin"] = f"https://dialin.{domains[0]}"
    return urls


def web_service(world, pool: dict) -> dict:
    given = world.kind("published").get("names", {}).get("web_services", {}).get(pool["fqdn"], {})
    host, _dot, rest = pool["fqdn"].partition(".")
    return {"internal_fqdn": given.get("internal_fqdn", pool["fqdn"]),
            "external_fqdn": given.get("external_fqdn", f"webext-{host}.{rest}")}


def certificate_names(world, server: dict) -> list[str]:
    """What a certificate for the server's Front End or Director pool would be issued for by the wizard
    (the twin's own list, for its seeded certificates)."""
    pool = world.pools.get(server["pool"], {"fqdn": server["pool"], "roles": []})
    names = [server["fqdn"], server["pool"]] + [f"sip.{d}" for d in sip_domains(world)]
    if any(r in WEB_ROLES for r in pool.get("roles", [])):
        service = web_service(world, pool)
        names += [service["internal_fqdn"], service["external_fqdn"]]
        names += [url.split("//", 1)[-1].split("/", 1)[0].lower() for url in simple_urls(world).values()]
    return list(dict.fromkeys(names))


@cmdlet("Get-CsService")
def get_service(call: Call):
    switches = [name for name, value in call.parameters.items() if value is True]
    if switches != ["WebServer"]:
        raise CmdletError(f"The twin simulates Get-CsService -WebServer only (asked: {', '.join(switches) or 'none'}).",
                          "NotImplemented", "NotSimulated")
    pools = [p for p in call.world.pools.values() if any(r in WEB_ROLES for r in p["roles"])]
    if call.get("PoolFqdn") is not None:
        pools = [p for p in pools if p["fqdn"] == str(call.get("PoolFqdn")).lower()]
    answers = []
    for pool in pools:
        service = web_service(call.world, pool)
        answers.append({"Identity": f"WebServer:{pool['fqdn']}", "PoolFqdn": pool["fqdn"],
                        "SiteId": f"Site:{pool['site']}", "InternalFqdn": service["internal_fqdn"],
                        "ExternalFqdn": service["external_fqdn"]})
    return answers


def _attribute(name: str, value) -> str:
    return f"{name}={quoteattr(str(value))}"


@cmdlet("Get-CsTopology")
def get_topology(call: Call):
    if not call.switch("AsXml"):
        raise CmdletError("The twin simulates Get-CsTopology -AsXml only.", "NotImplemented", "NotSimulated")
    world = call.world
    domains = sip_domains(world)
    lines = [f"<Topology xmlns={quoteattr(NAMESPACE)}>",
             f"  <InternalDomains {_attribute('AllowAllDomains', 'false')} {_attribute('DefaultDomain', domains[0])}>"]
    lines += [f"    <InternalDomain {_attribute('Name', d)} />" for d in domains]
    lines += ["  </InternalDomains>", "  <Sites>"]
    for site in world.sites.values():
        lines.append(f"    <CentralSite {_attribute('SiteId', site['site_id'])}><Name>{escape(site['name'])}</Name></CentralSite>")
    lines += ["  </Sites>", "  <Clusters>"]
    site_ids = {s["name"].lower(): s["site_id"] for s in world.sites.values()}
    for number, pool in enumerate(world.pools.values(), start=1):
        lines.append(f"    <Cluster {_attribute('Fqdn', pool['fqdn'])}>")
        lines.append(f"      <ClusterId {_attribute('SiteId', site_ids.get(pool['site'].lower(), ''))} "
                     f"{_attribute('Number', number)} />")
        lines += [f"      <Machine {_attribute('Fqdn', s)} />" for s in pool["servers"]]
        lines.append("    </Cluster>")
    lines.append("  </Clusters>")
    if not call.server["faults"].get("topology_document_unreadable"):
        lines.append("  <SimpleUrlConfiguration UseBackendDatabase=\"false\">")
        for key, url in simple_urls(world).items():
            component, _colon, domain = key.partition(":")
            lines.append(f"    <SimpleUrl {_attribute('Component', component)} {_attribute('Domain', domain or '*')} "
                         f"{_attribute('ActiveUrl', url)}><SimpleUrlEntry {_attribute('Url', url)} /></SimpleUrl>")
        lines.append("  </SimpleUrlConfiguration>")
    lines.append("</Topology>")
    return ["\n".join(lines)]
