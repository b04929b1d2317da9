#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cce_registration
short_description: Register a Cloud Connector appliance after checking it conflicts with no registered one
description:
  - The troubleshooting guide says the appliance name, the Mediation Server FQDN and the Mediation Server
    IP address must each be used by one registered appliance only.
  - The module compares this appliance with O(registered_appliances), the C(appliances) that
    M(sfb.server.cce_tenant_info) returned from the tenant session.
  - On a conflict it fails before anything runs, and names the field, the value and the registered
    appliance in the way.
  - When the same appliance is already registered with the same values, nothing runs. Otherwise the
    module runs C(Register-CcAppliance -SiteName -ApplianceName) on the appliance host.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  site_name:
    description: The site to register in (C(SiteName) of CloudConnector.ini).
    type: str
    required: true
  appliance_name:
    description: The appliance name; by default the host name, as the guide says.
    type: str
  mediation_fqdn:
    description: The Mediation Server FQDN of CloudConnector.ini.
    type: str
    required: true
  mediation_ip:
    description: The Mediation Server IP address of CloudConnector.ini.
    type: str
    required: true
  registered_appliances:
    description: The registered appliances, as M(sfb.server.cce_tenant_info) returns them.
    type: list
    elements: dict
    required: true
notes:
  - C(Register-CcAppliance) reads the tenant admin credential from the appliance's credential cache. Without
    a cache it prompts, which a non-interactive session cannot answer (see M(sfb.server.cce_credential)).
seealso:
  - module: sfb.server.cce_tenant_info
extends_documentation_fragment:
  - sfb.server.change
"""

EXAMPLES = r"""
- name: Read the registrations
  sfb.server.cce_tenant_info:
  delegate_to: tenant-admin.contoso.com
  run_once: true
  register: tenant

- name: Register the appliance
  sfb.server.cce_registration:
    site_name: Amsterdam
    mediation_fqdn: ms.cce01.contoso.com
    mediation_ip: 10.1.0.11
    registered_appliances: "{{ tenant.appliances }}"
"""

RETURN = r"""
registered:
  description: Whether the appliance is registered after the task.
  returned: success
  type: bool
identity:
  description: The tenant identity of the appliance when it was already registered.
  returned: when already registered
  type: str
commands:
  description: The commands run (or that would run in check mode).
  returned: success
  type: list
  elements: str
"""
