# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb-twin: create a twin world, look at it, inject faults, read what happened.

    sfb-twin create DESCRIPTION.yml --world PATH [--replace]
    sfb-twin show --world PATH
    sfb-twin events --world PATH [--kind KIND ...] [--since ID]
    sfb-twin fault SERVER FAULT [VALUE] --world PATH       (VALUE is YAML; omit it to clear)
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import yaml

from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sfb-twin", description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--world", default=os.environ.get("SFB_TWIN_WORLD"),
                        help="world file (default: $SFB_TWIN_WORLD)")
    # --world is accepted after the command too, as the usage above writes it.
    world = argparse.ArgumentParser(add_help=False)
    world.add_argument("--world", default=argparse.SUPPRESS, help="world file (default: $SFB_TWIN_WORLD)")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", parents=[world], help="create a world from a YAML description")
    create.add_argument("description")
    create.add_argument("--replace", action="store_true", help="replace an existing world")
    commands.add_parser("show", parents=[world], help="servers, pools and session counters")
    events = commands.add_parser("events", parents=[world], help="what happened, in order")
    events.add_argument("--kind", action="append", default=[])
    events.add_argument("--since", type=int, default=0)
    fault = commands.add_parser("fault", parents=[world], help="inject or clear a fault on a server")
    fault.add_argument("server")
    fault.add_argument("fault")
    fault.add_argument("value", nargs="?", default=None)
    args = parser.parse_args(argv)
    if not args.world:
        parser.error("give --world PATH or set SFB_TWIN_WORLD")
    if args.command == "events" and args.since < 0:
        parser.error(f"--since {args.since}: give an event id of 0 or more (0 for every event)")
    store = WorldStore(args.world)
    try:
        if args.command == "create":
            answer = admin.create(store, admin.load_description(args.description), replace=args.replace)
        elif args.command == "show":
            answer = admin.summary(store)
        elif args.command == "events":
            answer = store.events(since_id=args.since, kinds=tuple(args.kind))
        else:
            try:
                value = yaml.safe_load(args.value) if args.value is not None else None
            except yaml.YAMLError as exc:
                # The value is YAML: say where it stops parsing rather than show a traceback.
                mark = getattr(exc, "problem_mark", None)
                where = f" at column {mark.column + 1}" if mark is not None else ""
                print(f"sfb-twin: fault {args.fault}: VALUE {args.value!r} is not valid YAML{where} "
                      f"({getattr(exc, 'problem', None) or exc}). Quote it, e.g. '[RTCSRV, RTCMEDSRV]' or true.",
                      file=sys.stderr)
                return 2
            answer = admin.set_fault(store, args.server, args.fault, value)
    except SfbError as exc:
        print(f"sfb-twin: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"sfb-twin: {exc.filename or args.world}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(yaml.safe_dump(json.loads(json.dumps(answer)), sort_keys=False, width=120), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
