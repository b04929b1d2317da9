# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWX surveys generated from the roles' argument specs (plugins/plugin_utils/controller/awx.py),
held to the rules AWX's API applies (JobTemplateSurveySpec, SurveyJobTemplateMixin)."""

from __future__ import annotations

import copy
import pathlib

import pytest
import yaml

from ansible_collections.sfb.server.plugins.plugin_utils.controller import awx

REPO = pathlib.Path(__file__).resolve().parents[3]
DEFINITIONS = yaml.safe_load((REPO / "awx" / "job_templates.yml").read_text(encoding="utf-8"))["sfb_job_templates"]
SPECS = {p.parents[1].name: yaml.safe_load(p.read_text(encoding="utf-8")) for p in REPO.glob("roles/*/meta/argument_specs.yml")}


def _template(definition):
    return awx.job_template(definition, SPECS, (REPO / definition["playbook"]).read_text(encoding="utf-8"))


@pytest.mark.parametrize("definition", DEFINITIONS, ids=[d["name"] for d in DEFINITIONS])
def test_every_option_is_asked_or_said_why_not(definition):
    template = _template(definition)
    assert awx.survey_errors(template["survey_spec"]) == []
    asked = {q["variable"].removeprefix(awx.ANSWER_PREFIX) for q in template["survey_spec"]["spec"]}
    for use in definition.get("roles", []):
        options = SPECS[use["role"]]["argument_specs"][use["entry_point"]].get("options") or {}
        for name in options:
            assert name in asked or name in (definition.get("not_asked") or {}), f"{name} is neither asked nor excluded"
    for hosts_variable in awx.hosts_variables((REPO / definition["playbook"]).read_text(encoding="utf-8")):
        assert hosts_variable in asked
    # Every answer that needs a type conversion has one, and only those.
    converted = {q["variable"] for q in template["survey_spec"]["spec"] if q["variable"].startswith(awx.ANSWER_PREFIX)}
    assert {f"{awx.ANSWER_PREFIX}{name}" for name in template["extra_vars"]} == converted


def test_every_playbook_has_a_job_template():
    assert {d["playbook"] for d in DEFINITIONS} == {f"playbooks/{p.name}" for p in (REPO / "playbooks").glob("*.yml")}


def test_the_patch_survey_carries_types_defaults_choices_and_descriptions():
    template = _template(next(d for d in DEFINITIONS if d["playbook"] == "playbooks/patch_pool.yml"))
    spec = {q["variable"]: q for q in template["survey_spec"]["spec"]}
    options = SPECS["rolling_patch"]["argument_specs"]["main"]["options"]
    assert spec["rolling_patch_hosts"]["type"] == "text" and spec["rolling_patch_hosts"]["default"] == "all"
    timeout = spec["rolling_patch_drain_timeout"]
    assert timeout["type"] == "integer" and timeout["default"] == options["rolling_patch_drain_timeout"]["default"]
    assert timeout["question_description"]
    choice = spec["rolling_patch_drain_at_limit"]
    assert choice["type"] == "multiplechoice" and choice["choices"] == options["rolling_patch_drain_at_limit"]["choices"]
    force = spec["survey_rolling_patch_force"]
    assert force["type"] == "multiplechoice" and force["choices"] == ["true", "false"] and force["default"] == "false"
    assert template["extra_vars"]["rolling_patch_force"] == "{{ survey_rolling_patch_force | bool }}"
    categories = spec["survey_rolling_patch_categories"]
    assert categories["type"] == "textarea" and yaml.safe_load(categories["default"]) == options["rolling_patch_categories"]["default"]


def test_a_secret_is_a_password_question():
    question, conversion = awx.question("tenant_password", {"type": "str", "description": "The password."})
    assert question["type"] == "password" and conversion == {}
    question = awx.question("key", {"type": "str", "no_log": True})[0]
    assert question["type"] == "password"


def test_question_types_follow_the_option_types():
    assert awx.question("n", {"type": "float", "default": 1})[0] == {
        "question_name": "N", "question_description": "", "variable": "n", "required": False, "type": "float", "default": 1.0}
    many, conversion = awx.question("kinds", {"type": "list", "elements": "str", "choices": ["a", "b"], "default": ["b"]})
    assert many["type"] == "multiselect" and many["default"] == "b" and conversion == {}
    required = awx.question("site", {"type": "str", "required": True})[0]
    assert required["required"] is True and "default" not in required
    with pytest.raises(awx.SurveyError):
        awx.question("x", {"type": "bits"})


def test_a_playbook_hosts_variables_are_found():
    text = ('- hosts: "{{ deploy_hosts | default(\'sfb\') }}"\n  hosts: "{{ signin_directory_host | default(\'dc[0]\') }}"\n'
            "  that: cce_patch_tenant_host | default('') | length > 0\n")
    assert awx.hosts_variables(text) == {"deploy_hosts": "sfb", "signin_directory_host": "dc[0]"}


VALID = {"name": "t", "description": "", "spec": [
    {"type": "text", "question_name": "Q", "variable": "v", "required": False, "default": "x"},
    {"type": "multiplechoice", "question_name": "C", "variable": "c", "required": False, "choices": ["a", "b"], "default": "a"},
]}


@pytest.mark.parametrize("change, error", [
    (lambda s: s.pop("name"), "'name' is missing"),
    (lambda s: s.update(spec=[]), "holds no question"),
    (lambda s: s["spec"][0].pop("required"), "lacks required"),
    (lambda s: s["spec"][0].update(required="yes"), "required must be a boolean"),
    (lambda s: s["spec"][1].update(variable="v"), "asked twice"),
    (lambda s: s["spec"][0].update(type="boolean"), "is not one of"),
    (lambda s: s["spec"][0].update(type="integer", default="3"), "does not fit type integer"),
    (lambda s: s["spec"][0].update(min="1"), "min must be an integer"),
    (lambda s: s["spec"][1].pop("choices"), "needs choices"),
    (lambda s: s["spec"][1].update(default="a\nb"), "one default at most"),
    (lambda s: s["spec"][1].update(default="z"), "not among the choices"),
    (lambda s: s["spec"][0].update(default="$encrypted$"), "$encrypted$"),
])
def test_awx_rules_refuse_a_bad_survey(change, error):
    survey = copy.deepcopy(VALID)
    assert awx.survey_errors(survey) == []
    change(survey)
    assert any(error in e for e in awx.survey_errors(survey)), awx.survey_errors(survey)


def test_launch_takes_defaults_that_are_valid_answers_then_the_answers():
    template = {"name": "t", "extra_vars": {"x": "{{ survey_x | bool }}", "v": "template"}, "survey_spec": {
        "name": "t", "description": "", "spec": [
            {"type": "text", "question_name": "V", "variable": "v", "required": False, "default": "survey"},
            {"type": "multiselect", "question_name": "M", "variable": "m", "required": False, "choices": ["a"], "default": "a"},
            {"type": "integer", "question_name": "N", "variable": "n", "required": True},
            {"type": "multiplechoice", "question_name": "X", "variable": "survey_x", "required": False,
             "choices": ["true", "false"], "default": "false"},
        ]}}
    with pytest.raises(awx.SurveyError, match="n: an answer is required"):
        awx.launch_extra_vars(template)
    with pytest.raises(awx.SurveyError, match="not an integer"):
        awx.launch_extra_vars(template, {"n": "3"})
    launched = awx.launch_extra_vars(template, {"n": 3})
    # A multiselect default is stored as text, which is no valid list answer: AWX leaves it out.
    assert launched == {"x": "{{ survey_x | bool }}", "v": "survey", "n": 3, "survey_x": "false"}


def test_a_definition_that_names_a_missing_entry_point_fails():
    with pytest.raises(awx.SurveyError, match="no argument spec entry point"):
        awx.job_template({"name": "t", "playbook": "p", "roles": [{"role": "deploy", "entry_point": "nope"}]}, SPECS, "")
