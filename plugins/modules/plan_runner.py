#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: plan_runner
short_description: Run a plan of documented cmdlet calls on a Windows server (internal)
description:
  - The Windows side of the sfb.server Host seam. The collection's action plugins build a plan on the
    controller and send it here, so that one module invocation is one round trip.
  - Refreshes C(PSModulePath) from the machine environment, then runs each step in order. The
    PowerShell module a step needs (C(SkypeForBusiness), C(CloudConnector), C(ActiveDirectory) ...)
    is imported when the first step needing it runs, so a module that is missing fails that step
    only (error id C(ModuleMissing:<module>)), not the steps before it.
  - Each cmdlet runs with the default error preference (C(Continue)); the errors it writes are
    collected (C(-ErrorVariable) for commands with the CommonParameters, the merged error stream for
    the others), and a step that wrote any error fails, after the command has gone on as PowerShell
    lets it.
  - The first failing step stops the plan; the steps after it do not run.
  - Calls whose signature has C(-Confirm) come with C(-Confirm:$false) from the controller's plan
    binder, since a confirmation prompt fails under the Ansible host.
  - An executable step succeeds or fails on its exit code alone; its output is decoded with the
    server's OEM code page unless the step names another encoding.
  - Returns each step's output (only the selected properties), its error (message, category, error
    id) or, for an executable, its exit code and output; every secret value is masked in it.
  - Internal to the collection; use the other sfb.server modules instead of calling it directly.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  steps:
    description:
      - The plan's steps, as built by the collection's controller code.
      - A cmdlet step has C(type=cmdlet), C(name), C(module), C(common_parameters) (whether its
        documented signature has the CommonParameters), C(parameters), C(switches) (names of switch
        parameters), C(select) (properties to return) and C(as_text) (selected properties returned
        as text).
      - An executable step has C(type=executable), C(path), C(arguments), C(success_codes) and
        C(output_encoding) (empty for the OEM code page).
    type: list
    elements: dict
    required: true
  modules:
    description:
      - The PowerShell modules the steps need, in first-use order. Each is imported when the first
        step that needs it runs, not before the plan.
    type: list
    elements: str
    default: []
  secrets:
    description:
      - Secret values the steps refer to by name. They become SecureString or PSCredential objects on
        the server (or a String where the cmdlet documents one) and never appear in the module's
        result, its invocation or the event log.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The name the steps refer to.
        type: str
        required: true
      value:
        description: The secret value; C(no_log), so Ansible.Basic masks it wherever it would log it.
        type: str
        required: true
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
    description: The runner only executes steps; the calling module computes any diff.
  platform:
    support: full
    platforms: windows
    description: Runs on Windows Server with Windows PowerShell 5.1 through WinRM, PSRP or SSH.
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
  description:
    - One answer per step that ran; the plan stops after the first failing step.
    - A step whose PowerShell module could not be imported has the error id C(ModuleMissing:<module>).
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
"""
