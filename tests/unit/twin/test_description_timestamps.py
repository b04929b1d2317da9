# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The world description's start time: the forms .NET and people write, read alike on every supported Python
(3.10's fromisoformat takes neither 7 fractional digits, nor 2, nor Z)."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.errors import WorldDescriptionError
from ansible_collections.sfb.server.plugins.plugin_utils.twin import description

from twinworlds import describe, pool

UTC = datetime.timezone.utc


@pytest.mark.parametrize("text, expected", [
    # .NET's round-trip format ("o"): 7 fractional digits, the 7th cut (not rounded).
    ("2026-01-02T03:04:05.1234567Z", datetime.datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
    ("2026-01-02T03:04:05.12Z", datetime.datetime(2026, 1, 2, 3, 4, 5, 120000, tzinfo=UTC)),
    ("2026-01-02T03:04:05+02:00",
     datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))),
    ("2026-01-02T03:04:05.5-0530",
     datetime.datetime(2026, 1, 2, 3, 4, 5, 500000, tzinfo=datetime.timezone(-datetime.timedelta(hours=5, minutes=30)))),
    ("2026-01-02 03:04:05", datetime.datetime(2026, 1, 2, 3, 4, 5)),
    ("2026-01-02T03:04Z", datetime.datetime(2026, 1, 2, 3, 4, tzinfo=UTC)),
    ("2026-01-02", datetime.datetime(2026, 1, 2)),
])
def test_timestamps_are_read_with_their_fraction_and_offset(text, expected):
    moment = description.parse_iso_timestamp(text)
    assert moment == expected
    assert moment.utcoffset() == expected.utcoffset()


def test_the_offset_is_kept_in_the_start_of_the_world():
    start = description.build({**describe(pool("p.contoso.com", ["a.contoso.com"])),
                               "start": "2026-01-02T03:04:05.1234567+02:00"})[3]
    assert start == datetime.datetime(2026, 1, 2, 1, 4, 5, 123456, tzinfo=UTC).timestamp()


@pytest.mark.parametrize("text", ["2026-01-02T03:04:05.Z", "2026-13-02T03:04:05Z", "2026-01-02T03:04:05+2",
                                  "2026-01-02T03:04:05+24:00", "2026-01-02T25:00:00Z", "soon", ""])
def test_a_bad_start_is_still_a_description_error(text):
    with pytest.raises(ValueError):
        description.parse_iso_timestamp(text)
    with pytest.raises(WorldDescriptionError) as info:
        description.build({**describe(pool("p.contoso.com", ["a.contoso.com"])), "start": text})
    assert info.value.msg == f"start: {text!r} is not an ISO 8601 date and time."
