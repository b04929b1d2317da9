# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the deployment (playbooks/deploy.yml, role sfb.server.deploy): input checks in tested
Python rather than in Jinja.

- deploy_ca_problem: why a value is not `<CA server FQDN>\\<CA name>` ("" when it is).
"""

from __future__ import annotations

from ansible_collections.sfb.server.plugins.plugin_utils.domain import deployment as dep

DOCUMENTATION = ""


def deploy_ca_problem(value) -> str:
    return dep.ca_problem(value)


class FilterModule:
    def filters(self):
        return {"deploy_ca_problem": deploy_ca_problem}
