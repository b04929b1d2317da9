#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: local_store
short_description: Deployment Wizard step 1 - install the local configuration store and check its replication
description:
  - Makes the server a replica of the Central Management store, directly (O(source=cms)) or from a
    file made with C(Export-CsConfiguration) for servers that cannot reach the store, such as Edge
    Servers (O(source=file)).
  - Microsoft does not document which commands the wizard's step 1 runs. This module reaches the
    step's documented outcome with documented cmdlets - C(Import-CsConfiguration -LocalStore) (file),
    C(Enable-CsReplica) and C(Invoke-CsManagementStoreReplication) (store) - and then waits until
    C(Get-CsManagementStoreReplicationStatus) reports the replica C(UpToDate), rather than trusting the step.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  source:
    description:
      - Where the configuration comes from.
    type: str
    choices: [cms, file]
    default: cms
  configuration_file:
    description:
      - The exported configuration (zip) on the server; required with O(source=file).
    type: str
  server_fqdn:
    description:
      - The replica's FQDN as the topology knows it. Defaults to C(inventory_hostname).
    type: str
  replication_timeout:
    description:
      - Seconds to wait for the replica to be up to date.
    type: int
    default: 900
  poll_interval:
    description:
      - Seconds between two replication status reads.
    type: int
    default: 30
notes:
  - Needs the core components (sfb.server.core_components).
  - On an Edge Server the replication status may only be readable from a server inside; use
    C(delegate_to) a Front End for the task in that case.
extends_documentation_fragment:
  - sfb.server.change
"""

EXAMPLES = r"""
- name: Step 1 from the Central Management store
  sfb.server.local_store:

- name: Step 1 on an Edge Server from an exported configuration
  sfb.server.local_store:
    source: file
    configuration_file: C:\Deploy\topology.zip
"""

RETURN = r"""
replica:
  description: The replica's status as C(Get-CsManagementStoreReplicationStatus) reports it.
  returned: success
  type: dict
  sample: {ReplicaFqdn: fe01.contoso.com, UpToDate: true}
server_fqdn:
  description: The replica checked.
  returned: success
  type: str
commands:
  description: The commands run (or that would run in check mode).
  returned: changed
  type: list
  elements: str
round_trips:
  description: Round trips (one read, one write, then one read per status poll).
  returned: always
  type: int
"""
