#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: signin_report
short_description: Write the Skype for Business Online sign-in diagnostics report
description:
  - Writes, on the controller, C(<dest>/<name>.md) and C(<dest>/<name>.json) listing each check, its
    result (pass, fail, not checked), the reason and the action to take, failures first.
  - Adds the causes of Microsoft's sign-in troubleshooting guide that cannot be read from here (proxy
    entries for msoidsvc.exe, licences, client version, credentials, cached sign-in data, the RSA folder,
    the AD FS certificate, directory synchronisation) as guidance with the guide's resolution.
  - Writes only when the findings differ from the report already there, so a second run reports no change.
  - Needs no connection to any host.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  checks:
    description:
      - The checks to report, as the sign-in modules return them (C(id), C(title), C(target), C(status),
        C(reason), C(action), C(details), C(changed)).
    type: list
    elements: raw
    required: true
  dest:
    description:
      - Existing directory on the controller to write the report in.
    type: path
    required: true
  name:
    description:
      - File name of the report, without extension.
    type: str
    default: signin-report
  scope:
    description:
      - What was checked (domains, hosts ...), copied into the JSON report.
    type: dict
    default: {}
  guidance:
    description:
      - Add the manual causes as guidance.
    type: bool
    default: true
  guidance_skip:
    description:
      - Guidance items to leave out, by id (C(msoidsvc_proxy), C(licence), C(client_version), C(credentials),
        C(cached_signin), C(security_credentials), C(rsa_folder), C(adfs_certificate), C(dirsync)).
    type: list
    elements: str
    default: []
  expected:
    description:
      - Check ids that must appear (C(dns), C(time), C(trust_model_data), C(sip_user_enabled)); each one no host
        reported becomes a C(not_checked) line, so an empty inventory group never reads as a pass.
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    support: full
    description: Writes nothing in check mode (set C(check_mode=false) on the task to get the report of a check run).
  diff_mode:
    support: none
    description: The report is new output, not a change to compare.
"""

EXAMPLES = r"""
- name: Write the report
  sfb.server.signin_report:
    checks: "{{ sfb_signin_checks }}"
    dest: /var/tmp
  check_mode: false
"""

RETURN = r"""
json_path:
  description: Path of the JSON report.
  returned: success
  type: str
markdown_path:
  description: Path of the Markdown report.
  returned: success
  type: str
summary:
  description: How many checks passed, failed, were not checked.
  returned: success
  type: dict
  sample: {pass: 4, fail: 1, not_checked: 9}
failed_checks:
  description: The failed checks.
  returned: success
  type: list
  elements: dict
"""
