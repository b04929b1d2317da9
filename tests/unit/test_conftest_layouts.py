# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/unit/conftest.py finds the collection in both supported layouts."""

from __future__ import annotations

import importlib.util
import pathlib

CONFTEST = pathlib.Path(__file__).resolve().parent / "conftest.py"


def _collections_root():
    spec = importlib.util.spec_from_file_location("sfb_unit_conftest", CONFTEST)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.collections_root


def test_repository_checked_out_anywhere_uses_deps():
    root = _collections_root()(pathlib.Path("/src/sfb-server"))
    assert root == pathlib.Path("/src/sfb-server/.deps/collections")


def test_repository_inside_an_ansible_collections_tree():
    root = _collections_root()(pathlib.Path("/home/ci/ansible_collections/sfb/server"))
    assert root == pathlib.Path("/home/ci")


def test_a_folder_merely_named_server_is_not_mistaken_for_the_tree():
    root = _collections_root()(pathlib.Path("/home/ci/sfb/server"))
    assert root == pathlib.Path("/home/ci/sfb/server/.deps/collections")
