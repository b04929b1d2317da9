#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: firewall
short_description: Keep the Windows Firewall rules a Skype for Business server's roles need
description:
  - Computes, from the port matrix of the product documentation (every port per server role, see
    C(docs/ports.md)), the inbound Windows Firewall rules the server needs for its roles, including a
    Front End Server with a collocated Mediation Server and the Front End that holds the Central
    Management store.
  - Reads the rules in one round trip and applies every change in a second one (C(New-NetFirewallRule),
    C(Set-NetFirewallRule), C(Remove-NetFirewallRule)); a second run changes nothing.
  - Only rules whose name starts with C(sfb.server-) and whose rule group is C(sfb.server) belong to this
    module. It creates, corrects and removes (when stale) only those; a rule of anyone else is never
    changed, and the module fails if such a rule holds a name it needs.
  - Optionally keeps the IPsec exemptions (authentication None inbound and outbound, the documented way to
    exempt traffic) that the documentation recommends for the roles it names (Mediation, Front End
    conferencing and application sharing, A/V Edge).
  - Roles come from the published topology (C(Get-CsComputer -Local), C(Get-CsPool)) unless given.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  roles:
    description:
      - Server roles of the server (C(FrontEnd), C(Director), C(Mediation), C(Edge), C(PersistentChat)).
        C(FrontEnd) with C(Mediation) is a Front End with a collocated Mediation Server.
      - When omitted, the roles are read from the published topology, which needs the SkypeForBusiness
        PowerShell module on the server.
    type: list
    elements: str
  central_management_store:
    description:
      - The server is the Front End where the Central Management store resides (opens TCP 445 for the
        Master Replicator Agent).
    type: bool
    default: false
  ipsec_exemptions:
    description:
      - Keep the documented IPsec "do not authenticate" exemptions for the server's roles. Set it where
        IPsec is deployed; when false, exemptions this module created before are removed.
    type: bool
    default: false
  state:
    description:
      - C(present) keeps the rules the roles need; C(absent) removes every rule this module owns.
    type: str
    choices: [present, absent]
    default: present
  prune:
    description:
      - Remove rules of this module that the roles no longer need.
    type: bool
    default: true
notes:
  - Edge Server ports are not in the documentation's server table and are not opened by this module.
  - Works on real servers (WinRM, PSRP, SSH with PowerShell) and on the twin.
seealso:
  - module: sfb.server.port_check
  - module: sfb.server.firewall_report
extends_documentation_fragment:
  - sfb.server.change
"""

EXAMPLES = r"""
- name: Open the ports of the server's roles (read from the topology)
  sfb.server.firewall:

- name: A Front End with collocated Mediation that holds the Central Management store, IPsec deployed
  sfb.server.firewall:
    roles: [FrontEnd, Mediation]
    central_management_store: true
    ipsec_exemptions: true

- name: Remove every rule this collection created
  sfb.server.firewall:
    state: absent
"""

RETURN = r"""
roles:
  description: The roles the rules were computed for.
  returned: success
  type: list
  elements: str
  sample: [FrontEnd, Mediation]
group:
  description: The rule group this module owns.
  returned: success
  type: str
  sample: sfb.server
rules:
  description: The firewall rules the roles need (one per protocol and port), with the documented purposes.
  returned: success
  type: list
  elements: dict
  sample: [{name: sfb.server-TCP-5061, protocol: TCP, local_port: ["5061"], direction: Inbound, action: Allow}]
ipsec_rules:
  description: The IPsec exemptions kept (empty unless O(ipsec_exemptions)).
  returned: success
  type: list
  elements: dict
created:
  description: Names of the rules created (or that would be, in check mode).
  returned: success
  type: list
  elements: str
updated:
  description: Rules corrected, with the properties that had drifted.
  returned: success
  type: dict
  sample: {sfb.server-TCP-5061: [enabled]}
removed:
  description: Rules of this module removed because no role needs them.
  returned: success
  type: list
  elements: str
foreign_rules_seen:
  description: Rules with this module's name prefix that belong to another group, left untouched.
  returned: success
  type: list
  elements: str
commands:
  description: The cmdlet calls of the change, as an administrator would type them.
  returned: success
  type: list
  elements: str
round_trips:
  description: Round trips made to the server (1 without change, 2 with).
  returned: always
  type: int
  sample: 2
"""
