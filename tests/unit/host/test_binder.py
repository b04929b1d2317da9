# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The documented-signature binder: it must refuse what PowerShell's binder refuses, and accept
what the documentation shows working."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.errors import BindError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall
from ansible_collections.sfb.server.plugins.plugin_utils.host.signatures import (
    COMMON_PARAMETERS, Signatures, documented,
)


def bind(cmdlet, parameters=None):
    return documented().bind(cmdlet, parameters or {})


def refused(cmdlet, parameters=None) -> BindError:
    with pytest.raises(BindError) as caught:
        bind(cmdlet, parameters)
    return caught.value


def _param(name, type_="String", mandatory=False, switch=False, **extra):
    return {"name": name, "type": type_, "mandatory": mandatory, "switch": switch, **extra}


# A made-up cmdlet whose sets exercise the set-resolution rules without depending on any page.
TOY = {
    "Set-Toy": {
        "module": "Toys",
        "common_parameters": True,
        "parameter_sets": [
            {"name": "ByName", "parameters": [_param("Name", mandatory=True), _param("Colour"),
                                              _param("Loud", "SwitchParameter", switch=True)]},
            {"name": "ById", "parameters": [_param("Id", "Int32", mandatory=True), _param("Colour"),
                                            _param("Loud", "SwitchParameter", switch=True)]},
        ],
    },
    "Get-Toy": {
        "module": "Toys",
        "common_parameters": True,
        "parameter_sets": [
            {"name": "__syntax_1", "name_documented": False, "parameters": [_param("Shelf"), _param("Box")]},
            {"name": "__syntax_2", "name_documented": False, "parameters": [_param("Shelf"), _param("Bag")]},
        ],
    },
    "Get-Marked": {
        "module": "Toys",
        "common_parameters": True,
        "parameter_sets": [
            {"name": "First", "parameters": [_param("Shelf")]},
            {"name": "Second", "default": True, "parameters": [_param("Shelf")]},
        ],
    },
    "Get-Bare": {
        "module": "Toys",
        "common_parameters": False,
        "parameter_sets": [{"name": "__AllParameterSets", "parameters": [_param("Path")]}],
    },
    "Set-Mode": {
        "module": "Toys",
        "common_parameters": True,
        "parameter_sets": [{"name": "__AllParameterSets", "parameters": [
            _param("Mode", allowed_values=["Fast", "Slow"]),
            _param("Roles", "System.Array", allowed_values=["Cms", "MS", "Edge"]),
            _param("Enabled", "Boolean"),
            _param("Pages", "Int32", aliases=["PageCount"]),
        ]}],
    },
}


@pytest.fixture
def toys():
    return Signatures(TOY)


class TestNames:
    def test_exact_name_binds_and_keeps_the_documented_spelling(self):
        binding = bind("Get-CsWindowsService", {"name": "RTCSRV"})
        assert dict(binding.parameters) == {"Name": "RTCSRV"}
        assert binding.module == "SkypeForBusiness"

    def test_cmdlet_name_is_case_insensitive_and_canonicalised(self):
        assert bind("get-cswindowsservice").cmdlet == "Get-CsWindowsService"

    def test_unknown_cmdlet_is_refused_like_powershell(self):
        error = refused("Get-CsNoSuchThing")
        assert "The term 'Get-CsNoSuchThing'" in error.msg
        assert "signatures" in error.hint

    def test_unambiguous_prefix_binds_to_the_full_name(self):
        assert dict(bind("Get-CsWindowsService", {"Comp": "fe01"}).parameters) == {"ComputerName": "fe01"}
        assert dict(bind("Get-CsWindowsService", {"Excl": True}).parameters) == {"ExcludeActivityLevel": True}

    def test_ambiguous_prefix_lists_the_candidates(self):
        # -W could be -WhatIf (documented) or -WarningAction/-WarningVariable (common parameters).
        error = refused("Stop-CsWindowsService", {"W": True})
        assert "ambiguous" in error.msg
        for candidate in ("-WhatIf", "-WarningAction", "-WarningVariable"):
            assert candidate in error.msg

    def test_ambiguous_prefix_among_common_parameters(self):
        error = refused("Get-CsWindowsService", {"Out": "x"})
        assert "-OutBuffer" in error.msg and "-OutVariable" in error.msg

    def test_exact_name_wins_over_being_a_prefix_of_another(self, toys):
        # "Shelf" is complete; it must not be treated as a prefix.
        assert dict(toys.bind("Get-Marked", {"Shelf": "a"}).parameters) == {"Shelf": "a"}

    def test_documented_alias_binds_to_the_parameter(self):
        assert dict(bind("Stop-CsWindowsService", {"wi": True}).parameters) == {"WhatIf": True}
        binding = bind("Import-CsCertificate", {"Path": r"C:\c.pfx", "EffectiveTime": "2026-01-01"})
        assert "EffectiveDate" in binding.parameters

    def test_prefix_of_an_alias_binds_to_its_parameter(self):
        # Import-CsCertificate documents EffectiveTime as an alias of -EffectiveDate.
        binding = bind("Import-CsCertificate", {"Path": r"C:\c.pfx", "EffectiveT": "2026-01-01"})
        assert "EffectiveDate" in binding.parameters

    def test_prefix_matching_a_name_and_another_parameters_alias_is_ambiguous(self, toys):
        # "Pa" starts both Pages and its alias PageCount: one parameter, so not ambiguous.
        assert dict(toys.bind("Set-Mode", {"Pa": 1}).parameters) == {"Pages": 1}
        signatures = Signatures({"Get-Two": {"module": "M", "common_parameters": False, "parameter_sets": [
            {"name": "A", "parameters": [_param("Server"), _param("Name", aliases=["ServiceName"])]}]}})
        error = pytest.raises(BindError, signatures.bind, "Get-Two", {"Ser": "x"}).value
        assert "ambiguous" in error.msg and "-Server" in error.msg and "-Name" in error.msg

    def test_alias_of_a_made_up_parameter(self, toys):
        assert dict(toys.bind("Set-Mode", {"pagecount": 3}).parameters) == {"Pages": 3}

    def test_unknown_parameter_message_reads_like_powershell(self):
        error = refused("Get-CsWindowsService", {"Service": "RTCSRV"})
        assert "a parameter cannot be found that matches parameter name 'Service'" in error.msg
        assert error.details["parameter"] == "Service"
        assert "ComputerName" in error.hint and "ExcludeActivityLevel" in error.hint

    def test_dash_in_the_name_is_refused(self):
        assert "without a dash" in refused("Get-CsWindowsService", {"-Name": "RTCSRV"}).msg

    def test_same_parameter_twice_is_refused(self):
        error = refused("Get-CsWindowsService", {"Name": "RTCSRV", "N": "RTCMEDSRV"})
        assert "more than once" in error.msg


class TestValues:
    @pytest.mark.parametrize("value", ["yes", 1, None, "True"])
    def test_switch_takes_only_a_boolean(self, value):
        error = refused("Get-CsWindowsService", {"ExcludeActivityLevel": value})
        assert "is a switch" in error.msg

    def test_switch_false_is_a_valid_binding(self):
        assert dict(bind("Get-CsWindowsService", {"ExcludeActivityLevel": False}).parameters) == {
            "ExcludeActivityLevel": False}

    def test_value_parameter_refuses_none(self):
        assert "needs a value" in refused("Get-CsWindowsService", {"Name": None}).msg

    @pytest.mark.parametrize("value", [True, False])
    def test_string_parameter_refuses_a_boolean(self, value):
        assert "not a boolean" in refused("Get-CsWindowsService", {"Name": value}).msg

    def test_boolean_typed_parameter_accepts_a_boolean(self, toys):
        assert dict(toys.bind("Set-Mode", {"Enabled": False}).parameters) == {"Enabled": False}
        binding = bind("Import-CsCertificate", {"Path": r"C:\c.pfx", "PrivateKeyExportable": True})
        assert binding.parameters["PrivateKeyExportable"] is True

    def test_common_switches_take_booleans(self):
        assert dict(bind("Get-CsWindowsService", {"vb": True}).parameters) == {"Verbose": True}
        assert "is a switch" in refused("Get-CsWindowsService", {"Debug": "x"}).msg

    def test_common_value_parameter_and_its_alias(self):
        assert dict(bind("Get-CsWindowsService", {"ea": "Stop"}).parameters) == {"ErrorAction": "Stop"}
        assert dict(bind("Get-CsWindowsService", {"WarningAction": "SilentlyContinue"}).parameters) == {
            "WarningAction": "SilentlyContinue"}

    def test_common_parameters_are_refused_where_the_page_says_there_are_none(self, toys):
        error = pytest.raises(BindError, toys.bind, "Get-Bare", {"Verbose": True}).value
        assert "cannot be found" in error.msg

    def test_every_common_parameter_binds_on_a_cmdlet_that_has_them(self):
        for name in COMMON_PARAMETERS:
            value = True if name in ("Debug", "Verbose") else "x"
            assert name in bind("Get-CsComputer", {name: value}).parameters

    def test_allowed_values_are_checked_case_insensitively(self):
        assert dict(bind("Get-CcVersion", {"VersionType": "runningbits"}).parameters) == {
            "VersionType": "runningbits"}
        error = refused("Get-CcVersion", {"VersionType": "Latest"})
        assert "not one of the documented values" in error.msg and "RunningBits" in error.msg

    def test_allowed_values_apply_to_each_element_of_an_array(self, toys):
        # Update-CcServerCertificate -Roles takes an array whose elements are Cms, MS or Edge.
        assert toys.bind("Set-Mode", {"Roles": ["Cms", "Edge"]}).parameters["Roles"] == ["Cms", "Edge"]
        assert bind("Update-CcServerCertificate", {"Roles": ["Cms", "MS"]}).parameters["Roles"] == ["Cms", "MS"]
        error = pytest.raises(BindError, toys.bind, "Set-Mode", {"Roles": ["Cms", "Bogus"]}).value
        assert "Bogus" in error.msg


class TestParameterSets:
    def test_get_cscomputer_local(self):
        binding = bind("Get-CsComputer", {"Local": True})
        assert binding.parameter_set == "Identity"

    def test_bare_get_cscomputer_binds_to_the_first_documented_set(self):
        # Both Identity and Filter are complete with no parameters; platyPS writes the default first.
        assert bind("Get-CsComputer").parameter_set == "Identity"

    def test_parameters_from_two_sets_are_refused(self):
        error = refused("Get-CsComputer", {"Identity": "fe01.contoso.com", "Filter": "*.contoso.com"})
        assert "no documented parameter set holds them all" in error.msg

    def test_graceful_stop_binds(self):
        assert bind("Stop-CsWindowsService", {"Graceful": True, "Name": "RTCSRV"}).parameter_set == "Name"

    def test_graceful_start_does_not_exist(self):
        # Start-CsWindowsService has no -Graceful (the reference notes it; only Stop has it).
        error = refused("Start-CsWindowsService", {"Graceful": True})
        assert "a parameter cannot be found that matches parameter name 'Graceful'" in error.msg

    def test_start_cspool_needs_its_pool(self):
        error = refused("Start-CsPool")
        assert error.details["missing"] == ["PoolFqdn"]
        assert "missing mandatory parameters: PoolFqdn" in error.msg
        assert bind("Start-CsPool", {"PoolFqdn": "pool01.contoso.com"}).parameter_set == "__AllParameterSets"

    def test_request_cscertificate_new_needs_its_mandatory_parameters(self):
        error = refused("Request-CsCertificate", {"New": True})
        assert "Type" in error.details["missing"]
        binding = bind("Request-CsCertificate", {"New": True, "Type": "Default"})
        assert binding.parameter_set == "ByNew"

    def test_mandatory_switch_selects_its_set(self):
        assert bind("Request-CsCertificate", {"List": True}).parameter_set == "ByList"

    def test_several_incomplete_sets_name_what_each_needs(self, toys):
        error = pytest.raises(BindError, toys.bind, "Set-Toy", {"Colour": "red"}).value
        assert "ByName needs Name" in error.msg and "ById needs Id" in error.msg

    def test_parameter_present_in_one_set_picks_it(self, toys):
        assert toys.bind("Set-Toy", {"Id": 3, "Loud": True}).parameter_set == "ById"

    def test_ambiguity_among_unnamed_sets_is_refused(self, toys):
        error = pytest.raises(BindError, toys.bind, "Get-Toy", {"Shelf": "top"}).value
        assert "__syntax_1" in error.msg and "__syntax_2" in error.msg and "none is the default" in error.msg
        assert toys.bind("Get-Toy", {"Shelf": "top", "Bag": "b"}).parameter_set == "__syntax_2"

    def test_real_ambiguity_install_ccappliance_steps(self):
        # The Cloud Connector page gives three syntax lines and no set names: -Steps fits the first two.
        error = refused("Install-CcAppliance", {"Steps": [1, 2]})
        assert "none is the default" in error.msg
        assert bind("Install-CcAppliance", {"Steps": [1], "PrepareOnly": True}).parameter_set == "__syntax_2"

    def test_a_set_marked_default_wins_over_the_first(self, toys):
        assert toys.bind("Get-Marked", {"Shelf": "x"}).parameter_set == "Second"

    def test_real_marked_default_set(self):
        # Import-CsCertificate documents Local as "(Default)"; only -Path given fits Local.
        assert bind("Import-CsCertificate", {"Path": r"C:\c.pfx"}).parameter_set == "Local"

    def test_common_parameters_do_not_restrict_the_set(self):
        assert bind("Start-CsPool", {"PoolFqdn": "p", "Verbose": True, "ErrorAction": "Stop"}).parameter_set \
            == "__AllParameterSets"


class TestCmdletCallBinds:
    def test_call_is_bound_when_created(self):
        with pytest.raises(BindError):
            CmdletCall("Start-CsWindowsService", {"Graceful": True})

    def test_call_keeps_the_canonical_parameter_names(self):
        call = CmdletCall("Stop-CsWindowsService", {"grace": True, "name": "RTCSRV"})
        assert dict(call.parameters) == {"Graceful": True, "Name": "RTCSRV"}
        assert call.parameter_set == "Name"
        assert call.module == "SkypeForBusiness"

    def test_is_switch_knows_documented_and_common_switches(self):
        assert documented().is_switch("Stop-CsWindowsService", "Graceful")
        assert documented().is_switch("Stop-CsWindowsService", "Verbose")
        assert not documented().is_switch("Stop-CsWindowsService", "Name")
