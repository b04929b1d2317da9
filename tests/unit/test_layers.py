# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The layers of plugin_utils stay visible in the folders, and each imports only what is below it.

jobs -> roles -> modules (plugins/action) -> read models (state/) and rules (domain/) -> the Host
seam (host/) -> the Windows runner or the twin (twin/). The controller-side helpers (controller/)
sit beside the read models. A file at the top of plugin_utils is cross-cutting (the module base,
the errors), never a piece of a layer.
"""

from __future__ import annotations

import ast
import pathlib

PLUGIN_UTILS = pathlib.Path(__file__).resolve().parents[2] / "plugins" / "plugin_utils"
PREFIX = "ansible_collections.sfb.server.plugins.plugin_utils"

# The files allowed at the top of plugin_utils: the module base and the errors every layer raises.
TOP_LEVEL = {"__init__.py", "action.py", "errors.py"}

# layer -> the layers it must not import (at module level or inside a function).
FORBIDDEN = {
    "domain": {"state", "host", "twin", "controller", "action"},
    "state": {"twin", "controller", "action"},
    "controller": {"state", "host", "twin", "action"},
    "host": {"state", "domain", "controller", "action"},
    "action": {"twin"},
    # The twin is a witness: it judges with its own tables (twin/knowledge), never the domain's.
    "twin": {"domain", "state", "controller"},
}


def _imports(path: pathlib.Path) -> set[str]:
    """The plugin_utils layers a file imports, by their first name below plugin_utils."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            if name.startswith(PREFIX + "."):
                found.add(name[len(PREFIX) + 1:].split(".")[0])
    return found


def _layer(path: pathlib.Path) -> str:
    relative = path.relative_to(PLUGIN_UTILS)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def test_no_loose_files_at_the_top_of_plugin_utils():
    loose = sorted(p.name for p in PLUGIN_UTILS.glob("*.py") if p.name not in TOP_LEVEL)
    assert loose == [], f"these belong to a layer folder (state/, domain/, host/, controller/, twin/): {loose}"


def test_each_layer_imports_only_what_is_below_it():
    offences = []
    for path in sorted(PLUGIN_UTILS.rglob("*.py")):
        layer = _layer(path)
        bad = _imports(path) & FORBIDDEN.get(layer, set())
        if bad:
            offences.append(f"{path.relative_to(PLUGIN_UTILS)} ({layer}) imports {sorted(bad)}")
    assert offences == []


def test_the_scan_sees_imports():
    # If the scan read nothing, the tests above would pass vacuously.
    assert "host" in _imports(PLUGIN_UTILS / "action.py")
    assert "domain" in _imports(PLUGIN_UTILS / "state" / "topology.py")
