#!/usr/bin/env python
"""Copy the documented cmdlet signatures from the shared reference into the collection.

The reference (../shared/reference/cmdlets.json) holds facts taken from Microsoft's docs. The
collection carries its own copy so that it works without the steering repository; the test suite
checks that the copy still matches the reference.
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "reference" / "cmdlets.json"
TARGET = ROOT / "plugins" / "plugin_utils" / "host" / "signatures" / "documented.json"


def main(argv):
    source = pathlib.Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    reference = json.loads(source.read_text(encoding="utf-8"))
    data = {
        "source": reference["source"],
        "conventions": reference["conventions"],
        "missing": reference["missing"],
        "cmdlets": reference["cmdlets"],
    }
    TARGET.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(data['cmdlets'])} cmdlets to {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv)
