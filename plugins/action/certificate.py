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

from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.state import deployment as deploy_state
from ansible_collections.sfb.server.plugins.plugin_utils.state.deployment import certificate_reads as reads, evaluate
from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import deployment as dep
from ansible_collections.sfb.server.plugins.plugin_utils.domain import topology_document
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument, SfbError, StepFailed
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan, Secret

CA_PASSWORD_KEY = "ca_password"

ARGUMENT_SPEC = {
    # Empty: the certificates the server's roles use (published topology).
    "uses": {"type": "list", "elements": "str", "default": [],
             "choices": list(dep.ALL_LOCAL_USES) + [dep.OAUTH_USE]},
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


def request_call(args: dict, uses, server_fqdn: str, output: str | None, names=()) -> tuple[CmdletCall, dict]:
    """Request-CsCertificate -New with the wizard's choices; the CA password as a no_log secret. Every
    required name but the computer's ("always use the computer name") goes in -DomainName, so the request
    asks for what the reuse check demands."""
    # The OAuth certificate's key must be exportable: replication copies it to every Front End.
    exportable = bool(args["private_key_exportable"]) or dep.OAUTH_USE in uses
    parameters = {"New": True, "Type": list(uses), "ComputerFqdn": server_fqdn, "KeySize": args["key_size"],
                  "PrivateKeyExportable": exportable}
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
    # The names carry the sip.<domain> names the uses need; the OAuth certificate has none to cover, and
    # asks for its SIP domains as before.
    oauth_domains = [f"sip.{d}" for d in args["sip_domains"]] if dep.OAUTH_USE in uses else []
    extra = [n for n in names if n != server_fqdn.lower()] + list(args["subject_alternative_names"]) + oauth_domains
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
    INPUT_CHECKS = {
        "ca": inputs.ca_name, "template": inputs.nonempty, "friendly_name": inputs.nonempty,
        "sip_domains": inputs.each(inputs.sip_domain), "subject_alternative_names": inputs.each(inputs.certificate_name),
        "ca_account": inputs.windows_account, "ca_password": inputs.secret, "request_file": inputs.windows_path,
        "response_file": inputs.windows_path, "renew_before_days": inputs.days,
    }
    REQUIRED_IF = [["request", "online", ["ca"]]]
    REQUIRED_TOGETHER = [["ca_account", "ca_password"]]

    def execute(self, host, args, task_vars):
        wanted = list(dict.fromkeys(args["uses"] or []))
        global_scope = dep.OAUTH_USE in wanted
        if global_scope and len(wanted) > 1:
            raise InvalidArgument("OAuthTokenIssuer is a global certificate; manage it in a task of its own "
                                  "(uses=[OAuthTokenIssuer]).", hint="Split the uses into two tasks.")
        if args["key_size"] < dep.MIN_KEY_BITS:
            raise InvalidArgument(f"key_size {args['key_size']} is too short: Skype for Business Server certificates "
                                  f"need at least {dep.MIN_KEY_BITS} bits.", hint="Use 2048 or 4096.")
        if args["request"] == "offline" and not (args["request_file"] or args["response_file"]):
            raise InvalidArgument("An offline request needs request_file (where to write the request) or "
                                  "response_file (the CA's answer to import).")
        extra = ()
        if args["request"] == "offline":
            files = [p for p in (args["request_file"], args["response_file"]) if p]
            extra = (CmdletCall("Test-Path", {"Path": files, "PathType": "Leaf"}),)
        answer = host.read(*reads(global_scope, extra))
        step = deploy_state.certificate_answer(answer)
        placement = deploy_state.placement_from(step["computer"], step["pools"])
        groups = self._groups(host, placement, wanted, global_scope)
        # Fails closed (UnreadableOutput) when the document lacks its SIP domains or simple URLs: a
        # certificate judged against fewer names than the topology requires would be reused wrongly.
        topology = topology_document.read_names(step["topology"])
        web_service = topology_document.web_services_of(step["web_services"], placement.pool)
        # The OAuth subject names a SIP domain of the topology (sip_domains adds to them).
        args = {**args, "sip_domains": list(dict.fromkeys(list(topology.sip_domains) + list(args["sip_domains"])))}
        now = datetime.datetime.fromtimestamp(host.now(), tz=datetime.timezone.utc)
        store, intermediates, roots = step["store"], step["intermediates"], step["roots"]
        assigned = step["assigned"]
        skype = [str(r.get("Thumbprint")) for r in answer.output(len(answer.results) - 1)] if global_scope else []
        overall = {"changed": False, "server_fqdn": placement.fqdn, "roles": list(placement.roles),
                   "certificates": {}, "groups": [], "commands": []}
        for uses in groups:
            names = [] if global_scope else self._names(placement, uses, args, topology, web_service)
            verdicts = evaluate(uses, assigned, store, intermediates, roots, names, now, args["renew_before_days"])
            if global_scope:
                verdicts = {u: _oauth_verdict(v, store, args["sip_domains"]) for u, v in verdicts.items()}
            report = {use: (v.to_result() if v else None) for use, v in verdicts.items()}
            base = {"required_names": names, "certificates": report, "server_fqdn": placement.fqdn}
            if all(v is not None and v.valid for v in verdicts.values()):
                result = {"changed": False, **base, "action": "kept"}
            else:
                base["problems"] = {use: (dep.describe_problems(v) if v else "no certificate assigned")
                                    for use, v in verdicts.items() if v is None or not v.valid}
                candidate = _reusable(store, names, now, args, intermediates, roots, global_scope, skype)
                if candidate is not None:
                    result = self._assign(host, candidate, uses, global_scope, base, verdicts)
                elif args["request"] == "offline":
                    result = self._offline(host, args, uses, placement.fqdn, global_scope, base,
                                           answer.output(len(deploy_state.CERTIFICATE_READ_STEPS)), verdicts)
                else:
                    result = self._online(host, args, uses, placement.fqdn, global_scope, base, names, store, verdicts)
            overall["groups"].append({"uses": list(uses), **{k: v for k, v in result.items() if k != "commands"}})
            overall["certificates"].update(result.get("certificates", {}))
            overall["commands"] += result.get("commands", [])
            overall["changed"] = overall["changed"] or bool(result.get("changed"))
            for key in ("thumbprint", "action", "request_file", "msg", "problems", "required_names", "diff"):
                if key in result:
                    overall[key] = result[key]
        return overall

    @staticmethod
    def _groups(host, placement, wanted: list[str], global_scope: bool) -> list[tuple[str, ...]]:
        """The certificates to keep, from the server's roles in the published topology."""
        if global_scope:
            if dep.OAUTH_ROLE not in placement.roles:
                raise InvalidArgument(
                    f"{host.name} is not a Front End Server ({', '.join(placement.roles) or 'no role'}): the "
                    "OAuthTokenIssuer certificate is assigned once, from one Front End Server, and replication copies "
                    "it to the other Front Ends (Assign a server-to-server authentication certificate).",
                    hint="Run this task on one Front End Server (run_once with delegate_to a Front End).")
            return [(dep.OAUTH_USE,)]
        groups = dep.certificate_groups(placement.roles)
        if not wanted:
            return groups
        allowed = [u for g in groups for u in g]
        foreign = [u for u in wanted if u not in allowed]
        if foreign:
            raise InvalidArgument(
                f"{host.name} ({', '.join(placement.roles)}) does not use the certificate type(s) {', '.join(foreign)}; "
                f"its roles use {', '.join(allowed)} (Environmental requirements, Certificates).",
                hint="Leave uses unset to follow the server's roles.")
        return [tuple(u for u in g if u in wanted) for g in groups if any(u in wanted for u in g)]

    @staticmethod
    def _names(placement, uses, args, topology, web_service) -> list[str]:
        """The names a certificate must carry, read from the published topology: the computer and its
        pool (Get-CsComputer, Get-CsPool), the web services FQDNs (Get-CsService -WebServer), the SIP
        domains and simple URLs (Get-CsTopology -AsXml). sip_domains and subject_alternative_names add
        to them (the external Edge FQDNs are not read: they are given there)."""
        # args["sip_domains"] already holds the topology's SIP domains followed by the given ones.
        return dep.certificate_names(uses, placement.fqdn, placement.pool, topology, web_service,
                                     args["sip_domains"], args["subject_alternative_names"])

    def _assign(self, host, certificate: dict, uses, global_scope: bool, base: dict, verdicts) -> dict:
        thumbprint = str(certificate.get("Thumbprint")).upper()
        plan = Plan.of(assign_call(thumbprint, uses, global_scope))
        result = self.converge(host, plan, _assigned(verdicts), {u: thumbprint for u in uses})
        result.update(base, thumbprint=thumbprint, action="assigned")
        return result

    def _online(self, host, args, uses, fqdn, global_scope, base, names, store_before, verdicts) -> dict:
        call, secrets = request_call(args, uses, fqdn, None, names)
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
        issued = self._issued(host, answer.output(0), store_before, names, args, global_scope)
        result = self._assign(host, issued, uses, global_scope, base, verdicts)
        result["commands"] = plan.describe() + result["commands"]
        result.update(action="requested_and_assigned", changed=True)
        return result

    @staticmethod
    def _issued(host, output: list, store_before: list[dict], names, args, global_scope) -> dict:
        """The certificate this request issued: the thumbprint Request-CsCertificate wrote, else the one
        certificate that appeared in LocalMachine\\My since the first read (its OUTPUTS section documents
        none), never an older one that happens to cover the names."""
        fresh = host.read(*deploy_state.certificate_stores())
        now = datetime.datetime.fromtimestamp(host.now(), tz=datetime.timezone.utc)
        returned = {str(o.get("Thumbprint")).upper() for o in output or () if isinstance(o, dict) and o.get("Thumbprint")}
        before = {str(c.get("Thumbprint")).upper() for c in store_before}
        new = [c for c in fresh.output(0) if str(c.get("Thumbprint")).upper() in returned] if returned else \
            [c for c in fresh.output(0) if str(c.get("Thumbprint")).upper() not in before]
        good = [c for c in new if dep.judge(c, str(c.get("Thumbprint")), names, now, args["renew_before_days"],
                                            fresh.output(1), fresh.output(2)).valid and not dep.reuse_problems(c)
                and (not global_scope or dep.oauth_subject_ok(c, args["sip_domains"]))]
        if len(good) != 1:
            raise SfbError(f"{host.name}: the CA answered, but {len(good)} new certificate(s) in LocalMachine\\My are "
                           f"valid for {', '.join(names) or 'this use'} (of {len(new)} new).",
                           hint="If it is issued but not valid, install the CA's root certificate in the Trusted Root "
                           "Certification Authorities store and check the private key and the template (Server "
                           "Authentication, 2048 bits), then run again.")
        store_before.append(good[0])  # the next certificate of this task (Edge external) is newer still
        return good[0]

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
        call, secrets = request_call(args, uses, fqdn, args["request_file"], base["required_names"])
        result = self.converge(host, Plan.of(call, secrets=secrets), _assigned(verdicts), {"request_file": args["request_file"]})
        result.update(base, action="request_written", request_file=args["request_file"])
        return result


def _reusable(store, names, now, args, intermediates, roots, global_scope, skype=()) -> dict | None:
    """A store certificate that may serve: valid, covering the names, with the Server Authentication usage
    and a key of at least 2048 bits; for OAuth, a SIP domain in its subject too (a WinRM HTTPS certificate
    does not qualify)."""
    candidates = dep.oauth_candidates(store, skype, args["sip_domains"]) if global_scope else store
    return dep.newest_covering(candidates, names, now, args["renew_before_days"], intermediates, roots,
                               args["friendly_name"])


def _oauth_verdict(verdict, store, sip_domains):
    """The assigned OAuth certificate also needs the SIP domain in its subject."""
    if verdict is None or not verdict.valid:
        return verdict
    cert = next((c for c in store if str(c.get("Thumbprint")).upper() == verdict.thumbprint), None)
    if cert is not None and not dep.oauth_subject_ok(cert, sip_domains):
        return dep.CertificateVerdict(verdict.thumbprint, verdict.problems + ("oauth_subject",), verdict.names_missing,
                                      verdict.not_after)
    return verdict


def _assigned(verdicts) -> dict:
    return {use: (v.thumbprint if v else None) for use, v in verdicts.items()}
