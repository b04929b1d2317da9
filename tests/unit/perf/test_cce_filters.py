# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Cloud Connector rollout's filters: sites in parallel, each one appliance at a time (issue #16)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.server.plugins.filter import cce


def inventory(**sites):
    """hostvars for appliances named <site><n>.contoso.com; a trailing '*' marks one left in update mode."""
    hostvars, hosts = {}, []
    for site, names in sites.items():
        for name in names:
            host = f"{name.rstrip('*')}.contoso.com"
            hosts.append(host)
            hostvars[host] = {"cce_site": site,
                              "cce_patch_preflight_info": {"appliance": {"update_mode": name.endswith("*")}}}
    return hosts, hostvars


def test_sites_run_side_by_side_each_one_appliance_at_a_time():
    hosts, hostvars = inventory(Amsterdam=["ams1", "ams2", "ams3"], Lisbon=["lis1"], Oslo=["osl1", "osl2"])
    plan = cce.cce_site_plan(hosts, hostvars, accept_downtime=["Lisbon"])
    assert plan["waves"] == [["ams1.contoso.com", "lis1.contoso.com", "osl1.contoso.com"],
                             ["ams2.contoso.com", "osl2.contoso.com"], ["ams3.contoso.com"]]
    assert plan["batches"] == [3, 2, 1] and plan["order"] == [h for w in plan["waves"] for h in w]
    assert plan["refused"] == [] and plan["sizes"] == {"Amsterdam": 3, "Lisbon": 1, "Oslo": 2}
    for wave in plan["waves"]:
        assert len({hostvars[h]["cce_site"] for h in wave}) == len(wave)


def test_a_cap_on_sites_at_once_lets_the_next_site_in_when_one_is_done():
    hosts, hostvars = inventory(Amsterdam=["ams1", "ams2", "ams3"], Lisbon=["lis1", "lis2"], Oslo=["osl1", "osl2"])
    plan = cce.cce_site_plan(hosts, hostvars, sites_at_once=2)
    assert plan["waves"] == [["ams1.contoso.com", "lis1.contoso.com"], ["ams2.contoso.com", "lis2.contoso.com"],
                             ["ams3.contoso.com", "osl1.contoso.com"], ["osl2.contoso.com"]]
    one = cce.cce_site_plan(hosts, hostvars, sites_at_once=1)
    assert one["batches"] == [1] * 7 and one["order"] == hosts


def test_sites_need_not_be_listed_together_and_an_appliance_left_out_of_ha_goes_first():
    hosts, hostvars = inventory(Amsterdam=["ams1"], Lisbon=["lis1"])
    more, more_vars = inventory(Amsterdam=["ams2*"], Lisbon=["lis2"])
    plan = cce.cce_site_plan(hosts + more, {**hostvars, **more_vars})
    assert plan["sites"] == {"Amsterdam": ["ams2.contoso.com", "ams1.contoso.com"],
                             "Lisbon": ["lis1.contoso.com", "lis2.contoso.com"]}
    assert plan["waves"][0] == ["ams2.contoso.com", "lis1.contoso.com"]


def test_single_appliance_sites_are_refused_unless_their_downtime_is_accepted():
    hosts, hostvars = inventory(Amsterdam=["ams1", "ams2"], Lisbon=["lis1"], Porto=["por1"])
    assert cce.cce_site_plan(hosts, hostvars)["refused"] == ["Lisbon", "Porto"]
    assert cce.cce_site_plan(hosts, hostvars, accept_downtime=["Porto"])["refused"] == ["Lisbon"]


@pytest.mark.parametrize("at_once, message", [(0, "at least 1"), ("many", "whole number")])
def test_a_bad_cap_is_refused(at_once, message):
    hosts, hostvars = inventory(Amsterdam=["ams1"])
    with pytest.raises(AnsibleFilterError, match=message):
        cce.cce_site_plan(hosts, hostvars, sites_at_once=at_once)


def test_an_appliance_without_a_site_is_named():
    with pytest.raises(AnsibleFilterError, match="ams9.contoso.com"):
        cce.cce_site_plan(["ams9.contoso.com"], {"ams9.contoso.com": {}})


def test_pending_updates_of_the_host_and_its_vms_are_counted():
    vms = {"results": [{"pending": [{"kb": "KB1"}, {"kb": "KB2"}]}, {"pending": []}, {"skipped": True}]}
    assert cce.cce_pending_count({"pending": [{"kb": "KB3"}]}, vms) == 3
    assert cce.cce_pending_count({"pending": []}, {"results": []}) == 0


APPLIANCES = [
    {"name": "AMS1", "site": "Amsterdam", "maintenance_mode": False, "in_ha": True},
    {"name": "AMS2", "site": "Amsterdam", "maintenance_mode": False, "in_ha": True},
    {"name": "LIS1", "site": "Lisbon", "maintenance_mode": True, "in_ha": False},
]


def test_an_appliance_leaves_ha_only_while_another_of_its_site_serves():
    check = cce.cce_ha_check(APPLIANCES, "ams1.contoso.com", "Amsterdam")
    assert check["ok"] and check["others_in_ha"] == ["AMS2"] and check["known"]
    # Another site's appliance out of HA (its own wave) does not hold this site back.
    assert check["others_out_of_ha"] == []
    busy = [dict(APPLIANCES[0]), dict(APPLIANCES[1], maintenance_mode=True, in_ha=False)]
    refused = cce.cce_ha_check(busy, "ams1.contoso.com", "Amsterdam")
    assert not refused["ok"]
    assert refused["reasons"] == ["AMS2 of Amsterdam already out of HA",
                                  "no other appliance of Amsterdam in HA (the site is not in cce_patch_accept_downtime)"]


def test_a_single_appliance_site_leaves_ha_only_with_its_downtime_accepted():
    alone = [dict(APPLIANCES[2], maintenance_mode=False, in_ha=True)]
    assert not cce.cce_ha_check(alone, "lis1.contoso.com", "Lisbon")["ok"]
    assert cce.cce_ha_check(alone, "lis1.contoso.com", "Lisbon", ["Lisbon"])["ok"]


def test_a_failure_halts_its_site_and_the_summary_says_which_sites_finished():
    hosts, hostvars = inventory(Amsterdam=["ams1", "ams2"], Lisbon=["lis1", "lis2"], Oslo=["osl1"])
    plan = cce.cce_site_plan(hosts, hostvars, accept_downtime=["Oslo"])
    reports = {"ams1.contoso.com": "patched", "lis1.contoso.com": "failed", "osl1.contoso.com": "patched",
               "ams2.contoso.com": "not started: the rollout halted at lis1.contoso.com",
               "lis2.contoso.com": "not started: the rollout halted at lis1.contoso.com"}
    for host, outcome in reports.items():
        hostvars[host]["cce_patch_report"] = {"outcome": outcome}
    assert cce.cce_halted(hosts, hostvars) == ["lis1.contoso.com"]
    outcomes = cce.cce_site_outcomes(plan, hostvars)
    assert outcomes["Lisbon"]["status"] == "halted at lis1.contoso.com"
    assert outcomes["Lisbon"]["not_reached"] == ["lis2.contoso.com"]
    assert outcomes["Amsterdam"] == {"status": "stopped: another site failed", "done": ["ams1.contoso.com"],
                                     "failed": [], "not_reached": ["ams2.contoso.com"]}
    assert outcomes["Oslo"]["status"] == "finished"
