#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: certificate
short_description: Deployment Wizard step 3 - request, install or assign certificates
description:
  - Keeps a valid certificate assigned to each of O(uses). A certificate assigned to a use is judged on
    its private key, its chain up to a trusted root (LocalMachine Root and CA stores), its dates
    (expired, or expiring within O(renew_before_days)) and the names it covers; the result says which
    problem each use has.
  - The names are read from the published topology, in the same read as the assignments and the stores
    (C(Get-CsComputer -Local), C(Get-CsPool), C(Get-CsService -WebServer), C(Get-CsTopology -AsXml)) - Default,
    the computer, the pool and C(sip.<domain>) for every SIP domain; WebServicesInternal, the internal web
    services FQDN and every simple URL; WebServicesExternal, the external web services FQDN and the simple URLs
    but the admin one; Edge Internal, the computer and its pool; the external Edge uses, C(sip.<domain>) for
    every SIP domain. A topology answer without its SIP domains, simple URLs or the pool's web services FQDNs
    stops the task before any change (C(unreadable_output)); docs/assumptions.md lists what is assumed of it.
  - O(sip_domains) and O(subject_alternative_names) only add names to those the topology requires.
  - A valid assigned certificate is kept (no change). Otherwise a valid certificate already in the store
    is assigned (C(Set-CsCertificate)); otherwise one is requested from the online enterprise CA
    (C(Request-CsCertificate -New)) and assigned, or with O(request=offline) a request file is written
    and, once the CA's response is given as O(response_file), imported (C(Import-CsCertificate)) and assigned.
  - C(OAuthTokenIssuer) is global (C(Set-CsCertificate -Identity Global)); manage it in its own task, once
    per deployment.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  uses:
    description:
      - Certificate uses to serve. Empty - the uses of the server's roles in the published topology
        (Front End and Director - Default, WebServicesInternal, WebServicesExternal; Mediation - Default;
        Edge - Internal, and AccessEdgeExternal, DataEdgeExternal, AudioVideoAuthentication on a second
        certificate). A use the roles do not have is refused.
      - C(OAuthTokenIssuer) alone, on a Front End only - the global token issuer certificate
        (C(Set-CsCertificate -Identity Global)), with an exportable key and the SIP domain in its subject.
    type: list
    elements: str
    choices: [Default, WebServicesInternal, WebServicesExternal, Internal, AccessEdgeExternal, DataEdgeExternal,
              AudioVideoAuthentication, OAuthTokenIssuer]
    default: []
  request:
    description:
      - C(online) sends the request to the enterprise CA at once; C(offline) writes a request file.
    type: str
    choices: [online, offline]
    default: online
  ca:
    description:
      - The CA as C(<CA server FQDN>\\<CA name>); required with O(request=online).
    type: str
  template:
    description:
      - The CA template name (not its display name); the CA's default web server template when unset.
    type: str
  friendly_name:
    description:
      - The certificate's friendly name; generated when unset.
    type: str
  key_size:
    description:
      - Key length in bits.
    type: int
    choices: [1024, 2048, 4096]
    default: 2048
  private_key_exportable:
    description:
      - Mark the private key exportable (needed for certificates copied between servers, such as an Edge pool's).
    type: bool
    default: false
  sip_domains:
    description:
      - SIP domains added to those of the topology (C(Get-CsTopology -AsXml)); the certificate must carry
        C(sip.<domain>) for each. An addition, not a replacement - the topology's SIP domains are always required.
      - For C(OAuthTokenIssuer), a SIP domain of the topology or of this list must be in the subject.
    type: list
    elements: str
    default: []
  all_sip_domains:
    description:
      - Add all SIP domains of the deployment to the request (C(-AllSipDomain)).
    type: bool
    default: false
  subject_alternative_names:
    description:
      - Names added to those the topology requires, never a replacement - the external Edge FQDNs (access,
        web conferencing, A/V), which no documented read gives, or names for future use.
    type: list
    elements: str
    default: []
  ca_account:
    description:
      - Account the CA requires for the request, C(DOMAIN\\user). Needs O(ca_password).
    type: str
  ca_password:
    description:
      - Password of O(ca_account). Sent only as a no_log secret.
    type: str
  request_file:
    description:
      - With O(request=offline), where on the server to write the request.
    type: str
  response_file:
    description:
      - With O(request=offline), the CA's response on the server, to import and assign.
    type: str
  renew_before_days:
    description:
      - A certificate that expires within this many days is replaced.
    type: int
    default: 30
notes:
  - A request needs an online enterprise CA with automatic enrollment; when the CA denies it, the task fails with
    the CA's reason and nothing else changes.
extends_documentation_fragment:
  - sfb.server.change
"""

EXAMPLES = r"""
- name: Step 3, the certificates of the server's roles, for every name the topology requires
  sfb.server.certificate:
    ca: ca01.contoso.com\Contoso Issuing CA

- name: Step 3 on an external Edge, with the external Edge FQDNs the topology read does not give
  sfb.server.certificate:
    ca: ca01.contoso.com\Contoso Issuing CA
    subject_alternative_names: [access.contoso.com, webconf.contoso.com, av.contoso.com]

- name: The global OAuthTokenIssuer certificate, once
  sfb.server.certificate:
    uses: [OAuthTokenIssuer]
    ca: ca01.contoso.com\Contoso Issuing CA
  run_once: true
"""

RETURN = r"""
certificates:
  description: Per use, the verdict on the certificate assigned before the task (thumbprint, valid, problems, names_missing, not_after).
  returned: success
  type: dict
problems:
  description: Per use that needed work, what was wrong.
  returned: changed
  type: dict
required_names:
  description: The names the certificate must cover, read from the topology (plus the names the options add).
  returned: success
  type: list
  elements: str
action:
  description: What was done - assigned, requested_and_assigned, request_written, waiting_for_response, imported_and_assigned.
  returned: changed or waiting
  type: str
thumbprint:
  description: The certificate assigned.
  returned: when assigned
  type: str
commands:
  description: The commands run (or that would run in check mode); secrets masked.
  returned: changed
  type: list
  elements: str
round_trips:
  description: Round trips to the server.
  returned: always
  type: int
"""
