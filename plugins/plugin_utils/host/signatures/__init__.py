# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documented cmdlet signatures, and binding of a call to one of its parameter sets.

The data files beside this module are facts from Microsoft's documentation:
- documented.json: Skype for Business Server and Cloud Connector cmdlets, copied from the shared
  reference by scripts/import_signatures.py;
- windows-*.json: the Windows PowerShell cmdlets the collection calls (services, firewall,
  registry ...), one file per family, each cmdlet with the reference page it was taken from.

Binding follows PowerShell's rules closely enough to reject what the real binder rejects: unknown
parameter names, ambiguous prefixes, a switch given a value, no parameter set holding every named
parameter, missing mandatory parameters, and several matching sets with no default among them.
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

from ansible_collections.sfb.server.plugins.plugin_utils.errors import BindError

_REFERENCE_FILE = "documented.json"
_WINDOWS_FILES = "windows-*.json"
# Skype for Business cmdlets from the same documentation that the shared reference does not list
# (skype-maintenance.json: Get-CsServerPatchVersion, Test-CsDatabase).
_SKYPE_EXTRA_FILES = "skype-*.json"

# about_CommonParameters. WhatIf and Confirm are listed per cmdlet in the documented sets.
COMMON_PARAMETERS = (
    "Debug",
    "ErrorAction",
    "ErrorVariable",
    "InformationAction",
    "InformationVariable",
    "OutBuffer",
    "OutVariable",
    "PipelineVariable",
    "ProgressAction",
    "Verbose",
    "WarningAction",
    "WarningVariable",
)
_COMMON_ALIASES = {
    "db": "Debug",
    "ea": "ErrorAction",
    "ev": "ErrorVariable",
    "infa": "InformationAction",
    "iv": "InformationVariable",
    "ob": "OutBuffer",
    "ov": "OutVariable",
    "pv": "PipelineVariable",
    "proga": "ProgressAction",
    "vb": "Verbose",
    "wa": "WarningAction",
    "wv": "WarningVariable",
}
_COMMON_SWITCHES = {"Debug", "Verbose"}


@dataclass(frozen=True)
class Binding:
    cmdlet: str
    module: str
    parameter_set: str
    parameters: Mapping[str, Any]


class Signatures:
    """The documented signatures of a set of cmdlets."""

    def __init__(self, cmdlets: Mapping[str, dict]):
        self._cmdlets = {name.lower(): (name, data) for name, data in cmdlets.items()}

    def names(self) -> list[str]:
        return sorted(name for name, _unused in self._cmdlets.values())

    def get(self, cmdlet: str) -> dict:
        try:
            return self._cmdlets[cmdlet.lower()][1]
        except KeyError:
            raise BindError(
                f"The term '{cmdlet}' is not a documented cmdlet of this collection's reference.",
                hint="Use a cmdlet listed in plugins/plugin_utils/host/signatures, or add its "
                "documented signature there with its source.",
                cmdlet=cmdlet,
            ) from None

    def canonical_name(self, cmdlet: str) -> str:
        self.get(cmdlet)
        return self._cmdlets[cmdlet.lower()][0]

    def has_parameter(self, cmdlet: str, parameter: str, parameter_set: str | None = None) -> bool:
        """Whether `parameter_set` of `cmdlet` (any set when None) documents `parameter` (exact spelling)."""
        data = self.get(cmdlet)
        if parameter_set is None:
            return parameter in self._all_parameters(data)
        return any(parameter == p["name"] for s in data["parameter_sets"] if s["name"] == parameter_set
                   for p in s["parameters"])

    def is_switch(self, cmdlet: str, parameter: str) -> bool:
        if parameter in _COMMON_SWITCHES:
            return True
        for pset in self.get(cmdlet)["parameter_sets"]:
            for param in pset["parameters"]:
                if param["name"] == parameter:
                    return bool(param["switch"])
        return False

    def bind(self, cmdlet: str, parameters: Mapping[str, Any]) -> Binding:
        name = self.canonical_name(cmdlet)
        data = self.get(name)
        resolved = {}
        for given, value in parameters.items():
            canonical = self._resolve_parameter(name, data, given)
            if canonical in resolved:
                raise BindError(
                    f"{name}: cannot bind parameter '{canonical}' because it is specified more than once.",
                    cmdlet=name,
                    parameter=canonical,
                )
            self._check_value(name, data, canonical, value)
            resolved[canonical] = value
        parameter_set = self._choose_set(name, data, resolved)
        return Binding(cmdlet=name, module=data["module"], parameter_set=parameter_set, parameters=resolved)

    # -- parameter names -------------------------------------------------------------------

    @staticmethod
    def _all_parameters(data: dict) -> dict[str, dict]:
        params: dict[str, dict] = {}
        for pset in data["parameter_sets"]:
            for param in pset["parameters"]:
                params.setdefault(param["name"], param)
        return params

    def _resolve_parameter(self, cmdlet: str, data: dict, given: str) -> str:
        if not isinstance(given, str) or not given or given.startswith("-"):
            raise BindError(f"{cmdlet}: parameter names are given without a dash, not {given!r}.", cmdlet=cmdlet)
        params = self._all_parameters(data)
        common = COMMON_PARAMETERS if data.get("common_parameters") is not False else ()
        lowered = given.lower()
        for pname, param in params.items():
            if pname.lower() == lowered or lowered in (a.lower() for a in param.get("aliases", ())):
                return pname
        for cname in common:
            if cname.lower() == lowered:
                return cname
        if common and lowered in _COMMON_ALIASES:
            return _COMMON_ALIASES[lowered]
        # PowerShell accepts an unambiguous prefix of a parameter name or of an alias; several
        # prefixes leading to the same parameter are not ambiguous.
        spellings = [(p, [p, *param.get("aliases", ())]) for p, param in params.items()]
        spellings += [(c, [c, *(a for a, target in _COMMON_ALIASES.items() if target == c)]) for c in common]
        candidates = [p for p, names in spellings if any(n.lower().startswith(lowered) for n in names)]
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            raise BindError(
                f"{cmdlet}: parameter cannot be processed because the parameter name '{given}' is "
                f"ambiguous. Possible matches include: {', '.join('-' + c for c in candidates)}.",
                cmdlet=cmdlet,
                parameter=given,
            )
        raise BindError(
            f"{cmdlet}: a parameter cannot be found that matches parameter name '{given}'.",
            hint=f"Documented parameters: {', '.join(sorted(params)) or '(none)'}.",
            cmdlet=cmdlet,
            parameter=given,
        )

    def _check_value(self, cmdlet: str, data: dict, parameter: str, value: Any) -> None:
        param = self._all_parameters(data).get(parameter)
        switch = param["switch"] if param else parameter in _COMMON_SWITCHES
        if switch and not isinstance(value, bool):
            raise BindError(
                f"{cmdlet}: -{parameter} is a switch; give it True or False, not {value!r}.",
                cmdlet=cmdlet,
                parameter=parameter,
            )
        if not switch and value is None:
            raise BindError(f"{cmdlet}: -{parameter} needs a value.", cmdlet=cmdlet, parameter=parameter)
        if param and not switch and isinstance(value, bool) and "bool" not in param["type"].lower():
            raise BindError(
                f"{cmdlet}: -{parameter} takes a {param['type']}, not a boolean.",
                cmdlet=cmdlet,
                parameter=parameter,
            )
        allowed = param.get("allowed_values") if param else None
        # An array parameter (Update-CcServerCertificate -Roles Cms,Edge) checks each element.
        values = value if isinstance(value, (list, tuple)) else [value]
        wrong = [v for v in values if str(v).lower() not in {str(a).lower() for a in allowed or ()}]
        if allowed and wrong:
            raise BindError(
                f"{cmdlet}: -{parameter} {wrong[0]!r} is not one of the documented values "
                f"{', '.join(map(str, allowed))}.",
                cmdlet=cmdlet,
                parameter=parameter,
            )

    # -- parameter sets --------------------------------------------------------------------

    def _choose_set(self, cmdlet: str, data: dict, resolved: Mapping[str, Any]) -> str:
        named = {p for p in resolved if p not in COMMON_PARAMETERS}
        sets = data["parameter_sets"]
        holding = [s for s in sets if named <= {p["name"] for p in s["parameters"]}]
        if not holding:
            raise BindError(
                f"{cmdlet}: parameter set cannot be resolved using the specified named parameters "
                f"({', '.join(sorted(named))}): no documented parameter set holds them all.",
                cmdlet=cmdlet,
            )
        complete = [s for s in holding if not self._missing(s, resolved)]
        if len(complete) == 1:
            return complete[0]["name"]
        if len(complete) > 1:
            default = self._default_set(sets)
            if default is not None and default in complete:
                return default["name"]
            raise BindError(
                f"{cmdlet}: parameter set cannot be resolved using the specified named parameters: "
                f"they fit the sets {', '.join(s['name'] for s in complete)} and none is the default.",
                hint="Name a parameter that belongs to only one of those sets.",
                cmdlet=cmdlet,
            )
        if len(holding) == 1:
            missing = self._missing(holding[0], resolved)
            raise BindError(
                f"{cmdlet}: cannot process command because of one or more missing mandatory "
                f"parameters: {' '.join(missing)}.",
                cmdlet=cmdlet,
                missing=missing,
            )
        options = "; ".join(f"{s['name']} needs {' '.join(self._missing(s, resolved))}" for s in holding)
        raise BindError(
            f"{cmdlet}: parameter set cannot be resolved using the specified named parameters "
            f"({options}).",
            cmdlet=cmdlet,
        )

    @staticmethod
    def _default_set(sets: list[dict]) -> dict | None:
        # Few pages mark "(Default)"; platyPS writes the default parameter set first, and
        # documented examples such as a bare `Get-CsComputer` only bind if the first set is the
        # default. CloudConnector pages name no sets at all, so nothing there is a default.
        marked = [s for s in sets if s.get("default")]
        if marked:
            return marked[0]
        if sets and sets[0].get("name_documented", True) and not sets[0]["name"].startswith("__syntax_"):
            return sets[0]
        return None

    @staticmethod
    def _missing(pset: dict, resolved: Mapping[str, Any]) -> list[str]:
        return [p["name"] for p in pset["parameters"] if p["mandatory"] and p["name"] not in resolved]


def _load(directory: pathlib.Path) -> dict[str, dict]:
    cmdlets: dict[str, dict] = {}
    for path in [directory / _REFERENCE_FILE, *sorted(directory.glob(_WINDOWS_FILES)),
                 *sorted(directory.glob(_SKYPE_EXTRA_FILES))]:
        for name, data in json.loads(path.read_text(encoding="utf-8"))["cmdlets"].items():
            if name in cmdlets:
                raise ValueError(f"{name} is described twice in the signature files ({path.name})")
            cmdlets[name] = data
    return cmdlets


@lru_cache(maxsize=1)
def documented() -> Signatures:
    """The signatures shipped with the collection."""
    return Signatures(_load(pathlib.Path(__file__).parent))
