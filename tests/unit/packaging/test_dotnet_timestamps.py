# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Timestamps as .NET writes them read the same on every controller Python (3.10 included, whose
datetime.fromisoformat takes exactly 3 or 6 fractional digits and no Z). `make matrix` runs this on
Python 3.10 with ansible-core 2.16."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.sfb.server.plugins.action import cce_certificates
from ansible_collections.sfb.server.plugins.plugin_utils.domain.deployment import parse_time
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument

UTC = datetime.timezone.utc


@pytest.mark.parametrize("text, expected", [
    # ConvertTo-Json's ISO form of a DateTime: 7 fractional digits, with or without an offset.
    ("2026-01-31T00:00:00.0000000+00:00", datetime.datetime(2026, 1, 31, tzinfo=UTC)),
    ("2026-01-31T10:20:30.1234567Z", datetime.datetime(2026, 1, 31, 10, 20, 30, 123456, tzinfo=UTC)),
    ("2026-01-31T10:20:30.1234567+02:00",
     datetime.datetime(2026, 1, 31, 10, 20, 30, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))),
    ("2028-01-05T10:31:56.51458700", datetime.datetime(2028, 1, 5, 10, 31, 56, 514587, tzinfo=UTC)),
    # Fewer digits than Python 3.10 reads, and none at all.
    ("2026-01-31T10:20:30.5Z", datetime.datetime(2026, 1, 31, 10, 20, 30, 500000, tzinfo=UTC)),
    ("2026-01-31T10:20:30.12+00:00", datetime.datetime(2026, 1, 31, 10, 20, 30, 120000, tzinfo=UTC)),
    ("2026-01-31T10:20:30", datetime.datetime(2026, 1, 31, 10, 20, 30, tzinfo=UTC)),
    ("/Date(1769817600000)/", datetime.datetime(2026, 1, 31, tzinfo=UTC)),
])
def test_dotnet_timestamps_parse_on_every_python(text, expected):
    assert parse_time(text) == expected


def test_a_timestamp_that_is_no_date_is_refused():
    with pytest.raises(ValueError):
        parse_time("31/01/2026 10:20")


def test_cce_certificate_dates_take_seven_digits():
    assert cce_certificates._timestamp("2026-01-31T00:00:00.0000000+00:00") == \
        datetime.datetime(2026, 1, 31, tzinfo=UTC).timestamp()
    assert cce_certificates._timestamp("2026-01-31T00:00:00.1234567Z") == pytest.approx(
        datetime.datetime(2026, 1, 31, 0, 0, 0, 123456, tzinfo=UTC).timestamp())


def test_a_missing_cce_certificate_date_fails_closed():
    with pytest.raises(InvalidArgument):
        cce_certificates._timestamp("")
