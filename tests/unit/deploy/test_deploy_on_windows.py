# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deployment action plugins through the Windows path: the real ActionModule and WindowsHost,
with plan_runner's answers mocked in the shape plan_runner.ps1 returns them (select-projected
objects, enums as text, dates as ISO 8601 with seven fractional digits, Test-Path booleans, exit
codes for executables) and win_reboot / win_updates answered by stand-in action plugins.

Every plan sent is bound again against the documented signatures, as the runner's PowerShell
binder would do on the server."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.sfb.server.plugins.action.certificate import ActionModule as Certificate
from ansible_collections.sfb.server.plugins.action.components import ActionModule as Components
from ansible_collections.sfb.server.plugins.action.core_components import ActionModule as CoreComponents
from ansible_collections.sfb.server.plugins.action.local_store import ActionModule as LocalStore
from ansible_collections.sfb.server.plugins.action.prerequisites_info import ActionModule as Prerequisites
from ansible_collections.sfb.server.plugins.action.services_started import ActionModule as ServicesStarted
from ansible_collections.sfb.server.plugins.plugin_utils.host.signatures import documented
from conftest import with_become
from sfb_fakes import FakeActionLoader, FakeConnection, FakeSharedLoader, FakeTask

FE = "fe01.contoso.com"
POOL4 = ["fe01.contoso.com", "fe02.contoso.com", "fe03.contoso.com", "fe04.contoso.com"]
UNINSTALL = r"HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*"
CORE_2015 = {"DisplayName": "Skype for Business Server 2015, Core Components", "DisplayVersion": "6.0.9319.272",
             "InstallLocation": ""}
COMPUTER = {"Identity": FE, "Fqdn": FE, "Pool": "pool01.contoso.com"}


# The topology as Get-CsService -WebServer and Get-CsTopology -AsXml give it (docs/assumptions.md:
# "Topology document", "Web Services FQDNs").
WEB_SERVICES = [{"Identity": "WebServer:pool01.contoso.com", "InternalFqdn": "pool01.contoso.com",
                 "ExternalFqdn": "webext.contoso.com"}]
TOPOLOGY_XML = """<?xml version="1.0" encoding="utf-16"?>
<Topology xmlns="urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008">
  <InternalDomains AllowAllDomains="false" DefaultDomain="contoso.com">
    <InternalDomain Name="contoso.com" Authoritative="false" AllowSubDomains="false" />
  </InternalDomains>
  <SimpleUrlConfiguration xmlns="urn:schema:Microsoft.Rtc.Management.Settings.SimpleUrl.2008" UseBackendDatabase="false">
    <SimpleUrl Component="Dialin" Domain="*" ActiveUrl="https://dialin.contoso.com"><SimpleUrlEntry Url="https://dialin.contoso.com" /></SimpleUrl>
    <SimpleUrl Component="Meet" Domain="contoso.com" ActiveUrl="https://meet.contoso.com"><SimpleUrlEntry Url="https://meet.contoso.com" /></SimpleUrl>
  </SimpleUrlConfiguration>
</Topology>"""
TOPOLOGY_NAMES = (FE, "pool01.contoso.com", "sip.contoso.com", "dialin.contoso.com", "meet.contoso.com",
                  "webext.contoso.com")
TOPOLOGY_HANDLERS = {"Get-CsService": lambda s: WEB_SERVICES, "Get-CsTopology": lambda s: [TOPOLOGY_XML]}


def pool(servers=("fe01.contoso.com", "fe02.contoso.com", "fe03.contoso.com")):
    return {"Identity": "pool01.contoso.com", "Fqdn": "pool01.contoso.com", "Site": "Site:Redmond",
            "Computers": list(servers),
            "Services": ["Registrar:pool01.contoso.com", "UserServer:pool01.contoso.com",
                         "WebServer:pool01.contoso.com"]}


def service(name, status="Running", role="Registrar"):
    return {"Name": name, "Status": status, "RoleName": [role]}


FRONT_END_SERVICES = ["RTCSRV", "RTCASMCU", "RTCAVMCU", "RTCDATAMCU", "RTCIMMCU", "RTCATS", "RTCCAA", "RTCCAS",
                      "RTCCPS", "RTCRGS", "W3SVC", "RTCREPLICA", "RTCCLSAGT"]


class Runner:
    """plan_runner as the controller sees it: answers per cmdlet (or executable file name)."""

    def __init__(self, handlers: dict):
        self.handlers = handlers
        self.plans: list[dict] = []
        self.async_limits: list[int] = []

    def __call__(self, module_args: dict) -> dict:
        self.plans.append(copy.deepcopy(module_args))
        answers = []
        for index, step in enumerate(module_args["steps"]):
            if step["type"] == "cmdlet":
                # The server's binder: an emitted call that does not bind would fail there.
                documented().bind(step["name"], dict(step["parameters"]))
                key = step["name"]
            else:
                key = step["path"].rsplit("\\", 1)[-1].lower()
            answer = self.handlers[key](step)
            if callable(answer):
                answer = answer()
            out = {"index": index, "output": [], "error": None, "exit_code": None, "stdout": "", "stderr": ""}
            out.update(answer if isinstance(answer, dict) else {"output": answer})
            answers.append(out)
            if out["error"] is not None:
                break
        return {"changed": False, "steps": answers}

    def steps(self, plan: int) -> list[str]:
        return [s.get("name") or s.get("path") for s in self.plans[plan]["steps"]]


def sequence(*answers):
    """Successive answers to successive calls of one cmdlet."""
    queue = list(answers)
    return lambda step: queue.pop(0) if len(queue) > 1 else queue[0]


def exit_code(code, stdout=""):
    return {"exit_code": code, "stdout": stdout}


def windows_action(cls, runner: Runner, args=None, check_mode=False, actions=None, become=True):
    action = cls(FakeTask(args, check_mode=check_mode), with_become(FakeConnection("ansible.builtin.psrp"), become),
                 None, None, None, None)
    action._shared_loader_obj = FakeSharedLoader(FakeActionLoader(actions))

    def execute_module(module_name=None, module_args=None, task_vars=None, wrap_async=False, **kw):
        if wrap_async:
            runner.async_limits.append(action._task.async_val)
        return runner(module_args)

    action._execute_module = execute_module
    return action


def run(action, **task_vars):
    return action.run(task_vars={"inventory_hostname": FE, "ansible_user": "CONTOSO\\sfbadmin", **task_vars})


def test_prerequisites_read_in_one_plan_then_nested_groups_and_topology():
    runner = Runner({
        "Get-LocalGroupMember": lambda s: [{"Name": "CONTOSO\\Domain Admins", "ObjectClass": "Group",
                                            "PrincipalSource": "ActiveDirectory"},
                                           {"Name": "FE01\\Administrator", "ObjectClass": "User", "PrincipalSource": "Local"}],
        "Get-Service": lambda s: [{"Name": "MpsSvc", "Status": "Stopped"}],
        "Get-ItemProperty": lambda s: [{"DisplayName": "7-Zip", "DisplayVersion": "19.00", "InstallLocation": None}, CORE_2015],
        "Get-PSDrive": lambda s: [{"Name": "C", "Free": 50 * 1024 ** 3, "Used": 1}, {"Name": "E", "Free": 9 * 1024 ** 3, "Used": 1}],
        "Get-ADGroupMember": lambda s: [{"SamAccountName": "sfbadmin", "objectClass": "user"}],
        "Get-CsComputer": lambda s: [COMPUTER],
    })
    updates = {"ansible.windows.win_updates": {"changed": False, "updates": {
        "u1": {"kb": ["5031234"], "title": "2023-10 Cumulative Update", "categories": ["Security Updates"]}}}}
    result = run(windows_action(Prerequisites, runner, {"install_path": r"E:\SfB", "min_free_gb": 32,
                                                        "fail_on_missing": False}, actions=updates))
    assert runner.steps(0) == ["Get-LocalGroupMember", "Get-Service", "Get-ItemProperty", "Get-PSDrive", "Get-ADGroupMember"]
    assert runner.plans[0]["steps"][4]["parameters"] == {"Identity": "RTCUniversalServerAdmins", "Recursive": True}
    assert runner.plans[0]["modules"] == ["Microsoft.PowerShell.LocalAccounts", "Microsoft.PowerShell.Management",
                                          "ActiveDirectory"]
    assert runner.steps(1) == ["Get-ADGroupMember", "Get-CsComputer"]
    assert runner.plans[1]["steps"][0]["parameters"]["Identity"] == "Domain Admins"
    assert [m["check"] for m in result["missing"]] == ["windows_firewall", "windows_update", "install_path"]
    assert result["checks"]["product"] == "2015" and result["checks"]["in_topology"] is True
    assert result["checks"]["pending_updates"][0]["kb"] == "KB5031234"
    assert result["round_trips"] == 3


def test_core_components_from_2015_media_unattended_with_a_restart():
    installed = set()
    runner = Runner({
        "Get-ItemProperty": lambda s: ([CORE_2015] if "ocscore" in installed else [])
        + ([{"DisplayName": "Microsoft Visual C++ 2013 Redistributable (x64) - 12.0.40660"}] if "vc" in installed else []),
        "Test-Path": lambda s: [("ocscore" in installed) and "Bootstrapper" in p for p in (s["parameters"]["Path"]
                                if isinstance(s["parameters"]["Path"], list) else [s["parameters"]["Path"]])]
        if "Bootstrapper" in str(s["parameters"]["Path"]) else [True],
        "Get-Service": lambda s: [{"Name": "MSSQL$RTCLOCAL", "Status": "Running"}] if "rtclocal" in installed else [],
        "Get-Item": lambda s: [{"VersionInfo": {"ProductVersion": "6.0.9319.0", "ProductName": "Skype for Business Server 2015"}}],
        "vcredist_x64.exe": lambda s: installed.add("vc") or exit_code(0),
        "msiexec.exe": lambda s: installed.add("ocscore") or exit_code(3010, ""),
        "bootstrapper.exe": lambda s: installed.add("rtclocal") or exit_code(0),
    })
    reboot = {"ansible.windows.win_reboot": {"changed": True, "rebooted": True, "elapsed": 95}}
    result = run(windows_action(CoreComponents, runner, {"setup_path": r"D:\Setup\amd64\Setup.exe"}, actions=reboot))
    assert not result.get("failed"), result
    # The read asks for RTCLocal with a wildcard, so that a missing instance answers nothing.
    assert runner.plans[0]["steps"][3]["parameters"] == {"Name": "MSSQL$RTCLOCA*"}
    # Each installer in its own plan, with its documented codes; Setup.exe is never run.
    assert [{k: p["steps"][0][k] for k in ("type", "path", "arguments", "success_codes")}
            for p in runner.plans[1:4]] == [
        {"type": "executable", "path": r"D:\Setup\amd64\vcredist_x64.exe", "arguments": ["/install", "/quiet", "/norestart"],
         "success_codes": [0, 1638, 3010]},
        {"type": "executable", "path": r"C:\Windows\System32\msiexec.exe",
         "arguments": ["/i", r"D:\Setup\amd64\Setup\ocscore.msi", "/qn", "/norestart"], "success_codes": [0, 3010, 1641]},
        {"type": "executable", "path": r"C:\Program Files\Skype for Business Server 2015\Deployment\Bootstrapper.exe",
         "arguments": ["/BootstrapLocalMgmt", r"/SourceDirectory:D:\Setup\amd64"], "success_codes": [0, 3010]}]
    assert not any(s.get("path", "").lower().endswith("setup.exe") for p in runner.plans for s in p["steps"])
    # Each installer's own time limit becomes its async job's (900, 1800, 3600 seconds).
    assert runner.async_limits == [900, 1800, 3600]
    assert result["product"] == "2015" and result["install_path"] == r"C:\Program Files\Skype for Business Server 2015"
    assert result["rebooted"] is True and result["restarts"] == 1 and result["version"] == "6.0.9319.272"
    # read, three installers (async jobs answered at once), the restart after ocscore's 3010, verify
    assert result["round_trips"] == 6


def test_without_become_nothing_is_sent():
    runner = Runner({})
    result = run(windows_action(CoreComponents, runner, become=False))
    assert result["failed"] and "become: true" in result["msg"] and "become_method: runas" in result["msg"]
    assert runner.plans == []


def test_local_store_exports_imports_enables_and_starts_the_agent():
    runner = Runner({
        "Get-CsManagementStoreReplicationStatus": sequence(
            [], [{"ReplicaFqdn": FE, "UpToDate": False}], [{"ReplicaFqdn": FE, "UpToDate": True,
                                                            "LastUpdateCreation": "2026-01-05T02:10:00.0000000Z"}]),
        "Export-CsConfiguration": lambda s: [], "Import-CsConfiguration": lambda s: [],
        "Enable-CsReplica": lambda s: [], "Start-CsWindowsService": lambda s: [],
    })
    result = run(windows_action(LocalStore, runner, {"poll_interval": 1}))
    assert not result.get("failed"), result
    assert runner.steps(1) == ["Export-CsConfiguration", "Import-CsConfiguration", "Enable-CsReplica",
                               "Start-CsWindowsService"]
    assert runner.plans[1]["steps"][1]["switches"] == ["LocalStore"]
    assert result["replica"]["UpToDate"] is True and result["round_trips"] == 4


def test_components_restart_and_run_again_then_verify():
    exits = [exit_code(3010, "Restart required"), exit_code(0)]
    installed = []

    def bootstrapper(step):
        answer = exits.pop(0)
        if answer["exit_code"] == 0:
            installed.append(1)
        return answer

    def enable_computer(step):
        if not installed:
            return {"error": {"message": "No server role is installed", "category": "InvalidOperation", "error_id": "X"}}
        return []

    runner = Runner({
        "Get-CsComputer": lambda s: [COMPUTER], "Get-CsPool": lambda s: [pool()],
        "Get-CsWindowsService": lambda s: [service(n, "Stopped") for n in FRONT_END_SERVICES] if installed else [],
        "Test-Path": lambda s: [True, False, False], "Get-ItemProperty": lambda s: [CORE_2015],
        "bootstrapper.exe": bootstrapper, "Enable-CsComputer": enable_computer,
        "Install-CsDatabase": lambda s: [],
    })
    reboot = {"ansible.windows.win_reboot": {"changed": True, "rebooted": True, "elapsed": 120}}
    action = windows_action(Components, runner, actions=reboot)
    result = run(action)
    assert not result.get("failed"), result
    assert result["restarts"] == 1 and result["install_path"] == r"C:\Program Files\Skype for Business Server 2015"
    assert runner.steps(1) == [r"C:\Program Files\Skype for Business Server 2015\Deployment\Bootstrapper.exe",
                               "Enable-CsComputer", "Install-CsDatabase"]
    assert "LocalDatabases" in runner.plans[1]["steps"][2]["switches"]
    assert action._shared_loader_obj.action_loader.requests[0]["task"].args["msg"].startswith("Skype for Business Server setup")


def test_components_unmet_prerequisites_are_listed():
    runner = Runner({
        "Get-CsComputer": lambda s: [COMPUTER], "Get-CsPool": lambda s: [pool()],
        "Get-CsWindowsService": lambda s: [], "Test-Path": lambda s: [True, False, False],
        "Get-ItemProperty": lambda s: [CORE_2015],
        "bootstrapper.exe": lambda s: {"exit_code": 1, "stdout": "Prerequisite not satisfied: Windows Identity Foundation",
                                       "error": {"message": "exited with code 1.", "category": "ExitCode",
                                                 "error_id": "NonZeroExitCode"}},
    })
    result = run(windows_action(Components, runner))
    assert result["failed"] and result["error"]["unmet"] == ["Windows Identity Foundation"]


def certificate_stores(store: list):
    """Get-ChildItem's answer for the certificate stores: the personal store's live list, one issuing CA
    in the intermediate store, its root in the root store."""

    def child_items(step):
        path = step["parameters"]["Path"]
        if path.endswith("My"):
            return list(store)
        if path.endswith("CA"):
            return [{"Subject": "CN=Contoso Issuing CA", "Issuer": "CN=Contoso Root CA"}]
        return [{"Subject": "CN=Contoso Root CA", "Issuer": "CN=Contoso Root CA"}]

    return child_items


def test_certificate_online_request_with_ca_credentials():
    store = []
    my_cert = {"Thumbprint": "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B", "Subject": "CN=pool01.contoso.com",
               "Issuer": "CN=Contoso Issuing CA", "NotBefore": "2026-01-01T00:00:00.0000000Z",
               "NotAfter": "2099-01-01T00:00:00.0000000Z", "HasPrivateKey": True, "FriendlyName": "SfB Default",
               "DnsNameList": [{"Punycode": n, "Unicode": n} for n in TOPOLOGY_NAMES],
               "EnhancedKeyUsageList": [{"FriendlyName": "Server Authentication", "ObjectId": "1.3.6.1.5.5.7.3.1"}],
               "PublicKey": {"Key": {"KeySize": 2048}}}

    runner = Runner({
        "Get-CsComputer": lambda s: [COMPUTER], "Get-CsPool": lambda s: [pool()], "Get-CsCertificate": lambda s: [],
        "Get-ChildItem": certificate_stores(store), "Request-CsCertificate": lambda s: store.append(my_cert) or [],
        "Set-CsCertificate": lambda s: [], **TOPOLOGY_HANDLERS,
    })
    result = run(windows_action(Certificate, runner, {
        "ca": r"ca01.contoso.com\Contoso Issuing CA", "ca_account": "CONTOSO\\enroll", "ca_password": "S3cr3t!",
        "sip_domains": ["contoso.com"], "friendly_name": "SfB Default", "private_key_exportable": True,
        "template": "SfBWebServer"}))
    assert not result.get("failed"), result
    request = runner.plans[1]
    assert "S3cr3t!" in str(request["secrets"]) and "S3cr3t!" not in str(request["steps"])
    assert request["steps"][0]["parameters"]["CaPassword"] == {"secret": "ca_password", "kind": "String"}
    assert request["steps"][0]["parameters"]["Type"] == ["Default", "WebServicesInternal", "WebServicesExternal"]
    assert request["steps"][0]["parameters"]["PrivateKeyExportable"] is True
    assert "S3cr3t!" not in str(result)
    assign = runner.plans[3]["steps"][0]
    assert assign["name"] == "Set-CsCertificate" and assign["parameters"]["Thumbprint"] == my_cert["Thumbprint"]
    assert result["round_trips"] == 4  # read, request, read the store, assign


def test_services_started_skips_an_unready_server_and_verifies_every_member():
    started = []

    def services(step):
        computer = step["parameters"].get("ComputerName", FE)
        running = started and computer != "fe04.contoso.com"
        return [service(n, "Running" if running else "Stopped") for n in ("RTCSRV", "RTCREPLICA")]

    runner = Runner({
        "Get-CsComputer": lambda s: [COMPUTER], "Get-CsPool": lambda s: [pool(POOL4)],
        "Get-Service": lambda s: [{"Status": "Running"}], "Get-CsWindowsService": services,
        "Start-CsPool": lambda s: started.append(1) or [],
    })
    result = run(windows_action(ServicesStarted, runner, {"ready_servers": POOL4[:3], "poll_interval": 1}))
    assert not result.get("failed"), result
    start = runner.plans[2]["steps"][0]  # read (placement, firewall, local services), read the members, start
    assert start["parameters"] == {"PoolFqdn": "pool01.contoso.com", "Confirm": False, "SkipServer": ["fe04.contoso.com"]}
    assert "Confirm" in start["switches"]
    assert result["servers"] == POOL4[:3] and result["skipped"] == ["fe04.contoso.com"]
    reads = runner.plans[1]["steps"]
    assert [s["parameters"].get("ComputerName") for s in reads] == [None, "fe02.contoso.com", "fe03.contoso.com"]


@pytest.mark.parametrize("status", ["Stopped", "StartPending"])
def test_services_started_reports_what_the_start_command_did_not(status):
    runner = Runner({
        "Get-CsComputer": lambda s: [{"Identity": "se01.contoso.com", "Fqdn": "se01.contoso.com", "Pool": "se01.contoso.com"}],
        "Get-CsPool": lambda s: [{"Identity": "se01.contoso.com", "Computers": ["se01.contoso.com"], "Site": "Site:Redmond",
                                  "Services": ["UserServer:se01.contoso.com"]}],
        "Get-Service": lambda s: [{"Status": "Running"}],
        "Get-CsWindowsService": lambda s: [service("RTCSRV", status), service("W3SVC")],
        "Start-CsWindowsService": lambda s: [],
    })
    result = run(windows_action(ServicesStarted, runner, {"timeout": 1, "poll_interval": 1}), inventory_hostname="se01.contoso.com")
    assert runner.steps(0)[-1] == "Get-CsWindowsService"
    assert result["failed"] and result["error"]["not_running"] == {"se01.contoso.com": ["RTCSRV"]}
    assert runner.steps(1) == ["Start-CsWindowsService"]


def test_certificate_info_names_each_problem_in_one_read():
    stale = {"Thumbprint": "AA", "Subject": "CN=pool01.contoso.com", "Issuer": "CN=Old Lab CA",
             "NotBefore": "2024-01-01T00:00:00.0000000Z", "NotAfter": "2025-01-01T00:00:00.0000000Z",
             "HasPrivateKey": False, "FriendlyName": "", "DnsNameList": [{"Unicode": "pool01.contoso.com"}]}
    runner = Runner({
        "Get-CsComputer": lambda s: [COMPUTER], "Get-CsPool": lambda s: [pool()],
        "Get-CsCertificate": lambda s: [] if s["parameters"].get("Identity") == "Global" else
        [{"Use": u, "Thumbprint": "AA"} for u in ("Default", "WebServicesInternal")],
        "Get-ChildItem": lambda s: [stale] if s["parameters"]["Path"].endswith("My") else
        [{"Subject": "CN=Contoso Root CA", "Issuer": "CN=Contoso Root CA"}], **TOPOLOGY_HANDLERS,
    })
    from ansible_collections.sfb.server.plugins.action.certificate_info import ActionModule as CertificateInfo
    result = run(windows_action(CertificateInfo, runner, {"sip_domains": ["contoso.com"]}))
    assert result["round_trips"] == 1 and len(runner.plans) == 1
    assert result["certificates"]["Default"]["problems"] == ["missing_private_key", "untrusted_root", "expired",
                                                             "names_not_covered"]
    assert result["certificates"]["Default"]["names_missing"] == [FE, "sip.contoso.com", "dialin.contoso.com",
                                                                  "meet.contoso.com", "webext.contoso.com"]
    assert result["invalid"]["WebServicesExternal"] == "no certificate assigned"
    assert result["invalid"]["OAuthTokenIssuer"] == "no certificate assigned"


def test_windows_update_delegates_to_win_updates_and_win_reboot():
    from ansible_collections.sfb.server.plugins.action.windows_update import ActionModule as WindowsUpdate
    actions = {"ansible.windows.win_updates": lambda task: {"changed": True, "reboot_required": True, "updates": {
        "u1": {"kb": ["5031234"], "title": "CU", "categories": ["Security Updates"], "installed": True}}}
        if task.args["state"] == "installed" else {"changed": False, "updates": {}},
        "ansible.windows.win_reboot": {"changed": True, "rebooted": True, "elapsed": 60}}
    action = windows_action(WindowsUpdate, Runner({}), {"reject": ["KB1"]}, actions=actions)
    result = run(action)
    requests = action._shared_loader_obj.action_loader.requests
    assert [r["name"] for r in requests] == ["ansible.windows.win_updates", "ansible.windows.win_reboot"]
    assert requests[0]["task"].args == {"state": "installed", "reboot": False, "reject_list": ["KB1"],
                                        "category_names": ["CriticalUpdates", "SecurityUpdates", "UpdateRollups"]}
    assert result["rebooted"] and result["installed"][0]["kb"] == "KB5031234" and result["changed"]
    check = windows_action(WindowsUpdate, Runner({}), check_mode=True, actions=actions)
    assert run(check)["changed"] is False
    assert check._shared_loader_obj.action_loader.requests[0]["task"].args["state"] == "searched"


def test_components_apply_the_cu_again_when_its_source_is_known():
    installed = []
    cu_2019 = {"DisplayName": "Skype for Business Server 2019, Core Components", "DisplayVersion": "7.0.2046.530",
               "InstallLocation": ""}
    runner = Runner({
        "Get-CsComputer": lambda s: [COMPUTER], "Get-CsPool": lambda s: [pool()],
        "Get-CsWindowsService": lambda s: [service(n, "Stopped") for n in FRONT_END_SERVICES] if installed else [],
        "Test-Path": lambda s: [False, True, False], "Get-ItemProperty": lambda s: [cu_2019],
        "bootstrapper.exe": lambda s: installed.append(1) or exit_code(0), "Enable-CsComputer": lambda s: [],
        "Install-CsDatabase": lambda s: [],
        "skypeserverupdateinstaller.exe": lambda s: exit_code(0),
    })
    cu = r"C:\Updates\SkypeServerUpdateInstaller.exe"
    result = run(windows_action(Components, runner, {"cu_path": cu}))
    assert not result.get("failed"), result
    assert result["cu_to_reapply"] and result["cu_reapplied"] and "warnings" not in result
    update = next(p["steps"][0] for p in runner.plans if p["steps"][0].get("path") == cu)
    assert update["path"] == cu and update["arguments"] == ["/silentmode"]
