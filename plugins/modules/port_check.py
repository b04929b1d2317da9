#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: port_check
short_description: Test, from a Skype for Business server, the TCP paths to the ports its peers listen on
description:
  - For every peer given, takes from the documentation's port matrix the ports the peer's roles listen on and
    tests each TCP port from this server with C(Test-NetConnection -ComputerName PEER -Port PORT), all in one
    round trip.
  - Gives a matrix of paths, each C(open), C(closed) (the peer answers ping but not the port), C(filtered)
    (the peer answers neither, or its name does not resolve) or C(not_testable), with the documented purpose of
    every path that is not open.
  - UDP ports and media port ranges are reported as C(not_testable) - UDP cannot be tested without a listener
    that answers, and a media range has no listener until a call uses it.
  - Read-only; runs in check mode too.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  peers:
    description:
      - The other servers, each with C(fqdn), C(roles) and optionally C(central_management_store). This server
        itself is skipped if listed.
    type: list
    elements: dict
    required: true
  fail_on_closed:
    description:
      - Fail the task when a path is closed or filtered (the result still lists every path).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Only tests connections; it runs the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
notes:
  - A failed test can take about twenty seconds on a real server (TCP time-out, then a ping).
seealso:
  - module: sfb.server.firewall
"""

EXAMPLES = r"""
- name: Test the paths to every other server of the play
  sfb.server.port_check:
    peers:
      - {fqdn: fe02.contoso.com, roles: [FrontEnd, Mediation]}
      - {fqdn: dir01.contoso.com, roles: [Director]}
    fail_on_closed: true
"""

RETURN = r"""
paths:
  description: Every path tested or not testable, with its state and the documented purpose.
  returned: success
  type: list
  elements: dict
  sample: [{source: fe01.contoso.com, destination: fe02.contoso.com, port: "5061", protocol: TCP, state: open,
            service: Front-End service, purpose: "Used by Standard Edition servers and Front End pools ..."}]
open:
  description: Number of open paths.
  returned: success
  type: int
closed:
  description: Paths that are closed or filtered, with the reason and the documented purpose.
  returned: success
  type: list
  elements: dict
not_testable:
  description: Number of UDP paths and media ranges that cannot be tested.
  returned: success
  type: int
round_trips:
  description: Round trips made to the server (1).
  returned: always
  type: int
"""
