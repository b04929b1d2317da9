# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The twin's answers to the service and topology cmdlets, read as the collection reads them."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.domain import services as service_domain
from ansible_collections.sfb.server.plugins.plugin_utils.domain import topology, versions
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError, StepFailed
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost

from twinworlds import FRONT_ENDS, look, pool, services

FE1, FE2, FE3 = FRONT_ENDS
POOL = ("Identity", "Fqdn", "Site", "Computers", "Services")
COMPUTER = ("Identity", "Fqdn", "Pool")


@pytest.fixture
def estate(make_world, fake_time):
    return make_world({
        "speed": 600,
        "sites": [
            {"name": "Redmond", "pools": [
                pool("pool01.contoso.com", list(FRONT_ENDS), roles=["FrontEnd", "Mediation"]),
                pool("se01.contoso.com", ["se01.contoso.com"], edition="Standard", product="2015"),
            ]},
            {"name": "Dublin", "pools": [pool("edge.contoso.com", ["edge1.contoso.com"], roles=["Edge"])]},
        ],
    })


def _read(store, server, cmdlet, parameters=None, select=()):
    return TwinHost(store, server).read(CmdletCall(cmdlet, parameters or {}, select=select)).output(0)


# -- Get/Start/Stop-CsWindowsService -----------------------------------------------------------


def test_get_cs_windows_service_lists_the_services_of_the_roles(estate):
    view = services(TwinHost(estate, FE1))
    assert {"RTCSRV", "RTCMEDSRV", "RTCCLSAGT", "RTCREPLICA", "W3SVC"} <= set(view)
    front_end = view["RTCSRV"]
    assert front_end["Status"] == "Running"
    assert front_end["DisplayName"] == "Skype for Business Server Front-End"
    # RoleName is a collection (Get-CsWindowsService examples use -contains and -ExpandProperty).
    assert front_end["RoleName"] == ["Registrar"]
    assert view["RTCCAA"]["RoleName"] == ["ApplicationServer"]
    edge = services(TwinHost(estate, "edge1.contoso.com"))
    assert "RTCMEDIARELAY" in edge and "RTCMEDSRV" not in edge


def test_get_cs_windows_service_by_name_ignores_case(estate):
    view = services(TwinHost(estate, FE1), Name="rtcsrv")
    assert list(view) == ["RTCSRV"]


def test_get_cs_windows_service_of_an_unknown_service_fails_like_the_cmdlet(estate):
    with pytest.raises(StepFailed) as info:
        services(TwinHost(estate, FE1), Name="Spooler")
    assert "Cannot find any service with service name 'Spooler'." in info.value.msg
    assert info.value.details["category"] == "ObjectNotFound"


def test_exclude_activity_level(estate):
    view = services(TwinHost(estate, FE1), ExcludeActivityLevel=True)
    assert {v["ActivityLevel"] for v in view.values()} == {None}


def test_computer_name_reads_another_server(estate):
    view = services(TwinHost(estate, FE1), ComputerName="se01.contoso.com")
    assert "RTCMEDSRV" not in view, "se01 holds the Front End role only"
    with pytest.raises(StepFailed) as info:
        services(TwinHost(estate, FE1), ComputerName="nowhere.contoso.com")
    assert "Cannot connect to computer nowhere.contoso.com." in info.value.msg


def test_stop_without_name_stops_every_service_except_those_left_running(estate):
    TwinHost(estate, FE1).run(Plan.of(CmdletCall("Stop-CsWindowsService", {"LeaveClsAgentRunning": True})))
    statuses = {name: s["status"] for name, s in look(estate, FE1)["services"].items()}
    assert statuses.pop("RTCCLSAGT") == "Running"
    assert set(statuses.values()) == {"Stopped"}
    # Another server of the pool would cost its quorum: the Standard Edition server shows the other switch.
    TwinHost(estate, "se01.contoso.com").run(Plan.of(CmdletCall("Stop-CsWindowsService",
                                                                {"LeaveWebServerRunning": True})))
    statuses = {name: s["status"] for name, s in look(estate, "se01.contoso.com")["services"].items()}
    assert statuses.pop("W3SVC") == "Running"
    assert set(statuses.values()) == {"Stopped"}


def test_start_without_name_starts_every_service(estate):
    host = TwinHost(estate, FE1)
    host.run(Plan.of(CmdletCall("Stop-CsWindowsService")))
    assert host.run(Plan.of(CmdletCall("Start-CsWindowsService"))).ok
    assert {s["status"] for s in look(estate, FE1)["services"].values()} == {"Running"}


def test_what_get_cs_windows_service_answers_reads_back_through_the_domain(estate):
    objects = _read(estate, FE1, "Get-CsWindowsService", {"Name": "RTCSRV"},
                    ("Name", "DisplayName", "Status", "ActivityLevel", "RoleName"))
    state = service_domain.from_cmdlet(objects[0])
    alive = [s for s in look(estate, FE1)["sessions"] if s["end"] > estate.read().now]
    assert state.sessions == len(alive) > 0
    assert state.to_result()["roles"] == ["Registrar"]


# -- Get-CsServerVersion -----------------------------------------------------------------------


def test_get_cs_server_version_has_the_documented_shape(estate):
    (answer,) = _read(estate, FE1, "Get-CsServerVersion")
    assert answer == "Skype for Business Server 2019 (7.0.2046.0): Volume license key installed."
    product, version = versions.parse_server_version(answer)
    assert (product.key, version) == ("2019", "7.0.2046.0")
    (answer,) = _read(estate, "se01.contoso.com", "Get-CsServerVersion")
    assert versions.parse_server_version(answer)[0].key == "2015"


# -- Get-CsComputer / Get-CsPool / Get-CsSite --------------------------------------------------


def test_get_cs_computer_local(estate):
    assert _read(estate, FE2, "Get-CsComputer", {"Local": True}, COMPUTER) == [
        {"Identity": FE2, "Fqdn": FE2, "Pool": "pool01.contoso.com"}]


def test_get_cs_computer_identity_and_pool(estate):
    assert _read(estate, FE1, "Get-CsComputer", {"Identity": "SE01.contoso.com"}, ("Fqdn",)) == [
        {"Fqdn": "se01.contoso.com"}]
    by_pool = _read(estate, FE1, "Get-CsComputer", {"Pool": "pool01.contoso.com"}, ("Fqdn",))
    assert sorted(c["Fqdn"] for c in by_pool) == list(FRONT_ENDS)
    everyone = _read(estate, FE1, "Get-CsComputer", {}, ("Fqdn",))
    assert len(everyone) == 5


def test_get_cs_computer_not_found(estate):
    with pytest.raises(StepFailed) as info:
        _read(estate, FE1, "Get-CsComputer", {"Identity": "ghost.contoso.com"}, COMPUTER)
    assert 'Cannot find "Computer" "ghost.contoso.com" because it does not exist.' in info.value.msg
    assert info.value.details["error_id"] == "IdentityNotFound"


def test_get_cs_pool(estate):
    (answer,) = _read(estate, FE1, "Get-CsPool", {"Identity": "pool01.contoso.com"}, POOL)
    assert answer["Identity"] == answer["Fqdn"] == "pool01.contoso.com"
    assert answer["Site"] == "Site:Redmond"
    assert answer["Computers"] == list(FRONT_ENDS)
    assert "UserServer:pool01.contoso.com" in answer["Services"]
    assert "MediationServer:pool01.contoso.com" in answer["Services"]
    dublin = _read(estate, FE1, "Get-CsPool", {"Site": "Site:Dublin"}, ("Identity",))
    assert dublin == [{"Identity": "edge.contoso.com"}]
    assert _read(estate, FE1, "Get-CsPool", {"Site": "dublin"}, ("Identity",)) == dublin
    with pytest.raises(StepFailed):
        _read(estate, FE1, "Get-CsPool", {"Identity": "nopool.contoso.com"}, POOL)


def test_get_cs_site(estate):
    sites = _read(estate, FE1, "Get-CsSite", {}, ("Identity", "SiteId", "DisplayName"))
    assert sorted(sites, key=lambda s: s["SiteId"]) == [
        {"Identity": "Site:Redmond", "SiteId": 1, "DisplayName": "Redmond"},
        {"Identity": "Site:Dublin", "SiteId": 2, "DisplayName": "Dublin"},
    ]
    assert _read(estate, FE1, "Get-CsSite", {"Identity": "Site:Dublin"}, ("DisplayName",)) == [{"DisplayName": "Dublin"}]
    with pytest.raises(StepFailed):
        _read(estate, FE1, "Get-CsSite", {"Identity": "Paris"}, ("Identity",))


def test_the_topology_answers_place_each_server(estate):
    pools = _read(estate, FE1, "Get-CsPool", {}, POOL)
    for server, expected in [
        (FE1, ("pool01.contoso.com", "Redmond", ("FrontEnd", "Mediation"), "Enterprise", True)),
        ("se01.contoso.com", ("se01.contoso.com", "Redmond", ("FrontEnd",), "Standard", False)),
        ("edge1.contoso.com", ("edge.contoso.com", "Dublin", ("Edge",), "Enterprise", False)),
    ]:
        (computer,) = _read(estate, server, "Get-CsComputer", {"Local": True}, COMPUTER)
        place = topology.placement(computer, pools)
        assert (place.pool, place.site, place.roles, place.edition, place.uses_fabric) == expected


# -- domain: versions, topology, services ------------------------------------------------------


@pytest.mark.parametrize("text, key, version", [
    ("Skype for Business Server 2019 (7.0.2046.0): Volume license key installed.", "2019", "7.0.2046.0"),
    ("Skype for Business Server 2019 (7.0.2046.0): Evaluation license key installed.", "2019", "7.0.2046.0"),
    ("Skype for Business Server 2015 (6.0.9319.0): Volume license key installed.", "2015", "6.0.9319.0"),
    ("Skype for Business Server Subscription Edition (8.1.2.3): Volume license key installed.", "SE", "8.1.2.3"),
    # By name for Subscription Edition, whatever its version number turns out to be.
    ("Skype for Business Server Subscription Edition (9.0.100.0): Volume license key installed.", "SE", "9.0.100.0"),
])
def test_parse_server_version(text, key, version):
    product, found = versions.parse_server_version(text)
    assert (product.key, found) == (key, version)


@pytest.mark.parametrize("text", [
    "", None, "Skype for Business Server 2019: Volume license key installed.",
    "The license type and version information could not be retrieved; reinstall.",
    "Skype for Business Server 2019 (7.0.2046): Volume license key installed.",
])
def test_parse_server_version_refuses_garbage(text):
    with pytest.raises(SfbError) as info:
        versions.parse_server_version(text)
    assert "Cannot read a version number" in info.value.msg
    assert info.value.hint


def test_parse_server_version_refuses_an_unsupported_release():
    with pytest.raises(SfbError) as info:
        versions.parse_server_version("Microsoft Lync Server 2013 (5.0.8308.0): Volume license key installed.")
    assert "5.0.8308.0 is not a Skype for Business Server release" in info.value.msg


def test_format_and_parse_round_trip():
    for product in versions.PRODUCTS:
        text = versions.format_server_version(product.key, product.rtm_version)
        assert versions.parse_server_version(text) == (product, product.rtm_version)
    with pytest.raises(SfbError):
        versions.product("2013")


def test_roles_of_and_edition_of():
    assert topology.roles_of(["Registrar:p", "UserServer:p", "WebServer:p", "MediationServer:p",
                              "UserServer:q"]) == ("FrontEnd", "Mediation")
    assert topology.roles_of(None) == ()
    assert topology.edition_of("se01.contoso.com", ["SE01.contoso.com"]) == "Standard"
    assert topology.edition_of("pool01.contoso.com", ["fe01.contoso.com"]) == "Enterprise"
    assert topology.site_name("Site:Redmond") == "Redmond" and topology.site_name("Redmond") == "Redmond"


def test_placement_reads_computer_objects_and_refuses_an_unpublished_server():
    pools = [{"Identity": "pool01.contoso.com", "Site": "Site:Redmond", "Services": ["UserServer:pool01.contoso.com"],
              "Computers": [{"Fqdn": "FE01.contoso.com"}, {"Identity": "fe02.contoso.com"}, "fe03.contoso.com"]}]
    place = topology.placement({"Identity": "fe01.contoso.com", "Pool": "pool01.contoso.com"}, pools)
    assert place.pool_servers == tuple(FRONT_ENDS)
    assert place.uses_fabric
    two = [dict(pools[0], Computers=FRONT_ENDS[:2])]
    assert not topology.placement({"Fqdn": FE1, "Pool": "pool01.contoso.com"}, two).uses_fabric
    with pytest.raises(SfbError) as info:
        topology.placement({"Fqdn": FE1, "Pool": "other.contoso.com"}, pools)
    assert "not in a pool of the published topology" in info.value.msg


@pytest.mark.parametrize("text, count", [
    # The published capture's form (Get-CsWindowsService.1): pairs joined by commas, no spaces.
    ("Incoming Requests per Second=0,Messages in Server=0,Active Connections=12", 12),
    ("Concurrent Calls=3", 3),
    ("", 0), (None, 0),
])
def test_the_collection_reads_the_activity_level(text, count):
    assert service_domain.activity_count(text) == count


@pytest.mark.parametrize("service", ["RTCSRV", "RTCCAA", "RTCASMCU", "RTCMEDSRV"])
def test_the_collection_reads_what_the_twin_writes(service):
    from ansible_collections.sfb.server.plugins.plugin_utils.twin import knowledge

    assert service_domain.activity_count(knowledge.format_activity_level(service, 7)) == 7


def test_computer_name_of_an_unreachable_or_rebooting_server(estate):
    from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin

    admin.set_fault(estate, FE2, "unreachable", True)
    with pytest.raises(StepFailed) as info:
        services(TwinHost(estate, FE1), ComputerName=FE2)
    assert f"Cannot connect to computer {FE2}." in info.value.msg
    assert info.value.details["category"] == "ResourceUnavailable"
    admin.set_fault(estate, FE2, "unreachable", None)
    assert services(TwinHost(estate, FE1), ComputerName=FE2)["RTCSRV"]["Status"] == "Running"
