#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: server_info
short_description: Report the product, version and topology placement of a Skype for Business server
description:
  - Reads, in one round trip, what the server says about itself (C(Get-CsServerVersion),
    C(Get-CsComputer -Local)) and about its pool in the published topology (C(Get-CsPool)).
  - Reports the product (2015, 2019 or Subscription Edition, recognised from the version number),
    the server roles, pool, site and edition, and whether the pool is started with C(Start-CsPool)
    (an Enterprise Front End pool of three or more servers) or with C(Start-CsWindowsService).
  - Works on real servers (WinRM, PSRP, SSH with PowerShell) and on the twin
    (C(ansible_connection=sfb.server.twin)).
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options: {}
extends_documentation_fragment:
  - sfb.server.info
notes:
  - Fails with a clear message when the SkypeForBusiness PowerShell module is not installed, or when
    the server is not in a pool of the published topology.
seealso:
  - module: sfb.server.service_info
"""

EXAMPLES = r"""
- name: Learn where the server sits in the topology
  sfb.server.server_info:
  register: sfb_server

- name: Show it
  ansible.builtin.debug:
    msg: "{{ sfb_server.server.fqdn }} is a {{ sfb_server.server.edition }} {{ sfb_server.server.product_name }} server in {{ sfb_server.server.pool }}"
"""

RETURN = r"""
server:
  description: The server as the topology and the product describe it.
  returned: success
  type: dict
  contains:
    fqdn:
      description: The server's FQDN.
      type: str
      sample: fe01.contoso.com
    product:
      description: The product, as C(2015), C(2019) or C(SE) (Subscription Edition).
      type: str
      sample: "2019"
    product_name:
      description: The product's full name.
      type: str
      sample: Skype for Business Server 2019
    version:
      description: The full version number the server reports.
      type: str
      sample: 7.0.2046.0
    roles:
      description: Server roles of the server's pool (FrontEnd, Director, Mediation, Edge, PersistentChat).
      type: list
      elements: str
      sample: [FrontEnd, Mediation]
    pool:
      description: FQDN of the server's pool.
      type: str
      sample: pool01.contoso.com
    pool_servers:
      description: FQDNs of every server of the pool, in topology order.
      type: list
      elements: str
      sample: [fe01.contoso.com, fe02.contoso.com, fe03.contoso.com]
    site:
      description: The site of the pool.
      type: str
      sample: Redmond
    edition:
      description: C(Standard) or C(Enterprise).
      type: str
      sample: Enterprise
    uses_fabric:
      description: Whether the pool runs Windows Fabric, so that its services start with C(Start-CsPool).
      type: bool
      sample: true
round_trips:
  description: Round trips made to the server (always 1 for this module).
  returned: always
  type: int
  sample: 1
"""
