# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read the five tables of seed 004 (the French port and protocol page) as lists of cells."""

from __future__ import annotations

import html
import os
import pathlib
import re

REPO = pathlib.Path(__file__).resolve().parents[3]

# The bold caption the seed puts above each table, and the matrix table it becomes.
CAPTIONS = {
    "Ports de serveurs requis (par rôle de serveur)": "server_roles",
    "Ports du programme d\u2019équilibrage de charge matérielle si vous utilisez uniquement d\u2019équilibrage de charge":
        "hardware_load_balancing_only",
    "Ports du programme d\u2019équilibrage de charge matérielle si l\u2019équilibrage de charge DNS":
        "hardware_load_balancing_with_dns",
    "Ports Client requis": "clients",
    "Exceptions recommandées pour IPsec": "ipsec_exceptions",
}


def seed_path() -> pathlib.Path | None:
    directory = pathlib.Path(os.environ.get("SFB_SEED_DIR", REPO.parent / "shared" / "seeds"))
    found = sorted(directory.glob("004_*.txt"))
    return found[0] if found else None


def _cell(text: str) -> str:
    # Cells hold "value  <br/>" and sometimes several values separated by <br/>.
    parts = [html.unescape(p).strip() for p in text.split("<br/>")]
    return " <br/> ".join(p for p in parts if p)


def tables(text: str) -> dict[str, list[list[str]]]:
    found: dict[str, list[list[str]]] = {}
    caption = None
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        bold = re.fullmatch(r"\*\*(.+?)\*\*", line)
        if bold and bold.group(1) in CAPTIONS:
            caption = CAPTIONS[bold.group(1)]
        elif caption and line.startswith("|") and i + 1 < len(lines) and lines[i + 1].strip().startswith("|:"):
            rows = []
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                # Only the outer pipes go: `| 5041 | TCP (MTLS) ||` ends with an empty remarks cell.
                cells = lines[i].strip()[1:-1].split("|")
                rows.append([_cell(c) for c in cells])
                i += 1
            found[caption] = rows
            caption = None
            continue
        i += 1
    return found
