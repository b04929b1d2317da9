# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""w32tm /query /status (domain/signin.py) against every published sample.

docs/assumptions.md, "w32tm /query /status". The README of the samples quotes the real capture's
not-synchronised form ("Leap Indicator: 3(not synchronized)", "Stratum: 0 (unspecified)", no
space before the parenthesis of the leap indicator; winutil#4245): those two lines are tested too.
"""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.domain import signin
from ansible_collections.sfb.server.plugins.plugin_utils.errors import UnreadableOutput
from samples.samples import samples_of

COMMAND = "w32tm-query-status"

EXPECTED = {
    "w32tm-query-status.2.txt": {"leap_indicator": 0, "stratum": 4, "source": "dc01.corp.example.com",
                                 "last_sync": "6/19/2026 9:14:02 AM", "check": signin.PASS},
}

SAMPLES = [pytest.param(s, id=s.id) for s in samples_of(COMMAND)]


def _body(sample) -> str:
    # The first line of a console capture is the command typed at the prompt.
    return "\n".join(line for line in sample.body.splitlines() if "w32tm /query" not in line)


def test_there_is_a_published_sample():
    assert SAMPLES


@pytest.mark.parametrize("sample", SAMPLES)
def test_every_sample_has_an_expectation(sample):
    assert sample.id in EXPECTED


@pytest.mark.parametrize("sample", SAMPLES)
def test_each_sample_is_read_field_by_field(sample):
    expected = EXPECTED[sample.id]
    status = signin.require_w32tm_status(_body(sample))
    for key in ("leap_indicator", "stratum", "source", "last_sync"):
        assert status[key] == expected[key], key
    assert signin.check_time("dc01", _body(sample), None, None, 5.0).status == expected["check"]


def test_the_not_synchronised_form_of_the_real_capture():
    text = "Leap Indicator: 3(not synchronized)\nStratum: 0 (unspecified)\nSource: Local CMOS Clock\n"
    status = signin.require_w32tm_status(text)
    assert (status["leap_indicator"], status["stratum"]) == (3, 0)
    assert signin.check_time("dc01", text, None, None, 5.0).status == signin.FAIL


def test_labels_are_read_without_regard_to_case():
    status = signin.require_w32tm_status("leap indicator: 0(no warning)\nSOURCE: time.windows.com,0x9\n")
    assert status["source"] == "time.windows.com,0x9"


@pytest.mark.parametrize("text", [
    # Labels in another language (invented here: no localised w32tm output is published) and
    # another tool's output: the parser does not guess.
    "Indicateur de dérive : 0(aucun avertissement)\nStrate : 4\nSource : dc01.contoso.com\n",
    "[Configuration]\nEventLogFlags: 2 (Local)\n",
    "",
])
def test_output_without_the_english_fields_fails_closed(text):
    with pytest.raises(UnreadableOutput):
        signin.require_w32tm_status(text)
    check = signin.check_time("dc01", text, None, None, 5.0)
    assert check.status == signin.NOT_CHECKED and check.details["unreadable"]["kind"] == "unreadable_output"


def test_the_configuration_sample_is_not_mistaken_for_a_status():
    # w32tm /query /configuration is not read by the collection; its sample must not pass as a status.
    for sample in samples_of("w32tm-query-configuration"):
        with pytest.raises(UnreadableOutput):
            signin.require_w32tm_status(sample.body)
