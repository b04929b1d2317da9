# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: topology
author:
  - sfb.server contributors (@sfb-server)
version_added: 0.1.0
short_description: Skype for Business servers from the topology, grouped by site, pool, role and edition
description:
  - Builds the inventory from the topology document exported on a Front End (C(Get-CsTopology -AsXml | Out-File
    Topology.xml), Example 3 of the Get-CsTopology page), or from an C(Export-CsConfiguration) archive that holds
    such a document; or, for a rehearsal, from a twin world description (docs/twin.md).
  - "Groups: C(sfb) (every server), C(sfb_site_<site>), C(sfb_<pool host name>) (for example C(sfb_pool01)),
    C(sfb_role_<role>) (frontend, director, mediation, edge, persistentchat) and C(sfb_edition_<edition>) (Front End
    pools: enterprise, standard)."
  - "Host variables: C(sfb_site), C(sfb_pool), C(sfb_roles), C(sfb_edition); from a twin world also
    C(ansible_connection=sfb.server.twin) and C(sfb_twin_world)."
  - Microsoft publishes no sample topology document; what the reader expects of it is in docs/assumptions.md. A
    document it cannot read stops the inventory with an error saying what is missing; nothing is guessed.
  - The configuration file's name must end in C(sfb_topology.yml) or C(sfb_topology.yaml).
extends_documentation_fragment:
  - ansible.builtin.constructed
options:
  plugin:
    description: The name of this plugin.
    required: true
    type: str
    choices: [sfb.server.topology]
  topology:
    description:
      - The topology document (Get-CsTopology -AsXml) or the Export-CsConfiguration archive. A relative path is
        read beside the configuration file.
      - Exactly one of O(topology) and O(twin_description) is needed.
    type: str
    env:
      - name: SFB_TOPOLOGY_FILE
  twin_description:
    description:
      - A twin world description (YAML, docs/twin.md), for a rehearsal. A relative path is read beside the
        configuration file.
    type: str
    env:
      - name: SFB_TWIN_DESCRIPTION
  twin_world:
    description:
      - The twin world file created from O(twin_description) (C(sfb_twin.py create)). With O(twin_description),
        every host gets C(ansible_connection=sfb.server.twin) and C(sfb_twin_world) set to this path.
    type: str
    env:
      - name: SFB_TWIN_WORLD
"""

EXAMPLES = r"""
# inventory/topology.sfb_topology.yml: the exported topology, then connection variables for every server
plugin: sfb.server.topology
topology: Topology.xml
compose:
  ansible_connection: "'psrp'"
# ansible-inventory -i inventory/topology.sfb_topology.yml --graph

# awx/inventory/twin.sfb_topology.yml, the rehearsal estate of `make demo`, reads instead:
#   plugin: sfb.server.topology
#   twin_description: ../../tests/twin/estate.yml
#   twin_world: ../../.twin/estate.db
"""

import os

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Constructable

from ansible_collections.sfb.server.plugins.plugin_utils.controller.topology import (
    TopologyError, inventory_layout, read_topology, read_twin_description)


class InventoryModule(BaseInventoryPlugin, Constructable):
    """Skype for Business servers from the topology, or from a twin world description."""

    NAME = "sfb.server.topology"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("sfb_topology.yml", "sfb_topology.yaml"))

    def _path(self, path, value):
        # Beside the configuration file, not the working folder (an AWX project checkout moves).
        value = os.path.expanduser(value)
        return value if os.path.isabs(value) else os.path.normpath(os.path.join(os.path.dirname(path), value))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        topology, twin = self.get_option("topology"), self.get_option("twin_description")
        if bool(topology) == bool(twin):
            raise AnsibleParserError(f"{path}: give exactly one of topology (the exported topology document) "
                                     "and twin_description (a twin world description).")
        source = self._path(path, topology or twin)
        try:
            with open(source, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            hint = ("Export it on a Front End with Get-CsTopology -AsXml | Out-File Topology.xml." if topology
                    else "Give a twin world description (docs/twin.md), such as tests/twin/estate.yml.")
            raise AnsibleParserError(f"{path}: cannot read {source}: {exc.strerror}. {hint}") from None
        try:
            estate = read_topology(data, source) if topology else read_twin_description(data.decode("utf-8"), source)
        except TopologyError as exc:
            raise AnsibleParserError(f"{exc.msg} {exc.hint}".strip()) from None
        layout = inventory_layout(estate)
        world = self.get_option("twin_world")
        for group, hosts in layout["groups"].items():
            self.inventory.add_group(group)
            for host in hosts:
                self.inventory.add_host(host, group=group)
        for host, variables in layout["hostvars"].items():
            if twin:
                variables = {**variables, "ansible_connection": "sfb.server.twin"}
                if world:
                    variables["sfb_twin_world"] = self._path(path, world)
            for name, value in variables.items():
                self.inventory.set_variable(host, name, value)
            strict = self.get_option("strict")
            self._set_composite_vars(self.get_option("compose"), variables, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, host, strict=strict)
