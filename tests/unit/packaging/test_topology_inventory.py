# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory plugin sfb.server.topology: groups and host variables from a topology document
(written by hand from docs/assumptions.md: Microsoft publishes no sample) or a twin world
description, shown by ansible-inventory; a document it cannot read fails closed."""

from __future__ import annotations

import io
import json
import os
import pathlib
import subprocess
import sys
import zipfile

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.controller import topology

REPO = pathlib.Path(__file__).resolve().parents[3]
HERE = pathlib.Path(__file__).parent / "topology"
XML = (HERE / "Topology.xml").read_bytes()


def _inventory(config: pathlib.Path, *args: str) -> subprocess.CompletedProcess:
    tool = pathlib.Path(sys.executable).parent / "ansible-inventory"
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".deps" / "collections"),
           "ANSIBLE_INVENTORY_UNPARSED_FAILED": "true", "ANSIBLE_NOCOLOR": "1"}
    env.pop("SFB_TWIN_WORLD", None)
    return subprocess.run([str(tool), "-i", str(config), *args], capture_output=True, text=True, env=env,
                          cwd=config.parent, check=False)


def test_the_topology_document_gives_sites_pools_roles_and_editions():
    layout = topology.inventory_layout(topology.read_topology(XML, "Topology.xml"))
    groups = layout["groups"]
    assert groups["sfb_pool01"] == ["fe01.contoso.com", "fe02.contoso.com", "fe03.contoso.com"]
    assert groups["sfb_edition_standard"] == ["se01.contoso.com"]
    assert groups["sfb_role_director"] == ["dir01.contoso.com", "dir02.contoso.com"]
    assert groups["sfb_role_edge"] == groups["sfb_site_dublin"] == ["edge01.contoso.com"]
    assert groups["sfb_role_mediation"] == groups["sfb_edition_enterprise"] == groups["sfb_pool01"]
    assert "sql01.contoso.com" not in layout["hostvars"]  # a SQL Server store is no Skype for Business server
    assert layout["hostvars"]["fe01.contoso.com"] == {
        "sfb_site": "Redmond", "sfb_pool": "pool01.contoso.com", "sfb_roles": ["FrontEnd", "Mediation"], "sfb_edition": "Enterprise"}
    assert "sfb_edition" not in layout["hostvars"]["dir01.contoso.com"]


def test_an_export_cs_configuration_archive_holding_the_document_is_read():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("MetaData.xml", "<MetaData/>")
        archive.writestr("Topology.xml", XML)
    estate = topology.read_topology(buffer.getvalue(), "CsConfiguration.zip")
    assert estate.source == "CsConfiguration.zip:Topology.xml" and len(estate.pools) == 4


@pytest.mark.parametrize("data, error", [
    (b"not xml", "is not an XML document"),
    (b"<Configuration/>", "the root element is Configuration"),
    (b"<Topology><Sites/></Topology>", "lists no site"),
    (b"<Topology><Sites><CentralSite SiteId='1'><Name>R</Name></CentralSite></Sites></Topology>", "lists no pool"),
    (b"<Topology><Sites><CentralSite SiteId='1'><Name>R</Name></CentralSite></Sites><Clusters>"
     b"<Cluster Fqdn='p.contoso.com'><ClusterId SiteId='9' Number='1'/></Cluster></Clusters></Topology>", "names site 9"),
    (b"<Topology><Sites><CentralSite SiteId='1'><Name>R</Name></CentralSite></Sites><Clusters>"
     b"<Cluster Fqdn='p.contoso.com'><ClusterId SiteId='1' Number='1'/><Machine Fqdn='a.contoso.com'/></Cluster>"
     b"</Clusters></Topology>", "no pool carries a server role"),
])
def test_a_document_it_cannot_read_fails_closed(data, error):
    with pytest.raises(topology.TopologyError, match=error):
        topology.read_topology(data, "doc.xml")


def test_an_archive_without_a_topology_document_fails_closed():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("DocItemSet.xml", "<DocItemSet/>")
    with pytest.raises(topology.TopologyError, match="holds no Topology document"):
        topology.read_topology(buffer.getvalue(), "CsConfiguration.zip")


def test_ansible_inventory_graph_shows_the_groups():
    done = _inventory(HERE / "example.sfb_topology.yml", "--graph")
    assert done.returncode == 0, done.stderr
    for group in ("@sfb:", "@sfb_site_redmond:", "@sfb_pool01:", "@sfb_role_frontend:", "@sfb_edition_standard:"):
        assert group in done.stdout
    host = json.loads(_inventory(HERE / "example.sfb_topology.yml", "--host", "edge01.contoso.com").stdout)
    assert host == {"ansible_connection": "psrp", "sfb_pool": "edgepool.contoso.com", "sfb_roles": ["Edge"], "sfb_site": "Dublin"}


def test_the_twin_world_inventory_matches_the_rehearsal_inventory():
    done = _inventory(REPO / "awx" / "inventory" / "twin.sfb_topology.yml", "--list")
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert sorted(listed["sfb_pool01"]["hosts"]) == ["fe01.contoso.com", "fe02.contoso.com", "fe03.contoso.com"]
    assert listed["sfb_se01"]["hosts"] == ["se01.contoso.com"]
    fe01 = json.loads(_inventory(REPO / "awx" / "inventory" / "twin.sfb_topology.yml", "--host", "fe01.contoso.com").stdout)
    assert fe01["ansible_connection"] == "sfb.server.twin"
    assert fe01["sfb_twin_world"] == str(REPO / ".twin" / "estate.db")


def test_an_unreadable_document_stops_ansible_inventory(tmp_path):
    (tmp_path / "Topology.xml").write_text("<Configuration/>", encoding="utf-8")
    config = tmp_path / "bad.sfb_topology.yml"
    config.write_text("plugin: sfb.server.topology\ntopology: Topology.xml\n", encoding="utf-8")
    done = _inventory(config, "--graph")
    # ansible-core wraps its warnings at the terminal's width: read the words, not the lines.
    assert done.returncode != 0 and "the root element is Configuration" in " ".join((done.stdout + done.stderr).split())
