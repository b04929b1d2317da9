#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: twin_world
short_description: Create or remove a twin world (a simulated Skype for Business estate)
description:
  - Creates, on the controller, the SQLite file of a twin world from a small YAML description of
    sites, pools (Standard or Enterprise, DNS or hardware load balancing), servers, roles, faults and
    pending Windows updates.
  - Hosts with C(ansible_connection=sfb.server.twin) and C(sfb_twin_world) pointing at the file are
    then answered by the simulation, so every sfb.server playbook can be rehearsed without Windows.
  - The description format is documented in the collection's C(docs/twin.md).
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  path:
    description: Path of the world file on the controller.
    type: path
    required: true
  state:
    description:
      - C(present) creates the world when the file does not exist yet (or O(replace=true)).
      - C(absent) removes the file.
    type: str
    choices: [present, absent]
    default: present
  src:
    description: Path of a YAML world description on the controller.
    type: path
  description:
    description: The world description itself, as a mapping.
    type: dict
  replace:
    description: Create the world again even when the file exists (everything that happened is lost).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Validates the description and reports whether the world would be created.
  diff_mode:
    support: none
    description: A world is created whole; there is nothing to compare.
  platform:
    support: full
    platforms: posix
    description: Runs on the controller.
notes:
  - Run it on C(localhost) or with C(delegate_to=localhost) and C(run_once=true).
seealso:
  - module: sfb.server.twin_info
  - module: sfb.server.twin_fault
"""

EXAMPLES = r"""
- name: Create the rehearsal estate
  sfb.server.twin_world:
    path: /tmp/estate.db
    src: estate.yml
  delegate_to: localhost
  run_once: true

- name: Start again from scratch
  sfb.server.twin_world:
    path: /tmp/estate.db
    replace: true
    description:
      speed: 600
      sites:
        - name: Redmond
          pools:
            - fqdn: se01.contoso.com
              edition: Standard
              servers: [se01.contoso.com]
"""

RETURN = r"""
world:
  description: Summary of the world (servers, pools, session counters), as C(sfb.server.twin_info) gives it.
  returned: when state=present and not in check mode
  type: dict
path:
  description: The world file.
  returned: when state=absent or in check mode
  type: str
"""
