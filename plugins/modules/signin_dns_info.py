#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: signin_dns_info
short_description: Check the sip CNAME that Skype for Business Online sign-in needs
description:
  - For each SIP domain, resolves C(sip.<domain>) CNAME from the controller with dnspython and
    compares it with C(sipdir.online.microsoft.com), the record Microsoft's sign-in troubleshooting
    guide for administrators asks for (error "The server is temporarily unavailable").
  - Asks every resolver named in O(resolvers) separately, so the result shows which one still serves
    an old or missing answer; with no resolver, uses the controller's own resolver configuration.
  - Each domain ends as C(pass), C(fail) (wrong target, no CNAME, or NXDOMAIN; the action gives the exact
    record to create) or C(not_checked) (a resolver timed out or refused).
  - Runs on the controller and needs no connection to any host; it never changes anything.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
requirements:
  - dnspython (2.x) in the Python that runs Ansible on the controller.
options:
  domains:
    description:
      - The SIP domains to check, for example C(contoso.com). The module looks up C(sip.<domain>).
    type: list
    elements: str
    required: true
  resolvers:
    description:
      - IP addresses of the DNS servers to ask, each one separately, for example a public resolver and
        the internal one. Empty means the controller's resolver configuration (C(/etc/resolv.conf)).
      - For a rehearsal without the Internet, point this at a DNS server of your own (see docs/signin.md).
    type: list
    elements: str
    default: []
  port:
    description:
      - UDP/TCP port of the servers in O(resolvers).
    type: int
    default: 53
  timeout:
    description:
      - Seconds to wait for each answer. A resolver that does not answer in time leaves the domain
        C(not_checked).
    type: float
    default: 5.0
  expected_target:
    description:
      - The CNAME target the records must have.
    type: str
    default: sipdir.online.microsoft.com
attributes:
  check_mode:
    support: full
    description: The module only reads DNS.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
seealso:
  - name: Troubleshoot Skype for Business Online sign-in errors for administrators
    description: The guide these checks follow (section "Update DNS settings").
    link: https://support.office.com/en-us/article/cdd4801a-2fe1-4aab-bbb6-db5f95f972d1
"""

EXAMPLES = r"""
- name: Check the sip CNAME of two SIP domains against a public and the internal resolver
  sfb.server.signin_dns_info:
    domains: [contoso.com, fabrikam.com]
    resolvers: [8.8.8.8, 10.0.0.10]
  register: sfb_dns

- name: Show the records to create
  ansible.builtin.debug:
    var: sfb_dns.records_to_create
"""

RETURN = r"""
checks:
  description: One check per domain.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Always C(dns).
      type: str
    target:
      description: The SIP domain.
      type: str
      sample: contoso.com
    status:
      description: C(pass), C(fail) or C(not_checked).
      type: str
      sample: fail
    reason:
      description: What the resolvers answered.
      type: str
      sample: sip.contoso.com has no CNAME to sipdir.online.microsoft.com (8.8.8.8, the name does not exist (NXDOMAIN)).
    action:
      description: What to do; for a failure, the exact record to create.
      type: str
    details:
      description: The name asked, the expected target and each resolver's answer (outcome, target, detail).
      type: dict
resolvers:
  description: The resolvers asked, as labels (C(system) for the controller's configuration).
  returned: success
  type: list
  elements: str
  sample: ["8.8.8.8", "10.0.0.10"]
passed:
  description: Whether every domain passed.
  returned: success
  type: bool
records_to_create:
  description: For each failed domain, the record in zone-file form.
  returned: success
  type: list
  elements: str
  sample: ["sip.contoso.com. 3600 IN CNAME sipdir.online.microsoft.com."]
"""
