#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: rolling_patch_turn
short_description: Let a rolling patch's pool lanes run side by side, each one server at a time
description:
  - The turnstile of C(playbooks/patch_pool.yml) (role C(sfb.server.rolling_patch)), on the controller. With
    O(state=waited) a server waits until every server in O(after) (the previous server of its lane, from the
    plan of C(sfb.server.rolling_patch_waves)) has finished its cycle, so that lanes of different pools do
    not wait for one another; it returns RV(halted) at once when a server of any lane halted its pool.
  - O(state=done) records that O(server) finished its cycle; O(state=halted) that it halted its pool (the
    servers not started yet then stop); O(state=cleared) removes the folder at the end of the run.
  - The turns live in files of O(path), a folder only this run uses, because the play's hosts see each
    other's facts only as they were when a task was queued.
  - Needs no connection to any host.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  state:
    description: What to do.
    type: str
    choices: [waited, done, halted, cleared]
    default: waited
  path:
    description: The run's folder on the controller; created when missing.
    type: path
    required: true
  server:
    description: The server whose cycle ended (O(state=done)) or halted (O(state=halted)).
    type: str
  after:
    description: With O(state=waited), the servers whose cycle must end first.
    type: list
    elements: str
    default: []
  reason:
    description: With O(state=halted), why; the servers that stop because of it report it.
    type: str
    default: ""
  timeout:
    description: With O(state=waited), seconds to wait at most before failing (nothing changes on the server).
    type: int
    default: 86400
  poll_interval:
    description: Seconds between two looks at the folder.
    type: float
    default: 0.2
attributes:
  check_mode:
    support: full
    description: The turns are kept in check mode too; they change no managed host.
  diff_mode:
    support: none
    description: Nothing on a managed host changes.
"""

EXAMPLES = r"""
- name: Wait for the previous server of this lane
  sfb.server.rolling_patch_turn:
    path: "{{ hostvars['localhost'].rolling_patch_plan_turns }}"
    after: "{{ hostvars['localhost'].rolling_patch_plan.after[inventory_hostname] }}"
  register: rolling_patch_turn

- name: Let the next server of the lane go
  sfb.server.rolling_patch_turn:
    state: done
    path: "{{ hostvars['localhost'].rolling_patch_plan_turns }}"
    server: "{{ inventory_hostname }}"
"""

RETURN = r"""
halted:
  description: With O(state=waited), whether a server halted its pool; this one must then not start.
  returned: O(state=waited)
  type: bool
halted_by:
  description: The servers that halted their pool.
  returned: O(state=waited)
  type: list
  elements: str
reasons:
  description: Why they halted.
  returned: O(state=waited)
  type: list
  elements: str
waited:
  description: Seconds waited.
  returned: O(state=waited)
  type: float
cleared:
  description: With O(state=cleared), whether the folder existed.
  returned: O(state=cleared)
  type: bool
"""
