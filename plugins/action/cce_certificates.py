# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.cce_certificates: expiry of the Cloud Connector certificates, and their renewal.

Seed 001: the Skype for Business CA certificates are valid for five years, the internal certificates
of the Central Management Store, Mediation and Edge servers for two; near expiry, renew them with
Renew-CcServerCertificate / Renew-CcCACertificate (1.4.2) or Update-CcServerCertificate /
Update-CcCACertificate (2.0 and later).

`state: reported` runs on a VM (CMS, Mediation or Edge) and reads its certificate stores;
`state: renewed` runs on the appliance host and renews what the reports show due.
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.state import cce as cce_state
from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import cce as model
from ansible_collections.sfb.server.plugins.plugin_utils.domain import deployment
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan

PROPERTIES = ("Thumbprint", "Subject", "Issuer", "NotAfter")


def _timestamp(value) -> float:
    # .NET writes 7 fractional digits, which fromisoformat refuses before Python 3.11: one parser for both.
    moment = deployment.parse_time(value)
    if moment is None:
        raise InvalidArgument(f"A certificate date is missing or empty: {value!r}.")
    return moment.timestamp()


def certificate_report(mine: list[dict], roots: list[dict], now: float, threshold_days: float) -> list[dict]:
    """The internal certificate(s) issued by a root of the Root store, and those roots."""
    by_subject = {r["Subject"]: r for r in roots}
    report = []
    used_roots = []
    for cert in mine:
        root = by_subject.get(cert["Issuer"])
        if root is None or cert["Subject"] == cert["Issuer"]:
            continue
        state = model.certificate_state("internal", cert["Subject"], _timestamp(cert["NotAfter"]), now, threshold_days)
        report.append({"kind": "internal", "subject": cert["Subject"], "thumbprint": cert["Thumbprint"],
                       "issuer_thumbprint": root["Thumbprint"], "not_after": str(cert["NotAfter"]),
                       "days_left": state.days_left, "due": state.due})
        if root not in used_roots:
            used_roots.append(root)
    for root in used_roots:
        state = model.certificate_state("ca", root["Subject"], _timestamp(root["NotAfter"]), now, threshold_days)
        report.append({"kind": "ca", "subject": root["Subject"], "thumbprint": root["Thumbprint"],
                       "issuer_thumbprint": root["Thumbprint"], "not_after": str(root["NotAfter"]),
                       "days_left": state.days_left, "due": state.due})
    return report


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "state": {"type": "str", "choices": ["reported", "renewed"], "default": "reported"},
        "threshold_days": {"type": "int", "default": 60},
        "certificates": {"type": "list", "elements": "dict", "default": []},
    }
    INPUT_CHECKS = {"threshold_days": inputs.days}

    def execute(self, host, args, task_vars):
        if args["threshold_days"] < 0:
            raise InvalidArgument(f"threshold_days must be 0 or more, not {args['threshold_days']}.")
        if args["state"] == "reported":
            answer = host.read(CmdletCall("Get-ChildItem", {"Path": r"Cert:\LocalMachine\My"}, select=PROPERTIES),
                               CmdletCall("Get-ChildItem", {"Path": r"Cert:\LocalMachine\Root"}, select=PROPERTIES))
            report = certificate_report(answer.output(0), answer.output(1), host.now(), args["threshold_days"])
            return {"changed": False, "certificates": report,
                    "due": [c["subject"] for c in report if c["due"]],
                    "root_thumbprints": sorted({c["issuer_thumbprint"] for c in report})}
        return self._renew(host, args)

    def _renew(self, host, args):
        reports = args["certificates"]
        for i, cert in enumerate(reports):
            missing = [k for k in ("kind", "not_after") if k not in cert]
            if missing or cert["kind"] not in ("ca", "internal"):
                raise InvalidArgument(
                    f"certificates[{i}] is not a certificate report (needs kind ca/internal and not_after).",
                    hint="Pass the `certificates` returned by this module with state=reported on the appliance's VMs.")
        now = host.now()
        due = {c["kind"] for c in reports
               if model.certificate_state(c["kind"], "", _timestamp(c["not_after"]), now, args["threshold_days"]).due}
        facts = cce_state.read_appliance(host, with_status=False)
        cmdlets = model.certificate_cmdlets(cce_state.require_version(facts))
        steps = []
        if "ca" in due:
            # cmdlets: Renew-CcCACertificate, Update-CcCACertificate
            steps.append(CmdletCall(cmdlets.ca))
        if "internal" in due or "ca" in due:
            # Internal certificates chain to the CA; a renewed CA is followed by new server certificates.
            # cmdlets: Renew-CcServerCertificate, Update-CcServerCertificate
            steps.append(CmdletCall(cmdlets.server))
        plan = Plan.of(*steps) if steps else None
        result = self.converge(host, plan, {"due": sorted(due)}, {"due": []})
        result["renewed"] = sorted(due) if steps else []
        return result
