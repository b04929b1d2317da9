# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.certificate: Deployment Wizard step 3, request, install or assign certificates.

Seed 002 step 3: request from an online enterprise CA (CA, optional template, friendly name, key
length default 2048, exportable private key, SIP domains, extra subject alternative names, CA
credentials) or create a delayed request and import the CA's response later; assign the certificate
to its uses. A certificate is invalid when its root CA is not trusted or its private key is missing
(seed 002, step 3 note); this module also rejects expired or expiring ones and those missing a
required name, and says which. A valid assigned certificate covering the names is kept.
"""

from __future__ import annotations

import datetime

from ansible_collections.sfb.server.plugins.plugin_utils.state import deployment as deploy_state
from ansible_collections.sfb.server.plugins.plugin_utils.state.deployment import certificate_reads as reads, evaluate
from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import deployment as dep
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument, SfbError, StepFailed
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan, Secret

CA_PASSWORD_KEY = "ca_password"

ARGUMENT_SPEC = {
    "uses": {"type": "list", "elements": "str", "default": list(dep.CERTIFICATE_USES_LOCAL),
             "choices": list(dep.CERTIFICATE_USES_LOCAL) + [dep.OAUTH_USE]},
    "request": {"type": "str", "choices": ["online", "offline"], "default": "online"},
    "ca": {"type": "str"},
    "template": {"type": "str"},
    "friendly_name": {"type": "str"},
    "key_size": {"type": "int", "default": 2048, "choices": list(dep.KEY_SIZES)},
    "private_key_exportable": {"type": "bool", "default": False},
    "sip_domains": {"type": "list", "elements": "str", "default": []},
    "all_sip_domains": {"type": "bool", "default": False},
    "subject_alternative_names": {"type": "list", "elements": "str", "default": []},
    "ca_account": {"type": "str"},
    "ca_password": {"type": "str", "no_log": True},
    "request_file": {"type": "str"},
    "response_file": {"type": "str"},
    "renew_before_days": {"type": "int", "default": 30},
}


def request_call(args: dict, uses, server_fqdn: str, output: str | None) -> tuple[CmdletCall, dict]:
    """Request-CsCertificate -New with the wizard's choices; the CA password as a no_log secret."""
    parameters = {"New": True, "Type": list(uses), "ComputerFqdn": server_fqdn, "KeySize": args["key_size"],
                  "PrivateKeyExportable": bool(args["private_key_exportable"])}
    secrets = {}
    if output:
        parameters["Output"] = output
    else:
        parameters["CA"] = args["ca"]
        if args["ca_account"]:
            parameters["CaAccount"] = args["ca_account"]
            # -CaPassword is documented as a plain String: the value still travels only in no_log secrets.
            parameters["CaPassword"] = Secret(CA_PASSWORD_KEY, kind="String")
            secrets[CA_PASSWORD_KEY] = args["ca_password"]
    if args["template"]:
        parameters["Template"] = args["template"]
    if args["friendly_name"]:
        parameters["FriendlyName"] = args["friendly_name"]
    extra = list(args["subject_alternative_names"]) + [f"sip.{d}" for d in args["sip_domains"]]
    if extra:
        parameters["DomainName"] = ",".join(dict.fromkeys(extra))
    if args["all_sip_domains"]:
        parameters["AllSipDomain"] = True
    return CmdletCall("Request-CsCertificate", parameters), secrets


def assign_call(thumbprint: str, uses, global_scope: bool) -> CmdletCall:
    parameters = {"Thumbprint": thumbprint, "Type": list(uses)}
    if global_scope:
        parameters["Identity"] = "Global"
    return CmdletCall("Set-CsCertificate", parameters)


class ActionModule(SfbAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    REQUIRED_IF = [["request", "online", ["ca"]]]
    REQUIRED_TOGETHER = [["ca_account", "ca_password"]]

    def execute(self, host, args, task_vars):
        uses = list(dict.fromkeys(args["uses"]))
        global_scope = dep.OAUTH_USE in uses
        if global_scope and len(uses) > 1:
            raise InvalidArgument("OAuthTokenIssuer is a global certificate; manage it in a task of its own "
                                  "(uses=[OAuthTokenIssuer]).", hint="Split the uses into two tasks.")
        if args["request"] == "offline" and not (args["request_file"] or args["response_file"]):
            raise InvalidArgument("An offline request needs request_file (where to write the request) or "
                                  "response_file (the CA's answer to import).")
        extra = ()
        if args["request"] == "offline":
            files = [p for p in (args["request_file"], args["response_file"]) if p]
            extra = (CmdletCall("Test-Path", {"Path": files, "PathType": "Leaf"}),)
        answer = host.read(*reads(global_scope, extra))
        placement = deploy_state.placement_from(answer.output(0), answer.output(1))
        names = [] if global_scope else dep.required_names(
            placement.fqdn, placement.pool, args["sip_domains"], args["subject_alternative_names"])
        now = datetime.datetime.fromtimestamp(host.now(), tz=datetime.timezone.utc)
        store, intermediates, roots = answer.output(3), answer.output(4), answer.output(5)
        verdicts = evaluate(uses, answer.output(2), store, intermediates, roots, names, now, args["renew_before_days"])
        report = {use: (v.to_result() if v else None) for use, v in verdicts.items()}
        base = {"required_names": names, "certificates": report, "server_fqdn": placement.fqdn}
        if all(v is not None and v.valid for v in verdicts.values()):
            return {"changed": False, **base}
        problems = {use: (dep.describe_problems(v) if v else "no certificate assigned")
                    for use, v in verdicts.items() if v is None or not v.valid}
        base["problems"] = problems
        candidate = dep.newest_covering(store, names, now, args["renew_before_days"], intermediates, roots,
                                        args["friendly_name"])
        if candidate is not None:
            return self._assign(host, candidate, uses, global_scope, base, verdicts)
        if args["request"] == "offline":
            return self._offline(host, args, uses, placement.fqdn, global_scope, base, answer.output(6), verdicts)
        return self._online(host, args, uses, placement.fqdn, global_scope, base, names, now, verdicts)

    def _assign(self, host, certificate: dict, uses, global_scope: bool, base: dict, verdicts) -> dict:
        thumbprint = str(certificate.get("Thumbprint")).upper()
        plan = Plan.of(assign_call(thumbprint, uses, global_scope))
        result = self.converge(host, plan, _assigned(verdicts), {u: thumbprint for u in uses})
        result.update(base, thumbprint=thumbprint, action="assigned")
        return result

    def _online(self, host, args, uses, fqdn, global_scope, base, names, now, verdicts) -> dict:
        call, secrets = request_call(args, uses, fqdn, None)
        plan = Plan.of(call, secrets=secrets)
        if self.check_mode:
            result = self.converge(host, plan, _assigned(verdicts), {u: "(new certificate)" for u in uses})
            result.update(base, action="would_request")
            return result
        answer = host.run(plan)
        if not answer.ok:
            failed = answer.failed()
            raise StepFailed(f"{host.name}: the certification authority {args['ca']} did not issue the certificate: "
                             f"{failed.error.message}",
                             hint="Read the CA's reason above; fix the template permissions or the request "
                             "(or ask the CA administrator), then run again.",
                             command=failed.step.describe(), ca=args["ca"])
        fresh = host.read(*deploy_state.certificate_stores())
        now = datetime.datetime.fromtimestamp(host.now(), tz=datetime.timezone.utc)  # the certificate is newer than the first read
        issued = dep.newest_covering(fresh.output(0), names, now, args["renew_before_days"], fresh.output(1),
                                     fresh.output(2), args["friendly_name"])
        if issued is None:
            raise SfbError(f"{host.name}: the CA issued a certificate, but none in LocalMachine\\My is valid for "
                           f"{', '.join(names) or 'this use'}.",
                           hint="Seed 002: if it is issued but not valid, install the CA's root certificate in "
                           "the Trusted Root Certification Authorities store, and check the private key.")
        result = self._assign(host, issued, uses, global_scope, base, verdicts)
        result["commands"] = plan.describe() + result["commands"]
        result.update(action="requested_and_assigned", changed=True)
        return result

    def _offline(self, host, args, uses, fqdn, global_scope, base, exists, verdicts) -> dict:
        files = [p for p in (args["request_file"], args["response_file"]) if p]
        present = dict(zip(files, [e is True or str(e).lower() == "true" for e in exists]))
        if args["response_file"] and present.get(args["response_file"]):
            parameters = {"Path": args["response_file"]}
            if args["private_key_exportable"]:
                parameters["PrivateKeyExportable"] = True
            plan = Plan.of(CmdletCall("Import-CsCertificate", parameters))
            result = self.converge(host, plan, _assigned(verdicts), {u: "(imported certificate)" for u in uses})
            result.update(base, action="would_import" if self.check_mode else "imported")
            if self.check_mode:
                return result
            fresh = host.read(*deploy_state.certificate_stores())
            now = datetime.datetime.fromtimestamp(host.now(), tz=datetime.timezone.utc)
            issued = dep.newest_covering(fresh.output(0), base["required_names"], now, args["renew_before_days"],
                                         fresh.output(1), fresh.output(2), args["friendly_name"])
            if issued is None:
                raise SfbError(f"{host.name}: {args['response_file']} was imported but gives no valid certificate.",
                               hint="Check the response matches the request made on this server, and the CA's root trust.")
            assigned = self._assign(host, issued, uses, global_scope, base, verdicts)
            result["commands"] += assigned["commands"]
            result.update(thumbprint=assigned["thumbprint"], action="imported_and_assigned")
            return result
        if args["request_file"] and present.get(args["request_file"]):
            return {"changed": False, **base, "action": "waiting_for_response", "request_file": args["request_file"],
                    "msg": f"The request {args['request_file']} waits for the CA's response; give it as response_file."}
        if not args["request_file"]:
            raise InvalidArgument(f"The response file {args['response_file']} is not on the server, and no request_file "
                                  "was given to create a request.")
        call, secrets = request_call(args, uses, fqdn, args["request_file"])
        result = self.converge(host, Plan.of(call, secrets=secrets), _assigned(verdicts), {"request_file": args["request_file"]})
        result.update(base, action="request_written", request_file=args["request_file"])
        return result


def _assigned(verdicts) -> dict:
    return {use: (v.thumbprint if v else None) for use, v in verdicts.items()}
