#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: job_inputs
short_description: Check a playbook's inputs before anything changes
description:
  - The first task of every playbook of the collection (its play C(Check the job's inputs)). It refuses the job,
    with every problem at once, when the host pattern matches no host or when a variable the job's roles and plays
    read is missing, of the wrong type or not a valid value.
  - Each matched host's variables are read from C(hostvars) (inventory and extra vars alike), converted with the
    argument spec of the roles named in O(roles) (their C(meta/argument_specs.yml), so the types are the ones the
    role will see), and checked with the collection's validation vocabulary named in O(checks) (see docs/inputs.md).
  - A variable that is not set is left to the role's default, unless the role's argument spec or O(required) says
    it is required.
  - Secret variables (C(no_log) in the role's spec, or a name with password, secret or credential) are never shown.
version_added: 0.2.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  hosts:
    description: The play's host pattern as the user gave it, for the message.
    type: str
    required: true
  matched:
    description: The inventory hosts the pattern matches, usually C(query('ansible.builtin.inventory_hostnames', pattern)).
    type: list
    elements: str
    required: true
  roles:
    description: Roles of the collection (C(name) or C(name:entry_point)) whose argument specs give the variables' types and required ones.
    type: list
    elements: str
    default: []
  checks:
    description:
      - Variable name to check, from the validation vocabulary, for example C(fqdn), C(ca_name), C(optional ca_name)
        (empty allowed), C(list of sip_domain), C(nonempty list of fqdn), C(one of renew, ca_reset), C(int >= 0),
        C(duration), C(count), C(kb), C(dn), C(port), C(ipv4), C(version), C(writable_folder).
    type: dict
    default: {}
  required:
    description: Further variables every matched host must have (inventory variables such as C(cce_site)).
    type: list
    elements: str
    default: []
  required_if:
    description:
      - Conditional requirements, each C([variable, value, [variables]]) - when the variable is (or defaults to) the
        value, the variables listed must be set and not empty.
    type: list
    elements: list
    default: []
  allow_no_hosts:
    description: Accept a pattern that matches no host (for jobs that can run on the controller alone).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Only reads variables.
  diff_mode:
    support: none
    description: Nothing changes.
  platform:
    support: full
    platforms: posix
    description: Runs on the controller.
"""

EXAMPLES = r"""
# The first play of a playbook runs on localhost and checks the job's host pattern and variables.
- name: Refuse a bad input before anything changes
  sfb.server.job_inputs:
    hosts: "{{ deploy_hosts | default('sfb') }}"
    matched: "{{ query('ansible.builtin.inventory_hostnames', deploy_hosts | default('sfb')) }}"
    roles: [deploy]
    checks:
      deploy_ca: optional ca_name
      deploy_sip_domains: list of sip_domain
      deploy_renew_before_days: int >= 0
    required_if:
      - [deploy_certificate_request, online, [deploy_ca]]
"""

RETURN = r"""
hosts:
  description: How many hosts the pattern matched.
  returned: success
  type: int
checked:
  description: The variables that were checked.
  returned: success
  type: list
  elements: str
error:
  description: On failure, C(kind=invalid_argument) and every problem found, in C(problems).
  returned: failure
  type: dict
"""
