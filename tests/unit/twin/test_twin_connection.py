# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The twin connection answers sfb.server modules only, and says so to anything else."""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

pytest.importorskip("ansible")

from ansible.errors import AnsibleConnectionFailure  # noqa: E402
from ansible.playbook.play_context import PlayContext  # noqa: E402

from ansible_collections.sfb.server.plugins.connection.twin import Connection  # noqa: E402

from twinworlds import ESTATE, REPO, make_store  # noqa: E402

ONLY_SFB = "The sfb.server.twin connection only answers sfb.server modules"


@pytest.fixture
def connection():
    return Connection(PlayContext())


@pytest.mark.parametrize("call, what", [
    (lambda c: c.exec_command("whoami"), "cannot run commands or other modules"),
    (lambda c: c.put_file("/etc/hosts", r"C:\hosts"), "cannot copy files to a server"),
    (lambda c: c.fetch_file(r"C:\hosts", "/tmp/hosts"), "cannot fetch files from a server"),
])
def test_the_connection_refuses_everything_but_sfb_modules(connection, call, what):
    with pytest.raises(AnsibleConnectionFailure) as info:
        call(connection)
    message = str(info.value)
    assert message.startswith(ONLY_SFB)
    assert what in message
    assert "gather_facts: false" in message


def test_the_connection_is_recognised_by_the_host_seam(connection):
    from ansible_collections.sfb.server.plugins.plugin_utils.host.select import TWIN_CONNECTION

    assert connection.transport == TWIN_CONNECTION
    connection._connect()
    assert connection.connected
    connection.close()
    assert not connection.connected


PLAYBOOK = """
- name: Other modules against a twin host
  hosts: fe01.contoso.com
  gather_facts: false
  tasks:
    - name: A builtin command
      ansible.builtin.command: whoami
      changed_when: false
      ignore_unreachable: true
      register: command_result

    - name: A Windows module
      ansible.windows.win_ping:
      ignore_unreachable: true
      register: ping_result

    - name: An sfb.server module still works
      sfb.server.service_info:
      register: services

    - name: Show what happened
      ansible.builtin.debug:
        msg: "COMMAND={{ command_result.msg }} PING={{ ping_result.msg }} SERVICES={{ services.services | length }}"
"""


@pytest.mark.skipif(not (pathlib.Path(sys.executable).parent / "ansible-playbook").exists(),
                    reason="ansible-playbook is not installed beside this Python")
def test_a_non_sfb_module_on_a_twin_host_fails_with_the_message(tmp_path):
    world = make_store(str(tmp_path / "estate.db"), __import__("yaml").safe_load(ESTATE.read_text()))
    (tmp_path / "play.yml").write_text(PLAYBOOK)
    shutil.copy(REPO / "tests" / "twin" / "inventory.yml", tmp_path / "inventory.yml")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(REPO / ".deps" / "collections"), SFB_TWIN_WORLD=world.path,
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_STDOUT_CALLBACK="default",
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), ANSIBLE_HOME=str(tmp_path / "ansible-home"))
    process = subprocess.run(
        [str(pathlib.Path(sys.executable).parent / "ansible-playbook"), "-i", "inventory.yml", "play.yml"],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300, check=False)
    output = process.stdout + process.stderr
    assert "Traceback" not in output
    shown = re.search(r'"msg": "COMMAND=(.*) PING=(.*) SERVICES=(\d+)"', output)
    assert shown, output
    command, ping, services = shown.groups()
    for message in (command, ping):
        assert ONLY_SFB in message and "cannot run commands or other modules" in message
    assert int(services) > 0, "an sfb.server module on the same host still answers"
    assert "fatal: [fe01.contoso.com]: UNREACHABLE!" in output
