# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure maintenance decisions: marker, startup types, quorum verdicts, readiness, fabric text."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.domain import maintenance as m
from ansible_collections.sfb.server.plugins.plugin_utils.errors import UnreadableOutput
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError

FOUR = [f"fe0{i}.contoso.com" for i in range(1, 5)]


def test_marker_survives_its_text_form():
    marker = m.Marker(phase="draining", reason="patch", started=12.5, services=["RTCSRV"],
                      startup_types={"RTCSRV": "Automatic"}, failed_over=True, history=[{"drained": 1}])
    again = m.Marker.from_text(marker.to_text())
    assert again == marker


@pytest.mark.parametrize("text", ["", None])
def test_an_empty_marker_means_no_maintenance(text):
    assert m.Marker.from_text(text) is None


@pytest.mark.parametrize("text", ["not json", '{"no_phase": 1}', "[1, 2]"])
def test_a_foreign_marker_is_refused_with_a_hint(text):
    with pytest.raises(SfbError) as error:
        m.Marker.from_text(text)
    assert "did not write" in error.value.msg and error.value.hint


def test_startup_changes_keep_disabled_and_already_manual_services_out():
    current = {"RTCSRV": "Automatic", "RTCATS": "Disabled", "RTCCAA": "Manual", "RTCRGS": "Automatic"}
    assert m.startup_changes(current, "Manual") == {"RTCSRV": "Automatic", "RTCRGS": "Automatic"}


def test_the_marker_of_an_interrupted_run_wins_over_what_is_set_now():
    marker = m.Marker(phase="draining", startup_types={"RTCSRV": "Automatic"})
    # The interrupted run already set RTCSRV to Manual: Manual must not become the "original".
    assert m.merge_remembered(marker, {"RTCSRV": "Manual", "RTCRGS": "Automatic"}) == {
        "RTCSRV": "Automatic", "RTCRGS": "Automatic"}


def _running(*up):
    return {name: name in up for name in FOUR}


def test_a_healthy_four_server_pool_spares_one():
    verdict = m.pool_verdict(FOUR, _running(*FOUR), FOUR[0], "2019")
    assert verdict.can_take_out and verdict.required == 2 and verdict.quorum_without


def test_a_four_server_pool_with_two_running_cannot_spare_either():
    verdict = m.pool_verdict(FOUR, _running(FOUR[0], FOUR[1]), FOUR[0], "2019")
    assert verdict.quorum_now and not verdict.quorum_without
    assert not verdict.can_take_out
    assert "would leave the pool below quorum" in verdict.reasons[0]


def test_a_pool_below_quorum_is_refused_whoever_asks():
    verdict = m.pool_verdict(FOUR, _running(FOUR[2]), FOUR[2], "2019")
    assert not verdict.quorum_now
    assert "below quorum already" in verdict.reasons[0]


def test_the_half_finished_server_may_be_completed_when_the_rest_hold_quorum():
    # fe01 is the server an interrupted run left out of service; fe02-fe03 run: 2 of 4 hold quorum.
    verdict = m.pool_verdict(FOUR, _running(FOUR[1], FOUR[2]), FOUR[0], "2019", already_out=True)
    assert verdict.can_take_out


def test_large_pools_count_only_the_first_servers():
    servers = [f"fe{i:02d}.contoso.com" for i in range(1, 9)]  # 8-9 servers: 4 of the first 7
    running = {name: i >= 4 for i, name in enumerate(servers)}  # fe05..fe08 run: only 3 of the first 7
    verdict = m.pool_verdict(servers, running, servers[7], "2019")
    assert (verdict.required, verdict.among_first) == (4, 7)
    assert not verdict.quorum_now


def _state(state, ready=True):
    return {"PoolUpgradeState": state, "UpgradeDomains": [
        {"UpgradeDomain": "UpgradeDomain1", "FrontEnds": ["fe01.contoso.com"], "ReadyforUpgrade": ready},
        {"UpgradeDomain": "UpgradeDomain2", "FrontEnds": ["fe02.contoso.com"], "ReadyforUpgrade": True}]}


def test_readiness_reads_the_domain_of_the_server():
    readiness = m.read_readiness(_state("Ready", ready=False), "FE01.contoso.com", 1)
    assert readiness.upgrade_domain == "UpgradeDomain1" and readiness.ready_for_upgrade is False
    assert "not ReadyforUpgrade" in readiness.problem()


@pytest.mark.parametrize("state, words", [
    ("Busy", "stayed Busy for 3"),
    ("InsufficientActiveFrontEnds", "InsufficientActiveFrontEnds"),
])
def test_readiness_problems_follow_the_documented_rule(state, words):
    assert words in m.read_readiness(_state(state), "fe01.contoso.com", 3).problem()


@pytest.mark.parametrize("answer", [{"PoolUpgradeState": "Unknown"}, {}, None, {"State": "Ready"}])
def test_an_unreadable_pool_upgrade_state_stops_the_job_whatever_is_accepted(answer):
    with pytest.raises(UnreadableOutput, match="PoolUpgradeState"):
        m.read_readiness(answer, "fe01.contoso.com", 1, accept_unreadable=True)


def test_property_names_are_looked_up_case_insensitively():
    answer = {"poolupgradestate": "busy", "upgradedomains": [
        {"upgradedomain": "UD1", "frontends": ["FE01.contoso.com"], "readyforupgrade": "False"}]}
    readiness = m.read_readiness(answer, "fe01.contoso.com", 1)
    assert (readiness.state, readiness.upgrade_domain, readiness.ready_for_upgrade) == ("Busy", "UD1", False)
    # The blog spelling of the flag is read too (docs/assumptions.md).
    other = m.read_readiness({"PoolUpgradeState": "Ready", "UpgradeDomains": [
        {"Name": "UD1", "Servers": "fe01.contoso.com", "IsReadyForUpgrade": True}]}, "fe01.contoso.com", 1)
    assert other.ready_for_upgrade is True


def test_unreadable_upgrade_domains_stop_the_job_unless_accepted():
    answer = {"PoolUpgradeState": "Ready", "Domains": "UD1: fe01 ready"}
    with pytest.raises(UnreadableOutput) as error:
        m.read_readiness(answer, "fe01.contoso.com", 1)
    assert "rolling_patch_accept_unreadable_readiness" in error.value.hint
    accepted = m.read_readiness(answer, "fe01.contoso.com", 1, accept_unreadable=True)
    assert accepted.state == "Ready" and accepted.ready_for_upgrade is None and not accepted.domains_read


def test_a_ready_domain_has_no_problem():
    assert m.read_readiness(_state("Ready"), "fe01.contoso.com", 1).problem() is None


def test_missing_replicas_are_counted_when_the_text_says_so():
    assert m.read_fabric(["Pool p: routing groups: 48; missing replicas: 3"]).missing_replicas == 3
    assert m.read_fabric("missing replicas: 0\nMissing replica: 2").missing_replicas == 2


def test_a_fabric_text_that_says_nothing_of_replicas_stops_the_job_unless_accepted():
    with pytest.raises(UnreadableOutput, match="Get-CsPoolFabricState") as error:
        m.read_fabric(["All replicas healthy"])
    assert "rolling_patch_accept_unreadable_fabric" in error.value.hint
    assert m.read_fabric(["All replicas healthy"], accept_unreadable=True).missing_replicas is None


def test_missing_replicas_point_to_the_documented_recovery():
    problem = m.fabric_problem("pool01.contoso.com", None, m.read_fabric("missing replicas: 2"))
    assert "Reset-CsPoolRegistrarState -PoolFqdn pool01.contoso.com -ResetType QuorumLossRecovery" in problem
    assert m.fabric_problem("p", None, m.read_fabric("missing replicas: 0")) is None
