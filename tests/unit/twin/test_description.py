# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""World descriptions: what builds, and where each malformed description is reported."""

from __future__ import annotations

import copy
import datetime

import pytest
import yaml

from ansible_collections.sfb.server.plugins.plugin_utils.errors import WorldDescriptionError
from ansible_collections.sfb.server.plugins.plugin_utils.twin import description

from twinworlds import ESTATE, describe, pool


def _estate() -> dict:
    return yaml.safe_load(ESTATE.read_text(encoding="utf-8"))


def test_the_rehearsal_estate_builds():
    entities, settings, speed, start = description.build(_estate())
    assert sorted(entities["server"]) == ["fe01.contoso.com", "fe02.contoso.com", "fe03.contoso.com",
                                          "se01.contoso.com"]
    assert sorted(entities["pool"]) == ["pool01.contoso.com", "se01.contoso.com"]
    assert list(entities["site"]) == ["redmond"]
    assert speed == 600.0
    assert settings == {"product": "2019"}
    assert start == datetime.datetime(2026, 1, 5, 2, 0, tzinfo=datetime.timezone.utc).timestamp()
    pool01 = entities["pool"]["pool01.contoso.com"]
    assert pool01["edition"] == "Enterprise"
    assert pool01["roles"] == ["FrontEnd", "Mediation"]
    assert pool01["servers"] == ["fe01.contoso.com", "fe02.contoso.com", "fe03.contoso.com"]
    assert pool01["load"]["sessions_per_minute"] == 12
    assert pool01["load"]["session_minutes"] == 15
    se01 = entities["pool"]["se01.contoso.com"]
    assert se01["edition"] == "Standard" and se01["servers"] == ["se01.contoso.com"]


def test_defaults_of_a_minimal_description():
    entities, settings, speed, start = description.build(describe(pool("p.contoso.com", ["a.contoso.com"])))
    p = entities["pool"]["p.contoso.com"]
    assert (p["edition"], p["load_balancing"], p["roles"], p["product"]) == ("Enterprise", "dns", ["FrontEnd"], "2019")
    assert p["load"]["sessions_per_minute"] == 6 and p["load"]["session_minutes"] == 10.0
    assert start == datetime.datetime.fromisoformat(description.DEFAULT_START).timestamp()


def test_choices_are_case_insensitive_and_normalised():
    entities, _unused, _unused, _unused = description.build(describe(
        pool("p.contoso.com", ["A.Contoso.COM"], edition="enterprise", load_balancing="HARDWARE",
             state="Deployed", product="se")))
    p = entities["pool"]["p.contoso.com"]
    assert (p["edition"], p["load_balancing"], p["product"]) == ("Enterprise", "hardware", "SE")
    assert "a.contoso.com" in entities["server"]


def test_product_is_inherited_and_overridden():
    desc = describe(pool("p.contoso.com", ["a.contoso.com"]), pool("q.contoso.com", ["b.contoso.com"], product=2019),
                    product="2015")
    entities, settings, _unused, _unused = description.build(desc)
    assert settings["product"] == "2015"
    assert entities["server"]["a.contoso.com"]["product"] == "2015"
    assert entities["server"]["a.contoso.com"]["version"] == "6.0.9319.0"
    assert entities["server"]["b.contoso.com"]["version"] == "7.0.2046.0"


def test_deployed_and_bare_servers():
    desc = describe(pool("p.contoso.com", ["a.contoso.com", {"fqdn": "b.contoso.com", "state": "bare"}]),
                    pool("q.contoso.com", ["c.contoso.com"], state="bare"))
    entities, _unused, _unused, _unused = description.build(desc)
    deployed, bare, bare_pool = (entities["server"][n] for n in ("a.contoso.com", "b.contoso.com", "c.contoso.com"))
    assert deployed["installed"]["core"] is True
    assert deployed["version"] == "7.0.2046.0"
    assert deployed["services"]["RTCSRV"]["status"] == "Running"
    assert deployed["certificates"], "a deployed server has its default certificate"
    for server in (bare, bare_pool):
        assert server["installed"] == {"core": False, "install_path": None, "local_store": False, "components": []}
        assert server["version"] is None
        assert server["services"] == {}
        assert server["certificates"] == []
    # A bare pool was never started: no sessions are generated for it, and quorum is not watched.
    assert entities["pool"]["q.contoso.com"]["started"] is False
    assert entities["pool"]["q.contoso.com"]["load"]["cursor"] is None


def test_faults_and_pending_updates_are_carried_to_the_server():
    server = {"fqdn": "b.contoso.com",
              "faults": {"service_fails_to_start": ["RTCSRV"], "drain_never_ends": True},
              "pending_updates": [{"kb": "KB5031234", "title": "Cumulative update", "minutes": 20, "reboot": True},
                                  {"kb": "KB1", "category": "Updates", "reboot": False}]}
    entities, _unused, _unused, _unused = description.build(describe(pool("p.contoso.com", ["a.contoso.com", server])))
    b = entities["server"]["b.contoso.com"]
    assert b["faults"] == {"service_fails_to_start": ["RTCSRV"], "drain_never_ends": True}
    assert b["updates"]["pending"] == [
        {"kb": "KB5031234", "title": "Cumulative update", "minutes": 20.0, "download_minutes": 0.0, "reboot": True,
         "category": "SecurityUpdates"},
        {"kb": "KB1", "title": "KB1", "minutes": 10.0, "download_minutes": 0.0, "reboot": False, "category": "Updates"},
    ]
    assert entities["server"]["a.contoso.com"]["faults"] == {}


def test_services_follow_the_roles():
    entities, _unused, _unused, _unused = description.build(describe(pool("e.contoso.com", ["edge1.contoso.com"], roles=["Edge"])))
    services = entities["server"]["edge1.contoso.com"]["services"]
    assert "RTCMEDIARELAY" in services and "RTCASMCU" not in services
    # Shared services appear once per server.
    assert "RTCREPLICA" in services and "RTCCLSAGT" in services


# -- malformed descriptions ------------------------------------------------------------------


def _with(path_and_value):
    desc = describe(pool("pool01.contoso.com", ["fe01.contoso.com", "fe02.contoso.com"]),
                    pool("pool02.contoso.com", ["fe11.contoso.com", "fe12.contoso.com", "fe13.contoso.com"]))
    path_and_value(desc)
    return desc


def _server(desc, **extra):
    desc["sites"][0]["pools"][1]["servers"][2] = {"fqdn": "fe13.contoso.com", **extra}


CASES = {
    "not a mapping": (lambda d: None, ["a", "list"], "YAML mapping"),
    "unknown top-level key": (lambda d: d.update(sitez=[]), None, "Unknown top-level key(s) in the world description: sitez"),
    "nothing described": (lambda d: d.pop("sites"), None, "describes nothing"),
    "site not a mapping": (lambda d: d["sites"].__setitem__(0, "Redmond"), None, "sites[0]: expected a mapping, got str"),
    "site without a name": (lambda d: d["sites"][0].pop("name"), None, "sites[0]: missing name"),
    "pool unknown key": (lambda d: d["sites"][0]["pools"][1].update(colour="blue"), None,
                         "sites[0].pools[1]: unknown key(s) colour"),
    "server unknown key": (lambda d: _server(d, owner="me"), None, "sites[0].pools[1].servers[2]: unknown key(s) owner"),
    "server not a mapping": (lambda d: d["sites"][0]["pools"][1]["servers"].__setitem__(2, 42), None,
                             "sites[0].pools[1].servers[2]: expected a mapping, got int"),
    "bad server fqdn": (lambda d: _server(d) or d["sites"][0]["pools"][1]["servers"][2].update(fqdn="fe13"), None,
                        "sites[0].pools[1].servers[2].fqdn: 'fe13' is not a fully qualified domain name"),
    "bad pool fqdn": (lambda d: d["sites"][0]["pools"][0].update(fqdn="pool 01.contoso.com"), None,
                      "sites[0].pools[0].fqdn: 'pool 01.contoso.com' is not a fully qualified domain name"),
    "empty label": (lambda d: d["sites"][0]["pools"][0].update(fqdn="pool01..com"), None,
                    "sites[0].pools[0].fqdn"),
    "standard pool with two servers": (lambda d: d["sites"][0]["pools"][0].update(edition="Standard"), None,
                                       "sites[0].pools[0]: a Standard Edition pool has exactly one server, not 2"),
    "standard pool fqdn differs": (
        lambda d: d["sites"][0]["pools"][0].update(edition="Standard", servers=["fe01.contoso.com"]), None,
        "sites[0].pools[0]: a Standard Edition pool's FQDN is its server's FQDN (fe01.contoso.com), "
        "not pool01.contoso.com"),
    "no servers": (lambda d: d["sites"][0]["pools"][0].update(servers=[]), None,
                   "sites[0].pools[0].servers: a pool has at least one server"),
    "servers not a list": (lambda d: d["sites"][0]["pools"][0].update(servers="fe01.contoso.com"), None,
                           "sites[0].pools[0].servers: expected a list, got str"),
    "unknown role": (lambda d: d["sites"][0]["pools"][1].update(roles=["FrontEnd", "Gateway"]), None,
                     "sites[0].pools[1].roles: Unknown server role(s): Gateway"),
    "no role": (lambda d: d["sites"][0]["pools"][1].update(roles=[]), None,
                "sites[0].pools[1].roles: A server needs at least one role"),
    "bad edition": (lambda d: d["sites"][0]["pools"][1].update(edition="Premium"), None,
                    "sites[0].pools[1].edition: 'Premium' is not one of Standard, Enterprise"),
    "bad load balancing": (lambda d: d["sites"][0]["pools"][1].update(load_balancing="round-robin"), None,
                           "sites[0].pools[1].load_balancing: 'round-robin' is not one of dns, hardware"),
    "bad pool state": (lambda d: d["sites"][0]["pools"][1].update(state="running"), None,
                       "sites[0].pools[1].state: 'running' is not one of deployed, bare"),
    "bad server state": (lambda d: _server(d, state="off"), None,
                         "sites[0].pools[1].servers[2].state: 'off' is not one of deployed, bare"),
    "bad product": (lambda d: d.update(product="2013"), None, "product: Unknown Skype for Business Server product '2013'"),
    "bad pool product": (lambda d: d["sites"][0]["pools"][1].update(product="Lync"), None,
                         "sites[0].pools[1].product: Unknown Skype for Business Server product 'Lync'"),
    "negative speed": (lambda d: d.update(speed=-5), None, "speed: expected a number of at least 1.0, got -5"),
    "speed as text": (lambda d: d.update(speed="fast"), None, "speed: expected a number of at least 1.0, got 'fast'"),
    "negative load": (lambda d: d["sites"][0]["pools"][1].update(load={"sessions_per_minute": -1}), None,
                      "sites[0].pools[1].load.sessions_per_minute: expected a number of at least 0"),
    "unknown load key": (lambda d: d["sites"][0]["pools"][1].update(load={"users": 5}), None,
                         "sites[0].pools[1].load: unknown key(s) users"),
    "bad start date": (lambda d: d.update(start="next monday"), None, "start: 'next monday' is not an ISO 8601 date"),
    "duplicate server": (lambda d: d["sites"][0]["pools"][1]["servers"].__setitem__(2, "FE01.contoso.com"), None,
                         "sites[0].pools[1].servers[2]: server fe01.contoso.com is described twice"),
    "duplicate pool": (lambda d: d["sites"][0]["pools"][1].update(fqdn="pool01.contoso.com"), None,
                       "sites[0].pools[1]: pool pool01.contoso.com is described twice"),
    "unknown fault": (lambda d: _server(d, faults={"disk_full": True}), None,
                      "sites[0].pools[1].servers[2].faults: unknown key(s) disk_full"),
    "update without kb": (lambda d: _server(d, pending_updates=[{"title": "x"}]), None,
                          "sites[0].pools[1].servers[2].pending_updates[0]: missing kb"),
    "negative update minutes": (lambda d: _server(d, pending_updates=[{"kb": "KB1", "minutes": -3}]), None,
                                "sites[0].pools[1].servers[2].pending_updates[0].minutes: expected a number"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_malformed_description_names_the_place(case):
    change, replacement, expected = CASES[case]
    desc = replacement if replacement is not None else _with(change)
    with pytest.raises(WorldDescriptionError) as info:
        description.build(desc)
    assert expected in info.value.msg, info.value.msg
    # The error reaches users as a task failure: it must read as one sentence, never a traceback.
    assert info.value.to_result()["kind"] == "world_description"


def test_unknown_keys_come_with_the_known_ones():
    desc = _with(lambda d: d["sites"][0]["pools"][1].update(colour="blue"))
    with pytest.raises(WorldDescriptionError) as info:
        description.build(desc)
    assert "fqdn" in info.value.hint and "load_balancing" in info.value.hint


def test_building_does_not_change_the_description():
    desc = _estate()
    before = copy.deepcopy(desc)
    description.build(desc)
    assert desc == before


def test_every_fault_has_an_explanation():
    assert set(description.FAULTS) >= {"service_fails_to_start", "unreachable", "no_return_after_reboot",
                                       "drain_never_ends", "update_fails"}
    assert all(isinstance(text, str) and text for text in description.FAULTS.values())


def test_an_enterprise_front_end_pool_beyond_the_documented_size_is_refused():
    servers = [f"fe{n:02}.contoso.com" for n in range(13)]
    with pytest.raises(WorldDescriptionError) as info:
        description.build(describe(pool("p.contoso.com", servers, product="2015")))
    assert info.value.msg.startswith("sites[0].pools[0].servers: An Enterprise pool of 13 Front End servers")
    # 2019 allows 16 Front Ends, and the limit is a Front End rule: a Mediation pool may be larger.
    description.build(describe(pool("p.contoso.com", servers[:13] + ["fe13.contoso.com", "fe14.contoso.com",
                                                                     "fe15.contoso.com"])))
    description.build(describe(pool("m.contoso.com", [f"med{n:02}.contoso.com" for n in range(20)],
                                    roles=["Mediation"])))


@pytest.mark.parametrize("fault, value, message", [
    ("service_fails_to_start", 5, "expected a list of names (or one name), got 5"),
    ("service_fails_to_start", ["RTCSRV", ""], "expected a list of names"),
    ("update_fails", {"kb": "KB1"}, "expected a list of names"),
    ("unreachable", "yes", "expected true or false, got 'yes'"),
    ("drain_never_ends", 1, "expected true or false, got 1"),
])
def test_a_fault_with_a_value_of_the_wrong_kind_is_refused(fault, value, message):
    desc = _with(lambda d: _server(d, faults={fault: value}))
    with pytest.raises(WorldDescriptionError) as info:
        description.build(desc)
    assert info.value.msg.startswith(f"sites[0].pools[1].servers[2].faults.{fault}: {message}")


def test_fault_values_are_normalised():
    desc = _with(lambda d: _server(d, faults={"service_fails_to_start": "rtcsrv", "update_fails": "KB5031234"}))
    entities, _unused, _unused, _unused = description.build(desc)
    # One name stands for a list of one; service names are matched as Windows does, ignoring case.
    assert entities["server"]["fe13.contoso.com"]["faults"] == {
        "service_fails_to_start": ["RTCSRV"], "update_fails": ["KB5031234"]}


@pytest.mark.parametrize("text, expected", [
    ("start: 2026-03-01T22:00:00Z", "2026-03-01T22:00:00+00:00"),
    ("start: 2026-03-01 22:00:00", "2026-03-01T22:00:00+00:00"),
    ("start: 2026-03-01T23:00:00+01:00", "2026-03-01T22:00:00+00:00"),
    ("start: 2026-03-01", "2026-03-01T00:00:00+00:00"),
    ("start: '2026-03-01T22:00:00Z'", "2026-03-01T22:00:00+00:00"),
])
def test_start_as_yaml_reads_it(text, expected):
    # YAML turns unquoted dates into date or datetime objects; a time without a zone is UTC.
    desc = describe(pool("p.contoso.com", ["a.contoso.com"]), **yaml.safe_load(text))
    _unused, _unused, _unused, start = description.build(desc)
    assert start == datetime.datetime.fromisoformat(expected).timestamp()
