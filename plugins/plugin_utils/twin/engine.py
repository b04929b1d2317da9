# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a plan, in the same wire format the Windows runner receives, against the twin's world.

The answer has the runner's shape too, so one parser reads both. Each step is bound again against
the documented signatures, as the real PowerShell binder would do on the server: the twin refuses
what the real cmdlet would refuse, even if a plan was built without the controller's checks.
"""

from __future__ import annotations

import copy
import ntpath
import time
from typing import Any, Mapping

from ansible_collections.sfb.server.plugins.plugin_utils.errors import BindError, HostUnreachable, PlanTimedOut
from ansible_collections.sfb.server.plugins.plugin_utils.host.signatures import documented
from ansible_collections.sfb.server.plugins.plugin_utils.twin import cmdlets as registry
from ansible_collections.sfb.server.plugins.plugin_utils.twin import knowledge, simulation
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import World, WorldStore

# Guards against a handler that keeps asking to wait: no real cmdlet blocks for days.
_MAX_WAIT_VIRTUAL_SECONDS = 3 * 86400


def execute(store: WorldStore, server: str, steps: list[dict], modules: list[str],
            secrets: Mapping[str, str] | None = None, become: bool | None = None,
            time_limit: float | None = None) -> dict:
    """The runner-shaped answer of `server` to a wire plan.

    The plan runs in one transaction, as it runs in one round trip on a real server: the module
    check and every step up to the first that has to wait for time to pass (a drain, an install).
    Only then is the world written and the lock let go, so that other forks go on while this one
    waits; the steps after it run in a transaction of their own. A server that stops answering half
    way (HostUnreachable) keeps what the steps before did, as a real one does. A plan given a
    `time_limit` (virtual seconds) that is still waiting when it passes is stopped there, as ansible-core's
    async watchdog stops the job on Windows (PlanTimedOut): what the steps did so far stays.
    """
    registry.load()
    secrets = secrets or {}
    answers: list[dict] = []
    index = 0
    deadline: float | None = None
    while True:
        waiting = unreachable = None
        with store.transaction(simulation.advance, reuse=True) as world:
            if index == 0:
                _reachable(world, server)
                deadline = None if time_limit is None else world.now + time_limit
            while index < len(steps):
                try:
                    missing = _missing_step_module(world, server, index, steps[index])
                    if missing is not None:
                        answers.append(missing)
                        return {"failed": False, "changed": False, "steps": answers}
                    answer, waiting = _start_step(world, server, index, steps[index], secrets, become)
                except HostUnreachable as exc:
                    unreachable = exc  # raised before the step changed anything: commit the others
                    break
                if waiting is not None:
                    break
                answers.append(answer)
                index += 1
                if answer["error"] is not None:
                    return {"failed": False, "changed": False, "steps": answers}
        if unreachable is not None:
            raise unreachable
        if waiting is None:
            return {"failed": False, "changed": False, "steps": answers}
        answer = _wait(store, server, steps[index], become, *waiting, deadline=deadline)
        answers.append(answer)
        index += 1
        if answer["error"] is not None or index >= len(steps):
            return {"failed": False, "changed": False, "steps": answers}


def _missing_step_module(world: World, server: str, index: int, step: dict) -> dict | None:
    """The answer of a step whose module cannot be loaded, as plan_runner.ps1 gives it.

    The runner imports a step's module the first time a step needs it (Import-StepModule): a module
    that will not load fails that step with error id "ModuleMissing:<module>", and the steps before
    it have run, so a prerequisites read still reports its other findings. The message is the
    runner's, around what Import-Module says when no module file is found. The plan's `modules`
    list is not loaded up front any more: a plan without steps loads nothing and cannot fail.
    """
    module = step.get("module")
    if not module:
        return None
    host = _reachable(world, server)
    available = registry.MODULES.get(module)
    if available is not None and available(world, host):
        return None
    world.record(host["fqdn"], "module_missing", module=module)
    return {"index": index, "output": [], "exit_code": None, "stdout": "", "stderr": "",
            "error": {"message": f"The PowerShell module '{module}' could not be loaded: The specified module "
                                 f"'{module}' was not loaded because no valid module file was found in any "
                                 "module directory.",
                      "category": "ResourceUnavailable", "error_id": f"ModuleMissing:{module}"}}


def _reachable(world: World, server: str) -> dict:
    host = world.server(server)
    if host["faults"].get("unreachable") or not simulation.is_up(host):
        state = "unreachable (fault injected)" if host["faults"].get("unreachable") else host["power"]
        raise HostUnreachable(
            f"Failed to connect to the host via the twin: {host['fqdn']} is {state}.",
            hint="Wait for the server to come back; an injected fault is cleared by naming it without a value: "
                 f"`sfb-twin fault {host['fqdn']} unreachable`.",
        )
    return host


def _start_step(world: World, server: str, index: int, step: dict, secrets: Mapping[str, str],
                become: bool | None = None):
    """Run one step inside the plan's transaction: (answer, None) when it is done, (answer, wait)
    when its handler asked to wait for virtual time."""
    answer: dict[str, Any] = {"index": index, "output": [], "error": None, "exit_code": None,
                              "stdout": "", "stderr": ""}
    call, handler, problem = _prepare(world, server, step, secrets)
    call.become = become
    if problem is not None:
        answer["error"] = problem
        world.record(call.server["fqdn"], "step_refused", command=step.get("name") or step.get("path"),
                     error=problem["message"])
        return answer, None
    result = handler(call)
    if isinstance(result, registry.Wait):
        return answer, (answer, call, result, world.now, world.clock)
    return _finish(answer, step, result), None


def _wait(store: WorldStore, server: str, step: dict, become, answer: dict, call, result, started: float, clock,
          deadline: float | None = None):
    """Let virtual time pass for a step that waits, one transaction per look, the lock free between."""
    while isinstance(result, registry.Wait):
        if result.until - started > _MAX_WAIT_VIRTUAL_SECONDS:
            raise RuntimeError(f"twin handler for {call.name} waits beyond any real cmdlet")
        if deadline is not None and result.until > deadline:
            time.sleep(clock.real_seconds(deadline - clock.now()))
            with store.transaction(simulation.advance, reuse=True) as world:
                world.record(server, "plan_timed_out", command=call.name)
            raise PlanTimedOut(f"{server}: the plan did not finish within its time limit and was stopped on the "
                               f"server ({call.name} was still running).",
                               hint="The steps before it have done their work; run the task again to see the "
                               "server's state.")
        time.sleep(clock.real_seconds(result.until - clock.now()))
        with store.transaction(simulation.advance, reuse=True) as world:
            call = registry.Call(call.name, call.parameters, world, _reachable(world, server), call.arguments,
                                 become=become)
            result = _resume(result, call)
            if not isinstance(result, registry.Wait):
                return _finish(answer, step, result)
    return _finish(answer, step, result)


def _finish(answer: dict, step: dict, result) -> dict:
    """The answer of a finished step; built inside the transaction, while its objects are current."""
    if isinstance(result, registry.CmdletError):
        answer["error"] = {"message": result.message, "category": result.category, "error_id": result.error_id}
    elif isinstance(result, registry.ExitCode):
        answer.update(exit_code=result.code, stdout=result.stdout, stderr=result.stderr)
        if result.code not in step.get("success_codes", [0]):
            answer["error"] = {"message": f"{step['path']} exited with code {result.code}.",
                               "category": "ExitCode", "error_id": "NonZeroExitCode"}
    else:
        # As the runner's Select-PlanOutput: scalars always come back, objects only when selected. A
        # copy: the world's dicts serve the next transaction, the answer must not change with them.
        select = step.get("select") or []
        as_text = step.get("as_text") or []
        answer["output"] = copy.deepcopy(
            [_select(obj, select, as_text) for obj in (result or []) if select or not isinstance(obj, dict)])
    return answer


def _resume(wait: registry.Wait, call: registry.Call) -> Any:
    try:
        return wait.resume(call)
    except registry.CmdletError as exc:
        return exc


def _prepare(world: World, server: str, step: dict, secrets: Mapping[str, str]):
    host = _reachable(world, server)
    if step.get("type") == "executable":
        name = ntpath.basename(step["path"]).lower()
        call = registry.Call(name, {}, world, host, list(step.get("arguments", [])))
        handler = registry.EXECUTABLES.get(name)
        if handler is None:
            return call, None, _not_recognized(step["path"])
        return call, _guarded(handler), None
    parameters = {name: _unwire(value, secrets) for name, value in step.get("parameters", {}).items()}
    call = registry.Call(step.get("name", ""), parameters, world, host)
    if call.name.lower() not in (name.lower() for name in documented().names()):
        # PowerShell does not find the command at all, before any parameter is bound.
        return call, None, _not_recognized(call.name)
    try:
        binding = documented().bind(call.name, parameters)
    except BindError as exc:
        return call, None, {"message": exc.msg, "category": "InvalidArgument",
                            "error_id": "NamedParameterNotFound,ParameterBindingException"}
    call.name = binding.cmdlet
    call.parameters = dict(binding.parameters)
    handler = registry.handler_for(binding.cmdlet)
    if handler is None:
        raise NotImplementedError(
            f"The twin does not simulate {binding.cmdlet} yet; add a handler in plugin_utils/twin/cmdlets."
        )
    return call, _guarded(handler), None


def _not_recognized(name: str) -> dict:
    message, category, error_id = knowledge.error("not_recognized", name=name)
    return {"message": message, "category": category, "error_id": error_id}


def _guarded(handler):
    def run(call):
        try:
            return handler(call)
        except registry.CmdletError as exc:
            return exc

    return run


def _unwire(value: Any, secrets: Mapping[str, str]) -> Any:
    if isinstance(value, dict) and "secret" in value:
        return registry.SecretValue(kind=value.get("kind", "SecureString"), username=value.get("username"),
                                    given=value["secret"] in secrets)
    if isinstance(value, list):
        return [_unwire(v, secrets) for v in value]
    return value


def _select(obj, properties: list[str], as_text: list[str] = ()):
    if not isinstance(obj, dict):
        return obj  # a string or number comes back as itself, as the runner returns it
    # Select-Object gives $null for a property the object does not have.
    lowered = {key.lower(): key for key in obj}
    selected = {prop: obj.get(lowered.get(prop.lower(), prop)) for prop in properties}
    for prop in as_text:
        selected[prop] = _text(selected.get(prop))
    return selected


def _text(value):
    if value is None:
        return None
    if isinstance(value, list):
        return [str(item) for item in value if item is not None]
    return str(value)
