# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""awx/configure.yml, run through ansible-runner against the stand-in awx.awx (see conftest.py)."""

from __future__ import annotations

import json
import pathlib

import ansible_runner
import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.controller.awx import survey_errors
from conftest import COLLECTIONS, REPO, runner_env


@pytest.fixture(scope="module")
def configured(tmp_path_factory, awx_stand_in):
    private = tmp_path_factory.mktemp("configure")
    record = private / "record.jsonl"
    result = ansible_runner.run(
        private_data_dir=str(private), project_dir=str(REPO), playbook="awx/configure.yml",
        inventory="localhost ansible_connection=local ansible_python_interpreter=auto_silent",
        envvars=runner_env(ANSIBLE_COLLECTIONS_PATH=f"{awx_stand_in}:{COLLECTIONS}", SFB_AWX_RECORD=str(record)),
        extravars={"sfb_awx_machine_credential": "SfB admins"}, quiet=True)
    assert result.status == "successful", result.stdout.read()[-4000:]
    calls = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    return result, calls


def _created(calls, module):
    return [c["args"] for c in calls if c["module"] == module]


def test_the_project_is_this_repository(configured):
    calls = configured[1]
    (project,) = _created(calls, "project")
    assert project["scm_type"] == "git" and project["scm_update_on_launch"] is True
    assert (REPO / "collections" / "requirements.yml").is_file()  # what the project update installs


def test_credential_types_inject_what_the_playbooks_read(configured, argument_specs):
    calls = configured[1]
    types = {t["name"]: t for t in _created(calls, "credential_type")}
    assert set(types) == {"sfb.server CA account", "sfb.server CCE tenant"}
    ca = types["sfb.server CA account"]["injectors"]["extra_vars"]
    deploy_options = argument_specs["deploy"]["argument_specs"]["main"]["options"]
    assert set(ca) == {"deploy_ca_account", "deploy_ca_password"} <= set(deploy_options)
    assert ca["deploy_ca_password"] == "{{ password }}"  # left for AWX to render
    for kind in types.values():
        secrets = [f["id"] for f in kind["inputs"]["fields"] if f.get("secret")]
        assert secrets == ["password"]
    # The tenant account reaches the cce_tenant machine through that group's connection variables.
    (group,) = _created(calls, "group")
    assert group["name"] == "cce_tenant"
    assert group["variables"] == {"ansible_user": "{{ cce_tenant_user }}", "ansible_password": "{{ cce_tenant_password }}"}
    assert set(types["sfb.server CCE tenant"]["injectors"]["extra_vars"]) == {"cce_tenant_user", "cce_tenant_password"}


def test_the_inventory_is_sourced_from_the_topology(configured):
    calls = configured[1]
    (source,) = _created(calls, "inventory_source")
    assert source["source"] == "scm"
    config = REPO / source["source_path"]
    assert config.is_file(), f"{source['source_path']} is not in the project"
    assert "sfb.server.topology" in config.read_text(encoding="utf-8")
    assert "SFB_TOPOLOGY_FILE" in source["source_vars"]


def test_one_job_template_per_playbook_each_with_a_valid_survey(configured):
    calls = configured[1]
    templates = {t["playbook"]: t for t in _created(calls, "job_template")}
    playbooks = {str(p.relative_to(REPO)) for p in (REPO / "playbooks").glob("*.yml")}
    assert set(templates) == playbooks
    for playbook, template in templates.items():
        assert template["survey_enabled"] is True
        assert survey_errors(template["survey_spec"]) == [], playbook
        assert "SfB admins" in template["credentials"]
    assert "sfb.server CA account" in templates["playbooks/deploy.yml"]["credentials"]
    assert "sfb.server CCE tenant" in templates["playbooks/cce_patch.yml"]["credentials"]


def test_the_maintenance_window_is_report_patch_report(configured):
    calls = configured[1]
    (workflow,) = _created(calls, "workflow_job_template")
    nodes = {n["identifier"]: n for n in workflow["workflow_nodes"]}
    names = {t["name"] for t in _created(calls, "job_template")}
    order, node = [], nodes["report before"]
    while True:
        order.append(node["unified_job_template"]["name"])
        assert node["unified_job_template"]["name"] in names
        following = node.get("related", {}).get("success_nodes", [])
        if not following:
            break
        node = nodes[following[0]["identifier"]]
    assert order == ["sfb report", "sfb patch pool", "sfb report"]


def test_the_run_left_awx_runner_artifacts(configured):
    result = configured[0]
    artifacts = pathlib.Path(result.config.artifact_dir)
    assert (artifacts / "rc").read_text() == "0" and (artifacts / "status").read_text() == "successful"
    assert any(e["event"] == "playbook_on_stats" for e in result.events)


def test_the_stand_in_refuses_an_option_awx_awx_does_not_have(tmp_path, awx_stand_in):
    # Without this, a misspelt option in configure.yml would pass here and fail on a real AWX.
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "play.yml").write_text(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - awx.awx.project: {name: p, scm_url_typo: https://example.com/x.git}\n", encoding="utf-8")
    result = ansible_runner.run(
        private_data_dir=str(tmp_path), playbook="play.yml", quiet=True,
        inventory="localhost ansible_connection=local ansible_python_interpreter=auto_silent",
        envvars=runner_env(ANSIBLE_COLLECTIONS_PATH=str(awx_stand_in), SFB_AWX_RECORD=str(tmp_path / "r.jsonl")))
    assert result.status == "failed"
    assert "awx.awx.project has no option scm_url_typo" in result.stdout.read()
