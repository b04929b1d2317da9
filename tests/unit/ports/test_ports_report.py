# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The firewall report: its rows come from the matrix, and the files say exactly that."""

from __future__ import annotations

import csv

import openpyxl
import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.controller import report_files as files
from ansible_collections.sfb.server.plugins.plugin_utils.domain import ports

TOPOLOGY = [
    {"fqdn": "pool01.contoso.com", "roles": ["FrontEnd", "Mediation"], "load_balancing": "hardware",
     "servers": ["fe01.contoso.com", "fe02.contoso.com", "fe03.contoso.com"], "central_management_store": True},
    {"fqdn": "dir01.contoso.com", "roles": ["Director"], "load_balancing": "dns",
     "servers": ["dir01a.contoso.com", "dir01b.contoso.com"]},
    {"fqdn": "se01.contoso.com", "roles": ["FrontEnd"], "servers": ["se01.contoso.com"]},
]


@pytest.fixture(scope="module")
def sheets():
    return ports.report(ports.check_topology(TOPOLOGY), ["owa01.contoso.com"])


def expected_load_balancer_rows():
    """Independently of ports.report: the seed table each pool's load-balancing type selects."""
    m = ports.matrix()
    # pool01: hardware only -> all Front End rows, plus the "pool also runs Mediation" row, no
    # stand-alone Mediation or Director rows.
    pool01 = [r for r in m.rows(ports.HLB_ONLY) if r.role in ("FrontEndLoadBalancer", "FrontEndLoadBalancerWithMediation")]
    # dir01: DNS load balancing -> the two Director rows of the DNS table. se01: one server, no load balancer.
    dir01 = [r for r in m.rows(ports.HLB_WITH_DNS) if r.role == "DirectorLoadBalancer"]
    return [("pool01.contoso.com", r) for r in pool01] + [("dir01.contoso.com", r) for r in dir01]


def test_load_balancer_rows_follow_the_pools_load_balancing_type(sheets):
    expected = expected_load_balancer_rows()
    assert len(sheets[ports.LOAD_BALANCER]) == len(expected)
    for got, (pool, row) in zip(sheets[ports.LOAD_BALANCER], expected):
        assert got[1] == pool and got[4] == row.port and got[5] == row.transport[0] and got[7] == row.purpose


def test_hardware_only_pool_gets_all_twenty_rows_minus_other_roles(sheets):
    pool01 = [r for r in sheets[ports.LOAD_BALANCER] if r[1] == "pool01.contoso.com"]
    assert len(pool01) == 15  # 14 Front End rows + the collocated Mediation row
    assert ("5070" in {r[4] for r in pool01})


def test_firewall_rows_cover_every_applicable_seed_row_per_pool(sheets):
    rows = sheets[ports.FIREWALL]
    for pool in ports.check_topology(TOPOLOGY):
        mine = [r for r in rows if r[2] == pool.fqdn]
        expected = [(r.port, t, r.purpose) for r in ports.server_rows(pool.roles, pool.central_management_store)
                    for t in r.transport]
        assert [(r[3], r[4], r[8]) for r in mine] == expected
        assert all(r[1] == ", ".join(pool.servers) for r in mine)
    assert any(r[1] == "owa01.contoso.com" and r[3] == "443" for r in rows)


def test_ipsec_rows_name_the_servers_of_the_roles(sheets):
    mediation = next(r for r in sheets[ports.IPSEC_KIND] if r[0] == "Mediation Server inbound")
    assert "fe01.contoso.com" in mediation[2] and "dir01a" not in mediation[2]
    assert len(sheets[ports.IPSEC_KIND]) == len(ports.matrix().ipsec)


def test_workbook_cell_by_cell_equals_the_matrix_rows(sheets, tmp_path):
    path = tmp_path / "report.xlsx"
    files.write_workbook(str(path), sheets)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [ports.REPORT_TITLES[k] for k in ports.REPORT_KINDS]
    for kind in ports.REPORT_KINDS:
        sheet = book[ports.REPORT_TITLES[kind]]
        assert [c.value for c in sheet[1]] == list(ports.REPORT_COLUMNS[kind])
        assert sheet.max_row == len(sheets[kind]) + 1
        for r, row in enumerate(sheets[kind], start=2):
            for c, value in enumerate(row, start=1):
                assert (sheet.cell(row=r, column=c).value or "") == value, (kind, r, c)
    # And against the matrix itself, not only the report rows: the clients sheet is the seed table.
    clients = book[ports.REPORT_TITLES[ports.CLIENT]]
    expected = [(r.port, t, r.protocol, r.purpose) for r in ports.matrix().rows(ports.CLIENTS) for t in r.transport]
    got = [(row[2].value, row[3].value, row[4].value, row[5].value) for row in clients.iter_rows(min_row=2)]
    assert got == expected
    assert files.workbook_values(str(path)) == files.workbook_expected(sheets)


def test_csv_and_markdown_hold_the_same_rows(sheets, tmp_path):
    for kind in ports.REPORT_KINDS:
        path = tmp_path / f"{kind}.csv"
        assert files.write_text(str(path), files.csv_text(kind, sheets[kind]))
        assert not files.write_text(str(path), files.csv_text(kind, sheets[kind]))  # same content: not rewritten
        with open(path, newline="", encoding="utf-8") as handle:
            read = list(csv.reader(handle))
        assert read[0] == list(ports.REPORT_COLUMNS[kind])
        assert [tuple(r) for r in read[1:]] == [tuple(r) for r in sheets[kind]]
    markdown = files.markdown_text(sheets, "Report")
    for kind in ports.REPORT_KINDS:
        assert f"## {ports.REPORT_TITLES[kind]}" in markdown
    assert markdown.count("\n| ") == sum(len(rows) + 1 for rows in sheets.values())


@pytest.mark.parametrize("topology, message", [
    ([], "no pool"),
    (None, "no pool"),
    ([{"fqdn": "p.contoso.com", "roles": ["FrontEnd", "Gatekeeper"], "servers": ["a.contoso.com"]}], "unknown server role"),
    ([{"fqdn": "p.contoso.com", "roles": ["FrontEnd"], "servers": []}], "at least one server"),
    ([{"fqdn": "p.contoso.com", "roles": ["FrontEnd"], "servers": ["a"], "load_balancing": "round-robin"}], "load_balancing"),
    ([{"fqdn": "p.contoso.com", "roles": ["FrontEnd"], "servers": ["a"]}] * 2, "listed twice"),
])
def test_bad_topologies_are_refused_clearly(topology, message):
    with pytest.raises(ports.TopologyError) as error:
        ports.check_topology(topology)
    assert message in error.value.msg
