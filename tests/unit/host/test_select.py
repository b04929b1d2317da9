# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_for: the one place that chooses between the twin and a real Windows server."""

from __future__ import annotations

import pathlib

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument
from ansible_collections.sfb.server.plugins.plugin_utils.host.select import host_for
from ansible_collections.sfb.server.plugins.plugin_utils.host.windows import WindowsHost
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin
from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore
from sfb_fakes import FakeAction, FakeConnection, FakeTask

ESTATE = pathlib.Path(__file__).resolve().parents[2] / "twin" / "estate.yml"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    path = tmp_path_factory.mktemp("world") / "estate.db"
    admin.create(WorldStore(str(path)), admin.load_description(str(ESTATE)))
    return str(path)


def _action(connection, check_mode=False):
    return FakeAction(connection=connection, task=FakeTask(check_mode=check_mode))


def test_twin_connection_gives_a_twin_host_for_its_server(world):
    connection = FakeConnection("sfb.server.twin", options={"world": world, "remote_addr": "fe02.contoso.com"})
    host = host_for(_action(connection, check_mode=True), {"inventory_hostname": "fe02"})
    assert isinstance(host, TwinHost)
    assert host.name == "fe02.contoso.com"
    assert host.check_mode is True
    assert host.store.path == world


def test_twin_without_remote_addr_uses_the_inventory_name(world):
    connection = FakeConnection("sfb.server.twin", options={"world": world, "remote_addr": None})
    assert host_for(_action(connection), {"inventory_hostname": "se01.contoso.com"}).name == "se01.contoso.com"


@pytest.mark.parametrize("transport", ["ansible.builtin.winrm", "ansible.builtin.psrp", "winrm", "psrp",
                                       "ansible.builtin.ssh"])
def test_powershell_shell_gives_a_windows_host(transport):
    action = _action(FakeConnection(transport, shell="powershell"))
    host = host_for(action, {"inventory_hostname": "fe01.contoso.com"})
    assert isinstance(host, WindowsHost)
    assert host.name == "fe01.contoso.com" and host.check_mode is False


def test_ssh_with_windows_cmd_shell_gives_a_windows_host():
    # Windows OpenSSH's default shell is cmd; Ansible's cmd shell plugin still runs PowerShell modules.
    action = _action(FakeConnection("ansible.builtin.ssh", shell="cmd"))
    assert isinstance(host_for(action, {"inventory_hostname": "fe01.contoso.com"}), WindowsHost)


def test_ssh_with_sh_is_refused_with_the_fix():
    action = _action(FakeConnection("ansible.builtin.ssh", shell="sh"))
    with pytest.raises(InvalidArgument) as caught:
        host_for(action, {"inventory_hostname": "linux01"})
    error = caught.value
    assert "linux01" in error.msg and "ansible.builtin.ssh" in error.msg and "sh shell" in error.msg
    assert "ansible_shell_type=powershell" in error.hint
    assert "winrm or psrp" in error.hint
    assert "sfb.server.twin" in error.hint
    assert error.to_result()["kind"] == "invalid_argument"


def test_check_mode_follows_the_task():
    host = host_for(_action(FakeConnection(), check_mode=True), {"inventory_hostname": "fe01"})
    assert host.check_mode is True
