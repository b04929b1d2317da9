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


def collections_root(repo: pathlib.Path) -> pathlib.Path:
    """The directory to put on sys.path so that `ansible_collections.sfb.server` is `repo`."""
    if repo.parts[-3:] == ("ansible_collections", "sfb", "server"):
        return repo.parents[2]
    return repo / ".deps" / "collections"


COLLECTIONS_ROOT = collections_root(REPO)

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
