#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: sip_user_enabled
short_description: List users whose msRTCSIP-UserEnabled is FALSE, and set it to TRUE on request
description:
  - When an Office Communications Server or Lync Server 2010 was retired without removing its users,
    their C(msRTCSIP-UserEnabled) attribute stays FALSE and Skype for Business Online sign-in fails with
    "User not SIP enabled". This module lists those users with C(Get-ADUser -LDAPFilter).
  - With O(enable=true) (opt-in) it sets the attribute to TRUE with C(Set-ADUser -Replace), for every
    listed user or only those named in O(users), then reads again and returns the users it changed.
  - Run the directory synchronisation (DirSync / Azure AD Connect) afterwards, as the guide says.
  - Runs on a domain controller or any Windows host with the ActiveDirectory PowerShell module.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  enable:
    description:
      - Set the attribute to TRUE. Without it the module only reports.
    type: bool
    default: false
  users:
    description:
      - Limit the change to these users (sAMAccountName, UPN or distinguished name). Each must be one of
        the users whose attribute is FALSE, else the task fails before changing anything.
      - Empty means every listed user.
    type: list
    elements: str
    default: []
  search_base:
    description:
      - Distinguished name to search under, for example C(OU=Sales,DC=contoso,DC=com). The domain by default.
    type: str
  server:
    description:
      - Domain controller to read and write (C(-Server)); the default one of the host otherwise.
    type: str
attributes:
  check_mode:
    support: full
    description: Lists the users it would enable and changes none.
  diff_mode:
    support: full
    description: The disabled users before and after.
seealso:
  - name: Troubleshoot Skype for Business Online sign-in errors for administrators
    description: Section "Update user settings in Active Directory".
    link: https://support.office.com/en-us/article/cdd4801a-2fe1-4aab-bbb6-db5f95f972d1
  - name: Set-ADUser
    description: The cmdlet that sets the attribute.
    link: https://learn.microsoft.com/powershell/module/activedirectory/set-aduser
"""

EXAMPLES = r"""
- name: List the users still disabled for SIP
  sfb.server.sip_user_enabled:
  register: sfb_sip_users

- name: Enable two of them
  sfb.server.sip_user_enabled:
    enable: true
    users: [bob, ann@contoso.com]
"""

RETURN = r"""
check:
  description: The check for the report (id C(sip_user_enabled)); C(fail) while users remain FALSE.
  returned: success
  type: dict
disabled_users:
  description: The users whose attribute was FALSE when the task started.
  returned: success
  type: list
  elements: dict
  contains:
    distinguished_name:
      description: The user's DN.
      type: str
    sam_account_name:
      description: The user's sAMAccountName.
      type: str
    user_principal_name:
      description: The user's UPN.
      type: str
    enabled:
      description: Whether the account is enabled.
      type: bool
    sip_user_enabled:
      description: The attribute's value (false).
      type: bool
changed_users:
  description: The users set to TRUE (in check mode, those that would be), by UPN.
  returned: success
  type: list
  elements: str
  sample: [bob@contoso.com]
remaining_users:
  description: The users still FALSE after the task.
  returned: success
  type: list
  elements: str
"""
