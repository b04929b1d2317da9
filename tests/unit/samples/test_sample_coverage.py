# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every sample of a command the collection calls is exercised by a parser test, or says why not.

A sample added to published/ or lab/ for a command the collection calls fails this test until a
test in this folder parametrizes over it (EXERCISED) or the command is listed in NOT_PARSED with
the reason no parser reads its text. Samples of commands the collection never calls are context
(event logs, CCE installer errors) and are only checked to be well-formed.
"""

from __future__ import annotations

import pathlib
import re

import pytest

from samples.samples import FOLDERS, HERE, all_samples, load

REPO = HERE.parents[2]
# The steering repository's shared/ sits beside the checkout (a developer's tree and CI's clone alike).
SHARED = next((folder for folder in (REPO.parent / "shared" / "reference" / "samples" / "published",
                                     pathlib.Path("/work/shared/reference/samples/published")) if folder.is_dir()),
              REPO.parent / "shared" / "reference" / "samples" / "published")

# Command (as the sample files name it) -> the test module that parametrizes over its samples.

EXERCISED = {
    "Get-CsWindowsService": "test_activity_level.py",
    "w32tm-query-status": "test_w32tm.py",
    "Test-CsDatabase": "test_test_csdatabase.py",
    "Get-CcVersion": "test_cce_version.py",
}

# Commands the collection calls whose published samples no parser reads, and why.
NOT_PARSED = {
    "Install-CsDatabase": "the samples are a setup log file and a quoted message; the step is judged on its "
                          "error record (plan_runner), never on this text",
    "Enter-CcUpdate": "a quoted 'is not recognized' message; state/cce.py reads the error id "
                      "(CommandNotFoundException), not the text",
    "Register-CcAppliance": "quoted failure messages; the step fails on its error record, the text is shown as is",
    "Get-CcCredential": "a quoted ConvertTo-SecureString failure; the step fails on its error record",
}

# Tools run as executables: the sample command and the strings that show the collection runs it.
TOOLS = {"w32tm-query-status": ("w32tm", '"/query", "/status"')}


def _plugin_sources() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "plugins").rglob("*.py")
                     if "twin" not in p.parts)


SOURCES = _plugin_sources()
CALLED = set(re.findall(r'CmdletCall\(\s*"([A-Za-z]+-[A-Za-z]+)"', SOURCES))


def _called(command: str) -> bool:
    if command in TOOLS:
        return all(text in SOURCES for text in TOOLS[command])
    return command in CALLED


def test_the_scan_finds_the_calls():
    assert {"Get-CsWindowsService", "Test-CsDatabase", "Get-CsPoolFabricState"} <= CALLED
    assert _called("w32tm-query-status")


@pytest.mark.parametrize("sample", all_samples(), ids=lambda s: s.id)
def test_every_sample_of_a_called_command_is_exercised(sample):
    if not _called(sample.command):
        return
    assert sample.command in EXERCISED or sample.command in NOT_PARSED, (
        f"{sample.id}: the collection calls {sample.command} and nothing tests its parser against this "
        "sample; add a test in tests/unit/samples (EXERCISED) or say why no parser reads it (NOT_PARSED)")


@pytest.mark.parametrize("command, module", sorted(EXERCISED.items()))
def test_each_exercising_module_reads_the_samples_of_its_command(command, module):
    text = (HERE / module).read_text(encoding="utf-8")
    assert f'COMMAND = "{command}"' in text and "samples_of(COMMAND)" in text


@pytest.mark.parametrize("sample", all_samples(), ids=lambda s: s.id)
def test_every_sample_names_its_source(sample):
    assert sample.header.get("source"), f"{sample.id} has no source: line"
    assert sample.body.strip()


def test_the_copies_equal_the_shared_reference():
    if not SHARED.is_dir():
        pytest.skip("the shared reference is not on this machine (CI): the copies are what is tested")
    ours = {p.name: p.read_bytes() for p in FOLDERS[0].iterdir() if p.is_file()}
    theirs = {p.name: p.read_bytes() for p in SHARED.iterdir() if p.is_file()}
    assert ours == theirs


def test_load_rejects_a_file_without_header(tmp_path):
    path = tmp_path / "Get-CsPool.1.txt"
    path.write_text("no header\n", encoding="utf-8")
    with pytest.raises(AssertionError):
        load(path)
