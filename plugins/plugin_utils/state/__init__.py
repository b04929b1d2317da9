# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read models: what the modules read from a server, one plan per concept, handed to the decisions.

Each module here builds the documented calls of one concept (a server's placement in the topology,
its maintenance state, a Cloud Connector appliance, its firewall rules, its deployment state) and
reads the answers back into objects. Nothing here decides what to change: that is domain/.
"""
