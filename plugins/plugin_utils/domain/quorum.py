# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Front End pool quorum: how many servers of an Enterprise pool must stay running.

The table is Microsoft's documented rule for Enterprise Front End pools (Windows Fabric):
2 servers need 1, 3-4 need 2, 5-6 need 3, 7 needs 4, 8-9 need 4 of the first 7, 10-12 need 5 of
the first 9, and on 2019 a pool of 12-16 needs 7 of the first 12.
"""

from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError


@dataclass(frozen=True)
class QuorumRule:
    required: int
    among_first: int  # the servers that count, in topology order

    def holds(self, running: list[bool]) -> bool:
        """`running[i]` tells whether the pool's i-th server (topology order) is up."""
        return sum(1 for up in running[: self.among_first] if up) >= self.required


def quorum_rule(pool_size: int, product_key: str = "2019") -> QuorumRule:
    if pool_size < 1:
        raise SfbError("A pool has at least one server.")
    if pool_size == 1:
        return QuorumRule(required=1, among_first=1)
    if pool_size == 2:
        return QuorumRule(required=1, among_first=2)
    if pool_size <= 4:
        return QuorumRule(required=2, among_first=pool_size)
    if pool_size <= 6:
        return QuorumRule(required=3, among_first=pool_size)
    if pool_size == 7:
        return QuorumRule(required=4, among_first=7)
    if pool_size <= 9:
        return QuorumRule(required=4, among_first=7)
    if pool_size <= 11 or (pool_size == 12 and product_key == "2015"):
        return QuorumRule(required=5, among_first=9)
    if pool_size <= 16 and product_key != "2015":
        return QuorumRule(required=7, among_first=12)
    raise SfbError(
        f"An Enterprise pool of {pool_size} Front End servers is beyond the documented limit "
        f"for Skype for Business Server {product_key} (12 for 2015, 16 for 2019 and later).",
    )


# Servers that must be running the first time a pool starts ("85% of the servers"), from the
# high-availability planning page's table. Sizes it does not list take the next listed size's figure.
_FIRST_START = {2: 1, 3: 3, 4: 3, 5: 4, 6: 5, 7: 5, 8: 6, 9: 7, 10: 8, 11: 9, 12: 10, 16: 12}


def first_start_minimum(pool_size: int) -> int:
    """Servers that must be up for a pool's first start with Start-CsPool."""
    if pool_size <= 1:
        return 1
    for size in sorted(_FIRST_START):
        if pool_size <= size:
            return _FIRST_START[size]
    raise SfbError(f"An Enterprise pool of {pool_size} Front End servers is beyond the documented limit of 16.")
