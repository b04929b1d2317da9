# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a plan, in the same wire format the Windows runner receives, against the twin's world.

The answer has the runner's shape too, so one parser reads both. Each step is bound again against
the documented signatures, as the real PowerShell binder would do on the server: the twin refuses
what the real cmdlet would refuse, even if a plan was built without the controller's checks.
"""

from __future__ import annotations

import ntpath
import time
from typing import Any, Mapping

from ansible_collections.sfb.server.plugins.plugin_utils.errors import BindError, HostUnreachable
from ansible_collections.sfb.server.plugins.plugin_utils.host.signatures import documented
from ansible_collections.sfb.server.plugins.plugin_utils.twin import cmdlets as registry
from ansible_collections.sfb.server.plugins.plugin_utils.twin import simulation
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import World, WorldStore

# Guards against a handler that keeps asking to wait: no real cmdlet blocks for days.
_MAX_WAIT_VIRTUAL_SECONDS = 3 * 86400


def execute(store: WorldStore, server: str, steps: list[dict], modules: list[str],
            secrets: Mapping[str, str] | None = None, become: bool | None = None) -> dict:
    """The runner-shaped answer of `server` to a wire plan."""
    registry.load()
    secrets = secrets or {}
    with store.transaction(simulation.advance) as world:
        host = _reachable(world, server)
        for module in modules:
            available = registry.MODULES.get(module)
            if available is None or not available(world, host):
                world.record(host["fqdn"], "module_missing", module=module)
                return {
                    "failed": True,
                    "missing_module": module,
                    "msg": f"The specified module '{module}' was not loaded because no valid module "
                           "file was found in any module directory.",
                    "steps": [],
                }
    answers = []
    for index, step in enumerate(steps):
        answer = _run_step(store, server, index, step, secrets, become)
        answers.append(answer)
        if answer["error"] is not None:
            break
    return {"failed": False, "changed": False, "steps": answers}


def _reachable(world: World, server: str) -> dict:
    host = world.server(server)
    if host["faults"].get("unreachable") or not simulation.is_up(host):
        state = "unreachable (fault injected)" if host["faults"].get("unreachable") else host["power"]
        raise HostUnreachable(
            f"Failed to connect to the host via the twin: {host['fqdn']} is {state}.",
            hint="Wait for the server to come back, or clear the fault with `sfb-twin fault --clear`.",
        )
    return host


def _run_step(store: WorldStore, server: str, index: int, step: dict, secrets: Mapping[str, str],
              become: bool | None = None) -> dict:
    answer: dict[str, Any] = {"index": index, "output": [], "error": None, "exit_code": None,
                              "stdout": "", "stderr": ""}
    with store.transaction(simulation.advance) as world:
        call, handler, problem = _prepare(world, server, step, secrets)
        call.become = become
        if problem is not None:
            answer["error"] = problem
            world.record(call.server["fqdn"], "step_refused", command=step.get("name") or step.get("path"),
                         error=problem["message"])
            return answer
        result = handler(call)
        started = world.now
    while isinstance(result, registry.Wait):
        if result.until - started > _MAX_WAIT_VIRTUAL_SECONDS:
            raise RuntimeError(f"twin handler for {call.name} waits beyond any real cmdlet")
        time.sleep(world.clock.real_seconds(result.until - world.clock.now()))
        with store.transaction(simulation.advance) as world:
            call = registry.Call(call.name, call.parameters, world, _reachable(world, server), call.arguments,
                                 become=become)
            result = _resume(result, call)
    if isinstance(result, registry.CmdletError):
        answer["error"] = {"message": result.message, "category": result.category, "error_id": result.error_id}
    elif isinstance(result, registry.ExitCode):
        answer.update(exit_code=result.code, stdout=result.stdout, stderr=result.stderr)
        if result.code not in step.get("success_codes", [0]):
            answer["error"] = {"message": f"{step['path']} exited with code {result.code}.",
                               "category": "ExitCode", "error_id": "NonZeroExitCode"}
    else:
        # As the runner's Select-PlanOutput: scalars always come back, objects only when selected.
        select = step.get("select") or []
        as_text = step.get("as_text") or []
        answer["output"] = [_select(obj, select, as_text) for obj in (result or []) if select or not isinstance(obj, dict)]
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
            return call, None, {
                "message": f"The term '{step['path']}' is not recognized as the name of a cmdlet, function, "
                           "script file, or operable program.",
                "category": "ObjectNotFound", "error_id": "CommandNotFoundException"}
        return call, _guarded(handler), None
    parameters = {name: _unwire(value, secrets) for name, value in step.get("parameters", {}).items()}
    call = registry.Call(step.get("name", ""), parameters, world, host)
    if call.name.lower() not in (name.lower() for name in documented().names()):
        # PowerShell does not find the command at all, before any parameter is bound.
        return call, None, {
            "message": f"The term '{call.name}' is not recognized as the name of a cmdlet, function, "
                       "script file, or operable program.",
            "category": "ObjectNotFound", "error_id": "CommandNotFoundException"}
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
