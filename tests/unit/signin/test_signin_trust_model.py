# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TrustModelData: the domain is added to the existing value, never replacing it (seed 003)."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.action.trust_model_data import ActionModule, read_calls
from ansible_collections.sfb.server.plugins.plugin_utils.domain import signin
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from signin_worlds import KEY, make, registry, run

PATH = KEY.lower()


def args(*domains):
    return {"domains": list(domains), "key": KEY}


class TestAddNotReplace:
    def test_the_domain_is_appended_and_every_existing_entry_kept(self, tmp_path):
        store = make(tmp_path)
        result = run(ActionModule, store, "pc01.contoso.com", args("contoso.com"))
        assert result["changed"] is True
        assert result["added"] == ["contoso.com"]
        assert registry(store, "pc01.contoso.com")[PATH] == {
            "TrustModelData": "lync.com, outlook.com, contoso.com", "Other": "kept"}
        assert result["diff"] == {"before": {"key": KEY, "TrustModelData": "lync.com, outlook.com"},
                                  "after": {"key": KEY, "TrustModelData": "lync.com, outlook.com, contoso.com"}}
        assert result["commands"] == [f"Set-ItemProperty -Path '{KEY}' -Name 'TrustModelData' "
                                      "-Value 'lync.com, outlook.com, contoso.com'"]
        assert (result["check"]["status"], result["check"]["changed"]) == ("pass", True)

    def test_a_second_run_changes_nothing(self, tmp_path):
        store = make(tmp_path)
        run(ActionModule, store, "pc01.contoso.com", args("contoso.com"))
        again = run(ActionModule, store, "pc01.contoso.com", args("Contoso.COM."))
        assert again["changed"] is False
        assert again["commands"] == [] and "diff" not in again
        assert (again["check"]["status"], again["check"]["changed"]) == ("pass", False)
        assert registry(store, "pc01.contoso.com")[PATH]["TrustModelData"] == "lync.com, outlook.com, contoso.com"

    def test_check_mode_describes_the_change_and_makes_none(self, tmp_path):
        store = make(tmp_path)
        before = registry(store, "pc01.contoso.com")
        result = run(ActionModule, store, "pc01.contoso.com", args("contoso.com", "fabrikam.com"), check_mode=True)
        assert result["changed"] is True
        assert result["value"] == "lync.com, outlook.com, contoso.com, fabrikam.com"
        assert len(result["commands"]) == 1 and "transcript" not in result
        assert result["check"]["status"] == "fail"
        assert "contoso.com, fabrikam.com" in result["check"]["reason"]
        assert "never replacing it" in result["check"]["action"]
        assert registry(store, "pc01.contoso.com") == before

    def test_a_missing_key_is_created_with_the_value(self, tmp_path):
        store = make(tmp_path)
        result = run(ActionModule, store, "pc02.contoso.com", args("contoso.com"))
        assert [c.split(" ")[0] for c in result["commands"]] == ["New-Item", "New-ItemProperty"]
        assert registry(store, "pc02.contoso.com")[PATH] == {"TrustModelData": "contoso.com"}

    def test_an_existing_key_without_the_value_is_never_recreated(self, tmp_path):
        # New-Item -Force on an existing key would recreate it empty and lose "Other".
        store = make(tmp_path)
        result = run(ActionModule, store, "pc03.contoso.com", args("contoso.com"))
        assert [c.split(" ")[0] for c in result["commands"]] == ["New-ItemProperty"]
        assert registry(store, "pc03.contoso.com")[PATH] == {"Other": "kept", "TrustModelData": "contoso.com"}

    def test_a_value_that_is_not_a_string_is_left_alone(self, tmp_path):
        def multi(description):
            description["clients"][0]["registry"][KEY]["TrustModelData"] = ["lync.com", "outlook.com"]

        store = make(tmp_path, multi)
        with pytest.raises(SfbError, match="not a string value"):
            run(ActionModule, store, "pc01.contoso.com", args("contoso.com"))
        assert registry(store, "pc01.contoso.com")[PATH]["TrustModelData"] == ["lync.com", "outlook.com"]


class TestValueRules:
    @pytest.mark.parametrize("current,expected", [
        (None, "contoso.com"),
        ("", "contoso.com"),
        ("a.com,b.com", "a.com,b.com,contoso.com"),
        ("a.com, b.com", "a.com, b.com, contoso.com"),
        ("a.com,", "a.com, contoso.com"),
    ])
    def test_the_existing_separator_is_kept(self, current, expected):
        assert signin.add_trusted_domains(current, ["contoso.com"]) == (expected, ["contoso.com"])

    def test_nothing_is_added_twice(self):
        value, added = signin.add_trusted_domains("CONTOSO.com, lync.com", ["contoso.com", "fabrikam.com", "fabrikam.com"])
        assert (value, added) == ("CONTOSO.com, lync.com, fabrikam.com", ["fabrikam.com"])

    def test_a_bad_domain_is_refused_before_anything_is_read(self, tmp_path):
        store = make(tmp_path)
        with pytest.raises(SfbError, match="not a DNS domain"):
            run(ActionModule, store, "pc01.contoso.com", args("not a domain"))


def test_the_key_test_asks_the_runner_for_its_answer():
    # plan_runner.ps1 discards the output of a step that selects nothing, Booleans included.
    assert read_calls(KEY)[0].to_wire()["select"]
