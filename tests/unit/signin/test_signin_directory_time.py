# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""msRTCSIP-UserEnabled (listed, changed only on request) and the time check through w32tm on the twin."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.action.sip_user_enabled import ActionModule as SipUsers
from ansible_collections.sfb.server.plugins.action.time_sync_info import ActionModule as TimeSync
from ansible_collections.sfb.server.plugins.plugin_utils.domain import signin
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument, PowerShellModuleMissing, SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost
from signin_worlds import make, run, sip_enabled


def users(**extra):
    return {"enable": False, "users": [], "search_base": None, "server": None, **extra}


class TestSipUserEnabled:
    def test_the_false_users_are_listed_and_nothing_changes_without_enable(self, tmp_path):
        store = make(tmp_path)
        before = sip_enabled(store)
        result = run(SipUsers, store, "dc01.contoso.com", users())
        assert [u["sam_account_name"] for u in result["disabled_users"]] == ["ann", "bob"]
        assert result["changed"] is False and result["changed_users"] == []
        assert result["check"]["status"] == "fail"
        assert "ann@contoso.com, bob@contoso.com" in result["check"]["reason"]
        assert sip_enabled(store) == before

    def test_enable_sets_true_lists_the_changed_users_and_is_idempotent(self, tmp_path):
        store = make(tmp_path)
        result = run(SipUsers, store, "dc01.contoso.com", users(enable=True))
        assert result["changed"] is True
        assert result["changed_users"] == ["ann@contoso.com", "bob@contoso.com"]
        assert result["remaining_users"] == []
        assert (result["check"]["status"], result["check"]["changed"]) == ("pass", True)
        assert "DirSync" in result["check"]["action"]
        assert sip_enabled(store) == {"bob": True, "ann": True, "joe": True, "new": None}
        again = run(SipUsers, store, "dc01.contoso.com", users(enable=True))
        assert again["changed"] is False and again["changed_users"] == [] and again["disabled_users"] == []

    def test_enable_can_be_limited_to_named_users(self, tmp_path):
        store = make(tmp_path)
        result = run(SipUsers, store, "dc01.contoso.com", users(enable=True, users=["BOB"]))
        assert result["changed_users"] == ["bob@contoso.com"]
        assert result["remaining_users"] == ["ann@contoso.com"]
        assert result["check"]["status"] == "fail" and result["check"]["changed"] is True
        assert sip_enabled(store)["ann"] is False

    def test_a_named_user_that_is_not_disabled_fails_before_any_change(self, tmp_path):
        store = make(tmp_path)
        with pytest.raises(SfbError, match="joe"):
            run(SipUsers, store, "dc01.contoso.com", users(enable=True, users=["bob", "joe"]))
        assert sip_enabled(store)["bob"] is False

    def test_check_mode_shows_the_change_and_makes_none(self, tmp_path):
        store = make(tmp_path)
        result = run(SipUsers, store, "dc01.contoso.com", users(enable=True), check_mode=True)
        assert result["changed"] is True
        assert result["changed_users"] == ["ann@contoso.com", "bob@contoso.com"]
        assert result["commands"][0].startswith("Set-ADUser -Identity 'CN=ann,CN=Users,DC=contoso,DC=com' -Replace")
        assert result["diff"]["after"] == {"disabled": []}
        assert sip_enabled(store)["bob"] is False

    def test_search_base_limits_the_search(self, tmp_path):
        store = make(tmp_path)
        result = run(SipUsers, store, "dc01.contoso.com", users(search_base="OU=Sales,DC=contoso,DC=com"))
        assert [u["sam_account_name"] for u in result["disabled_users"]] == ["bob"]

    def test_a_users_computer_has_no_active_directory_module(self, tmp_path):
        store = make(tmp_path)
        with pytest.raises(PowerShellModuleMissing):
            run(SipUsers, store, "pc01.contoso.com", users())

    def test_the_twin_refuses_a_filter_ad_would_refuse(self, tmp_path):
        store = make(tmp_path)
        answer = TwinHost(store, "dc01.contoso.com").run(
            Plan.of(CmdletCall("Get-ADUser", {"LDAPFilter": "(&(objectClass=user)"})))
        assert answer.results[0].error.message == "The search filter cannot be recognized"


def time_args(**extra):
    return {"reference": "time.windows.com", "samples": 1, "max_skew": 5.0, **extra}


class TestTime:
    @pytest.mark.parametrize("check_mode", [False, True])
    def test_a_synchronised_clock_within_the_skew_passes_in_both_modes(self, tmp_path, check_mode):
        store = make(tmp_path)
        result = run(TimeSync, store, "dc01.contoso.com", time_args(), check_mode=check_mode)
        assert result["check"]["status"] == "pass", result["check"]
        assert result["check"]["details"]["skew_seconds"] == pytest.approx(0.012)
        assert result["changed"] is False

    def test_a_clock_on_its_own_cmos_fails(self, tmp_path):
        result = run(TimeSync, make(tmp_path), "dc02.contoso.com", time_args())
        assert result["check"]["status"] == "fail"
        assert "not synchronised" in result["check"]["reason"]
        assert "816042" in result["check"]["action"]

    def test_a_skew_beyond_the_threshold_fails(self, tmp_path):
        result = run(TimeSync, make(tmp_path), "dc03.contoso.com", time_args())
        assert result["check"]["status"] == "fail"
        assert "42.500 s away from time.windows.com" in result["check"]["reason"]
        assert run(TimeSync, make(tmp_path / "b"), "dc03.contoso.com", time_args(max_skew=60))["check"]["status"] == "pass"

    def test_a_stopped_time_service_is_not_checked(self, tmp_path):
        result = run(TimeSync, make(tmp_path), "dc04.contoso.com", time_args())
        assert result["check"]["status"] == "not_checked"
        assert "0x80070426" in result["check"]["reason"]

    def test_an_unreachable_reference_leaves_the_skew_unmeasured(self, tmp_path):
        result = run(TimeSync, make(tmp_path), "dc05.contoso.com", time_args())
        assert result["check"]["status"] == "not_checked"
        assert "0x800705B4" in result["check"]["reason"]

    def test_without_a_reference_only_the_source_is_judged(self, tmp_path):
        result = run(TimeSync, make(tmp_path), "dc03.contoso.com", time_args(reference=None))
        assert result["check"]["status"] == "pass"
        assert "skew not measured" in result["check"]["reason"]

    @pytest.mark.parametrize("bad", [{"reference": "time.windows.com /config"}, {"samples": 0}, {"max_skew": 0}])
    def test_bad_arguments_are_refused(self, tmp_path, bad):
        with pytest.raises(InvalidArgument):
            run(TimeSync, make(tmp_path), "dc01.contoso.com", time_args(**bad))


class TestW32tmParsing:
    def test_a_localised_output_is_not_guessed_at(self):
        french = "Indicateur de saut : 0(aucun avertissement)\nStrate : 3\nSource : time.windows.com,0x9\n"
        check = signin.check_time("dc", french, None, None, 5.0)
        assert check.status == "not_checked"

    def test_the_hyper_v_time_provider_is_not_an_external_source(self):
        status = "Leap Indicator: 0(no warning)\nStratum: 2 (secondary reference)\nSource: VM IC Time Synchronization Provider\n"
        assert signin.check_time("dc", status, None, None, 5.0).status == "fail"

    def test_stripchart_lines_with_either_decimal_separator_and_without_dataonly(self):
        text = ("Tracking x [1.2.3.4:123].\n12:00:00, +00,1250000s\n12:00:02, d:+00.0468s o:-01.5000000s\n"
                "12:00:04, error: 0x800705B4\n")
        assert signin.parse_stripchart(text) == {"offsets": [0.125, -1.5], "errors": ["0x800705B4"]}
