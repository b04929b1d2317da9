#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: twin_info
short_description: Show a twin world and what happened in it
description:
  - Reports every simulated server (power, services, sessions, pending updates and reboot, faults),
    every pool (quorum, session counters) and the events recorded since a given one (each cmdlet
    call that changed something, drains, reboots, sessions dropped or refused).
  - The counters C(sessions_dropped) and C(sessions_refused) are the ones a maintenance rehearsal must
    keep at zero.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  path:
    description: Path of the world file on the controller.
    type: path
    required: true
  events_since:
    description: Only return events after this event id (0 for all).
    type: int
    default: 0
  event_kinds:
    description: Only return events of these kinds, for example C(sessions_dropped) or C(quorum_lost).
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    support: full
    description: Only reads.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
  platform:
    support: full
    platforms: posix
    description: Runs on the controller.
seealso:
  - module: sfb.server.twin_world
"""

EXAMPLES = r"""
- name: Did the rehearsal cut any call?
  sfb.server.twin_info:
    path: /tmp/estate.db
    event_kinds: [sessions_dropped, quorum_lost]
  delegate_to: localhost
  run_once: true
  register: twin

- name: Prove it did not
  ansible.builtin.assert:
    that: twin.world.sessions_dropped == 0
"""

RETURN = r"""
world:
  description: Servers, pools and session counters of the world now.
  returned: success
  type: dict
events:
  description: Events in order, each with C(id), C(virtual_time), C(server), C(kind) and C(detail).
  returned: success
  type: list
  elements: dict
last_event:
  description: Id of the last event returned; pass it as O(events_since) to read only newer ones.
  returned: success
  type: int
"""
