#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cce_tenant_info
short_description: Report the Cloud Connector sites and appliances registered in the tenant
description:
  - Runs C(Get-CsHybridPSTNSite) and C(Get-CsHybridPSTNAppliance), which the reference marks
    I(Skype for Business Online). They run in a tenant remote PowerShell session, not on an appliance.
  - Target the Windows machine that holds that session (an inventory host of its own, for example
    C(tenant-admin.contoso.com)); on the twin, the host named in the description's C(cce_tenant).
  - Reports each site's C(EnableAutoUpdate) and each appliance's C(MaintenanceMode); an appliance out
    of maintenance mode is in the site's HA set.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  site:
    description:
      - Only this site and its appliances.
    type: str
extends_documentation_fragment:
  - sfb.server.info
notes:
  - C(MediationServerFqdn) and C(MediationServerIPAddress) follow the troubleshooting guide's wording;
    the cmdlet page names no output properties.
seealso:
  - module: sfb.server.cce_registration
"""

EXAMPLES = r"""
- name: Read the tenant's Cloud Connector registrations
  sfb.server.cce_tenant_info:
  delegate_to: tenant-admin.contoso.com
  run_once: true
  register: tenant
"""

RETURN = r"""
sites:
  description: The hybrid PSTN sites.
  returned: success
  type: list
  elements: dict
  sample: [{name: Amsterdam, enable_auto_update: false}]
appliances:
  description: The registered appliances.
  returned: success
  type: list
  elements: dict
  sample: [{identity: 6f0c..., name: CCE01, site: Amsterdam, mediation_fqdn: ms.cce01.contoso.com,
            mediation_ip: 10.1.0.11, maintenance_mode: false, in_ha: true}]
auto_update_sites:
  description: Sites with C(EnableAutoUpdate) on; Ansible also shows a warning for each (manual patching should turn it off first).
  returned: success
  type: list
  elements: str
"""
