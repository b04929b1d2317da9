#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cce_update_mode
short_description: Take a Cloud Connector appliance out of its HA set for maintenance, or back
description:
  - O(state=entered) runs C(Enter-CcUpdate) (drains services and puts the appliance in maintenance mode);
    O(state=exited) runs C(Exit-CcUpdate) (starts services and exits maintenance mode).
  - Neither cmdlet reports the mode, so the module records the mode it set in the registry key
    C(HKLM:\SOFTWARE\sfb.server\CloudConnector) of the host and reads it first; a second run changes nothing.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  state:
    description:
      - C(entered) to take the appliance out of HA, C(exited) to put it back.
    type: str
    choices: [entered, exited]
    required: true
  force:
    description:
      - Run the cmdlet even when the recorded mode is already the wanted one (for an appliance put in
        update mode by hand, which the record does not know).
    type: bool
    default: false
notes:
  - In a site with one appliance, update mode means no calls for the site until it exits.
seealso:
  - module: sfb.server.cce_info
extends_documentation_fragment:
  - sfb.server.change
"""

EXAMPLES = r"""
- name: Take the appliance out of HA
  sfb.server.cce_update_mode:
    state: entered

- name: Put it back
  sfb.server.cce_update_mode:
    state: exited
"""

RETURN = r"""
update_mode:
  description: The mode after the task.
  returned: success
  type: bool
commands:
  description: The commands run (or that would run in check mode).
  returned: success
  type: list
  elements: str
  sample: [Enter-CcUpdate]
"""
