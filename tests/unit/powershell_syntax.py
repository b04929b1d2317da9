# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A PowerShell syntax check that runs without PowerShell: tree-sitter with the tree-sitter-pwsh
grammar. It reports the first ERROR or MISSING node of a script as file:line:column.

The grammar is stricter than PowerShell in a few corners (for example a one-line `switch` whose
clauses are not separated by `;` or a newline); write those the multi-line way.
"""

from __future__ import annotations

import os
import pathlib
from dataclasses import dataclass
from functools import lru_cache

import tree_sitter
import tree_sitter_pwsh

EXTENSIONS = (".ps1", ".psm1")
# Folders that hold other people's scripts (virtualenvs, installed collections) or build output.
_SKIPPED_FOLDERS = {"__pycache__", "node_modules", "output"}


@dataclass(frozen=True)
class SyntaxProblem:
    path: str
    line: int
    column: int
    what: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.what} near {self.text!r}"


@lru_cache(maxsize=1)
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_pwsh.language()))


def _first_problem_node(node):
    """Depth first, in source order: the first ERROR or MISSING node under `node`."""
    if node.type == "ERROR" or node.is_missing:
        return node
    if not node.has_error:
        return None
    for child in node.children:
        found = _first_problem_node(child)
        if found is not None:
            return found
    return node  # has_error but no child explains it: report the node itself


def check_source(source: str | bytes, path: str = "<string>") -> SyntaxProblem | None:
    data = source.encode("utf-8") if isinstance(source, str) else source
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a UTF-8 BOM is common in Windows-authored scripts and is not syntax
    tree = _parser().parse(data)
    node = _first_problem_node(tree.root_node)
    if node is None:
        return None
    line, column = node.start_point.row + 1, node.start_point.column + 1
    if node.is_missing:
        what = f"missing '{node.type}'"
    else:
        what = "syntax error"
    text = data[node.start_byte:min(node.end_byte, node.start_byte + 40)].decode("utf-8", "replace")
    return SyntaxProblem(path=path, line=line, column=column, what=what, text=text)


def check_file(path: pathlib.Path, root: pathlib.Path | None = None) -> SyntaxProblem | None:
    shown = str(path.relative_to(root)) if root else str(path)
    return check_source(path.read_bytes(), shown)


def scripts_under(root: pathlib.Path) -> list[pathlib.Path]:
    """Every .ps1/.psm1 of the repository, not those of virtualenvs, .deps or other hidden folders."""
    found = []
    for directory, folders, files in os.walk(root):
        folders[:] = sorted(f for f in folders if not f.startswith(".") and f not in _SKIPPED_FOLDERS)
        found.extend(pathlib.Path(directory) / f for f in sorted(files) if f.lower().endswith(EXTENSIONS))
    return found
