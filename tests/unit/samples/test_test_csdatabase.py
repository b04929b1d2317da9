# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-CsDatabase's reader (domain/maintenance.py read_databases, the maintenance area's) against
every published sample: Microsoft's documentation examples, read as the objects they show."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.domain import maintenance
from samples.samples import format_list_objects, samples_of

COMMAND = "Test-CsDatabase"

EXPECTED = {
    "Test-CsDatabase.1.txt": {"names": ["xds", "lis"], "failed": []},
    "Test-CsDatabase.2.txt": {"names": ["xds", "lis"], "failed": ["xds", "lis"]},
}

SAMPLES = [pytest.param(s, id=s.id) for s in samples_of(COMMAND)]


def test_there_are_published_samples():
    assert len(SAMPLES) >= 2


@pytest.mark.parametrize("sample", SAMPLES)
def test_every_sample_has_an_expectation(sample):
    assert sample.id in EXPECTED


@pytest.mark.parametrize("sample", SAMPLES)
def test_each_sample_is_read_by_its_properties(sample):
    objects = format_list_objects(sample.body)
    state = maintenance.read_databases(objects)
    assert [d["name"] for d in state.databases] == EXPECTED[sample.id]["names"]
    assert state.failed == EXPECTED[sample.id]["failed"]
    assert state.mirrored == []


# Fixed in the maintenance area: a blank InstalledVersion reads as unknown, not as behind.
def test_the_success_example_is_not_behind():
    sample = next(s for s in samples_of(COMMAND) if s.id == "Test-CsDatabase.1.txt")
    assert maintenance.read_databases(format_list_objects(sample.body)).behind == []
