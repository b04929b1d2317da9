# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the Cloud Connector modules (issue 5), on the twin.

WinRM round trips per module invocation, first run and second run, and the controller-side wall
time of each call. A round trip is what a real appliance would see: one per plan, reboot or update
search. The goal is few reads and one write per invocation, and no write on the second run.

Run: PYTHONPATH=.deps/collections python tests/bench/cce.py
Wall times depend on the machine (and on how many other jobs share it): read them as orders of magnitude.
"""

from __future__ import annotations

import pathlib
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "unit"))

from ansible_collections.sfb.server.plugins.action.cce_certificates import ActionModule as Certificates  # noqa: E402
from ansible_collections.sfb.server.plugins.action.cce_health import ActionModule as Health  # noqa: E402
from ansible_collections.sfb.server.plugins.action.cce_info import ActionModule as Info  # noqa: E402
from ansible_collections.sfb.server.plugins.action.cce_preflight import ActionModule as Preflight  # noqa: E402
from ansible_collections.sfb.server.plugins.action.cce_tenant_info import ActionModule as TenantInfo  # noqa: E402
from ansible_collections.sfb.server.plugins.action.cce_update_mode import ActionModule as UpdateMode  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.host.select import TWIN_CONNECTION  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore  # noqa: E402
from sfb_fakes import FakeConnection, FakeTask  # noqa: E402

WORLD = {
    "speed": 5000,
    "cce_tenant": {"host": "tenant.contoso.com"},
    "cce_sites": [{"name": "Bench", "load": {"calls_per_minute": 0}, "appliances": [
        {"host": "cce-new.contoso.com", "version": "2.1.0", "mediation_ip": "10.0.0.1", "ini_state_line": False},
        {"host": "cce-old.contoso.com", "version": "1.4.2", "mediation_ip": "10.0.0.2"}]}],
}

CASES = [
    ("cce_info (2.1)", Info, "cce-new.contoso.com", {}),
    ("cce_info (1.4.2, fallback)", Info, "cce-old.contoso.com", {}),
    ("cce_tenant_info", TenantInfo, "tenant.contoso.com", {}),
    ("cce_update_mode entered", UpdateMode, "cce-new.contoso.com", {"state": "entered"}),
    ("cce_update_mode exited", UpdateMode, "cce-new.contoso.com", {"state": "exited"}),
    ("cce_health host", Health, "cce-new.contoso.com", {}),
    ("cce_health vm (Edge)", Health, "cce-new-edge.contoso.com", {"scope": "vm", "vm_role": "Edge", "version": "2.1.0"}),
    ("cce_certificates reported", Certificates, "cce-new-med.contoso.com", {}),
    ("cce_preflight (all checks)", Preflight, "cce-new.contoso.com", {"defender_exclusions": True}),
]


def run(store, cls, server, args):
    connection = FakeConnection(TWIN_CONNECTION, options={"world": store.path, "remote_addr": server})
    action = cls(FakeTask(args), connection, None, None, None, None)
    started = time.perf_counter()
    result = action.run(task_vars={"inventory_hostname": server})
    return result, time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = WorldStore(f"{tmp}/bench.db")
        admin.create(store, WORLD)
        print(f"{'module':32} {'1st trips':>9} {'changed':>8} {'ms':>7} | {'2nd trips':>9} {'changed':>8} {'ms':>7}")
        for name, cls, server, args in CASES:
            first, first_s = run(store, cls, server, args)
            second, second_s = run(store, cls, server, args)
            if first.get("failed") or second.get("failed"):
                raise SystemExit(f"{name} failed: {first.get('msg') or second.get('msg')}")
            print(f"{name:32} {first['round_trips']:>9} {str(first['changed']):>8} {first_s * 1000:>7.0f} | "
                  f"{second['round_trips']:>9} {str(second['changed']):>8} {second_s * 1000:>7.0f}")


if __name__ == "__main__":
    main()
