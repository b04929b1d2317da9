# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the sign-in diagnostics tests: a fake resolver and a real DNS server on 127.0.0.1."""

from __future__ import annotations

import pathlib
import sys

import pytest

_HERE = str(pathlib.Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from fake_dns_server import FakeDnsServer  # noqa: E402

ZONE = {
    "sip.good.example": {"cname": "sipdir.online.microsoft.com"},
    "sip.wrong.example": {"cname": "sip.old-lync.wrong.example"},
    "sip.arecord.example": {"a": "192.0.2.10"},
    "sip.slow.example": "timeout",
    "sip.broken.example": "servfail",
}


@pytest.fixture
def dns_server():
    server = FakeDnsServer(ZONE).start()
    yield server
    server.stop()
