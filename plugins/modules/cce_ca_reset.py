#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cce_ca_reset
short_description: Run the documented procedure for a compromised Cloud Connector CA, one step at a time, resumable
description:
  - The troubleshooting guide gives two procedures for a compromised Skype for Business CA.
  - A site with one appliance runs C(Enter-CcUpdate), C(Reset-CcCACertificate), C(Renew-CcServerCertificate)
    (before 2.0) or C(Update-CcServerCertificate), C(Remove-CcLegacyServerCertificate),
    C(Export-CcRootCertificate) when gateways use TLS, then C(Exit-CcUpdate).
  - A site with several appliances runs these steps in order. C(Remove-CcCertificationAuthorityFile) on
    the first appliance, then C(Enter-CcUpdate) on each. Reset and renew on the first, then
    C(Backup-CcCertificationAuthority) on the first. Reset and renew on the others, which consume the
    backup, so every appliance ends on the same root. Then export, and C(Exit-CcUpdate) on each.
  - The progress is recorded in the registry of the site's first appliance (key
    C(HKLM:\SOFTWARE\sfb.server\CloudConnector), value C(CaResetDone)), under O(procedure_id). A rerun with
    the same O(procedure_id) continues where the last run stopped, or changes nothing once every step is done.
    Another O(procedure_id) starts a new procedure, and is refused while a previous one is unfinished.
  - O(state=planned) on the first appliance returns the steps still to do. O(state=step) runs one step on
    the appliance it names. O(state=recorded) on the first appliance records a step as done, and
    O(state=finished) clears the record. The role C(sfb.server.cce_certificates) drives them.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  state:
    description: What to do (see the description).
    type: str
    choices: [planned, step, recorded, finished]
    required: true
  appliances:
    description: The site's appliance host names, the first appliance first (O(state=planned)).
    type: list
    elements: str
    default: []
  export_root:
    description: Export the new root certificate for PSTN gateways that use TLS with the Mediation Server.
    type: bool
    default: false
  export_path:
    description: Where C(Export-CcRootCertificate) writes the root certificate.
    type: str
    default: C:\CcCertificates\CceRoot.cer
  step:
    description: One step returned by O(state=planned) (O(state=step) and O(state=recorded)).
    type: dict
  procedure_id:
    description:
      - A name for this compromise, for example the incident number (O(state=planned) and O(state=recorded)).
      - It must not contain C(|) or C(,).
    type: str
notes:
  - A step interrupted after it ran and before it was recorded runs again on resume. That is safe here,
    because every step of the procedure can be repeated before the next one.
seealso:
  - module: sfb.server.cce_certificates
extends_documentation_fragment:
  - sfb.server.change
"""

EXAMPLES = r"""
- name: Steps still to do for the site
  sfb.server.cce_ca_reset:
    state: planned
    procedure_id: INC-4711
    appliances: [cce01.contoso.com, cce02.contoso.com]
  delegate_to: cce01.contoso.com
  register: ca_plan
"""

RETURN = r"""
steps:
  description: The steps still to do, in order (O(state=planned)).
  returned: when state is planned
  type: list
  elements: dict
  sample: [{key: 01-clean_ca_files-cce01.contoso.com, appliance: cce01.contoso.com, action: clean_ca_files}]
done:
  description: The keys of the steps already done.
  returned: when state is planned or recorded
  type: list
  elements: str
resumed:
  description: Whether an earlier run had started the procedure.
  returned: when state is planned
  type: bool
total:
  description: The number of steps of the whole procedure.
  returned: when state is planned
  type: int
commands:
  description: The commands run (or that would run in check mode).
  returned: success
  type: list
  elements: str
"""
