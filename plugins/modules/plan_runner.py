#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: plan_runner
short_description: Run a plan of documented cmdlet calls on a Windows server (internal)
description:
  - The Windows side of the sfb.server Host seam. The collection's action plugins build a plan on the
    controller and send it here, so that one module invocation is one round trip.
  - Imports the PowerShell modules the plan needs (C(SkypeForBusiness), C(CloudConnector)), runs each
    step in order, and returns each step's output (only the selected properties), its error
    (message, category, error id) or, for an executable, its exit code and output.
  - The first failing step stops the plan.
  - Internal to the collection; use the other sfb.server modules instead of calling it directly.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  steps:
    description:
      - The plan's steps, as built by the collection's controller code.
      - A cmdlet step has C(type=cmdlet), C(name), C(parameters), C(switches) (names of switch
        parameters) and C(select) (properties to return).
      - An executable step has C(type=executable), C(path), C(arguments) and C(success_codes).
    type: list
    elements: dict
    required: true
  modules:
    description:
      - PowerShell modules to import before the first step.
    type: list
    elements: str
    default: []
  secrets:
    description:
      - Secret values the steps refer to by key. They become SecureString or PSCredential objects on
        the server and never appear in the module's result.
    type: dict
    default: {}
  depth:
    description:
      - How deep nested objects in the output are converted before they are given as text.
    type: int
    default: 3
attributes:
  check_mode:
    support: full
    description: The controller never sends a plan that changes anything in check mode.
  diff_mode:
    support: none
  platform:
    platforms: windows
"""

EXAMPLES = r"""
# Internal: the action plugins of sfb.server build the plans. This is what one looks like.
- name: Read the Front-End service
  sfb.server.plan_runner:
    modules: [SkypeForBusiness]
    steps:
      - type: cmdlet
        name: Get-CsWindowsService
        parameters: {Name: RTCSRV}
        switches: []
        select: [Name, Status, ActivityLevel]
"""

RETURN = r"""
steps:
  description: One answer per step that ran; the plan stops after the first failing step.
  returned: always
  type: list
  elements: dict
  contains:
    index:
      description: Position of the step in the plan, from 0.
      type: int
    output:
      description: Returned objects, each with the selected properties only.
      type: list
      elements: raw
    error:
      description: C(message), C(category) and C(error_id) of the failure, or null.
      type: dict
    exit_code:
      description: Exit code of an executable step.
      type: int
    stdout:
      description: Standard output of an executable step.
      type: str
    stderr:
      description: Standard error of an executable step.
      type: str
missing_module:
  description: The PowerShell module that could not be imported, when that is why the task failed.
  returned: failure
  type: str
  sample: SkypeForBusiness
"""
