# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make `ansible_collections.sfb.server` importable for plain pytest runs.

Two layouts are supported:
- the repository checked out anywhere, with `make setup` having linked it into
  <repo>/.deps/collections/ansible_collections/sfb/server;
- the repository already sitting at .../ansible_collections/sfb/server (ansible-test's layout).
"""

from __future__ import annotations

import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]


def _collections_root() -> pathlib.Path:
    parts = REPO.parts
    if len(parts) >= 4 and parts[-3:-1] == ("ansible_collections", "sfb") and parts[-1] == "server":
        return REPO.parents[2]
    return REPO / ".deps" / "collections"


COLLECTIONS_ROOT = _collections_root()

if not (COLLECTIONS_ROOT / "ansible_collections" / "sfb" / "server").exists():
    raise RuntimeError(
        f"sfb.server is not reachable as a collection from {COLLECTIONS_ROOT}: run `make setup` (it links the "
        "repository into .deps/collections/ansible_collections/sfb/server) or check the repository out "
        "under an ansible_collections/sfb/server directory."
    )

if str(COLLECTIONS_ROOT) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS_ROOT))

# Test helpers that live beside this file (powershell_syntax.py ...) are imported by name, whatever
# pytest's import mode.
_HELPERS = str(pathlib.Path(__file__).resolve().parent)
if _HELPERS not in sys.path:
    sys.path.insert(0, _HELPERS)
