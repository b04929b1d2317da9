# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared reads of plugin_utils/deploy_state.py bind to the documented parameter sets."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.state import deployment as deploy_state
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError


def test_reads_bind_to_the_documented_sets():
    assert deploy_state.uninstall_entries().parameter_set == "Path"
    assert deploy_state.bootstrapper_exists([r"C:\a", r"E:\b"]).parameters["Path"] == [
        r"C:\a\Deployment\Bootstrapper.exe", r"E:\b\Deployment\Bootstrapper.exe"]
    computer, pools = deploy_state.placement_reads()
    assert computer.parameter_set == "Identity" and computer.parameters == {"Local": True}
    assert deploy_state.local_services("fe02.contoso.com").parameters == {
        "ExcludeActivityLevel": True, "ComputerName": "fe02.contoso.com"}
    assert [c.parameters["Path"] for c in deploy_state.certificate_stores()] == [
        r"Cert:\LocalMachine\My", r"Cert:\LocalMachine\CA", r"Cert:\LocalMachine\Root"]
    local, global_ = deploy_state.certificate_reads(False)[2], deploy_state.certificate_reads(True)[2]
    assert local.parameters == {} and global_.parameters == {"Identity": "Global"}


def test_installation_path_says_where_it_looked():
    assert deploy_state.installation_path([r"C:\a", r"E:\b"], [False, True]) == r"E:\b"
    with pytest.raises(SfbError, match=r"not installed in C:\\a"):
        deploy_state.installation_path([r"C:\a"], [False])
