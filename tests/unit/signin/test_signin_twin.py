# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The twin's users' computers, domain controllers and directory users: descriptions and answers."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.errors import WorldDescriptionError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Executable, Plan
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore
from signin_worlds import make


@pytest.mark.parametrize("description,message", [
    ({"clients": [{"fqdn": "pc01.contoso.com", "colour": "red"}]}, r"clients\[0\]: unknown key\(s\) colour"),
    ({"clients": [{"fqdn": "pc01.contoso.com", "registry": {"HKCU:\\Software\\X": {}}}]}, "not a key under HKLM"),
    ({"domain_controllers": [{"fqdn": "dc01.contoso.com", "time": {"service": "paused"}}]}, "running or stopped"),
    ({"active_directory": {"domain": "contoso.com", "users": [{"sam": "bob", "sip_enabled": "no"}]}},
     r"users\[0\].sip_enabled: true or false"),
    ({"clients": ["pc01.contoso.com", "PC01.contoso.com"]}, "described twice"),
])
def test_a_wrong_description_says_where_and_what(tmp_path, description, message):
    with pytest.raises(WorldDescriptionError, match=message):
        admin.create(WorldStore(str(tmp_path / "w.db")), description)


def test_machines_are_not_skype_for_business_servers(tmp_path):
    store = make(tmp_path)
    assert store.read().servers == {}
    assert len(store.read().kind("machine")) == 8


def test_a_machine_answers_only_for_itself(tmp_path):
    store = make(tmp_path)
    answer = TwinHost(store, "pc01.contoso.com").run(Plan.of(Executable("w32tm.exe", ("/query", "/status"), read_only=True)))
    assert "Source: time.windows.com,0x9" in answer.results[0].stdout
    with pytest.raises(Exception, match="no server named pc09.contoso.com"):
        TwinHost(store, "pc09.contoso.com").run(Plan.of(CmdletCall("Test-Path", {"Path": "HKLM:\\Software"})))


def test_get_aduser_by_identity_and_an_unknown_identity(tmp_path):
    store = make(tmp_path)
    host = TwinHost(store, "dc01.contoso.com")
    found = host.run(Plan.of(CmdletCall("Get-ADUser", {"Identity": "bob", "Properties": ["msRTCSIP-UserEnabled"]},
                                        select=("DistinguishedName", "msRTCSIP-UserEnabled"))))
    assert found.output(0) == [{"DistinguishedName": "CN=bob,OU=Sales,DC=contoso,DC=com", "msRTCSIP-UserEnabled": False}]
    missing = host.run(Plan.of(CmdletCall("Get-ADUser", {"Identity": "nobody"})))
    assert missing.results[0].error.message == "Cannot find an object with identity: 'nobody' under: 'DC=contoso,DC=com'."
    assert missing.results[0].error.category == "ObjectNotFound"


def test_a_server_that_is_not_a_domain_controller_cannot_be_contacted(tmp_path):
    answer = TwinHost(make(tmp_path), "dc01.contoso.com").run(Plan.of(
        CmdletCall("Get-ADUser", {"LDAPFilter": "(objectClass=user)", "Server": "pc01.contoso.com"})))
    assert answer.results[0].error.message.startswith("Unable to contact the server.")


@pytest.mark.parametrize("search_base, category, message", [
    # Not a distinguished name at all, and one outside the domain: the search cannot run.
    ("not a DN", "InvalidArgument", "The supplied distinguishedName must belong to one of the following partition(s)"),
    ("OU=Sales,DC=fabrikam,DC=com", "InvalidArgument", "The supplied distinguishedName must belong"),
    # A well-formed path to a container that does not exist is an error, not an empty answer.
    ("OU=Nowhere,DC=contoso,DC=com", "ObjectNotFound", "Directory object not found"),
])
def test_get_aduser_with_a_search_base_that_cannot_be_searched_fails(tmp_path, search_base, category, message):
    # Get-ADUser.md: -SearchBase "Specifies an Active Directory path to search under". An empty answer here
    # would let the sign-in check report that nobody is misconfigured.
    answer = TwinHost(make(tmp_path), "dc01.contoso.com").run(Plan.of(
        CmdletCall("Get-ADUser", {"LDAPFilter": "(objectClass=user)", "SearchBase": search_base})))
    error = answer.results[0].error
    assert error is not None and error.category == category and error.message.startswith(message)


def test_get_aduser_under_an_existing_container(tmp_path):
    host = TwinHost(make(tmp_path), "dc01.contoso.com")
    sales = host.run(Plan.of(CmdletCall("Get-ADUser", {"LDAPFilter": "(objectClass=user)",
                                                       "SearchBase": "OU=Sales, DC=contoso,DC=com"},
                                        select=("DistinguishedName",))))
    assert sales.results[0].error is None
    assert {u["DistinguishedName"] for u in sales.output(0)} >= {"CN=bob,OU=Sales,DC=contoso,DC=com"}
    assert all(u["DistinguishedName"].endswith("OU=Sales,DC=contoso,DC=com") for u in sales.output(0))
