# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Step 3 reads the names a certificate must carry from the topology (issue #11 item 6): the web services
FQDNs (Get-CsService -WebServer), the SIP domains and simple URLs (Get-CsTopology -AsXml), in the same
plan as the placement and the stores; an unreadable document stops the task before any change."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.action.certificate import ActionModule as Certificate
from ansible_collections.sfb.server.plugins.action.components import ActionModule as Components
from ansible_collections.sfb.server.plugins.action.core_components import ActionModule as CoreComponents
from ansible_collections.sfb.server.plugins.action.local_store import ActionModule as LocalStore
from ansible_collections.sfb.server.plugins.plugin_utils.domain import deployment as dep
from ansible_collections.sfb.server.plugins.plugin_utils.domain import topology_document as td
from ansible_collections.sfb.server.plugins.plugin_utils.errors import UnreadableOutput
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore
from conftest import INSTALL, bare_estate, run_twin
from test_deploy_on_windows import (COMPUTER, FE, TOPOLOGY_NAMES, TOPOLOGY_XML, WEB_SERVICES, Runner, certificate_stores,
                                    pool, run, windows_action)

CA = r"ca01.contoso.com\Contoso Issuing CA"
# Two SIP domains: fabrikam.com brings its own Meet simple URL and sip.fabrikam.com.
TWO_DOMAINS_XML = TOPOLOGY_XML.replace(
    '<InternalDomain Name="contoso.com" Authoritative="false" AllowSubDomains="false" />',
    '<InternalDomain Name="contoso.com" /><InternalDomain Name="fabrikam.com" />').replace(
    "</SimpleUrlConfiguration>",
    '<SimpleUrl Component="Meet" Domain="fabrikam.com" ActiveUrl="https://meet.fabrikam.com/" />'
    '<SimpleUrl Component="CsAdmin" Domain="*" ActiveUrl="https://admin.contoso.com" /></SimpleUrlConfiguration>')


def certificate(thumbprint, names):
    return {"Thumbprint": thumbprint, "Subject": "CN=pool01.contoso.com", "Issuer": "CN=Contoso Issuing CA",
            "NotBefore": "2026-01-01T00:00:00.0000000Z", "NotAfter": "2099-01-01T00:00:00.0000000Z",
            "HasPrivateKey": True, "FriendlyName": "", "DnsNameList": [{"Unicode": n} for n in names],
            "EnhancedKeyUsageList": [{"FriendlyName": "Server Authentication", "ObjectId": "1.3.6.1.5.5.7.3.1"}],
            "PublicKey": {"Key": {"KeySize": 2048}}}


def front_end(store, topology=TOPOLOGY_XML, web=None, issued=None):
    web = WEB_SERVICES if web is None else web

    return Runner({
        "Get-CsComputer": lambda s: [COMPUTER], "Get-CsPool": lambda s: [pool()], "Get-CsCertificate": lambda s: [],
        "Get-ChildItem": certificate_stores(store), "Set-CsCertificate": lambda s: [],
        "Request-CsCertificate": lambda s: (store.append(issued) if issued else None) or [],
        "Get-CsService": lambda s: web, "Get-CsTopology": lambda s: [topology],
    })


def test_the_names_are_read_in_the_same_plan_as_the_stores():
    runner = front_end([certificate("AA", TOPOLOGY_NAMES)])
    result = run(windows_action(Certificate, runner, {"ca": CA}))
    assert not result.get("failed"), result
    steps = runner.plans[0]["steps"]
    assert [s["name"] for s in steps] == ["Get-CsComputer", "Get-CsPool", "Get-CsCertificate", "Get-ChildItem",
                                          "Get-ChildItem", "Get-ChildItem", "Get-CsService", "Get-CsTopology"]
    assert "WebServer" in steps[6]["switches"] and "AsXml" in steps[7]["switches"]
    # No sip_domains nor subject_alternative_names given: every name comes from the topology answer.
    assert result["required_names"] == list(TOPOLOGY_NAMES)
    assert result["action"] == "assigned" and result["thumbprint"] == "AA"


def test_a_certificate_without_the_external_web_services_fqdn_is_not_reused():
    names = [n for n in TOPOLOGY_NAMES if n != "webext.contoso.com"]
    issued = certificate("BB", TOPOLOGY_NAMES)
    runner = front_end([certificate("AA", names)], issued=issued)
    result = run(windows_action(Certificate, runner, {"ca": CA}))
    assert not result.get("failed"), result
    assert result["action"] == "requested_and_assigned" and result["thumbprint"] == "BB"
    request = runner.plans[1]["steps"][0]
    assert request["name"] == "Request-CsCertificate"
    assert "webext.contoso.com" in request["parameters"]["DomainName"].split(",")


def test_a_certificate_without_a_sip_domains_simple_url_is_not_reused():
    # Covers everything of contoso.com, and sip.fabrikam.com, but not meet.fabrikam.com.
    names = list(TOPOLOGY_NAMES) + ["sip.fabrikam.com", "admin.contoso.com"]
    runner = front_end([certificate("AA", names)], topology=TWO_DOMAINS_XML, issued=certificate(
        "CC", names + ["meet.fabrikam.com"]))
    result = run(windows_action(Certificate, runner, {"ca": CA}))
    assert not result.get("failed"), result
    assert "meet.fabrikam.com" in result["required_names"] and "sip.fabrikam.com" in result["required_names"]
    assert result["action"] == "requested_and_assigned" and result["thumbprint"] == "CC"
    assert "meet.fabrikam.com" in runner.plans[1]["steps"][0]["parameters"]["DomainName"].split(",")


def test_options_add_names_but_do_not_replace_the_topology():
    # The option names a SIP domain the topology does not hold: it is required too; the topology's stay.
    runner = front_end([certificate("AA", list(TOPOLOGY_NAMES) + ["sip.example.org", "lyncdiscover.contoso.com"])])
    result = run(windows_action(Certificate, runner, {"ca": CA, "sip_domains": ["example.org"],
                                                      "subject_alternative_names": ["lyncdiscover.contoso.com"]}))
    assert not result.get("failed"), result
    assert set(TOPOLOGY_NAMES) | {"sip.example.org", "lyncdiscover.contoso.com"} == set(result["required_names"])


@pytest.mark.parametrize("document", [
    "not xml at all",
    "<Configuration />",
    TOPOLOGY_XML.replace('<InternalDomain Name="contoso.com" Authoritative="false" AllowSubDomains="false" />', ""),
    TOPOLOGY_XML.split("<SimpleUrlConfiguration", maxsplit=1)[0] + "</Topology>",
    TOPOLOGY_XML.replace('ActiveUrl="https://meet.contoso.com"', ""),
])
def test_an_unreadable_topology_stops_before_any_change(document):
    runner = front_end([], topology=document, issued=certificate("BB", TOPOLOGY_NAMES))
    result = run(windows_action(Certificate, runner, {"ca": CA}))
    assert result["failed"] and result["error"]["kind"] == "unreadable_output", result
    assert "Get-CsTopology -AsXml" in result["msg"]
    assert len(runner.plans) == 1  # the read only: nothing requested, nothing assigned


def test_a_web_pool_without_its_web_services_answer_stops():
    runner = front_end([], web=[], issued=certificate("BB", TOPOLOGY_NAMES))
    result = run(windows_action(Certificate, runner, {"ca": CA}))
    assert result["failed"] and "Get-CsService -WebServer" in result["msg"] and len(runner.plans) == 1


def test_required_names_per_certificate_type():
    names = td.read_names([TWO_DOMAINS_XML])
    assert names.sip_domains == ("contoso.com", "fabrikam.com")
    web = td.web_services_of(WEB_SERVICES, "POOL01.contoso.com")
    internal = dep.certificate_names(["WebServicesInternal"], FE, "pool01.contoso.com", names, web)
    external = dep.certificate_names(["WebServicesExternal"], FE, "pool01.contoso.com", names, web)
    assert "admin.contoso.com" in internal and "admin.contoso.com" not in external
    assert "webext.contoso.com" in external and "webext.contoso.com" not in internal
    assert {"meet.contoso.com", "meet.fabrikam.com", "dialin.contoso.com"} <= set(external)
    default = dep.certificate_names(["Default"], FE, "pool01.contoso.com", names, {})
    assert default == [FE, "pool01.contoso.com", "sip.contoso.com", "sip.fabrikam.com"]
    edge = dep.certificate_names(dep.EDGE_EXTERNAL_USES, "edge01.contoso.com", "edge01.contoso.com", names, {},
                                 extra=["av.contoso.com"])
    assert edge == ["sip.contoso.com", "sip.fabrikam.com", "av.contoso.com"]
    internal_edge = dep.certificate_names(dep.EDGE_INTERNAL_USES, "edge01.contoso.com", "edgepool.contoso.com", names, {})
    assert internal_edge == ["edge01.contoso.com", "edgepool.contoso.com"]


def test_a_missing_web_fqdn_is_unreadable_not_skipped():
    with pytest.raises(UnreadableOutput):
        td.web_fqdn({"Identity": "WebServer:pool01.contoso.com", "ExternalFqdn": ""}, "ExternalFqdn")


# -- the same through the twin, which answers from its own world --------------------------------------

def _twin_world(tmp_path, faults=None, names=None):
    estate = bare_estate(faults)
    if names:
        estate["published_names"] = names
    store = WorldStore(str(tmp_path / "names.db"))
    admin.create(store, estate, replace=True)
    return store


def _deployed(world, server):
    for cls, args in ((CoreComponents, {"install_path": INSTALL}), (LocalStore, {}), (Components, {})):
        result = run_twin(cls, world, server, args)
        assert not result.get("failed"), result


def test_the_twin_answers_the_world_names(tmp_path):
    world = _twin_world(tmp_path, names={
        "sip_domains": ["contoso.com", "fabrikam.com"],
        "simple_urls": {"Meet": "https://meet.contoso.com", "Dialin": "https://dialin.contoso.com"},
        "web_services": {"pool01.contoso.com": {"external_fqdn": "webext.contoso.com"}}})
    _deployed(world, FE)
    result = run_twin(Certificate, world, FE, {"ca": CA})
    assert not result.get("failed"), result
    assert set(result["required_names"]) == set(TOPOLOGY_NAMES) | {"sip.fabrikam.com"}
    assert result["action"] == "requested_and_assigned" and result["round_trips"] == 4
    again = run_twin(Certificate, world, FE, {"ca": CA})
    assert not again["changed"] and again["action"] == "kept" and again["round_trips"] == 1


def test_the_twin_refuses_an_unreadable_document_before_any_change(tmp_path):
    world = _twin_world(tmp_path, faults={FE: {"topology_document_unreadable": True}})
    _deployed(world, FE)
    result = run_twin(Certificate, world, FE, {"ca": CA})
    assert result["failed"] and result["error"]["kind"] == "unreadable_output", result
    assert [e for e in world.events(kinds=("certificate_assigned",)) if e["server"] == FE] == []


def test_the_inventory_reader_and_the_step_share_the_element_helpers():
    from ansible_collections.sfb.server.plugins.plugin_utils.controller import topology as inventory_reader
    assert inventory_reader._local is td.local_name and inventory_reader._children is td.children


def test_the_twins_client_only_certificate_covers_the_topology_names_and_is_still_not_reused(tmp_path):
    from ansible_collections.sfb.server.plugins.action.certificate_info import ActionModule as CertificateInfo
    world = _twin_world(tmp_path, faults={FE: {"store_certificate_without_server_authentication": True}})
    _deployed(world, FE)
    result = run_twin(Certificate, world, FE, {"ca": CA})
    assert not result.get("failed"), result
    info = run_twin(CertificateInfo, world, FE)
    client = [c for c in info["store"] if c["friendly_name"] == "Client certificate"]
    assert len(client) == 1 and set(result["required_names"]) <= set(client[0]["names"])
    assert result["action"] == "requested_and_assigned" and result["thumbprint"] != client[0]["thumbprint"]
    assert info["invalid"] == {"OAuthTokenIssuer": "no certificate assigned"}
