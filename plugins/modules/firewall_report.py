#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: firewall_report
short_description: Write the firewall rules network teams must create for a Skype for Business deployment
description:
  - The report the Planning Tool used to give, from the documentation's port matrix, for an inventory or a
    topology. Runs on the controller and writes files there; it needs no connection to the servers.
  - C(Hardware firewalls) - every port each pool's servers listen on (per role, a Front End with collocated
    Mediation and the Central Management store host included), with destination servers, protocol and purpose.
  - C(Load balancers) - for each pool of more than one server, the ports of the hardware load balancer, from the
    table for hardware load balancing only or the one for DNS load balancing, chosen by the pool's
    C(load_balancing).
  - C(Clients) - the client ports; C(IPsec exceptions) - the recommended exemptions with the servers they apply to.
  - Written as one CSV file per kind, one Excel workbook with a sheet per kind (needs openpyxl on the controller)
    and one Markdown file. A file whose content would not change is not rewritten.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  pools:
    description:
      - The pools, each with C(fqdn), C(roles), C(servers) (FQDNs), and optionally C(load_balancing)
        (C(dns), the default, or C(hardware)), C(site) and C(central_management_store).
      - Exactly one of O(pools) and O(servers) is required.
    type: list
    elements: dict
  servers:
    description:
      - The servers, each with C(fqdn), C(pool), C(roles) and optionally C(load_balancing), C(site) and
        C(central_management_store); they are grouped into pools. The C(server) returned by M(sfb.server.server_info)
        has these keys.
    type: list
    elements: dict
  office_web_apps:
    description:
      - FQDNs of the Office Web Apps Servers the pools connect to.
    type: list
    elements: str
    default: []
  dest:
    description:
      - Directory on the controller that receives the files; created if missing.
    type: path
    required: true
  name:
    description:
      - Base name of the files.
    type: str
    default: sfb_firewall_report
  formats:
    description:
      - Formats to write.
    type: list
    elements: str
    choices: [csv, xlsx, markdown]
    default: [csv, xlsx, markdown]
attributes:
  check_mode:
    support: full
    description: Reports which files would be written, and writes none.
  diff_mode:
    support: none
    description: The report is new output, not a change to compare.
notes:
  - The documentation names no source for server ports; the report gives the internal network as the source.
seealso:
  - module: sfb.server.firewall
"""

EXAMPLES = r"""
- name: Write the firewall report of the topology
  sfb.server.firewall_report:
    dest: "{{ playbook_dir }}/reports"
    pools:
      - {fqdn: pool01.contoso.com, roles: [FrontEnd, Mediation], load_balancing: hardware,
         servers: [fe01.contoso.com, fe02.contoso.com, fe03.contoso.com], central_management_store: true}
      - {fqdn: dir01.contoso.com, roles: [Director], servers: [dir01a.contoso.com, dir01b.contoso.com]}
"""

RETURN = r"""
written:
  description: Files written (or that would be, in check mode).
  returned: success
  type: list
  elements: str
unchanged:
  description: Files that already held the report.
  returned: success
  type: list
  elements: str
rules:
  description: Number of rows per kind (firewall, load_balancer, clients, ipsec).
  returned: success
  type: dict
  sample: {firewall: 120, load_balancer: 20, clients: 15, ipsec: 15}
pools:
  description: The pools the report was made for.
  returned: success
  type: list
  elements: dict
"""
