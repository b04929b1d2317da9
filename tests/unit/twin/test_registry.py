# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One family owns each cmdlet; others extend it. Nothing depends on the order families load in."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.twin import cmdlets as registry
from ansible_collections.sfb.server.plugins.plugin_utils.twin.cmdlets import Call, CmdletError


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(registry, "CMDLETS", {})
    monkeypatch.setattr(registry, "EXTENSIONS", {})
    monkeypatch.setattr(registry, "MODULES", {})
    return registry


def _call(path):
    return Call("Test-Path", {"Path": path}, world=None, server={"fqdn": "fe01.contoso.com"})


def test_a_second_owner_of_a_cmdlet_is_refused(clean_registry):
    @clean_registry.cmdlet("Test-Path")
    def first(call):
        return [True]

    with pytest.raises(ValueError, match="extend it with @extends"):
        @clean_registry.cmdlet("Test-Path")
        def second(call):
            return [False]


def test_a_second_answer_for_a_powershell_module_is_refused(clean_registry):
    clean_registry.powershell_module("ActiveDirectory")(lambda world, server: True)
    with pytest.raises(ValueError, match="PowerShell module 'ActiveDirectory'"):
        clean_registry.powershell_module("ActiveDirectory")(lambda world, server: False)


def test_extensions_answer_their_own_cases_and_hand_on_the_rest(clean_registry):
    @clean_registry.cmdlet("Test-Path")
    def registry_paths(call):
        return ["registry"]

    @clean_registry.extends("Test-Path")
    def setup_files(call, base):
        return ["files"] if call.get("Path").startswith("C:") else base(call)

    @clean_registry.extends("Test-Path")
    def certificates(call, base):
        return ["cert"] if call.get("Path").startswith("Cert:") else base(call)

    handler = clean_registry.handler_for("test-path")
    assert handler(_call("C:\\Setup")) == ["files"]
    assert handler(_call("Cert:\\LocalMachine\\My")) == ["cert"]
    assert handler(_call("HKLM:\\SOFTWARE")) == ["registry"]


def test_an_extension_without_an_owner_reports_what_is_not_simulated(clean_registry):
    @clean_registry.extends("Get-ChildItem")
    def only_certificates(call, base):
        return base(call)

    with pytest.raises(CmdletError, match="does not simulate"):
        clean_registry.handler_for("Get-ChildItem")(_call("C:\\"))
    assert clean_registry.handler_for("Get-Item") is None


def test_the_collection_families_load_without_a_second_owner():
    # Importing every family registers every handler: a duplicate owner raises at import.
    registry.load()
    assert registry.handler_for("Test-Path") is not None
    assert "test-path" in registry.EXTENSIONS
