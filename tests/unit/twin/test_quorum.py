# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""domain/quorum.py against Microsoft's tables (OfficeDocs-SkypeForBusiness high-availability.md).

Pool-level quorum loss: "If the number of servers running falls below the functional level as
shown in the following table, the remaining servers in the pool will stop all Skype for Business
Server services."  First start: "it is essential that 85% of the servers are up and running".
"""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.domain.quorum import first_start_minimum, quorum_rule
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError

# Total Front Ends -> (must be running, among the first N servers brought up), from the page.
DOCUMENTED_FUNCTIONAL_LEVEL = {
    2: (1, 2), 3: (2, 3), 4: (2, 4), 5: (3, 5), 6: (3, 6), 7: (4, 7),
    8: (4, 7), 9: (4, 7), 10: (5, 9), 11: (5, 9),
}
DOCUMENTED_FIRST_START = {2: 1, 3: 3, 4: 3, 5: 4, 6: 5, 7: 5, 8: 6, 9: 7, 10: 8, 11: 9, 12: 10, 16: 12}


@pytest.mark.parametrize("size", sorted(DOCUMENTED_FUNCTIONAL_LEVEL))
def test_the_rule_is_the_documented_table(size):
    required, among_first = DOCUMENTED_FUNCTIONAL_LEVEL[size]
    for product in ("2015", "2019"):
        rule = quorum_rule(size, product)
        assert (rule.required, rule.among_first) == (required, among_first)


def test_twelve_front_ends_depend_on_the_product():
    # The 2015 table ends with "10-12: any 5 of the first 9"; 2019 adds "12-16: any 7 of the first 12".
    assert (quorum_rule(12, "2015").required, quorum_rule(12, "2015").among_first) == (5, 9)
    for size in (12, 13, 16):
        rule = quorum_rule(size, "2019")
        assert (rule.required, rule.among_first) == (7, 12)


@pytest.mark.parametrize("size", sorted(DOCUMENTED_FUNCTIONAL_LEVEL))
def test_holds_exactly_at_the_functional_level(size):
    required, among_first = DOCUMENTED_FUNCTIONAL_LEVEL[size]
    rule = quorum_rule(size)
    at_level = [True] * required + [False] * (size - required)
    below = [True] * (required - 1) + [False] * (size - required + 1)
    assert rule.holds(at_level)
    assert not rule.holds(below)


def test_only_the_first_servers_count():
    # Nine servers: any 4 of the first 7. Servers 8 and 9 running do not make up for the first seven.
    rule = quorum_rule(9)
    assert not rule.holds([True, True, True, False, False, False, False, True, True])
    assert rule.holds([False, False, False, True, True, True, True, False, False])


def test_limits_of_the_table():
    with pytest.raises(SfbError) as info:
        quorum_rule(13, "2015")
    assert "12 for 2015" in info.value.msg
    with pytest.raises(SfbError):
        quorum_rule(17, "2019")
    with pytest.raises(SfbError):
        quorum_rule(0)
    assert (quorum_rule(1).required, quorum_rule(1).among_first) == (1, 1)


@pytest.mark.parametrize("size", sorted(DOCUMENTED_FIRST_START))
def test_first_start_minimum_is_the_documented_table(size):
    assert first_start_minimum(size) == DOCUMENTED_FIRST_START[size]


def test_first_start_minimum_between_listed_sizes_and_beyond():
    # 13 to 15 are not listed: the next listed size (16 -> 12) is the safe figure.
    assert [first_start_minimum(n) for n in (13, 14, 15)] == [12, 12, 12]
    assert first_start_minimum(1) == 1
    with pytest.raises(SfbError):
        first_start_minimum(17)


def test_first_start_needs_at_least_the_functional_level():
    # Starting a pool needs at least as many servers as keeping it running.
    for size in DOCUMENTED_FUNCTIONAL_LEVEL:
        assert first_start_minimum(size) >= quorum_rule(size).required
