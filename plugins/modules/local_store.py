#!/usr/bin/python
# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: local_store
short_description: Deployment Wizard step 1 - install the local configuration store and check its replication
description:
  - Makes the server a replica of the Central Management store ("Install Skype for Business Server on
    servers in the topology", step 1), directly (O(source=cms)) or from a file made with
    C(Export-CsConfiguration) for servers that cannot reach the store, such as Edge Servers (O(source=file)).
  - Microsoft does not document which commands the wizard's step 1 runs. This module takes the route of
    the C(Export-CsConfiguration) and C(Import-CsConfiguration) pages - C(Export-CsConfiguration -FileName)
    (store), C(Import-CsConfiguration -FileName -LocalStore), C(Enable-CsReplica), C(Start-CsWindowsService
    -Name RTCREPLICA) - and then waits until C(Get-CsManagementStoreReplicationStatus) reports the replica
    C(UpToDate), rather than trusting the step.
  - O(state=exported) writes the export on an internal server (for an Edge Server to import);
    O(state=replicated) reads, on an internal server, the replication of O(replica_fqdn) ("Validate your
    Edge deployment"), sending C(Invoke-CsManagementStoreReplication) when it is not up to date.
  - Installs SQL Server Express for the local store, which needs DPAPI - the task must run with C(become) and
    C(become_method=runas), or it fails at once.
version_added: 0.1.0
author:
  - sfb.server contributors (!UNKNOWN)
options:
  state:
    description:
      - C(present) installs the local store on this server; C(exported) exports the configuration to
        O(configuration_file); C(replicated) only waits for O(replica_fqdn) to be up to date.
    type: str
    choices: [present, exported, replicated]
    default: present
  source:
    description:
      - Where the configuration comes from.
    type: str
    choices: [cms, file]
    default: cms
  configuration_file:
    description:
      - The exported configuration (zip). With O(source=cms) where the export is written on the server;
        with O(source=file) the file as the server reads it (a local path or a share).
    type: str
    default: C:\Windows\Temp\sfb-CsConfiguration.zip
  server_fqdn:
    description:
      - The replica's FQDN as the topology knows it. Defaults to C(inventory_hostname).
    type: str
  replica_fqdn:
    description:
      - With O(state=replicated), the replica whose replication is read (an Edge Server). Defaults to
        O(server_fqdn).
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
  - An Edge Server's replication is read from an internal server (a Front End or the Central Management
    store's server) with O(state=replicated) and C(delegate_to); the Edge itself cannot reach the store.
extends_documentation_fragment:
  - sfb.server.change
"""

EXAMPLES = r"""
- name: Step 1 from the Central Management store
  sfb.server.local_store:

- name: Export the configuration for an Edge Server, on a Front End
  sfb.server.local_store:
    state: exported
    configuration_file: \\fs01.contoso.com\sfb\edge.zip
  delegate_to: fe01.contoso.com

- name: Step 1 on an Edge Server from the exported configuration
  sfb.server.local_store:
    source: file
    configuration_file: \\fs01.contoso.com\sfb\edge.zip

- name: Check the Edge Server's replication from the Front End
  sfb.server.local_store:
    state: replicated
    replica_fqdn: "{{ inventory_hostname }}"
  delegate_to: fe01.contoso.com
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
