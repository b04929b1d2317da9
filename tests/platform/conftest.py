# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWX / Automation Controller as code, proven without an AWX server (`make awx`, in .deps/platform).

- awx/configure.yml runs through ansible-runner against a stand-in for the awx.awx collection (not
  on PyPI nor in the ansible package; AWX installs it from collections/requirements.yml): each
  stand-in module refuses an option the real one does not document (tests/platform/awx_options.json,
  option names read from ansible/awx's awx_collection) and records what it was asked to create.
- Every job template's playbook runs through ansible-runner, as on an AWX execution node, against
  the twin: its Molecule scenario's world and inventory, the survey's defaults as extra variables.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / ".deps" / "collections"
# ansible-runner starts the ansible-playbook it finds on PATH: this environment's.
os.environ["PATH"] = f"{pathlib.Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
OPTIONS = json.loads((pathlib.Path(__file__).parent / "awx_options.json").read_text(encoding="utf-8"))["modules"]

STAND_IN = '''
import json, os
from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

MODULE = {module!r}
OPTIONS = set({options!r})


class ActionModule(ActionBase):
    """Stand-in for awx.awx.{module}: checks the option names, records the call."""

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        unknown = sorted(set(self._task.args) - OPTIONS)
        if unknown:
            raise AnsibleActionFail(f"awx.awx.{{MODULE}} has no option {{', '.join(unknown)}}")
        with open(os.environ["SFB_AWX_RECORD"], "a", encoding="utf-8") as record:
            record.write(json.dumps({{"module": MODULE, "args": self._task.args}}, default=str) + "\\n")
        result.update(changed=False, id=1)
        return result
'''


@pytest.fixture(scope="session")
def awx_stand_in(tmp_path_factory) -> pathlib.Path:
    """A collections path holding the stand-in awx.awx."""
    root = tmp_path_factory.mktemp("awx-collection")
    action = root / "ansible_collections" / "awx" / "awx" / "plugins" / "action"
    action.mkdir(parents=True)
    (action.parents[1] / "meta").mkdir()
    (action.parents[1] / "meta" / "runtime.yml").write_text("requires_ansible: '>=2.16'\n", encoding="utf-8")
    for module, options in OPTIONS.items():
        (action / f"{module}.py").write_text(STAND_IN.format(module=module, options=sorted(options)), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def job_template_definitions() -> list[dict]:
    return yaml.safe_load((REPO / "awx" / "job_templates.yml").read_text(encoding="utf-8"))["sfb_job_templates"]


@pytest.fixture(scope="session")
def argument_specs() -> dict[str, dict]:
    return {p.parents[1].name: yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in REPO.glob("roles/*/meta/argument_specs.yml")}


def runner_env(**extra: str) -> dict[str, str]:
    """What ansible-runner's ansible-playbook gets: this tree's collections, and the variables given."""
    env = {"ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS), "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
           "ANSIBLE_NOCOLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    env.update(extra)
    return env


def run_playbook(playbook: pathlib.Path, inventory: pathlib.Path, env: dict[str, str]) -> None:
    """A set-up or tear-down playbook (a scenario's create.yml), plainly with ansible-playbook."""
    bin_dir = pathlib.Path(sys.executable).parent
    done = subprocess.run([str(bin_dir / "ansible-playbook"), "-i", str(inventory), str(playbook)],
                          cwd=REPO, env={**os.environ, **env}, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{playbook} failed:\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}"
