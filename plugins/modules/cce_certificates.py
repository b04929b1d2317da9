#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cce_certificates
short_description: Report the expiry of Cloud Connector certificates and renew them
description:
  - The troubleshooting guide says Skype for Business CA certificates are valid for five years and
    internal certificates (Central Management Store, Mediation, Edge) for two.
  - O(state=reported) runs on a CMS, Mediation or Edge VM. It reads the internal certificate from
    C(Cert:\LocalMachine\My) and its issuing CA from C(Cert:\LocalMachine\Root) with C(Get-ChildItem),
    and marks a certificate due within O(threshold_days) of its expiry.
  - O(state=renewed) runs on the appliance host with the reports of its VMs in O(certificates). If the
    CA is due it runs C(Renew-CcCACertificate) (1.4.2) or C(Update-CcCACertificate) (2.0 and later).
    If any internal certificate is due, or the CA was renewed, it runs C(Renew-CcServerCertificate) or
    C(Update-CcServerCertificate). Nothing runs when nothing is due.
  - For a compromised CA use M(sfb.server.cce_ca_reset).
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  state:
    description: C(reported) on a VM, C(renewed) on the appliance host.
    type: str
    choices: [reported, renewed]
    default: reported
  threshold_days:
    description: A certificate that expires within this many days is due.
    type: int
    default: 60
  certificates:
    description: The O(state=reported) C(certificates) of the appliance's VMs (O(state=renewed)).
    type: list
    elements: dict
    default: []
seealso:
  - module: sfb.server.cce_ca_reset
extends_documentation_fragment:
  - sfb.server.change
"""

EXAMPLES = r"""
- name: Read the Mediation VM's certificates
  sfb.server.cce_certificates:
    state: reported
    threshold_days: 90
  delegate_to: cce01-med.contoso.com
  register: med_certs

- name: Renew what is due on the appliance
  sfb.server.cce_certificates:
    state: renewed
    threshold_days: 90
    certificates: "{{ med_certs.certificates }}"
"""

RETURN = r"""
certificates:
  description: The internal certificates and their CA (O(state=reported)).
  returned: when state is reported
  type: list
  elements: dict
  sample: [{kind: internal, subject: CN=cce01-med.contoso.com, thumbprint: 9A..., issuer_thumbprint: 1F...,
            not_after: "2027-01-01T00:00:00+00:00", days_left: 40.0, due: true}]
due:
  description: Subjects of the certificates that are due (O(state=reported)).
  returned: when state is reported
  type: list
  elements: str
root_thumbprints:
  description: Thumbprints of the CAs that issued the internal certificates (O(state=reported)).
  returned: when state is reported
  type: list
  elements: str
renewed:
  description: What was renewed (C(ca), C(internal)) (O(state=renewed)).
  returned: when state is renewed
  type: list
  elements: str
commands:
  description: The commands run (or that would run in check mode).
  returned: success
  type: list
  elements: str
"""
