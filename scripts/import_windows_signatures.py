#!/usr/bin/env python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build a windows-<family>.json signature file from Microsoft's platyPS reference pages.

    scripts/import_windows_signatures.py --docs <windows-powershell-docs checkout> \
        --docset winserver2022-ps --out plugins/plugin_utils/host/signatures/windows-netsecurity.json \
        NetSecurity/Get-NetFirewallRule NetSecurity/New-NetFirewallRule ...

The checkout may be a bare git directory (the file is read at HEAD) or a work tree. Set membership
and positional/mandatory brackets come from `## SYNTAX`; type, aliases, accepted values and
`Required` come from each parameter's yaml block (platyPS brackets every switch, even mandatory
ones, so the yaml decides for switches). Nothing is invented: a parameter the page does not list
is not written.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
import subprocess
import sys

_SET_HEADER = re.compile(r"^###\s+(?P<name>.+?)(?P<default>\s+\(Default\))?\s*$")
_PARAM_HEADER = re.compile(r"^### -(?P<name>[A-Za-z0-9]+)\s*$")
_SKIPPED = {"CommonParameters"}


def read_page(docs: pathlib.Path, docset: str, page: str) -> tuple[str, str]:
    relative = f"docset/{docset}/{page}.md"
    if (docs / relative).exists():
        return relative, (docs / relative).read_text(encoding="utf-8")
    text = subprocess.run(["git", "--git-dir", str(docs), "show", f"HEAD:{relative}"], check=True,
                          capture_output=True, text=True).stdout
    return relative, text


def commit_of(docs: pathlib.Path) -> str:
    git_dir = docs / ".git" if (docs / ".git").exists() else docs
    return subprocess.run(["git", "--git-dir", str(git_dir), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()


def _section(text: str, title: str) -> str:
    match = re.search(rf"^## {title}\s*$(.*?)(?=^## |\Z)", text, re.S | re.M)
    if not match:
        raise ValueError(f"no ## {title} section")
    return match.group(1)


def syntax_sets(text: str) -> list[dict]:
    sets, name, default = [], "__AllParameterSets", False
    lines = iter(_section(text, "SYNTAX").splitlines())
    for line in lines:
        header = _SET_HEADER.match(line)
        if header:
            name, default = header.group("name"), bool(header.group("default"))
            continue
        if line.startswith("```"):
            block = []
            for inner in lines:
                if inner.startswith("```"):
                    break
                block.append(inner.strip())
            sets.append({"name": name, "default": default, "syntax": " ".join(block), "tokens": _tokens(" ".join(block))})
    return sets


def _tokens(syntax: str) -> list[dict]:
    """Parameters of one syntax line, with the brackets that say whether each is optional.

    `[-All]` optional switch; `[-Name] <T>` mandatory positional; `[[-Name] <T>]` optional
    positional; `-DisplayName <T>` mandatory named; `[-PolicyStore <T>]` optional named.
    """
    tokens = []
    pattern = r"(?:(?<=\s)|^)(\[\[|\[)?-([A-Za-z0-9]+)(\])?(?:\s+<([^>]+)>)?(\])?"
    for match in re.finditer(pattern, syntax):
        opening, name, name_closed, value_type, closing = match.groups()
        if name in _SKIPPED:
            continue
        positional = opening == "[[" or (opening == "[" and bool(name_closed) and bool(value_type) and not closing)
        optional = opening == "[[" or (opening == "[" and not positional)
        tokens.append({"name": name, "value_type": value_type, "optional": optional, "positional": positional})
    return tokens


def parameter_yaml(text: str) -> dict[str, list[dict]]:
    params: dict[str, list[dict]] = {}
    current = None
    lines = iter(_section(text, "PARAMETERS").splitlines())
    for line in lines:
        header = _PARAM_HEADER.match(line)
        if header:
            current = header.group("name")
            continue
        if current and line.startswith("```yaml"):
            block = {}
            for inner in lines:
                if inner.startswith("```"):
                    break
                if ":" in inner:
                    key, value = inner.split(":", 1)
                    block[key.strip()] = value.strip()
            params.setdefault(current, []).append(block)
    return params


def _yaml_for(blocks: list[dict], set_name: str) -> dict:
    for block in blocks:
        sets = [s.strip() for s in block.get("Parameter Sets", "").split(",")]
        if set_name in sets or "(All)" in sets:
            return block
    return blocks[0]


def cmdlet_entry(relative: str, text: str, commit: str) -> tuple[str, dict]:
    title = re.search(r"^title:\s*(\S+)", text, re.M).group(1)
    module = re.search(r"^Module Name:\s*(\S+)", text, re.M).group(1)
    yaml_blocks = parameter_yaml(text)
    psets = []
    for pset in syntax_sets(text):
        parameters = []
        for token in pset["tokens"]:
            blocks = yaml_blocks.get(token["name"])
            if not blocks:
                raise ValueError(f"{title}: -{token['name']} is in SYNTAX but has no yaml block")
            yaml_for = _yaml_for(blocks, pset["name"])
            ptype = yaml_for.get("Type", token["value_type"] or "SwitchParameter")
            switch = ptype == "SwitchParameter"
            required = yaml_for.get("Required", "False").lower() == "true"
            mandatory = required if switch else (required or not token["optional"])
            entry = {"name": token["name"], "type": ptype, "mandatory": mandatory, "switch": switch,
                     "positional": token["positional"]}
            aliases = [a.strip() for a in yaml_for.get("Aliases", "").split(",") if a.strip()]
            if aliases:
                entry["aliases"] = aliases
            accepted = [a.strip() for a in yaml_for.get("Accepted values", "").split(",") if a.strip()]
            if accepted:
                entry["allowed_values"] = accepted
            parameters.append(entry)
        psets.append({"name": pset["name"], **({"default": True} if pset["default"] else {}),
                      "parameters": parameters, "syntax": pset["syntax"]})
    return title, {"module": module, "doc": f"MicrosoftDocs/windows-powershell-docs:{relative}",
                   "doc_commit": commit, "common_parameters": "[<CommonParameters>]" in text,
                   "parameter_sets": psets}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", required=True, type=pathlib.Path)
    parser.add_argument("--docset", default="winserver2022-ps")
    parser.add_argument("--out", required=True, type=pathlib.Path)
    parser.add_argument("--family", required=True)
    parser.add_argument("pages", nargs="+")
    args = parser.parse_args(argv)
    commit = commit_of(args.docs)
    cmdlets = {}
    for page in args.pages:
        relative, text = read_page(args.docs, args.docset, page)
        name, entry = cmdlet_entry(relative, text, commit)
        cmdlets[name] = entry
    document = {
        "source": {
            "family": args.family,
            "repository": "MicrosoftDocs/windows-powershell-docs",
            "docset": args.docset,
            "commit": commit,
            "generated_by": "scripts/import_windows_signatures.py",
        },
        "cmdlets": cmdlets,
    }
    args.out.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
