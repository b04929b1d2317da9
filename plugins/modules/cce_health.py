#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cce_health
short_description: Check what the Cloud Connector Management service monitors, with a bounded wait
description:
  - The troubleshooting guide lists what the Cloud Connector Management service monitors. This module
    checks the same from outside, so a playbook can gate on it.
  - O(scope=host) runs on the appliance host. The VMs must be Running (not Saved or Off). Each VM must be
    connected to the Corpnet switch, and the Edge VM also to the Internet switch (C(Get-VM),
    C(Get-VMNetworkAdapter)).
  - O(scope=vm) runs on one VM (an inventory host of its own) and checks its role's monitored services with
    C(Get-Service). From 2.0 these are CMS REPLICA, MASTER; Mediation REPLICA, RTCSRV, MEDSVC; Edge
    REPLICA, RTCSRV, RTCDATAPROXY, RTCMRAUTH, RTCMEDIARELAY. In 1.4.2 only Mediation RTCSRV, MEDSVC and
    Edge RTCSRV. It also checks the inbound firewall rules C(CS RTCSRV) (Edge) and C(CS RTCMEDSRV)
    (Mediation) with C(Get-NetFirewallRule).
  - With O(wait), the module checks again on the guide's recovery schedule until the checks pass or the
    window ends. The schedule is every 10 seconds three times, then each wait twice the previous, at most
    one hour. O(schedule_scale) stretches or shrinks every wait.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  scope:
    description: Where the module runs, the appliance host or one of its VMs.
    type: str
    choices: [host, vm]
    default: host
  vm_role:
    description: The role of the VM (O(scope=vm)).
    type: str
    choices: [CMS, Mediation, Edge, AD]
  version:
    description: The appliance's Cloud Connector version (from M(sfb.server.cce_info)); decides the monitored services (O(scope=vm)).
    type: str
  vm_name_prefixes:
    description: How the host recognises each VM's role, by the start of its Hyper-V name.
    type: dict
    default: {AD: AD, CMS: CMS, Mediation: Mediation, Edge: Edge}
  corpnet_switch:
    description: The name of the Corpnet virtual switch (C(CorpnetSwitchName) of CloudConnector.ini).
    type: str
    default: SfB CCE Corpnet Switch
  internet_switch:
    description: The name of the Internet virtual switch (C(InternetSwitchName) of CloudConnector.ini).
    type: str
    default: SfB CCE Internet Switch
  wait:
    description: Seconds the checks may take to pass; C(0) checks once.
    type: int
    default: 0
  schedule_scale:
    description: Factor applied to every wait of the recovery schedule.
    type: float
    default: 1.0
  fail_when_unhealthy:
    description: Fail the task when a check still fails at the end of the window.
    type: bool
    default: true
extends_documentation_fragment:
  - sfb.server.info
seealso:
  - module: sfb.server.cce_info
"""

EXAMPLES = r"""
- name: Wait up to 15 minutes for the appliance's VMs
  sfb.server.cce_health:
    wait: 900

- name: Check the Mediation VM's services and firewall rule
  sfb.server.cce_health:
    scope: vm
    vm_role: Mediation
    version: "2.1.0"
    wait: 600
  delegate_to: cce01-med.contoso.com
"""

RETURN = r"""
healthy:
  description: Whether every check passed.
  returned: success
  type: bool
problems:
  description: What failed at the last check.
  returned: success
  type: list
  elements: str
  sample: [service MEDSVC is Stopped]
attempts:
  description: How many times the checks ran.
  returned: success
  type: int
waited:
  description: Seconds spent, on the server's clock.
  returned: success
  type: int
"""
