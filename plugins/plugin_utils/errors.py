# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors raised by the controller-side code of sfb.server.

Every error carries what failed and what the administrator can do about it, so that an action
plugin can turn it into a task failure that reads well at 2 a.m. without a traceback.
"""

from __future__ import annotations

import contextlib
import contextvars

# The one variable that accepts going on when a parser cannot read an output: a list of command
# names (host, group or play variable), e.g. `sfb_accept_unreadable_output: [Get-CsWindowsService]`.
# The module base (plugin_utils/action.py) sets it for the task; parsers ask accepts_unreadable().
ACCEPT_UNREADABLE_VARIABLE = "sfb_accept_unreadable_output"
_ACCEPTED: contextvars.ContextVar[frozenset] = contextvars.ContextVar("sfb_accept_unreadable_output",
                                                                      default=frozenset())


def accepts_unreadable(command: str) -> bool:
    """Whether the running task accepts the risk of going on without reading `command`'s output."""
    accepted = _ACCEPTED.get()
    return "*" in accepted or str(command).lower() in accepted


@contextlib.contextmanager
def accepting_unreadable(commands):
    """Within the block, accepts_unreadable() is true for `commands` (names, without regard to case)."""
    if isinstance(commands, str):
        commands = [commands]
    token = _ACCEPTED.set(frozenset(str(c).lower() for c in (commands or ())))
    try:
        yield
    finally:
        _ACCEPTED.reset(token)


class SfbError(Exception):
    """Base class: `msg` says what failed, `hint` what to do about it."""

    kind = "error"
    # Whether the server changed before the failure (a plan that failed half-way).
    changed = False

    def __init__(self, msg: str, hint: str = "", **details):
        super().__init__(msg)
        self.msg = msg
        self.hint = hint
        self.details = details

    def __str__(self) -> str:
        return f"{self.msg} {self.hint}".strip()

    def to_result(self) -> dict:
        """The `error` entry of a failed task result."""
        error = {"kind": self.kind, "message": self.msg}
        if self.hint:
            error["hint"] = self.hint
        error.update(self.details)
        return error


class InvalidArgument(SfbError):
    kind = "invalid_argument"


class BindError(SfbError):
    """A cmdlet call that would not bind to any documented parameter set of the real cmdlet."""

    kind = "bind_error"


class HostUnreachable(SfbError):
    """The connection to the server dropped or could not be made."""

    kind = "unreachable"


class PowerShellModuleMissing(SfbError):
    """SkypeForBusiness or CloudConnector is not installed on the server."""

    kind = "module_missing"


class StepFailed(SfbError):
    """A step of a plan failed on the server: a cmdlet error or an unexpected exit code."""

    kind = "step_failed"


class TwinWorldError(SfbError):
    """The twin's world file is missing, unreadable, or does not know the host."""

    kind = "twin_world"


class WorldDescriptionError(SfbError):
    """A YAML description of a twin world is malformed."""

    kind = "world_description"


class WaitTimedOut(SfbError):
    """A bounded wait ended before the condition held."""

    kind = "timeout"


class PlanTimedOut(WaitTimedOut):
    """A plan ran past its time limit (Plan.time_limit) and was stopped on the server.

    The steps before the one that was running have done their work; the running step was cut
    where it was (the job that ran it ended), and the steps after it did not run."""


class UnreadableOutput(SfbError):
    """A parser met output it cannot interpret: the job stops rather than pass a gate on a guess.

    `command` names the cmdlet or tool, `expected` what the parser looks for, `excerpt` a short
    cut of what came back, and `accept_with` the one explicit variable or option that accepts
    the risk of going on without that reading. A parser that honours ACCEPT_UNREADABLE_VARIABLE
    (it asks accepts_unreadable(command) before raising) passes
    accept_with=f"{ACCEPT_UNREADABLE_VARIABLE}: [<command>]"; one that does not, passes nothing,
    so the hint never promises a way out that does not exist.
    """

    kind = "unreadable_output"
    EXCERPT_CHARS = 240

    def __init__(self, command: str, expected: str, got=None, accept_with: str = "", hint: str = "", **details):
        excerpt = self.excerpt(got)
        msg = f"The output of {command} could not be read: expected {expected}; got {excerpt}."
        if not hint:
            hint = ("Compare it with docs/assumptions.md (the section for this command) and record the real "
                    "output with scripts/record-lab-samples.ps1 so the parser can be fixed.")
            if accept_with:
                hint = (f"{hint} To go on without this reading, at your own risk, set {accept_with}.")
        super().__init__(msg, hint=hint, command=command, expected=expected, excerpt=excerpt, **details)
        self.command = command
        self.expected = expected
        self.accept_with = accept_with

    @classmethod
    def excerpt(cls, got) -> str:
        if got is None:
            return "nothing"
        text = got if isinstance(got, str) else repr(got)
        text = " ".join(text.split())
        if not text:
            return "an empty text"
        if len(text) > cls.EXCERPT_CHARS:
            text = text[: cls.EXCERPT_CHARS] + "..."
        return repr(text)
