# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every job template's playbook through ansible-runner, as an AWX execution node runs it: the extra
variables are those AWX would pass when the survey's defaults are taken (the job template's own,
then each default that is a valid answer, then the rehearsal's answers for questions without one),
and the estate is the twin world and inventory of the template's Molecule scenario."""

from __future__ import annotations

import pathlib

import ansible_runner
import pytest
import yaml

from ansible_collections.sfb.server.plugins.plugin_utils.controller.awx import job_template, launch_extra_vars
from conftest import REPO, run_playbook, runner_env

DEFINITIONS = yaml.safe_load((REPO / "awx" / "job_templates.yml").read_text(encoding="utf-8"))["sfb_job_templates"]


def _plays(playbook: str) -> set[str]:
    return {play["name"] for play in yaml.safe_load((REPO / playbook).read_text(encoding="utf-8"))}


@pytest.mark.parametrize("definition", DEFINITIONS, ids=[d["name"] for d in DEFINITIONS])
def test_the_job_template_runs_on_the_twin(definition, argument_specs, tmp_path):
    template = job_template(definition, argument_specs, (REPO / definition["playbook"]).read_text(encoding="utf-8"))
    rehearsal = definition["rehearsal"]
    extravars = launch_extra_vars(template, rehearsal.get("answers"))
    scenario = REPO / "extensions" / "molecule" / rehearsal["scenario"]
    inventory = REPO / rehearsal.get("inventory", scenario.relative_to(REPO) / "inventory" / "hosts.yml")
    env = runner_env(SFB_TWIN_WORLD=str(tmp_path / "world.db"), SFB_SIGNIN_STATE=str(tmp_path), ANSIBLE_FORKS="8")
    (tmp_path / "job").mkdir()
    run_playbook(scenario / "create.yml", inventory, env)
    try:
        result = ansible_runner.run(private_data_dir=str(tmp_path / "job"), project_dir=str(REPO),
                                    playbook=definition["playbook"], inventory=str(inventory),
                                    extravars=extravars, envvars=env, quiet=True)
    finally:
        if (scenario / "destroy.yml").exists():
            run_playbook(scenario / "destroy.yml", inventory, env)
    events = list(result.events)
    failed = [e for e in events if e["event"] in ("runner_on_failed", "runner_on_unreachable")
              and not e["event_data"].get("ignore_errors")]
    assert result.status == "successful" and result.rc == 0, \
        f"{definition['name']}: {result.status}\n" + "\n".join(
            f"{e['event_data'].get('host')}: {e['event_data'].get('task')}: {e['event_data'].get('res', {}).get('msg')}"
            for e in failed) + "\n" + result.stdout.read()[-3000:]
    assert not failed
    # Every play of the playbook started (a serial play once per batch), and the stats close the job.
    started = {e["event_data"]["play"] for e in events if e["event"] == "playbook_on_play_start"}
    assert started == _plays(definition["playbook"])
    (stats,) = [e["event_data"] for e in events if e["event"] == "playbook_on_stats"]
    assert stats["ok"] and not stats["failures"] and not stats["dark"]
    # The roles the survey was generated from ran (their tasks carry the role's name).
    ran = {e["event_data"].get("role") for e in events if e["event"] == "runner_on_ok"}
    for use in definition.get("roles", []):
        assert use["role"] in ran, f"no task of role {use['role']} ran"
    # The artifacts an AWX job keeps: the extra variables as passed, the status, rc and the output.
    artifacts = pathlib.Path(result.config.artifact_dir)
    assert (artifacts / "status").read_text() == "successful" and (artifacts / "rc").read_text() == "0"
    assert list((artifacts / "job_events").glob("*.json"))
    passed = yaml.safe_load((tmp_path / "job" / "env" / "extravars").read_text(encoding="utf-8"))
    assert passed == extravars
