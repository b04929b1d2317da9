# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the twin answers to each cmdlet and executable.

Each family of cmdlets lives in its own module here and registers its handlers with `@cmdlet`.
A handler receives the bound call and returns the objects the real cmdlet returns, as dicts with
every property the twin knows (the engine keeps only the properties the plan selected), or a
`Wait` when the real cmdlet would block until something happens in the world.
"""

from __future__ import annotations

import importlib
import pathlib
from dataclasses import dataclass, field
from typing import Any, Callable

from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import World

# Every module of this package is a family of handlers, imported on first use: adding a family
# is adding a module here.
FAMILIES = tuple(sorted(p.stem for p in pathlib.Path(__file__).parent.glob("*.py") if p.stem != "__init__"))

CMDLETS: dict[str, Callable[["Call"], Any]] = {}
EXECUTABLES: dict[str, Callable[["Call"], Any]] = {}
# PowerShell module name -> whether a server has it installed.
MODULES: dict[str, Callable[[World, dict], bool]] = {}


class CmdletError(Exception):
    """What the real cmdlet would write as a terminating error."""

    def __init__(self, message: str, category: str = "InvalidOperation", error_id: str = ""):
        super().__init__(message)
        self.message = message
        self.category = category
        self.error_id = error_id


@dataclass(frozen=True)
class SecretValue:
    """A secret as a handler sees it: its kind and user name, and whether a value was given."""

    kind: str
    username: str | None
    given: bool


@dataclass
class Call:
    name: str
    parameters: dict[str, Any]
    world: World
    server: dict
    arguments: list[str] = field(default_factory=list)

    def get(self, parameter: str, default: Any = None) -> Any:
        return self.parameters.get(parameter, default)

    def switch(self, parameter: str) -> bool:
        return bool(self.parameters.get(parameter, False))


@dataclass(frozen=True)
class Wait:
    """The cmdlet blocks until virtual time `until`, then `resume(call)` gives its answer."""

    until: float
    resume: Callable[[Call], Any]


@dataclass(frozen=True)
class ExitCode:
    """What an executable ended with."""

    code: int
    stdout: str = ""
    stderr: str = ""


def cmdlet(*names: str):
    def register(handler):
        for name in names:
            CMDLETS[name.lower()] = handler
        return handler

    return register


def executable(*names: str):
    def register(handler):
        for name in names:
            EXECUTABLES[name.lower()] = handler
        return handler

    return register


def powershell_module(name: str):
    def register(predicate):
        MODULES[name] = predicate
        return predicate

    return register


_loaded = False


def load() -> None:
    global _loaded
    if not _loaded:
        for family in FAMILIES:
            importlib.import_module(f"{__name__}.{family}")
        _loaded = True
