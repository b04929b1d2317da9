#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: twin_fault
short_description: Inject or clear a fault on a server of a twin world
description:
  - Makes a simulated server misbehave the way real ones do, to rehearse how a playbook copes.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  path:
    description: Path of the world file on the controller.
    type: path
    required: true
  server:
    description: FQDN of the server in the world.
    type: str
    required: true
  fault:
    description:
      - C(service_fails_to_start) (value - a list of service names, or C(*)) keeps them stopped when started.
      - C(unreachable) (value - true) makes every connection to the server fail.
      - C(no_return_after_reboot) (value - true) keeps the server down after a restart.
      - C(drain_never_ends) (value - true) makes the server's sessions last for ever.
      - C(update_fails) (value - a list of KB numbers) makes those updates fail to install.
      - Other families of the twin add faults of their own; C(docs/twin.md) lists them all, and an
        unknown name fails with the list of known ones.
    type: str
    required: true
  value:
    description: The fault's value; required with O(state=present).
    type: raw
  state:
    description: C(present) sets the fault, C(absent) clears it.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    support: full
    description: Reports whether the fault would change and changes nothing.
  diff_mode:
    support: none
    description: The result lists the server's faults after the change.
  platform:
    support: full
    platforms: posix
    description: Runs on the controller.
seealso:
  - module: sfb.server.twin_world
"""

EXAMPLES = r"""
- name: fe02 will not come back after its next restart
  sfb.server.twin_fault:
    path: /tmp/estate.db
    server: fe02.contoso.com
    fault: no_return_after_reboot
    value: true
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
faults:
  description: The server's faults after the change.
  returned: success
  type: dict
"""
