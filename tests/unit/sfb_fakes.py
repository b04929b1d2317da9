# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-ins for what ansible-playbook hands an action plugin: a task, a connection, a loader.

Only the attributes the sfb.server code and ActionBase.run read are provided, so a test fails
loudly (AttributeError) if the code starts depending on more of Ansible's internals.
"""

from __future__ import annotations

import copy
import json
import pathlib
from typing import Any, Callable

from ansible.plugins.shell.cmd import ShellModule as Cmd
from ansible.plugins.shell.powershell import ShellModule as PowerShell
from ansible.plugins.shell.sh import ShellModule as Sh

FIXTURES = pathlib.Path(__file__).resolve().parent / "host" / "fixtures"


def fixture(name: str) -> dict:
    """A recorded-style runner answer; the `_comment` key says where its shape comes from."""
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    data.pop("_comment", None)
    return data


def named(action, name: str = "sfb.server.test"):
    """The plugin loader gives every action its name; ansible-core 2.16 needs it for argument errors."""
    action._load_name = name
    return action


class FakeTime:
    """Stands in for the `time` module of the twin: real time only moves when the test says so,
    or when the twin sleeps (a sleep moves the clock instead of waiting)."""

    def __init__(self, start: float = 1_900_000_000.0):
        self.real = start
        self.slept: list[float] = []

    def time(self) -> float:
        return self.real

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.real += max(0.0, seconds)

    def pass_virtual(self, store, virtual_seconds: float) -> None:
        self.real += store.clock().real_seconds(virtual_seconds)


def drive_twin_clock(monkeypatch) -> FakeTime:
    """Put the twin's world, engine and host on one FakeTime (the clock fixtures of the suites)."""
    from ansible_collections.sfb.server.plugins.plugin_utils.twin import engine
    from ansible_collections.sfb.server.plugins.plugin_utils.twin import host as twin_host
    from ansible_collections.sfb.server.plugins.plugin_utils.twin import world as world_module

    driven = FakeTime()
    for module in (world_module, engine, twin_host):
        monkeypatch.setattr(module, "time", driven)
    return driven


def twin_store_factory(tmp_path: pathlib.Path) -> Callable[[dict], Any]:
    """A function that creates a twin world from a description in `tmp_path` and returns its store."""
    from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin
    from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore

    def make(desc: dict):
        store = WorldStore(str(tmp_path / "world.db"))
        admin.create(store, desc, replace=True)
        return store

    return make


class FakeTask:
    def __init__(self, args: dict | None = None, check_mode: bool = False, diff: bool = False,
                 action: str = "sfb.server.test"):
        self.args = dict(args or {})
        self.check_mode = check_mode
        self.diff = diff
        self.action = action
        self.async_val = 0

    def copy(self):
        return copy.copy(self)


class FakeConnection:
    """A connection as host_for sees it: a transport name and a shell plugin."""

    def __init__(self, transport: str = "ansible.builtin.winrm", shell: str = "powershell",
                 options: dict | None = None):
        self.transport = transport
        self._shell = {"powershell": PowerShell, "cmd": Cmd, "sh": Sh}[shell]()
        self._options = dict(options or {})

    def get_option(self, name):
        return self._options[name]


class FakeActionLoader:
    """Records which other action plugins were asked for and returns scripted results."""

    def __init__(self, results: dict[str, Any] | None = None):
        self.results = dict(results or {})
        self.requests: list[dict] = []

    def get(self, name, **kwargs):
        if name not in self.results:
            return None
        self.requests.append({"name": name, **kwargs})
        loader = self

        class _Action:
            def run(self, task_vars=None):
                answer = loader.results[name]
                if isinstance(answer, BaseException):
                    raise answer
                return copy.deepcopy(answer(kwargs["task"]) if callable(answer) else answer)

        return _Action()


class FakeSharedLoader:
    def __init__(self, action_loader: FakeActionLoader):
        self.action_loader = action_loader


class FakeAction:
    """What WindowsHost uses of its action plugin: _execute_module, _task and the loaders."""

    def __init__(self, answers: list | None = None, task: FakeTask | None = None,
                 connection: FakeConnection | None = None, actions: dict | None = None):
        self._task = task or FakeTask()
        self._connection = connection or FakeConnection()
        self._play_context = object()
        self._loader = object()
        self._templar = object()
        self._shared_loader_obj = FakeSharedLoader(FakeActionLoader(actions))
        self.answers = list(answers or [])
        self.module_calls: list[dict] = []

    def _execute_module(self, module_name=None, module_args=None, task_vars=None, wrap_async=False, **kwargs):
        self.module_calls.append({"module_name": module_name, "module_args": copy.deepcopy(module_args),
                                  "task_vars": task_vars, "wrap_async": wrap_async, **kwargs})
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer):
            return answer(module_args)
        return copy.deepcopy(answer)


def patch_execute_module(action, answer: Callable[[dict], dict] | dict | BaseException) -> list[dict]:
    """Replace a real ActionModule's _execute_module; returns the list of recorded calls."""
    calls: list[dict] = []

    def _execute_module(module_name=None, module_args=None, task_vars=None, wrap_async=False, **kwargs):
        calls.append({"module_name": module_name, "module_args": copy.deepcopy(module_args)})
        if isinstance(answer, BaseException):
            raise answer
        return copy.deepcopy(answer(module_args) if callable(answer) else answer)

    action._execute_module = _execute_module
    return calls
