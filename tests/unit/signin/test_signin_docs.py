# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sign-in modules' documentation stubs list exactly the options their action plugins accept."""

from __future__ import annotations

import importlib

import pytest
import yaml

MODULES = ("signin_dns_info", "trust_model_data", "sip_user_enabled", "time_sync_info", "signin_report")
_KEYS = ("type", "elements", "default", "required", "choices", "no_log")


@pytest.mark.parametrize("name", MODULES)
def test_documented_options_match_the_argument_spec(name):
    stub = importlib.import_module(f"ansible_collections.sfb.server.plugins.modules.{name}")
    action = importlib.import_module(f"ansible_collections.sfb.server.plugins.action.{name}")
    documented = yaml.safe_load(stub.DOCUMENTATION)["options"]
    spec = action.ActionModule.ARGUMENT_SPEC
    assert sorted(documented) == sorted(spec)
    for option, rules in spec.items():
        doc = documented[option]
        for key in _KEYS:
            assert doc.get(key) == rules.get(key), f"{name}.{option}.{key}"
    for section in ("EXAMPLES", "RETURN"):
        assert yaml.safe_load(getattr(stub, section))
