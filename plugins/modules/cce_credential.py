#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cce_credential
short_description: Check the Cloud Connector cached credentials and run the documented recovery
description:
  - O(state=verified) reads each account in O(account_types) with C(Get-CcCredential -AccountType).
    It fails when a credential cannot be decrypted, or when its user name is not the one in
    O(expected_usernames).
  - O(state=recovered) handles the troubleshooting guide's case of the host account's password having
    changed (C(ConvertTo-SecureString Key not valid for use in specified state)). It restarts the host and
    deletes C(C:\ProgramData\CloudConnector\credentials.<host_user>.xml), then returns the console steps
    still to do for the installed version (C(Register-CcAppliance -Local), and C(Set-CcCredential) for
    DomainAdmin and VmAdmin when their passwords differ).
  - The module never sets a password. C(Set-CcCredential) is documented with one parameter,
    C(-AccountType), and prompts for the old and the new credential. C(Register-CcAppliance -Local)
    prompts for every password. No documented parameter carries a credential, so these steps are left
    to the administrator at the console.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  state:
    description: C(verified) to check, C(recovered) for the recovery after a host password change.
    type: str
    choices: [verified, recovered]
    default: verified
  account_types:
    description: The accounts to check.
    type: list
    elements: str
    choices: [TenantAdmin, DomainAdmin, VmAdmin]
    default: [TenantAdmin, DomainAdmin, VmAdmin]
  expected_usernames:
    description: Account type to expected user name, for example C(TenantAdmin) to C(admin@contoso.onmicrosoft.com).
    type: dict
    default: {}
  host_user:
    description: The host account the credential cache belongs to (C(credentials.<CurrentUser>.xml)).
    type: str
    default: Administrator
  reboot_timeout:
    description: Seconds to wait for the host to come back from its restart (O(state=recovered)).
    type: int
    default: 1800
attributes:
  check_mode:
    support: full
    description: Reports what would run and changes nothing on the server.
  diff_mode:
    support: none
    description: Nothing to compare; the module reports what it did.
  platform:
    support: full
    platforms: windows
    description: Runs on Cloud Connector appliance hosts and their VMs, and on the twin.
seealso:
  - module: sfb.server.cce_registration
"""

EXAMPLES = r"""
- name: The tenant admin credential is cached and readable
  sfb.server.cce_credential:
    account_types: [TenantAdmin]
    expected_usernames:
      TenantAdmin: admin@contoso.onmicrosoft.com

- name: Recover after the host password changed
  sfb.server.cce_credential:
    state: recovered
  register: recovery
"""

RETURN = r"""
accounts:
  description: Per account, the cached user name and the error reading it.
  returned: success
  type: dict
  sample: {TenantAdmin: {username: admin@contoso.onmicrosoft.com, error: null}}
needs_recovery:
  description: Whether a cached credential cannot be decrypted (the host password changed).
  returned: success
  type: bool
console_steps:
  description: What the administrator still runs at the host console (O(state=recovered)).
  returned: when state is recovered and a recovery ran
  type: list
  elements: str
"""
