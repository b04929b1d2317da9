#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: certificate_info
short_description: Report the certificates of a Skype for Business server and what is wrong with them
description:
  - Reads the certificates assigned to Default, WebServicesInternal, WebServicesExternal and the global
    OAuthTokenIssuer (C(Get-CsCertificate)) and the LocalMachine stores (C(Get-ChildItem Cert:\\LocalMachine\\My),
    C(CA), C(Root)) in one round trip, and says for each use whether its certificate is valid and if not why
    (untrusted root, missing private key, expired or expiring, names not covered).
  - The names each certificate must cover are read from the published topology in the same round trip, as
    M(sfb.server.certificate) reads them (C(Get-CsService -WebServer), C(Get-CsTopology -AsXml)); a topology
    answer that cannot be read stops the report (C(unreadable_output)).
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  sip_domains:
    description:
      - SIP domains added to those of the topology; the local certificates must carry C(sip.<domain>) for each.
    type: list
    elements: str
    default: []
  subject_alternative_names:
    description:
      - Names added to those the topology requires (such as the external Edge FQDNs).
    type: list
    elements: str
    default: []
  renew_before_days:
    description:
      - A certificate expiring within this many days is reported as expiring.
    type: int
    default: 30
extends_documentation_fragment:
  - sfb.server.info
"""

EXAMPLES = r"""
- name: Which certificates need attention
  sfb.server.certificate_info:
    sip_domains: [contoso.com]
  register: sfb_certs
"""

RETURN = r"""
certificates:
  description: Per use, the verdict (thumbprint, valid, problems, names_missing, not_after), or null when none is assigned.
  returned: success
  type: dict
invalid:
  description: Per use that is not served well, what is wrong.
  returned: success
  type: dict
required_names:
  description: The names the local certificates must cover.
  returned: success
  type: list
  elements: str
store:
  description: The certificates in LocalMachine\My (thumbprint, subject, not_after, names, friendly_name).
  returned: success
  type: list
  elements: dict
round_trips:
  description: Round trips to the server (always 1).
  returned: always
  type: int
"""
