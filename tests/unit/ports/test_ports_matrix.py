# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The port matrix against seed 004 itself: no row missing, added, reordered or altered.

The seed is French; the matrix is English. The glossaries below translate every label the seed
uses (role, service, protocol, IPsec names and targets); a seed label missing from them fails the
test instead of being skipped, so a changed seed cannot pass unnoticed. Ports are compared as
written, except the clients' footnote mark (".\\*"), which must become the row's footnote.
"""

from __future__ import annotations

import pytest
import ports_seed as seed

from ansible_collections.sfb.server.plugins.plugin_utils.domain import ports

ROLES = {
    "Tous les serveurs": "AllServers",
    "Serveurs frontaux": "FrontEnd",
    "serveurs frontaux": "FrontEnd",
    "Serveurs frontaux qui exécutent également un serveur de médiation colocalisé.": "FrontEndWithCollocatedMediation",
    "Avant les serveurs frontaux où réside le magasin Central de gestion": "FrontEndHostingCms",
    "Tous les serveurs internes": "AllInternalServers",
    "Serveurs Office Web Apps Server": "OfficeWebAppsServer",
    "directeurs": "Director",
    "Directeurs": "Director",
    "Serveurs de médiation": "Mediation",
    "Serveur frontal de conversation permanente": "PersistentChat",
    "Programme d\u2019équilibrage de charge du serveur frontal": "FrontEndLoadBalancer",
    "Programme d\u2019équilibrage de charge du serveur de médiation": "MediationLoadBalancer",
    "Programme d\u2019équilibrage de charge du serveur frontal (si le pool exécute également le serveur de médiation)":
        "FrontEndLoadBalancerWithMediation",
    "Programme d\u2019équilibrage de charge du directeur": "DirectorLoadBalancer",
    "Clients": "Clients",
}
PHONES_PREFIX = "Téléphone de partie commune Aastra 6721ip"

SERVICES = {
    "SQL Browser": "SQL Browser",
    "Skype pour le service Business Server frontal": "Front-End service",
    "Skype pour le service de conférence par messagerie instantanée Business Server": "IM Conferencing service",
    "Skype pour le service de conférence Web Business Server": "Web Conferencing service",
    "Skype pour le service de compatibilité de conférence Web Business Server": "Web Conferencing Compatibility service",
    "Skype pour le service de conférence Audio/vidéo Business Server": "Audio/Video Conferencing service",
    "Skype pour le service Business Server Web compatibilité": "Web Compatibility service",
    "Composant de serveur web": "Web Server component",
    "Composant des services de mobilité": "Mobility Services component",
    "Skype pour le service Business Server intendant (conférence rendez-vous)":
        "Conferencing Attendant service (dial-in conferencing)",
    "Skype pour le service de médiation de serveur d\u2019entreprise": "Mediation service",
    "Skype pour le service de partage d\u2019Application Business Server": "Application Sharing service",
    "Skype pour le service d\u2019annonce de conférence Business Server": "Conferencing Announcement service",
    "Skype pour le service Business Server Call Park": "Call Park service",
    "Skype pour le service de Test Audio du serveur Business": "Audio Test service",
    "Non applicable": "Not applicable",
    "Skype pour le service Response Group Business Server": "Response Group service",
    "Skype pour le Service de stratégie de bande passante Business Server": "Bandwidth Policy Service",
    "Skype pour le service de l\u2019Agent réplicateur maître de serveur d\u2019entreprise": "Master Replicator Agent service",
    "Divers": "Various",
    "": "",
    "SIP de conversation permanente": "Persistent Chat SIP",
    "Windows Communication Foundation (WCF) de conversation permanente":
        "Persistent Chat Windows Communication Foundation (WCF)",
    "Service de transfert de fichiers de conversation permanente": "Persistent Chat File Transfer service",
}

PROTOCOLS = {
    "TCP": "TCP", "UDP": "UDP", "HTTP": "HTTP", "HTTPS": "HTTPS", "TCP/UDP": "TCP/UDP", "": "",
    "TCP (TLS)": "TCP (TLS)", "TCP (MTLS)": "TCP (MTLS)", "HTTPS <br/> TCP": "HTTPS/TCP",
    "DCOM et appel de procédure distante (RPC)": "DCOM and remote procedure call (RPC)",
    "TCP et HTTP": "TCP and HTTP", "TCP (TLS) et TCP (MTLS)": "TCP (TLS) and TCP (MTLS)",
    "HTTPS (du proxy inverse)": "HTTPS (from the reverse proxy)",
    "Les clients TCP - récupération Client / périphérique du certificat racine depuis le serveur frontal - et "
    "périphériques authentifiés par NTLM":
        "TCP - client/device retrieval of the root certificate from the Front End Server - and clients/devices "
        "authenticated by NTLM",
    "DHCP": "DHCP", "TCP (PSOM/TLS)": "TCP (PSOM/TLS)", "TCP (STUN/MSTURN)": "TCP (STUN/MSTURN)",
    "UDP (STUN/MSTURN)": "UDP (STUN/MSTURN)", "UDP et TCP": "UDP and TCP", "UDP & TCP": "UDP and TCP",
}

IPSEC_NAMES = {
    "Serveur Edge A/V, ports internes/entrants": "A/V Edge Server internal inbound",
    "Serveur Edge A/V, ports externes/entrants": "A/V Edge Server external inbound",
    "Serveur Edge A/V, ports internes/sortants": "A/V Edge Server internal outbound",
    "Serveur Edge A/V, ports externes/sortants": "A/V Edge Server external outbound",
    "Serveur de médiation, ports entrants": "Mediation Server inbound",
    "Serveur de médiation, ports sortants": "Mediation Server outbound",
    "Intendant Conférence entrant": "Conferencing Attendant inbound",
    "Intendant Conférence sortant": "Conferencing Attendant outbound",
    "Serveur de conférence A/V, ports entrants": "A/V Conferencing Server inbound",
    "Conférence A/V, ports sortants": "A/V Conferencing outbound",
    "Exchange, ports entrants": "Exchange inbound",
    "Serveurs de partage d\u2019application, ports entrants": "Application Sharing Servers inbound",
    "Serveur de partage d\u2019application, ports sortants": "Application Sharing Server outbound",
    "Exchange, ports sortants": "Exchange outbound",
    "Clients": "Clients",
}
IPSEC_TARGETS = {
    "Indifférente": "Any",
    "Serveur Edge A/V\xa0- interne": "EdgeInternal",
    "Serveur Edge A/V\xa0- externe": "EdgeExternal",
    "Serveur(s) <br/> de médiation": "Mediation",
    "Serveur frontal exécutant l\u2019Intendant Conférence": "FrontEndConferencingAttendant",
    "Serveurs frontaux": "FrontEnd",
    "Messagerie unifiée Exchange": "ExchangeUnifiedMessaging",
    "Serveurs de partage d\u2019application": "ApplicationSharing",
}
IPSEC_VALUES = {"Indifférente": "Any", "Plage de ports multimédias définie": "Defined media port range",
                "Ne pas authentifier": "Do not authenticate"}

FOOTNOTE_MARK = ".\\*"


@pytest.fixture(scope="module")
def seed_tables():
    path = seed.seed_path()
    if path is None:
        pytest.skip("seed 004 not found: set SFB_SEED_DIR to the folder holding 004_*.txt")
    return seed.tables(path.read_text(encoding="utf-8"))


def translate(glossary: dict, text: str, what: str) -> str:
    assert text in glossary, f"the seed's {what} {text!r} has no translation in the test glossary"
    return glossary[text]


def role_of(text: str) -> str:
    return "Phones" if text.startswith(PHONES_PREFIX) else translate(ROLES, text, "role")


def seed_port(text: str) -> tuple[str, bool]:
    footnote = text.endswith(FOOTNOTE_MARK)
    return (text[: -len(FOOTNOTE_MARK)] if footnote else text), footnote


def test_the_seed_has_the_five_tables(seed_tables):
    assert list(seed_tables) == list(ports.TABLES)


@pytest.mark.parametrize("table", ports.PORT_TABLES)
def test_every_port_row_of_the_seed_is_in_the_matrix_unaltered(seed_tables, table):
    matrix_rows = ports.matrix().rows(table)
    seed_rows = seed_tables[table]
    assert len(matrix_rows) == len(seed_rows), f"{table}: {len(seed_rows)} rows in the seed"
    for index, (cells, row) in enumerate(zip(seed_rows, matrix_rows)):
        if table == ports.SERVER_ROLES:
            role, service, port, protocol = cells[0], cells[1], cells[2], cells[3]
            assert row.service == translate(SERVICES, service, "service"), f"{table}[{index}]"
        elif table == ports.CLIENTS:
            role, port, protocol = cells[0], cells[1], cells[2]
        else:
            role, port, protocol = cells[0], cells[1], cells[2]
        port, footnote = seed_port(port)
        assert row.role == role_of(role), f"{table}[{index}]"
        assert row.port == port, f"{table}[{index}]"
        assert row.protocol == translate(PROTOCOLS, protocol, "protocol"), f"{table}[{index}]"
        assert bool(row.footnote) == footnote, f"{table}[{index}]: footnote"
        assert row.index == index


def test_rows_with_empty_remarks_in_the_seed_are_marked(seed_tables):
    for cells, row in zip(seed_tables[ports.SERVER_ROLES], ports.matrix().rows(ports.SERVER_ROLES)):
        assert row.seed_purpose_empty == (cells[4] == ""), row
        assert row.purpose


def test_every_ipsec_row_of_the_seed_is_in_the_matrix_unaltered(seed_tables):
    rows = ports.matrix().ipsec
    assert len(rows) == len(seed_tables[ports.IPSEC])
    for index, (cells, row) in enumerate(zip(seed_tables[ports.IPSEC], rows)):
        name, source, destination, protocol, source_port, destination_port, authentication = cells
        assert row.name == translate(IPSEC_NAMES, name, "IPsec rule name"), index
        assert row.source == translate(IPSEC_TARGETS, source, "IPsec source"), index
        assert row.destination == translate(IPSEC_TARGETS, destination, "IPsec destination"), index
        assert row.protocol == translate(PROTOCOLS, protocol, "protocol"), index
        assert row.source_port == translate(IPSEC_VALUES, source_port, "source port"), index
        assert row.destination_port == translate(IPSEC_VALUES, destination_port, "destination port"), index
        assert row.authentication == translate(IPSEC_VALUES, authentication, "authentication"), index


def test_transport_follows_the_protocol_column():
    # TCP/UDP rows become both transports; UDP-only protocols UDP; every other protocol of the
    # seed (HTTPS, TLS, MTLS, DCOM/RPC ...) runs over TCP, except DHCP (UDP).
    for table in ports.PORT_TABLES:
        for row in ports.matrix().rows(table):
            if row.protocol in ("TCP/UDP",):
                assert row.transport == ("TCP", "UDP"), row
            elif row.protocol.startswith("UDP") or row.protocol == "DHCP":
                assert row.transport == ("UDP",), row
            else:
                assert row.transport == ("TCP",), row
            if row.protocol in ("", "DHCP"):
                assert row.transport_note, f"{row}: the transport is inferred, say so"
    for row in ports.matrix().ipsec:
        expected = {"UDP and TCP": ("UDP", "TCP"), "TCP": ("TCP",), "UDP": ("UDP",)}[row.protocol]
        assert row.transport == expected


def test_footnote_text_is_the_seeds():
    footnote = ports.matrix().footnotes["client_media_ports"]
    for word in ("ClientMediaPortRangeEnabled", "ClientMediaPort", "ClientMediaPortRange", "CsConferencingConfiguration"):
        assert word in footnote


def test_the_administrators_page_shows_the_matrix_as_it_is():
    page = (seed.REPO / "docs" / "ports.md").read_text(encoding="utf-8")
    section = page.split("<!-- matrix:start -->\n", 1)[1].split("<!-- matrix:end -->", 1)[0]
    assert section == ports.markdown_matrix()
