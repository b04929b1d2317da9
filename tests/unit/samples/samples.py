# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Published and recorded output, for testing parsers against text nobody here wrote.

`published/` is a copy of the shared reference's samples (their README sums up each format);
`lab/` holds what scripts/record-lab-samples.ps1 records on a lab server. Each file has a header
(source, product, context, note) ended by a `---` line; the body is copied exactly as published.
"""

from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass

HERE = pathlib.Path(__file__).resolve().parent
FOLDERS = (HERE / "published", HERE / "lab")
_NAME = re.compile(r"^(?P<command>.+?)\.(?:lab)?\d+\.(?:txt|json)$")


@dataclass(frozen=True)
class Sample:
    path: pathlib.Path
    command: str
    header: dict
    body: str

    @property
    def id(self) -> str:
        return self.path.name


def command_of(path: pathlib.Path) -> str | None:
    match = _NAME.match(path.name)
    return match.group("command") if match else None


def load(path: pathlib.Path) -> Sample:
    text = path.read_text(encoding="utf-8")
    head, separator, body = text.partition("\n---\n")
    assert separator, f"{path.name}: no '---' line after the header"
    header = {}
    for line in head.splitlines():
        key, _unused, value = line.partition(":")
        header[key.strip()] = value.strip()
    return Sample(path, command_of(path), header, body)


def all_samples() -> list[Sample]:
    return [load(p) for folder in FOLDERS if folder.is_dir() for p in sorted(folder.iterdir()) if command_of(p)]


def samples_of(command: str) -> list[Sample]:
    return [s for s in all_samples() if s.command.lower() == command.lower()]


def table_rows(body: str, columns: tuple[str, ...]) -> list[dict]:
    """The rows of a PowerShell table view, cut at the header's column starts."""
    lines = body.splitlines()
    header_index = next(i for i, line in enumerate(lines)
                        if all(re.search(rf"\b{c}\b", line) for c in columns))
    header = lines[header_index]
    starts = [header.index(c) for c in columns]
    rows = []
    for line in lines[header_index + 2:]:
        if not line.strip():
            continue
        cells = {}
        for i, column in enumerate(columns):
            end = starts[i + 1] if i + 1 < len(columns) else None
            cells[column] = line[starts[i]:end].strip()
        rows.append(cells)
    return rows


def format_list_objects(body: str) -> list[dict]:
    """Objects from `Name : value` lines (Format-List); a repeated first property starts a new one."""
    objects: list[dict] = []
    first = None
    for line in body.splitlines():
        # Stream lines (WARNING:, VERBOSE:) are not properties.
        if re.match(r"^(WARNING|VERBOSE|DEBUG):", line) or (" :" not in line and not line.rstrip().endswith(":")):
            continue
        name, _unused, value = line.partition(":")
        name = name.strip()
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", name):
            continue
        if first is None:
            first = name
        if name == first or not objects:
            objects.append({})
        objects[-1][name] = value.strip()
    return objects
