# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Two readings of Microsoft's pages: the collection's tables (plugin_utils/domain) and the twin's
(plugin_utils/twin/knowledge), compared row by row where both exist.

Each comparison lists every difference it finds. A difference is either settled (one reading was
wrong and was fixed, citing the page: it no longer appears) or a known difference, kept below with
its reason (and in docs/twin.md, "Two readings"). The test fails on any difference that is not in
KNOWN, and on any entry of KNOWN that no longer happens, so the list stays exactly true.
"""

from __future__ import annotations

import itertools

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.domain import cce as domain_cce
from ansible_collections.sfb.server.plugins.plugin_utils.domain import deployment as domain_deployment
from ansible_collections.sfb.server.plugins.plugin_utils.domain import ports as domain_ports
from ansible_collections.sfb.server.plugins.plugin_utils.domain import roles as domain_roles
from ansible_collections.sfb.server.plugins.plugin_utils.domain import topology as domain_topology
from ansible_collections.sfb.server.plugins.plugin_utils.domain import versions as domain_versions
from ansible_collections.sfb.server.plugins.plugin_utils.domain.quorum import first_start_minimum, quorum_rule
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.twin import knowledge

PRODUCTS = ("2015", "2019", "SE")
ROLE_SETS = (
    ("FrontEnd",), ("FrontEnd", "Mediation"), ("Director",), ("Mediation",), ("Edge",), ("PersistentChat",),
)

# difference -> why it stays (each also in docs/twin.md, "Two readings").
KNOWN = {
    # high-availability.md lists 12 servers in "10-12 | Any 5 of the first 9" and in "12-16 For Skype for
    # Business Server 2019 | Any 7 of the first 12". The collection reads the 2019 row alone; the twin
    # requires both (a real pool is not kinder than the stricter reading). The page does not settle it.
    "quorum 12 servers on 2019: the collection keeps quorum, the twin loses it": "the page lists 12 in two rows",
    "quorum 12 servers on SE: the collection keeps quorum, the twin loses it": "the page lists 12 in two rows",
    # The first-start table lists 2-12 and 16; 13-15 are not on the page. The collection takes the next
    # listed size's figure (12); the twin fails closed and needs every server.
    "first start of 13 servers on 2019: the collection needs 12, the twin 13": "13-15 are not on the page",
    "first start of 14 servers on 2019: the collection needs 12, the twin 14": "13-15 are not on the page",
    "first start of 15 servers on 2019: the collection needs 12, the twin 15": "13-15 are not on the page",
    "first start of 13 servers on SE: the collection needs 12, the twin 13": "13-15 are not on the page",
    "first start of 14 servers on SE: the collection needs 12, the twin 14": "13-15 are not on the page",
    "first start of 15 servers on SE: the collection needs 12, the twin 15": "13-15 are not on the page",
    # environmental-requirements.md gives each role its own certificate table; the collection checks one
    # list (Default, WebServicesInternal, WebServicesExternal) on every server. Owner: deploy (#11).
    "certificates of Mediation: the collection ['Default', 'WebServicesExternal', 'WebServicesInternal'], "
    "the twin ['Default']": "the collection has one list for every role",
    "certificates of PersistentChat: the collection ['Default', 'WebServicesExternal', 'WebServicesInternal'], "
    "the twin ['Default']": "the collection has one list for every role",
    "certificates of Edge: the collection ['Default', 'WebServicesExternal', 'WebServicesInternal'], the twin "
    "['AccessEdgeExternal', 'AudioVideoAuthentication', 'DataEdgeExternal', 'Internal']":
        "the collection has one list for every role (and does not deploy Edge servers)",
}


def _representatives(size: int):
    """One running pattern per class the rules can tell apart: how many run among servers 1-7, 8-9,
    10-12 and 13-16 (every rule of either table counts only within those bounds)."""
    bounds = [b for b in (0, 7, 9, 12, 16) if b < size] + [size]
    segments = list(zip(bounds, bounds[1:]))
    for counts in itertools.product(*(range(hi - lo + 1) for lo, hi in segments)):
        pattern = []
        for (lo, hi), count in zip(segments, counts):
            pattern += [True] * count + [False] * (hi - lo - count)
        yield pattern


def quorum_differences() -> list[str]:
    found = []
    for product in PRODUCTS:
        limit = knowledge.maximum_front_ends(product)
        for size in range(1, 17):
            try:
                rule = quorum_rule(size, product)
            except SfbError:
                rule = None
            if rule is None or size > limit:
                if (rule is None) != (size > limit):
                    found.append(f"quorum limit on {product}: {size} servers allowed by only one reading")
                continue
            kinder = stricter = 0
            for pattern in _representatives(size):
                ours, theirs = rule.holds(pattern), knowledge.quorum_holds(pattern, product)
                kinder += ours and not theirs
                stricter += theirs and not ours
            if kinder:
                found.append(f"quorum {size} servers on {product}: the collection keeps quorum, the twin loses it")
            if stricter:
                found.append(f"quorum {size} servers on {product}: the twin keeps quorum, the collection loses it")
            if size > 1:
                ours, theirs = first_start_minimum(size), knowledge.first_start_minimum(size, product)
                if ours != theirs:
                    found.append(f"first start of {size} servers on {product}: the collection needs {ours}, the twin {theirs}")
    return found


def service_differences() -> list[str]:
    found = []
    if set(domain_roles.ROLES) != set(knowledge.roles()):
        found.append(f"roles: the collection {sorted(domain_roles.ROLES)}, the twin {sorted(knowledge.roles())}")
    pairs = [(role, domain_roles.ROLE_SERVICES[role], knowledge.role_services(role)) for role in domain_roles.ROLES]
    pairs.append(("every server", domain_roles._COMMON, knowledge.common_services()))
    for role, ours, theirs in pairs:
        ours = {s.name: (s.display_name, s.role, s.carries_sessions) for s in ours}
        theirs = {s.name: (s.display_name, s.role, s.carries_sessions) for s in theirs}
        for name in sorted(set(ours) | set(theirs)):
            if ours.get(name) != theirs.get(name):
                found.append(f"service {name} of {role}: the collection {ours.get(name)}, the twin {theirs.get(name)}")
    for role in domain_roles.ROLES:
        if tuple(domain_topology.SERVICE_TYPES_OF_ROLE[role]) != knowledge.topology_service_types(role):
            found.append(f"topology service types of {role} differ")
    return found


def _opened(rows) -> set[tuple[str, str]]:
    return {(transport, str(r)) for row in rows for transport in row.transport for r in row.ranges}


def port_differences() -> list[str]:
    found = []
    for roles, cms in itertools.product(ROLE_SETS, (False, True)):
        if cms and "FrontEnd" not in roles:
            continue
        ours = _opened(domain_ports.server_rows(roles, central_management_store=cms))
        theirs = _opened(knowledge.server_port_rows(roles, central_management_store=cms))
        where = "+".join(roles) + (" hosting the CMS" if cms else "")
        for transport, port in sorted(ours - theirs):
            found.append(f"ports of {where}: {transport} {port} only in the collection")
        for transport, port in sorted(theirs - ours):
            found.append(f"ports of {where}: {transport} {port} only in the twin")
        # What port_check expects to answer a TCP connection, against what the twin listens on.
        peer = {"fqdn": "peer.contoso.com", "roles": list(roles), "central_management_store": cms}
        tested = {int(p.port) for p in domain_ports.peer_paths("me.contoso.com", [peer]) if p.testable}
        listening = {r.ranges[0].first for r in knowledge.server_port_rows(roles, cms)
                     if r.listens and "TCP" in r.transport and len(r.ranges) == 1 and r.ranges[0].first == r.ranges[0].last}
        for port in sorted(tested - listening):
            found.append(f"listening ports of {where}: port_check tests {port}, the twin does not listen on it")
        for port in sorted(listening - tested):
            found.append(f"listening ports of {where}: the twin listens on {port}, port_check does not test it")
    return found


def cce_differences() -> list[str]:
    found = []
    for version, role in itertools.product(((1, 4, 2), (2, 0), (2, 1, 0)), domain_cce.VM_ROLES):
        ours = tuple(domain_cce.monitored_services(role, version))
        theirs = knowledge.cce_monitored_services(role, version)
        if ours != theirs:
            found.append(f"CCE {role} {version}: the collection monitors {ours}, the twin {theirs}")
    for role in domain_cce.VM_ROLES:
        if tuple(domain_cce.monitored_firewall_rules(role, (2, 0))) != knowledge.cce_monitored_firewall_rules(role):
            found.append(f"CCE firewall rules of {role} differ")
        if tuple(domain_cce.EXPECTED_SWITCHES[role]) != tuple(knowledge.cce("switches")[role]):
            found.append(f"CCE switches of {role} differ")
    if (domain_cce.CA_LIFETIME_DAYS, domain_cce.INTERNAL_LIFETIME_DAYS) != (
            knowledge.cce("ca_lifetime_days"), knowledge.cce("internal_lifetime_days")):
        found.append("CCE certificate lifetimes differ")
    return found


def certificate_differences() -> list[str]:
    found = []
    ours = sorted(domain_deployment.CERTIFICATE_USES_LOCAL)
    for role in knowledge.roles():
        theirs = sorted(knowledge.certificate_types(role))
        if ours != theirs:
            found.append(f"certificates of {role}: the collection {ours}, the twin {theirs}")
    if knowledge.global_certificate_holders(domain_deployment.OAUTH_USE) != ("FrontEnd",):
        found.append("the global OAuth certificate's holders differ")
    return found


def version_differences() -> list[str]:
    found = []
    for ours in domain_versions.PRODUCTS:
        theirs = knowledge.product(ours.key)
        if (ours.name, ours.rtm_version, ours.program_folder) != (theirs.name, theirs.rtm_version, theirs.program_folder):
            found.append(f"product {ours.key} differs")
        # What the twin prints, the collection must read back.
        text = knowledge.format_server_version(ours.key, theirs.rtm_version)
        if domain_versions.parse_server_version(text) != (ours, theirs.rtm_version):
            found.append(f"the collection cannot read the twin's Get-CsServerVersion for {ours.key}")
    return found


COMPARISONS = [quorum_differences, service_differences, port_differences, cce_differences,
               certificate_differences, version_differences]


def all_differences() -> list[str]:
    return [d for compare in COMPARISONS for d in compare()]


def test_every_difference_between_the_two_readings_is_known():
    found = all_differences()
    unexplained = [d for d in found if d not in KNOWN]
    gone = [d for d in KNOWN if d not in found]
    assert unexplained == [], "differences nobody has settled or recorded:\n" + "\n".join(unexplained)
    assert gone == [], "recorded differences that no longer happen (remove them here and in docs/twin.md):\n" + "\n".join(gone)


def test_the_known_differences_are_in_the_docs():
    import pathlib

    text = (pathlib.Path(__file__).resolve().parents[3] / "docs" / "twin.md").read_text(encoding="utf-8")
    for difference in KNOWN:
        key = difference.split(":")[0]
        assert key in text, f"docs/twin.md does not mention {key!r}"


def test_the_comparison_sees_a_changed_row(monkeypatch):
    # If the comparison read nothing it would pass vacuously: change one domain row and it must notice.
    changed = dict(domain_roles.ROLE_SERVICES)
    changed["Mediation"] = ()
    monkeypatch.setattr(domain_roles, "ROLE_SERVICES", changed)
    assert any("RTCMEDSRV of Mediation" in d for d in service_differences())


# -- the twin's own tables against the page, typed in again here ---------------------------------

# high-availability.md, "Pool-level quorum loss": size range -> (required, among the first N or None = any).
PAGE_FUNCTIONAL_LEVEL = {(2, 2): (1, None), (3, 4): (2, None), (5, 6): (3, None), (7, 7): (4, None),
                         (8, 9): (4, 7), (10, 12): (5, 9)}


@pytest.mark.parametrize("sizes", sorted(PAGE_FUNCTIONAL_LEVEL))
def test_the_twin_quorum_is_the_page(sizes):
    required, first = PAGE_FUNCTIONAL_LEVEL[sizes]
    for size in range(sizes[0], sizes[1] + 1):
        first_n = first or size
        at_level = [True] * required + [False] * (size - required)
        below = [True] * (required - 1) + [False] * (size - required + 1)
        late = [False] * first_n + [True] * (size - first_n)
        assert knowledge.quorum_holds(at_level, "2015")
        assert not knowledge.quorum_holds(below, "2015")
        if first:
            assert not knowledge.quorum_holds(late, "2015"), "only the first servers count"


def test_the_twin_reads_the_2019_row_and_the_limits():
    # "12-16 For Skype for Business Server 2019 | Any 7 of the first 12 servers"
    assert knowledge.quorum_holds([True] * 7 + [False] * 9, "2019")
    assert not knowledge.quorum_holds([True] * 6 + [False] * 10, "2019")
    # twelve on 2019: both rows (5 of the first 9 and 7 of the first 12)
    assert not knowledge.quorum_holds([True] * 4 + [False] * 5 + [True] * 3, "2019")
    assert knowledge.quorum_holds([True] * 5 + [False] * 4 + [True] * 2 + [False], "2019")
    for size, product in ((13, "2015"), (17, "2019"), (0, "2019")):
        with pytest.raises(SfbError):
            knowledge.check_pool_size(size, product)


def test_every_knowledge_file_names_its_source():
    for name in ("quorum", "ports", "services", "certificates", "cce", "products"):
        text = (knowledge.HERE / f"{name}.yml").read_text(encoding="utf-8")
        assert "OfficeDocs-SkypeForBusiness" in text or "office-docs-powershell" in text, name
    for row in knowledge.table("quorum")["functional_level"] + knowledge.table("quorum")["first_start"]:
        assert row["source"].startswith("OfficeDocs-SkypeForBusiness")
    for role in knowledge.roles():
        for raw in knowledge.table("services")["roles"][role]:
            assert raw.get("source"), (role, raw["name"])
    rows = knowledge.table("ports")["rows"]
    assert [r["row"] for r in rows] == list(range(1, len(rows) + 1)), "one row per row of the page, in order"


def test_activity_level_is_the_published_format():
    # ../shared/reference/samples/published/Get-CsWindowsService.1.txt: "Incoming Requests per
    # Second=0,Messages in Server=0..." for RTCSRV and "Concurrent Calls=0" for RTCCAA.
    assert knowledge.format_activity_level("RTCSRV", 3).startswith("Incoming Requests per Second=0,Messages in Server=0,")
    assert knowledge.format_activity_level("RTCCAA", 0) == "Concurrent Calls=0"
    assert ", " not in knowledge.format_activity_level("RTCSRV", 3) and " =" not in knowledge.format_activity_level("RTCSRV", 3)


def test_documented_errors_reproduce_their_samples():
    import pathlib

    # The repository's copy of the published samples (tests/unit/samples/published, each with its source).
    folder = pathlib.Path(__file__).resolve().parents[1] / "samples" / "published"
    assert folder.is_dir(), f"{folder} is missing"
    checked = 0
    for name, entry in knowledge.table("errors").items():
        assert entry.get("source"), name
        if entry.get("sample"):
            text = (folder / entry["sample"]).read_text(encoding="utf-8").split("\n---\n", 1)[1]
            message, _category, _error_id = knowledge.error(name, **entry["example"])
            assert message in text, f"{name}: {message!r} is not the text of {entry['sample']}"
            checked += 1
        else:
            assert entry.get("assumption") is True, f"{name} has neither a sample nor the assumption mark"
    assert checked >= 4
