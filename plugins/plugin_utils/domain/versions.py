# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Skype for Business Server products and how to tell them apart from what a server reports.

Get-CsServerVersion returns a single string (its documented output type is String) of the form
"<product name> (<a.b.c.d>): <licence>", for example
"Skype for Business Server 2019 (7.0.2046.0): Volume license key installed.". The product is
recognised from that text, never from the installation folder: by name for Subscription Edition,
by the version's major part for 2015 (6.x, RTM 6.0.9319.0) and 2019 (7.x, RTM 7.0.2046.0).
Subscription Edition's version numbers are not in the documentation this collection is built
from; its `rtm_version` below is only what the twin reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError


@dataclass(frozen=True)
class Product:
    key: str  # what users write: 2015, 2019, SE
    name: str
    major: int
    rtm_version: str
    program_folder: str


PRODUCTS = (
    Product("2015", "Skype for Business Server 2015", 6, "6.0.9319.0",
            r"C:\Program Files\Skype for Business Server 2015"),
    Product("2019", "Skype for Business Server 2019", 7, "7.0.2046.0",
            r"C:\Program Files\Skype for Business Server 2019"),
    Product("SE", "Skype for Business Server Subscription Edition", 8, "8.0.0.0",  # twin only
            r"C:\Program Files\Skype for Business Server"),
)

_VERSION = re.compile(r"\((?P<version>\d+\.\d+\.\d+\.\d+)\)")


def product(key: str) -> Product:
    for candidate in PRODUCTS:
        if candidate.key.lower() == str(key).lower():
            return candidate
    raise SfbError(
        f"Unknown Skype for Business Server product {key!r}.",
        hint=f"Use one of {', '.join(p.key for p in PRODUCTS)}.",
    )


def parse_server_version(text: str) -> tuple[Product, str]:
    """The product and the full version number in a Get-CsServerVersion answer."""
    match = _VERSION.search(text or "")
    if not match:
        raise SfbError(
            f"Cannot read a version number from Get-CsServerVersion's answer {text!r}.",
            hint="Check that Skype for Business Server is installed on the server.",
        )
    version = match.group("version")
    if "subscription edition" in text.lower():
        return product("SE"), version
    major = int(version.split(".")[0])
    for candidate in PRODUCTS[:2]:
        if candidate.major == major:
            return candidate, version
    raise SfbError(
        f"Version {version} is not a Skype for Business Server release this collection supports.",
        hint="Supported: 2015 (6.x), 2019 (7.x) and Subscription Edition (8.x).",
    )


def format_server_version(product_key: str, version: str) -> str:
    return f"{product(product_key).name} ({version}): Volume license key installed."
