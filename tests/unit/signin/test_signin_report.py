# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report: every check with its result and action, in Markdown and JSON, written only when it changes."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from ansible_collections.sfb.server.plugins.action.signin_report import ActionModule
from ansible_collections.sfb.server.plugins.plugin_utils.domain import signin
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument

CHECKS = [
    signin.Check("dns", "DNS: sip.contoso.com CNAME sipdir.online.microsoft.com", "contoso.com", "fail",
                 "sip.contoso.com has no CNAME (8.8.8.8: NXDOMAIN).",
                 "Create: sip.contoso.com. 3600 IN CNAME sipdir.online.microsoft.com.").to_dict(),
    signin.Check("time", "Time", "dc01.contoso.com", "pass", "0.012 s from time.windows.com").to_dict(),
    signin.Check("trust_model_data", "TrustModelData", "pc01.contoso.com", "pass", "added | contoso.com",
                 changed=True).to_dict(),
]


def report(tmp_path, check_mode=False, **extra):
    action = ActionModule.__new__(ActionModule)
    action._task = SimpleNamespace(check_mode=check_mode)
    args = {"checks": CHECKS, "dest": str(tmp_path), "name": "signin-report", "scope": {"domains": ["contoso.com"]},
            "guidance": True, "guidance_skip": [], "expected": [], **extra}
    return action.work(args)


def test_the_report_lists_each_check_result_and_action(tmp_path):
    result = report(tmp_path)
    assert result["changed"] is True
    document = json.loads((tmp_path / "signin-report.json").read_text())
    assert document["summary"] == {"pass": 2, "fail": 1, "not_checked": len(signin.GUIDANCE)}
    assert [c["id"] for c in document["checks"][:3]] == ["dns", "time", "trust_model_data"]
    assert any(c["id"] == "guidance.msoidsvc_proxy" and "DisableEx = 0" in c["action"] for c in document["checks"])
    markdown = (tmp_path / "signin-report.md").read_text()
    rows = [line for line in markdown.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert rows[0].startswith("| FAIL | DNS: sip.contoso.com")
    assert "sip.contoso.com. 3600 IN CNAME sipdir.online.microsoft.com." in rows[0]
    assert "| PASS (changed) | TrustModelData |" in markdown
    assert "added \\| contoso.com" in markdown
    assert len(rows) == 3 + len(signin.GUIDANCE)


def test_a_second_report_with_the_same_findings_changes_nothing(tmp_path):
    report(tmp_path)
    first = (tmp_path / "signin-report.json").read_text()
    assert report(tmp_path)["changed"] is False
    assert (tmp_path / "signin-report.json").read_text() == first


def test_check_mode_writes_nothing(tmp_path):
    assert report(tmp_path, check_mode=True)["changed"] is True
    assert list(tmp_path.iterdir()) == []


def test_guidance_items_can_be_left_out_by_name(tmp_path):
    report(tmp_path, guidance_skip=["licence"])
    ids = [c["id"] for c in json.loads((tmp_path / "signin-report.json").read_text())["checks"]]
    assert "guidance.licence" not in ids and "guidance.rsa_folder" in ids
    with pytest.raises(InvalidArgument, match="Known items"):
        report(tmp_path, guidance_skip=["nope"])


def test_something_that_is_not_a_check_is_refused(tmp_path):
    with pytest.raises(InvalidArgument, match=r"checks\[0\]"):
        report(tmp_path, checks=[{"id": "x"}])


def test_an_expected_check_no_host_reported_is_not_checked(tmp_path):
    report(tmp_path, expected=["dns", "time", "sip_user_enabled"], guidance=False)
    checks = json.loads((tmp_path / "signin-report.json").read_text())["checks"]
    assert [(c["id"], c["status"]) for c in checks] == [
        ("dns", "fail"), ("time", "pass"), ("trust_model_data", "pass"), ("sip_user_enabled", "not_checked")]
    assert "group is empty" in checks[-1]["reason"]
