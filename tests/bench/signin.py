#!/usr/bin/env python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How long the sign-in checks take: the DNS check through dnspython against a local DNS server,
and TrustModelData / msRTCSIP-UserEnabled on the twin.

    PYTHONPATH=.deps/collections python tests/bench/signin.py [--domains 200] [--users 200]
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import tempfile
import time
from types import SimpleNamespace

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / ".deps" / "collections"))
sys.path.insert(0, str(REPO / "tests" / "unit" / "signin"))

from fake_dns_server import FakeDnsServer  # noqa: E402
from ansible_collections.sfb.server.plugins.action.sip_user_enabled import ActionModule as SipUsers  # noqa: E402
from ansible_collections.sfb.server.plugins.action.trust_model_data import ActionModule as TrustModel  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.controller import dns_lookup  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.domain import signin  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore  # noqa: E402


def run(action_class, store, host, args):
    action = action_class.__new__(action_class)
    action._task = SimpleNamespace(check_mode=False, diff=False)
    return action.execute(TwinHost(store, host), args, {})


def bench_dns(domains: int) -> None:
    zone = {f"sip.d{i}.example": {"cname": signin.SIP_TARGET} for i in range(domains)}
    server = FakeDnsServer(zone).start()
    try:
        lookups = dns_lookup.resolvers(["127.0.0.1"], server.port, 2.0)
        started = time.perf_counter()
        results = [signin.check_sip_cname(f"d{i}.example", lookups).status for i in range(domains)]
        elapsed = time.perf_counter() - started
    finally:
        server.stop()
    assert set(results) == {"pass"}, results
    print(f"dns: {domains} domains in {elapsed:.3f} s ({elapsed / domains * 1000:.2f} ms per domain, one resolver)")


def bench_twin(users: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        store = WorldStore(f"{directory}/bench.db")
        admin.create(store, {
            "clients": [{"fqdn": "pc01.contoso.com"}], "domain_controllers": [{"fqdn": "dc01.contoso.com"}],
            "active_directory": {"domain": "contoso.com",
                                 "users": [{"sam": f"u{i}", "upn": f"u{i}@contoso.com", "sip_enabled": False}
                                           for i in range(users)]}})
        timings = []
        for _unused in range(5):
            started = time.perf_counter()
            run(TrustModel, store, "pc01.contoso.com", {"domains": ["contoso.com"], "key": signin.TRUST_MODEL_KEY})
            timings.append(time.perf_counter() - started)
        print(f"trust_model_data on the twin: first run {timings[0] * 1000:.1f} ms, "
              f"idempotent runs median {statistics.median(timings[1:]) * 1000:.1f} ms")
        started = time.perf_counter()
        result = run(SipUsers, store, "dc01.contoso.com", {"enable": True, "users": [], "search_base": None, "server": None})
        elapsed = time.perf_counter() - started
        assert len(result["changed_users"]) == users
        print(f"sip_user_enabled on the twin: {users} users enabled in {elapsed:.2f} s (one plan of {users} Set-ADUser)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--domains", type=int, default=200)
    parser.add_argument("--users", type=int, default=200)
    options = parser.parse_args()
    bench_dns(options.domains)
    bench_twin(options.users)


if __name__ == "__main__":
    main()
