#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: client_media_ports
short_description: Set the port range Skype for Business clients use for media
description:
  - Without a configured range, clients use any port from 1024 to 65535 for audio, video, file transfer and
    application sharing. This module sets C(ClientMediaPortRangeEnabled), C(ClientMediaPort) and
    C(ClientMediaPortRange) of a conferencing configuration with C(Set-CsConferencingConfiguration), and only
    when C(Get-CsConferencingConfiguration) shows a difference.
  - Run it once per deployment (on one Front End Server), not on every server.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  identity:
    description:
      - The conferencing configuration, C(Global) or C(site:NAME).
    type: str
    default: Global
  enabled:
    description:
      - Whether clients use the configured range.
    type: bool
    required: true
  port:
    description:
      - First port of the range, 1024 to 65535.
    type: int
  range:
    description:
      - Number of ports in the range; at least 20 (the documentation's minimum for audio and video).
    type: int
notes:
  - Needs the SkypeForBusiness PowerShell module on the server.
seealso:
  - module: sfb.server.firewall_report
extends_documentation_fragment:
  - sfb.server.change
"""

EXAMPLES = r"""
- name: Clients use ports 50000-50039 for media
  sfb.server.client_media_ports:
    enabled: true
    port: 50000
    range: 40
  run_once: true
"""

RETURN = r"""
configuration:
  description: The three settings after the change.
  returned: success
  type: dict
  sample: {ClientMediaPortRangeEnabled: true, ClientMediaPort: 50000, ClientMediaPortRange: 40}
client_ports:
  description: The ports clients use for media, as a range.
  returned: success
  type: str
  sample: 50000-50039
commands:
  description: The cmdlet call of the change.
  returned: success
  type: list
  elements: str
round_trips:
  description: Round trips made to the server.
  returned: always
  type: int
"""
