# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.cce_credential: the Cloud Connector cached credentials, checked, and the documented recovery.

Set-CcCredential's documented signature has a single parameter, -AccountType; it prompts for the old
and the new credential (seed 001), and Register-CcAppliance -Local prompts for every password. No
documented parameter carries a credential, so this module does not pretend to pass one: it checks
that the cached credential of each account can be read (Get-CcCredential), and runs the
non-interactive part of the documented recovery after the host account's password changed (restart
the host, delete %SystemDrive%\\ProgramData\\CloudConnector\\credentials.<CurrentUser>.xml), then says
which prompts to answer at the console.
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs
from ansible_collections.sfb.server.plugins.plugin_utils.state import cce as cce_state
from ansible_collections.sfb.server.plugins.plugin_utils.action import SfbAction
from ansible_collections.sfb.server.plugins.plugin_utils.domain import cce as model
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan

KEY_NOT_VALID = "Key not valid for use in specified state"
ACCOUNTS = ("TenantAdmin", "DomainAdmin", "VmAdmin")


class ActionModule(SfbAction):
    ARGUMENT_SPEC = {
        "state": {"type": "str", "choices": ["verified", "recovered"], "default": "verified"},
        "account_types": {"type": "list", "elements": "str", "choices": list(ACCOUNTS), "default": list(ACCOUNTS)},
        "expected_usernames": {"type": "dict", "default": {}},
        "host_user": {"type": "str", "default": "Administrator"},
        "reboot_timeout": {"type": "int", "default": 1800},
    }
    INPUT_CHECKS = {
        "expected_usernames": inputs.mapping(inputs.choice(*ACCOUNTS), inputs.windows_account),
        "host_user": inputs.windows_account,
        "reboot_timeout": inputs.positive_duration,
    }

    def execute(self, host, args, task_vars):
        # The credential cache (credentials.<user>.xml) is DPAPI-protected: a network logon cannot read it.
        self.require_become(host.name, "reading the Cloud Connector credential cache")
        accounts = self._read(host, args["account_types"])
        unreadable = [a for a, v in accounts.items() if v["error"] and KEY_NOT_VALID in v["error"]]
        mismatched = [a for a, user in args["expected_usernames"].items()
                      if a in accounts and accounts[a]["username"] and accounts[a]["username"] != user]
        result = {"changed": False, "accounts": accounts, "needs_recovery": bool(unreadable)}
        if args["state"] == "verified":
            if unreadable or mismatched:
                raise SfbError(
                    f"{host.name}: cached Cloud Connector credentials are not right: "
                    + "; ".join([f"{a} cannot be decrypted" for a in unreadable]
                                + [f"{a} is {accounts[a]['username']}, not {args['expected_usernames'][a]}" for a in mismatched]) + ".",
                    hint="After a host password change run this module with state=recovered (seed 001). For a changed "
                    "account run Set-CcCredential -AccountType <type> at the host console: it prompts for the old and the "
                    "new credential, which no documented parameter accepts.", accounts=accounts)
            return result
        if not unreadable:
            return result
        facts = cce_state.read_appliance(host, with_status=False)
        version = cce_state.require_version(facts)
        cache = rf"C:\ProgramData\CloudConnector\credentials.{args['host_user']}.xml"
        prompts = self._prompts(version)
        if self.check_mode:
            result.update(changed=True, commands=["restart the host", f"Remove-Item -LiteralPath '{cache}' -Force"],
                          console_steps=prompts)
            return result
        host.reboot("sfb.server.cce_credential: seed 001 recovery after a host password change", args["reboot_timeout"])
        transcript = host.run(Plan.of(CmdletCall("Remove-Item", {"LiteralPath": cache, "Force": True}))).raise_for_failure()
        result.update(changed=True, transcript=transcript.transcript(), console_steps=prompts)
        self._display.warning(f"{host.name}: cached credentials removed; finish at the console: {' '.join(prompts)}")
        return result

    @staticmethod
    def _read(host, account_types):
        accounts = {}
        for account in account_types:
            answer = host.run(Plan.of(CmdletCall("Get-CcCredential", {"AccountType": account}, select=("UserName",))))
            failed = answer.failed()
            accounts[account] = {
                "username": (answer.output(0)[0].get("UserName") if answer.ok and answer.output(0) else None),
                "error": failed.error.message if failed else None,
            }
        return accounts

    @staticmethod
    def _prompts(version) -> list[str]:
        steps = ["Run Register-CcAppliance -Local as administrator and enter the same passwords as for the deployment."]
        if model.at_least(version, (2, 0)):
            steps.append("If DomainAdmin or VmAdmin passwords differ from CceService, run Set-CcCredential -AccountType "
                         "DomainAdmin and then -AccountType VmAdmin: old credential = the CceService password, new = "
                         "the account's password.")
        return steps
