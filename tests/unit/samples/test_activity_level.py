# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Get-CsWindowsService's ActivityLevel (domain/services.py) against every published sample row.

docs/assumptions.md, "Get-CsWindowsService (ActivityLevel)": one string of `Counter Name=value`
pairs joined by commas; the table view cuts it with "…". The collection reads the object property
(plan_runner returns ActivityLevel as a property, never the table), so a cut text can only come
from a view, and the parser refuses it rather than count a cut counter as idle.
"""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.domain import services
from ansible_collections.sfb.server.plugins.plugin_utils.errors import UnreadableOutput
from samples.samples import samples_of, table_rows

COMMAND = "Get-CsWindowsService"

# Per sample and service: the counters read, or UnreadableOutput, and what is read when the risk is
# accepted. A row missing here fails test_every_row_has_an_expectation.
EXPECTED = {
    ("Get-CsWindowsService.1.txt", "RTCSRV"): (UnreadableOutput, {"Incoming Requests per Second": 0.0}),
    ("Get-CsWindowsService.1.txt", "RTCCAA"): ({"Concurrent Calls": 0.0}, {"Concurrent Calls": 0.0}),
    ("Get-CsWindowsService.1.txt", "RTCCAS"): (UnreadableOutput, {}),
}


def _rows():
    for sample in samples_of(COMMAND):
        for row in table_rows(sample.body, ("Status", "Name", "ActivityLevel")):
            yield pytest.param(sample, row, id=f"{sample.id}:{row['Name']}")


ROWS = list(_rows())


def test_there_are_published_rows():
    assert len(ROWS) >= 3


@pytest.mark.parametrize("sample, row", ROWS)
def test_every_row_has_an_expectation(sample, row):
    assert (sample.id, row["Name"]) in EXPECTED, "a new sample row: decide what the parser must make of it"


@pytest.mark.parametrize("sample, row", ROWS)
def test_the_parser_reads_or_refuses_each_published_row(sample, row):
    strict, accepted = EXPECTED[(sample.id, row["Name"])]
    obj = {"Name": row["Name"], "Status": row["Status"], "ActivityLevel": row["ActivityLevel"]}
    state = services.from_cmdlet(obj)
    if strict is UnreadableOutput:
        with pytest.raises(UnreadableOutput) as caught:
            state.sessions
        assert caught.value.details["command"].startswith(COMMAND)
        assert services.ACCEPT_VARIABLE in caught.value.hint
        assert row["ActivityLevel"][:20] in caught.value.details["excerpt"]
    else:
        assert state.counters == strict
    risky = services.from_cmdlet(obj, accept_unreadable=True)
    assert risky.counters == accepted
    assert risky.sessions == int(sum(accepted.values()))


def test_the_status_of_every_published_row_is_a_documented_status():
    for param in ROWS:
        _sample, row = param.values
        assert row["Status"] in services.STATUSES


@pytest.mark.parametrize("text, counters", [
    # The published RTCSRV counters, whole, as the object property carries them (no cut).
    ("Incoming Requests per Second=0,Messages in Server=0", {"Incoming Requests per Second": 0, "Messages in Server": 0}),
    ("Concurrent Calls=3", {"Concurrent Calls": 3}),
    ("", {}),
    (None, {}),
])
def test_whole_texts_in_the_published_format(text, counters):
    assert services.parse_activity_level(text) == counters


@pytest.mark.parametrize("text", [
    "Incoming Requests per Second=0,Messages in Server=0...",   # cut, ASCII form
    "Active Connections: 3",                                  # not Name=value
    "Concurrent Calls=three",
    "Concurrent Calls=1,,Other=2",
])
def test_texts_not_in_the_format_stop_the_job(text):
    with pytest.raises(UnreadableOutput):
        services.parse_activity_level(text)


def test_a_rate_above_zero_is_not_idle():
    assert services.activity_count("Incoming Requests per Second=0.25,Messages in Server=0") == 1


def test_properties_are_looked_up_without_regard_to_case():
    state = services.from_cmdlet({"name": "RTCSRV", "STATUS": "Running", "activitylevel": "Concurrent Calls=2",
                                  "rolename": ["Registrar"]})
    assert (state.name, state.status, state.sessions, state.roles) == ("RTCSRV", "Running", 2, ("Registrar",))


def test_the_accept_variable_of_the_task_lets_an_unreadable_text_through():
    from ansible_collections.sfb.server.plugins.plugin_utils.errors import accepting_unreadable

    state = services.from_cmdlet({"Name": "RTCSRV", "Status": "Running",
                                  "ActivityLevel": "Incoming Requests per Second=0,Messages in Server=0\u2026"})
    with pytest.raises(UnreadableOutput):
        state.sessions
    with accepting_unreadable(["get-cswindowsservice"]):
        assert state.sessions == 0
    with accepting_unreadable(["Get-CsPoolFabricState"]):
        with pytest.raises(UnreadableOutput):
            state.sessions
