# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TwinHost: the Host seam answered by the twin (plans, reboots, Windows updates, round trips)."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.errors import (
    HostUnreachable, SfbError, StepFailed, WaitTimedOut,
)
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import REBOOT_SECONDS, TwinHost

from twinworlds import FRONT_ENDS, kinds, look, three_front_ends

FE1, FE2, FE3 = FRONT_ENDS

UPDATES = [
    {"kb": "KB5031234", "title": "Cumulative update", "minutes": 20, "reboot": True},
    {"kb": "KB5030001", "title": "Defender definitions", "minutes": 2, "reboot": False, "category": "DefinitionUpdates"},
    {"kb": "KB5039999", "title": "Servicing stack", "minutes": 5, "reboot": False},
]


def _world(make_world, **server):
    return make_world(three_front_ends(servers=[{"fqdn": FE1, **server}, FE2, FE3]))


def test_read_runs_calls_and_counts_round_trips(make_world, fake_time):
    host = TwinHost(_world(make_world), FE1)
    result = host.read(CmdletCall("Get-CsServerVersion"),
                       CmdletCall("Get-CsComputer", {"Local": True}, select=("Fqdn", "Pool")))
    assert result.output(1) == [{"Fqdn": FE1, "Pool": "pool01.contoso.com"}]
    assert host.round_trips == 1, "one plan is one round trip, however many steps"
    host.read(CmdletCall("Get-CsSite", select=("Identity",)))
    assert host.round_trips == 2


def test_read_raises_on_the_first_failing_step(make_world, fake_time):
    host = TwinHost(_world(make_world), FE1)
    with pytest.raises(StepFailed) as info:
        host.read(CmdletCall("Get-CsComputer", {"Identity": "nobody.contoso.com"}, select=("Fqdn",)))
    assert info.value.details["category"] == "ObjectNotFound"
    assert 'Cannot find "Computer" "nobody.contoso.com"' in info.value.msg


def test_check_mode_refuses_a_changing_plan_before_it_reaches_the_world(make_world, fake_time):
    store = _world(make_world)
    host = TwinHost(store, FE1, check_mode=True)
    with pytest.raises(SfbError) as info:
        host.run(Plan.of(CmdletCall("Stop-CsWindowsService", {"Name": "RTCSRV"})))
    assert "Refusing to change fe01.contoso.com in check mode" in info.value.msg
    assert look(store, FE1)["services"]["RTCSRV"]["status"] == "Running"
    assert host.round_trips == 0


# -- reboot ------------------------------------------------------------------------------------


def test_reboot_returns_when_the_server_is_back(make_world, fake_time):
    store = _world(make_world)
    host = TwinHost(store, FE1)
    answer = host.reboot("patch", timeout=1800)
    assert answer["rebooted"] is True
    assert REBOOT_SECONDS <= answer["elapsed"] <= REBOOT_SECONDS + 15
    node = look(store, FE1)
    assert node["power"] == "on"
    assert node["services"]["RTCSRV"]["status"] == "Running"
    assert [e["kind"] for e in kinds(store, "reboot_started", "reboot_finished")] == ["reboot_started", "reboot_finished"]
    assert host.round_trips == 1


def test_reboot_of_a_server_that_does_not_return_raises_host_unreachable(make_world, fake_time):
    store = _world(make_world, faults={"no_return_after_reboot": True})
    host = TwinHost(store, FE1)
    started = host.now()
    with pytest.raises(HostUnreachable) as info:
        host.reboot("patch", timeout=900)
    assert info.value.msg == f"{FE1} did not come back within 900 seconds of its restart."
    assert 900 - 15 <= host.now() - started <= 900 + 15, "gave up at the timeout, in virtual time"
    assert look(store, FE1)["power"] == "down"


def test_reboot_of_an_unreachable_server_is_refused(make_world, fake_time):
    store = _world(make_world, faults={"unreachable": True})
    with pytest.raises(HostUnreachable):
        TwinHost(store, FE1).reboot("patch", timeout=900)
    assert kinds(store, "reboot_started") == []


# -- Windows updates ---------------------------------------------------------------------------


def test_install_updates_takes_virtual_time_and_waits_for_the_reboot(make_world, fake_time):
    store = _world(make_world, pending_updates=UPDATES)
    host = TwinHost(store, FE1)
    started = host.now()
    run = host.install_updates(categories=[], reject=[], timeout=3600)
    assert host.now() - started == pytest.approx((20 + 2 + 5) * 60, abs=1)
    assert [u["kb"] for u in run.installed] == ["KB5031234", "KB5030001", "KB5039999"]
    assert run.failed == [] and run.reboot_required is True
    node = look(store, FE1)
    assert node["updates"]["pending"] == []
    assert [u["kb"] for u in node["updates"]["installed"]] == ["KB5030001", "KB5039999"]
    assert [u["kb"] for u in node["updates"]["awaiting_reboot"]] == ["KB5031234"]
    assert node["pending_reboot"] is True
    host.reboot("updates", timeout=1800)
    node = look(store, FE1)
    assert [u["kb"] for u in node["updates"]["installed"]] == ["KB5030001", "KB5039999", "KB5031234"]
    assert node["pending_reboot"] is False and node["updates"]["awaiting_reboot"] == []
    assert kinds(store, "updates_installed")[0]["detail"] == {
        "kbs": ["KB5031234", "KB5030001", "KB5039999"], "failed": []}


def test_install_updates_filters_by_category_and_reject_list(make_world, fake_time):
    store = _world(make_world, pending_updates=UPDATES)
    host = TwinHost(store, FE1)
    run = host.install_updates(categories=["SecurityUpdates"], reject=["KB5039999"], timeout=3600)
    assert [u["kb"] for u in run.installed] == ["KB5031234"]
    assert sorted(u["kb"] for u in look(store, FE1)["updates"]["pending"]) == ["KB5030001", "KB5039999"]


def test_an_update_that_fails_stays_pending(make_world, fake_time):
    store = _world(make_world, pending_updates=UPDATES, faults={"update_fails": ["KB5039999"]})
    run = TwinHost(store, FE1).install_updates(categories=[], reject=[], timeout=3600)
    assert [u["kb"] for u in run.failed] == ["KB5039999"]
    assert [u["kb"] for u in run.installed] == ["KB5031234", "KB5030001"]
    assert [u["kb"] for u in look(store, FE1)["updates"]["pending"]] == ["KB5039999"]
    assert kinds(store, "updates_installed")[0]["detail"]["failed"] == ["KB5039999"]


def test_install_updates_longer_than_the_timeout_is_refused(make_world, fake_time):
    store = _world(make_world, pending_updates=UPDATES)
    host = TwinHost(store, FE1)
    with pytest.raises(WaitTimedOut) as info:
        host.install_updates(categories=[], reject=[], timeout=600)
    assert "takes 27 minutes, more than the 600 seconds allowed" in info.value.msg
    assert len(look(store, FE1)["updates"]["pending"]) == 3, "nothing was installed"


def test_install_updates_with_nothing_pending(make_world, fake_time):
    store = _world(make_world)
    run = TwinHost(store, FE1).install_updates(categories=[], reject=[], timeout=60)
    assert (run.installed, run.failed, run.reboot_required) == ([], [], False)


def test_search_updates_lists_what_install_would_take_and_changes_nothing(make_world, fake_time):
    store = _world(make_world, pending_updates=UPDATES)
    host = TwinHost(store, FE1)
    found = host.search_updates(categories=["SecurityUpdates"], reject=["KB5039999"])
    assert found == [{"kb": "KB5031234", "title": "Cumulative update", "category": "SecurityUpdates"}]
    assert fake_time.slept == [] and host.round_trips == 1
    assert len(look(store, FE1)["updates"]["pending"]) == 3
    run = host.install_updates(categories=["SecurityUpdates"], reject=["KB5039999"], timeout=3600)
    assert [u["kb"] for u in run.installed] == [u["kb"] for u in found]
