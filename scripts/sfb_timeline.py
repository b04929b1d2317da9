# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb-twin timeline: draw a twin world's maintenance timeline (SVG) and write its report (Markdown).

    sfb-twin timeline --world PATH [--out DIR] [--name NAME] [--title TITLE] [--since ID]

It reads the world's events (virtual time) and draws with the controller-side renderer
(plugins/plugin_utils/controller/timeline.py), the one the rolling patch's summary step uses. It lives
beside the twin's command line rather than in it: the twin's own code never imports the controller's
(tests/unit/test_layers.py).
"""

from __future__ import annotations

import argparse
import os
import sys

from ansible_collections.sfb.server.plugins.plugin_utils.controller import timeline
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sfb-twin timeline", description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--world", default=os.environ.get("SFB_TWIN_WORLD"), help="world file (default: $SFB_TWIN_WORLD)")
    parser.add_argument("--out", default=".", help="directory to write NAME.svg and NAME.md in (default: .)")
    parser.add_argument("--name", default="maintenance-timeline")
    parser.add_argument("--title", default=None)
    parser.add_argument("--since", type=int, default=0, help="only the events after this id")
    args = parser.parse_args(argv)
    if not args.world:
        parser.error("give --world PATH or set SFB_TWIN_WORLD")
    if not os.path.exists(args.world):
        print(f"sfb-twin timeline: no twin world at {args.world}", file=sys.stderr)
        return 2
    if not os.path.isdir(args.out):
        print(f"sfb-twin timeline: {args.out} is not a directory; create it first", file=sys.stderr)
        return 2
    try:
        store = WorldStore(args.world)
        pool_of = {fqdn: server["pool"] for fqdn, server in store.read().servers.items()}
        drawn = timeline.from_events(store.events(since_id=args.since), pool_of,
                                     args.title or f"Maintenance timeline: {os.path.basename(args.world)}")
    except SfbError as exc:
        print(f"sfb-twin timeline: {exc}", file=sys.stderr)
        return 2
    svg_path = os.path.join(args.out, f"{args.name}.svg")
    markdown_path = os.path.join(args.out, f"{args.name}.md")
    with open(svg_path, "w", encoding="utf-8") as handle:
        handle.write(timeline.svg(drawn))
    with open(markdown_path, "w", encoding="utf-8") as handle:
        handle.write(timeline.markdown(drawn, os.path.basename(svg_path)))
    refused = sum(m.count for m in drawn.marks if m.kind == "refused")
    dropped = sum(m.count for m in drawn.marks if m.kind == "dropped")
    print(f"{svg_path}\n{markdown_path}\n{len(drawn.lanes)} servers in {len(drawn.pools())} pools; "
          f"sessions refused {refused}, dropped {dropped}")
    return 0
