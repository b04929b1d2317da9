#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: trust_model_data
short_description: Add Skype for Business domains to a computer's TrustModelData value
description:
  - Adds domains to C(HKLM\Software\Policies\Microsoft\Communicator\TrustModelData) on a Windows
    computer, so that the Skype for Business client stops asking "cannot verify that the server is
    trusted for your sign-in address" at first sign-in.
  - The domains are B(added) to the existing comma-separated value, never replacing it, as Microsoft's
    sign-in troubleshooting guide insists; existing entries keep their order and spelling, and the
    separator the value already uses is kept.
  - A missing key is created (C(New-Item)) and a missing value with C(New-ItemProperty -PropertyType String);
    an existing value is changed with C(Set-ItemProperty). An existing key is never recreated.
  - After a change the value is read again; the task fails if a domain is missing or an old entry was lost.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  domains:
    description:
      - The domains to trust, for example C(contoso.com). Compared without case and trailing dot.
    type: list
    elements: str
    required: true
  key:
    description:
      - The registry key that holds the value, as a PowerShell registry path.
    type: str
    default: HKLM:\Software\Policies\Microsoft\Communicator
attributes:
  check_mode:
    support: full
    description: Reports the domains it would add and writes nothing.
  diff_mode:
    support: full
    description: The value before and after.
notes:
  - Microsoft recommends deploying this value with a Group Policy object; a GPO that sets the value
    will overwrite a local change at its next refresh, so add the domains to the GPO too.
  - The value is a REG_SZ list (Office policy "Trusted Domain List"); a value of another type fails the task
    and is left alone.
seealso:
  - name: Troubleshoot Skype for Business Online sign-in errors for administrators
    description: Section "Modify TrustModelData registry keys".
    link: https://support.office.com/en-us/article/cdd4801a-2fe1-4aab-bbb6-db5f95f972d1
"""

EXAMPLES = r"""
- name: Trust contoso.com on the users' computers, keeping what is already trusted
  sfb.server.trust_model_data:
    domains: [contoso.com]
"""

RETURN = r"""
check:
  description: The check for the report (id C(trust_model_data)); C(fail) when domains are missing and were not added (check mode).
  returned: success
  type: dict
key:
  description: The registry key.
  returned: success
  type: str
  sample: HKLM:\Software\Policies\Microsoft\Communicator
before:
  description: The value before the task; null when it did not exist.
  returned: success
  type: str
  sample: lync.com, outlook.com
value:
  description: The value after the task (in check mode, the value it would have).
  returned: success
  type: str
  sample: lync.com, outlook.com, contoso.com
added:
  description: The domains added (empty when all were already trusted).
  returned: success
  type: list
  elements: str
  sample: [contoso.com]
trusted_domains:
  description: The entries of the value, in order.
  returned: success
  type: list
  elements: str
commands:
  description: The cmdlet calls of the change, as an administrator would type them.
  returned: success
  type: list
  elements: str
"""
