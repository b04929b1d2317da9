#!/usr/bin/env python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the firewall modules cost: rules and calls per role, reconcile time on the twin (first run,
second run, with many foreign rules), path checks, and writing the firewall report for a large topology.

    PYTHONPATH=.deps/collections python tests/bench/ports.py [--servers 6] [--foreign 2000] [--pools 50]
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / ".deps" / "collections"))

from ansible_collections.sfb.server.plugins.plugin_utils.state import firewall as firewall_state  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.controller import report_files as files  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.domain import ports  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost  # noqa: E402
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore  # noqa: E402

ROLE_SETS = (["FrontEnd"], ["FrontEnd", "Mediation"], ["Director"], ["Mediation"], ["PersistentChat"], ["Edge"])


def converge(store, server, roles):
    host = TwinHost(store, server)
    started = time.perf_counter()
    answer = host.read(*firewall_state.reads())
    current = firewall_state.Current.from_answers(answer.output(0), answer.output(1), answer.output(2))
    work = firewall_state.reconcile(current, ports.firewall_rules(roles), ports.ipsec_rules(roles))
    if work.plan is not None:
        host.run(work.plan).raise_for_failure()
    return time.perf_counter() - started, len(work.plan.steps) if work.plan else 0, host.round_trips


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", type=int, default=6)
    parser.add_argument("--foreign", type=int, default=2000)
    parser.add_argument("--pools", type=int, default=50)
    args = parser.parse_args()

    print("rules per role set (firewall + IPsec):")
    for roles in ROLE_SETS:
        print(f"  {'+'.join(roles):22} {len(ports.firewall_rules(roles)):3} firewall, {len(ports.ipsec_rules(roles)):2} IPsec")

    with tempfile.TemporaryDirectory() as tmp:
        servers = [f"fe{i:02}.contoso.com" for i in range(1, args.servers + 1)]
        foreign = [{"name": f"Contoso-{i}", "group": "Contoso", "protocol": "TCP", "local_port": [str(10000 + i)]}
                   for i in range(args.foreign)]
        store = WorldStore(str(pathlib.Path(tmp) / "w.db"))
        admin.create(store, {"speed": 1, "sites": [{"name": "R", "pools": [
            {"fqdn": "pool01.contoso.com", "roles": ["FrontEnd", "Mediation"], "servers": servers}]}],
            "firewall": {servers[0]: {"rules": foreign}}})
        for label, server in (("first run", servers[1]), ("second run", servers[1]),
                              (f"first run, {args.foreign} foreign rules", servers[0]),
                              (f"second run, {args.foreign} foreign rules", servers[0])):
            seconds, steps, trips = converge(store, server, ["FrontEnd", "Mediation"])
            print(f"twin reconcile, {label}: {seconds:.2f} s, {steps} change steps, {trips} round trip(s)")
        for server in servers:
            converge(store, server, ["FrontEnd", "Mediation"])
        peers = [{"fqdn": s, "roles": ["FrontEnd", "Mediation"]} for s in servers]
        paths = [p for p in ports.peer_paths(servers[0], peers) if p.testable]
        started = time.perf_counter()
        TwinHost(store, servers[0]).read(*[CmdletCall("Test-NetConnection", {"ComputerName": p.destination,
                                                                             "Port": int(p.port)}) for p in paths])
        print(f"twin path check from one server to {len(peers) - 1} peers: {len(paths)} TCP tests in "
              f"{time.perf_counter() - started:.2f} s, one round trip")

        pools = ports.check_topology([
            {"fqdn": f"pool{i:02}.contoso.com", "roles": ["FrontEnd", "Mediation"] if i % 2 else ["Director"],
             "load_balancing": "hardware" if i % 3 else "dns", "servers": [f"s{i}-{k}.contoso.com" for k in range(4)]}
            for i in range(args.pools)])
        started = time.perf_counter()
        sheets = ports.report(pools)
        built = time.perf_counter() - started
        out = pathlib.Path(tmp)
        started = time.perf_counter()
        for kind in ports.REPORT_KINDS:
            files.write_text(str(out / f"{kind}.csv"), files.csv_text(kind, sheets[kind]))
        files.write_text(str(out / "r.md"), files.markdown_text(sheets, "r"))
        text_seconds = time.perf_counter() - started
        started = time.perf_counter()
        files.write_workbook(str(out / "r.xlsx"), sheets)
        xlsx_seconds = time.perf_counter() - started
        started = time.perf_counter()
        same = files.workbook_values(str(out / "r.xlsx")) == files.workbook_expected(sheets)
        compare_seconds = time.perf_counter() - started
        rows = sum(len(v) for v in sheets.values())
        print(f"report for {args.pools} pools: {rows} rows built in {built:.3f} s; CSV+Markdown {text_seconds:.3f} s; "
              f"xlsx written in {xlsx_seconds:.2f} s, compared in {compare_seconds:.2f} s (same={same})")


if __name__ == "__main__":
    main()
