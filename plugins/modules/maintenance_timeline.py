#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: maintenance_timeline
short_description: Draw a maintenance rollout's timeline (SVG) and write its report (Markdown)
description:
  - Writes, on the controller, C(<dest>/<name>.svg), a picture with each server's phases (download, drain,
    failover, installation, restart, database step, failback, return to service) on a time axis, grouped by
    pool, with the time each server was out of service and the sessions refused or dropped, and
    C(<dest>/<name>.md), the same as a report to attach to the change record.
  - The rolling patch's summary step calls it with the per-server records; C(scripts/sfb-twin timeline)
    draws the same from a twin world's events.
  - A phase given as a window (C(start) and C(end), seconds since the epoch) is drawn where it says; a phase
    given only as a duration is laid end to end from the record's C(started), and the report says so; a
    record with durations and no C(started) is listed but not drawn.
  - Writes only when the content differs from the files already there, so a second run reports no change.
  - Needs no connection to any host.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  records:
    description:
      - The per-server records of the rolling patch (C(rolling_patch_record)) - C(server), C(pool),
        C(status), C(started), C(phases) (name to window or seconds), optionally C(out_of_service)
        (window), C(sessions_cut), C(sessions_refused_at) and C(sessions_dropped_at) (lists of C(at), C(count)).
    type: list
    elements: dict
    required: true
  dest:
    description:
      - Existing directory on the controller to write the files in.
    type: path
    required: true
  name:
    description:
      - File name of the picture and the report, without extension.
    type: str
    default: maintenance-timeline
  title:
    description:
      - Title of the picture and of the report.
    type: str
    default: Maintenance timeline
attributes:
  check_mode:
    support: full
    description: Draws the timeline and writes nothing; C(changed) says whether the files would change.
  diff_mode:
    support: none
    description: The picture is new output, not a change to compare.
"""

EXAMPLES = r"""
- name: Draw the rollout for the change record
  sfb.server.maintenance_timeline:
    records: "{{ ansible_play_hosts_all | map('extract', hostvars) | selectattr('rolling_patch_record', 'defined')
                 | map(attribute='rolling_patch_record') | list }}"
    dest: /var/tmp
  run_once: true
"""

RETURN = r"""
svg_path:
  description: Path of the picture.
  returned: success
  type: str
markdown_path:
  description: Path of the report.
  returned: success
  type: str
servers:
  description: How many servers the timeline shows.
  returned: success
  type: int
pools:
  description: The pools, in the order drawn.
  returned: success
  type: list
  elements: str
window:
  description: First and last moment drawn (seconds since the epoch); null when nothing happened.
  returned: success
  type: dict
not_drawn:
  description: Servers listed in the report with no phase to draw (skipped, or no times recorded).
  returned: success
  type: list
  elements: str
"""
