# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sfb.server.awx_job_template: an AWX job template's survey from the roles' argument specs.

The documentation is in awx_job_template.yml beside this file; the rules are in
plugins/plugin_utils/controller/awx.py.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.sfb.server.plugins.plugin_utils.controller.awx import SurveyError, job_template


def awx_job_template(definition, argument_specs, playbook_text):
    """definition | sfb.server.awx_job_template(argument_specs, playbook_text)"""
    if not isinstance(definition, dict) or not isinstance(argument_specs, dict):
        raise AnsibleFilterError("awx_job_template takes a job template definition (a mapping) and the roles' "
                                 "argument specs (role name -> meta/argument_specs.yml loaded).")
    try:
        return job_template(dict(definition), dict(argument_specs), str(playbook_text))
    except SurveyError as exc:
        raise AnsibleFilterError(str(exc)) from exc


class FilterModule:
    """AWX job templates from the roles' argument specs."""

    def filters(self):
        return {"awx_job_template": awx_job_template}
