#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: time_sync_info
short_description: Check that a Windows host's clock follows a reliable time source
description:
  - Runs C(w32tm /query /status) on the host and, when O(reference) is given,
    C(w32tm /stripchart /computer:<reference> /samples:<n> /dataonly) to measure the skew.
  - C(pass) when the host is synchronised with a time server (not the local CMOS clock, not a free-running
    clock, not the Hyper-V host) and the skew is within O(max_skew); C(fail) otherwise, with the fix;
    C(not_checked) when w32tm fails (Windows Time stopped, access denied), the reference does not answer, or the
    output is not the English one this module reads.
  - Microsoft's sign-in troubleshooting guide lists a clock out of step with the server among the causes,
    and asks that the domain controller be synchronised with a reliable external time source.
  - Read-only; runs in check mode.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  reference:
    description:
      - An NTP server to measure the skew against, for example C(time.windows.com). No skew is measured
        without it.
    type: str
  samples:
    description:
      - Samples to take from O(reference) (1 to 10); the largest offset counts.
    type: int
    default: 1
  max_skew:
    description:
      - Largest offset, in seconds, that still passes.
    type: float
    default: 5.0
attributes:
  check_mode:
    support: full
    description: Only reads the time service; it runs the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
notes:
  - w32tm's output is not specified by Microsoft; the module reads the English labels and the sample
    lines as w32tm prints them, and reports anything else as not checked rather than guessing.
"""

EXAMPLES = r"""
- name: Check the domain controllers' clocks against time.windows.com
  sfb.server.time_sync_info:
    reference: time.windows.com
    max_skew: 2
  register: sfb_time
"""

RETURN = r"""
check:
  description: The check (id C(time), status, reason, action, details with the parsed status and samples).
  returned: success
  type: dict
synchronised:
  description: Whether the check passed.
  returned: success
  type: bool
w32tm:
  description: The raw w32tm output (C(status), C(stripchart)).
  returned: success
  type: dict
"""
