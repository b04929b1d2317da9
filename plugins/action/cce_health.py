# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.cce_health: what the Cloud Connector Management service monitors, checked from outside.

Seed 001 ("Monitoring"): VMs connected to the Corporate or Internet switches, VMs not saved or
stopped, the services of each role (CMS: REPLICA, MASTER; Mediation: REPLICA, RTCSRV, MEDSVC; Edge:
REPLICA, RTCSRV, RTCDATAPROXY, RTCMRAUTH, RTCMEDIARELAY; 1.4.2 only RTCSRV/MEDSVC and RTCSRV), and the
inbound firewall rules CS RTCSRV (Edge) and CS RTCMEDSRV (Mediation). On the appliance host the module
checks the VMs and their switches (Hyper-V); on a VM it checks that role's services and firewall rules.
A wait retries on the seed's recovery schedule, cut to the window the user allows.
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import cce as model
from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument, SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan

DEFAULT_PREFIXES = {"AD": "AD", "CMS": "CMS", "Mediation": "Mediation", "Edge": "Edge"}


class HealthFailed(SfbError):
    kind = "unhealthy"


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "scope": {"type": "str", "choices": ["host", "vm"], "default": "host"},
        "vm_role": {"type": "str", "choices": list(model.VM_ROLES)},
        "version": {"type": "str"},
        "vm_name_prefixes": {"type": "dict", "default": DEFAULT_PREFIXES},
        "corpnet_switch": {"type": "str", "default": model.SWITCH_CORPNET},
        "internet_switch": {"type": "str", "default": model.SWITCH_INTERNET},
        "wait": {"type": "int", "default": 0},
        "schedule_scale": {"type": "float", "default": 1.0},
        "fail_when_unhealthy": {"type": "bool", "default": True},
    }
    REQUIRED_IF = [["scope", "vm", ["vm_role", "version"]]]
    INPUT_CHECKS = {
        "version": inputs.version,
        # Every VM role needs its prefix: a role left out would be searched as "None".
        "vm_name_prefixes": inputs.fields({role: inputs.nonempty for role in model.VM_ROLES}, required=model.VM_ROLES),
        "corpnet_switch": inputs.nonempty,
        "internet_switch": inputs.nonempty,
        "wait": inputs.duration,
        "schedule_scale": inputs.greater_than(0, "a factor"),
    }

    def execute(self, host, args, task_vars):
        if args["wait"] < 0:
            raise InvalidArgument(f"wait must be 0 or more seconds, not {args['wait']}.")
        if args["scope"] == "vm":
            version = model.parse_version(args["version"])
            if version is None:
                raise InvalidArgument(f"version {args['version']!r} is not a Cloud Connector version such as 2.1.0.")

            def probe():
                return self._vm_problems(host, args["vm_role"], version)
        else:
            switches = {"corpnet": args["corpnet_switch"], "internet": args["internet_switch"]}

            def probe():
                return self._host_problems(host, args["vm_name_prefixes"], switches)

        started = host.now()
        problems = probe()
        attempts = 1
        intervals = model.recovery_intervals(args["wait"], args["schedule_scale"]) if args["wait"] else []
        for interval in intervals:
            if not problems:
                break
            host.sleep(interval)
            problems = probe()
            attempts += 1
        result = {"changed": False, "healthy": not problems, "problems": problems, "attempts": attempts,
                  "waited": int(host.now() - started)}
        if problems and args["fail_when_unhealthy"]:
            raise HealthFailed(
                f"{host.name} is not healthy after {attempts} check(s) over {result['waited']} s: {'; '.join(problems)}.",
                hint="Seed 001: an appliance with a monitored service down is marked down and takes no calls. Fix the "
                "listed items (start the VM, reconnect its switch, start the service, enable the rule) and run again.",
                problems=problems, attempts=attempts)
        return result

    @staticmethod
    def _host_problems(host, prefixes: dict, switches: dict) -> list[str]:
        answer = host.read(CmdletCall("Get-VM", select=("Name", "State")),
                           CmdletCall("Get-VMNetworkAdapter", {"VMName": "*"}, select=("VMName", "SwitchName")))
        problems = []
        seen_roles = set()
        adapters = answer.output(1)
        for vm in answer.output(0):
            role = next((r for r, p in prefixes.items() if str(vm["Name"]).lower().startswith(str(p).lower())), None)
            if role is None:
                continue
            seen_roles.add(role)
            if vm["State"] != "Running":
                problems.append(f"VM {vm['Name']} is {vm['State']}")
            connected = {a["SwitchName"] for a in adapters if a["VMName"] == vm["Name"]}
            expected = {switches["corpnet"]} | ({switches["internet"]} if role == "Edge" else set())
            for switch in sorted(expected - connected):
                problems.append(f"VM {vm['Name']} is not connected to {switch}")
        for role in model.VM_ROLES:
            if role not in seen_roles:
                problems.append(f"no {role} VM found (names starting with {prefixes.get(role)!r})")
        return problems

    @staticmethod
    def _vm_problems(host, role: str, version: tuple[int, ...]) -> list[str]:
        services = model.monitored_services(role, version)
        rules = model.monitored_firewall_rules(role, version)
        calls = []
        if services:
            calls.append(CmdletCall("Get-Service", {"Name": list(services)}, select=("Name", "Status")))
        if rules:
            calls.append(CmdletCall("Get-NetFirewallRule", {"DisplayName": list(rules)}, select=("DisplayName", "Enabled")))
        if not calls:
            return []
        answer = host.run(Plan.of(*calls))
        if not answer.ok:
            failed = answer.failed()
            return [f"{failed.step.describe()} failed: {failed.error.message}"]
        problems = []
        index = 0
        if services:
            for service in answer.output(index):
                if service["Status"] != "Running":
                    problems.append(f"service {service['Name']} is {service['Status']}")
            index += 1
        if rules:
            for rule in answer.output(index):
                if str(rule["Enabled"]) != "True":
                    problems.append(f"inbound firewall rule {rule['DisplayName']} is disabled")
        return problems
