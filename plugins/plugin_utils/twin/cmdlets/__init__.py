# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the twin answers to each cmdlet and executable.

Each family of cmdlets lives in its own module here and registers its handlers with `@cmdlet`: one
family owns each cmdlet. Another family that needs the same cmdlet for its own paths or machines
(Test-Path on a setup folder, Get-ChildItem on a CCE certificate store) registers with `@extends`.
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
EXTENSIONS: dict[str, list[Callable[["Call", Callable], Any]]] = {}
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
    # Whether the task runs with become (runas): DPAPI-bound steps need it. None: not told.
    become: bool | None = None

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


def _owner(handler) -> str:
    return f"{handler.__module__.rsplit('.', 1)[-1]}.{handler.__name__}"


def _register(table: dict, key: str, handler, what: str) -> None:
    current = table.get(key)
    if current is not None and current is not handler:
        raise ValueError(
            f"The twin's {what} {key!r} is answered by {_owner(current)} already; {_owner(handler)} must "
            "extend it with @extends (answer its own cases and hand the others to the base) instead.")
    table[key] = handler


def cmdlet(*names: str):
    """The family that owns a cmdlet: exactly one per cmdlet."""

    def register(handler):
        for name in names:
            _register(CMDLETS, name.lower(), handler, "cmdlet")
        return handler

    return register


def extends(*names: str):
    """A family that answers some calls of a cmdlet another family owns (its paths, its machines).

    The extension is called as `extension(call, base)` and hands every call that is not its own to
    `base`. Because each extension only claims its own cases, their order does not matter.
    """

    def register(extension):
        for name in names:
            EXTENSIONS.setdefault(name.lower(), []).append(extension)
        return extension

    return register


def handler_for(name: str) -> Callable[["Call"], Any] | None:
    """The owner's handler with every extension of the cmdlet around it."""
    key = name.lower()
    handler = CMDLETS.get(key)
    extensions = EXTENSIONS.get(key, [])
    if handler is None and not extensions:
        return None
    if handler is None:
        handler = _unanswered(name)
    for extension in extensions:
        handler = _chain(extension, handler)
    return handler


def _chain(extension, base):
    def handler(call):
        return extension(call, base)

    return handler


def _unanswered(name: str):
    def handler(call):
        raise CmdletError(f"The twin does not simulate this use of {name}.", "NotImplemented", "NotSimulated")

    return handler


def executable(*names: str):
    def register(handler):
        for name in names:
            _register(EXECUTABLES, name.lower(), handler, "executable")
        return handler

    return register


def powershell_module(name: str):
    """Whether a machine has a PowerShell module: one family answers for each module."""

    def register(predicate):
        _register(MODULES, name, predicate, "PowerShell module")
        return predicate

    return register


_loaded = False


def load() -> None:
    global _loaded
    if not _loaded:
        for family in FAMILIES:
            importlib.import_module(f"{__name__}.{family}")
        _loaded = True
