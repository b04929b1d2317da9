# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small sign-in world and a way to run the sign-in action plugins against it without Ansible."""

from __future__ import annotations

import copy
from types import SimpleNamespace

from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore

KEY = "HKLM:\\Software\\Policies\\Microsoft\\Communicator"

WORLD = {
    "speed": 600,
    "clients": [
        {"fqdn": "pc01.contoso.com", "registry": {KEY: {"TrustModelData": "lync.com, outlook.com", "Other": "kept"}}},
        {"fqdn": "pc02.contoso.com"},
        {"fqdn": "pc03.contoso.com", "registry": {KEY: {"Other": "kept"}}},
    ],
    "domain_controllers": [
        {"fqdn": "dc01.contoso.com"},
        {"fqdn": "dc02.contoso.com", "time": {"source": "Local CMOS Clock", "synchronised": False, "stratum": 1}},
        {"fqdn": "dc03.contoso.com", "time": {"offset_seconds": -42.5}},
        {"fqdn": "dc04.contoso.com", "time": {"service": "stopped"}},
        {"fqdn": "dc05.contoso.com", "time": {"unreachable_references": ["time.windows.com"]}},
    ],
    "active_directory": {
        "domain": "contoso.com",
        "users": [
            {"sam": "bob", "upn": "bob@contoso.com", "sip_enabled": False, "ou": "OU=Sales"},
            {"sam": "ann", "upn": "ann@contoso.com", "sip_enabled": False},
            {"sam": "joe", "upn": "joe@contoso.com", "sip_enabled": True},
            {"sam": "new", "upn": "new@contoso.com"},
        ],
    },
}


def make(tmp_path, changes=None) -> WorldStore:
    description = copy.deepcopy(WORLD)
    if changes:
        changes(description)
    store = WorldStore(str(tmp_path / "signin.db"))
    admin.create(store, description)
    return store


def run(action_class, store: WorldStore, host_name: str, args: dict, check_mode: bool = False, diff: bool = True):
    action = action_class.__new__(action_class)
    action._task = SimpleNamespace(check_mode=check_mode, diff=diff)
    host = TwinHost(store, host_name, check_mode)
    return action.execute(host, args, {})


def registry(store: WorldStore, machine: str) -> dict:
    return store.read().kind("machine")[machine]["registry"]


def sip_enabled(store: WorldStore) -> dict:
    return {u["sam"]: u["attributes"].get("msRTCSIP-UserEnabled") for u in store.read().kind("ad_user").values()}
