# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cloud Connector version text (domain/cce.py read_version). No output of Get-CcVersion or
Get-CcRunningVersion is published (samples README, item 10): when a lab recording is added under
lab/, test_sample_coverage.py asks for it to be read here. docs/assumptions.md lists the assumption."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.domain import cce
from ansible_collections.sfb.server.plugins.plugin_utils.errors import UnreadableOutput, accepting_unreadable
from samples.samples import samples_of

COMMAND = "Get-CcVersion"


@pytest.mark.parametrize("sample", [pytest.param(s, id=s.id) for s in samples_of(COMMAND)
                                    + samples_of("Get-CcRunningVersion")])
def test_every_recording_holds_one_version(sample):
    assert cce.read_version(sample.body.strip().splitlines()[-1], sample.command) is not None


@pytest.mark.parametrize("text, version", [
    ("2.1.0", (2, 1, 0)),
    ("Version 2.1.0.1234", (2, 1, 0, 1234)),
    ("  1.4.2\r\n", (1, 4, 2)),
    ("", None),
    (None, None),
])
def test_one_version_is_read(text, version):
    assert cce.read_version(text, COMMAND) == version


@pytest.mark.parametrize("text", ["running", "2.1.0 (backup 2.0.1)"])
def test_no_version_or_two_versions_stop_the_job(text):
    with pytest.raises(UnreadableOutput) as caught:
        cce.read_version(text, COMMAND)
    assert "sfb_accept_unreadable_output" in caught.value.hint
    with accepting_unreadable([COMMAND]):
        assert cce.read_version(text, COMMAND) is None
