#!/usr/bin/env python
"""Command line for the sfb.server twin: see `sfb-twin --help`."""
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
# The collection must be importable as ansible_collections.sfb.server: either the checkout already
# sits at .../ansible_collections/sfb/server, or `make setup` linked it under .deps/collections.
for root in (REPO.parent.parent.parent, REPO / ".deps" / "collections"):
    if (root / "ansible_collections" / "sfb" / "server").is_dir():
        sys.path.insert(0, str(root))
        break
else:
    sys.exit("sfb-twin: run `make setup` first (the collection is not importable as sfb.server)")

from ansible_collections.sfb.server.plugins.plugin_utils.twin.cli import main  # noqa: E402

if sys.argv[1:2] == ["timeline"]:
    # Drawn by the controller-side renderer, which the twin's own code may not import (scripts/sfb_timeline.py).
    from sfb_timeline import main as timeline_main  # noqa: E402

    sys.exit(timeline_main(sys.argv[2:]))
sys.exit(main())
