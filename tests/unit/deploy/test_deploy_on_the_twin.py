# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each deployment action plugin on a bare twin world: what it changes, check mode, the second run,
round trips, and the faults it must survive or report (restart mid step 2, CA refusal, a service
that will not start, too few servers for a pool's first start)."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.action.certificate import ActionModule as Certificate
from ansible_collections.sfb.server.plugins.action.certificate_info import ActionModule as CertificateInfo
from ansible_collections.sfb.server.plugins.action.components import ActionModule as Components
from ansible_collections.sfb.server.plugins.action.core_components import ActionModule as CoreComponents
from ansible_collections.sfb.server.plugins.action.local_store import ActionModule as LocalStore
from ansible_collections.sfb.server.plugins.action.prerequisites_info import ActionModule as Prerequisites
from ansible_collections.sfb.server.plugins.action.services_started import ActionModule as ServicesStarted
from ansible_collections.sfb.server.plugins.action.windows_update import ActionModule as WindowsUpdate
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin
from conftest import CA, INSTALL, run_twin

MEDIA = r"D:\Setup\amd64"

POOL = ["fe01.contoso.com", "fe02.contoso.com", "fe03.contoso.com"]


def ok(result):
    assert not result.get("failed"), result.get("msg")
    return result


def steps_1_to_3(world, server, ca=CA):
    ok(run_twin(CoreComponents, world, server, {"install_path": INSTALL}))
    ok(run_twin(LocalStore, world, server))
    components = ok(run_twin(Components, world, server))
    certificate = run_twin(Certificate, world, server, {"ca": ca, "sip_domains": ["contoso.com"]})
    return components, certificate


def events(world, kind, server=None):
    return [e for e in world.events(kinds=(kind,)) if server is None or e["server"] == server]


class TestPrerequisites:
    def test_a_bare_server_is_ready(self, make_world):
        result = ok(run_twin(Prerequisites, make_world(), "fe01.contoso.com", {"install_path": INSTALL, "min_free_gb": 32}))
        assert result["ready"] and result["missing"] == []
        assert result["checks"]["local_administrator"] and result["checks"]["rtc_universal_server_admins"]
        assert result["checks"]["in_topology"] is None  # not checkable before the core components
        # One read, one second read for the nested Domain Admins group, one update search.
        assert result["round_trips"] == 3

    def test_missing_prerequisites_fail_with_one_list(self, make_world):
        world = make_world()
        with world.transaction() as w:
            w.server("fe01.contoso.com")["windows_firewall"] = "Stopped"
            w.server("fe01.contoso.com")["updates"]["pending"].append(
                {"kb": "KB5031234", "title": "Cumulative update", "minutes": 20, "reboot": True, "category": "SecurityUpdates"})
        result = run_twin(Prerequisites, world, "fe01.contoso.com",
                          {"run_account": "CONTOSO\\someone", "install_path": r"Q:\SfB"})
        assert result["failed"]
        checks = [m["check"] for m in result["error"]["missing"]]
        assert checks == ["local_administrator", "rtc_universal_server_admins", "windows_firewall", "windows_update",
                          "install_path"]
        assert "KB5031234" in result["msg"] and "MpsSvc" in result["msg"]

    def test_report_only(self, make_world):
        result = run_twin(Prerequisites, make_world(), "fe01.contoso.com",
                          {"run_account": "CONTOSO\\someone", "fail_on_missing": False})
        assert not result.get("failed") and not result["ready"] and len(result["missing"]) == 2


class TestCoreComponents:
    def test_installs_where_asked_then_changes_nothing(self, make_world):
        world = make_world()
        first = ok(run_twin(CoreComponents, world, "fe01.contoso.com", {"install_path": INSTALL}))
        assert first["changed"] and first["product"] == "2019" and first["install_path"] == INSTALL
        # Unattended, each step in its own plan: never the interactive Setup.exe.
        assert first["commands"] == [
            rf"{MEDIA}\vcredist_x64.exe /install /quiet /norestart",
            rf"C:\Windows\System32\msiexec.exe /i {MEDIA}\Setup\ocscore.msi /qn /norestart INSTALLDIR={INSTALL}",
            rf'"{INSTALL}\Deployment\Bootstrapper.exe" /BootstrapLocalMgmt /SourceDirectory:{MEDIA}']
        assert first["steps"] == ["vcredist", "ocscore", "bootstrap"]
        assert not any("Setup.exe" in c for c in first["commands"])
        assert events(world, "core_components_installed")[0]["detail"]["path"] == INSTALL
        assert len(events(world, "local_management_store_installed")) == 1
        # One read, three installers, one check.
        assert first["round_trips"] == 5
        second = ok(run_twin(CoreComponents, world, "fe01.contoso.com", {"install_path": INSTALL}))
        assert not second["changed"] and second["round_trips"] == 1

    def test_a_server_with_the_redistributable_skips_it(self, make_world):
        world = make_world()
        with world.transaction() as w:
            from ansible_collections.sfb.server.plugins.plugin_utils.twin.cmdlets import deployment as twin_deployment
            twin_deployment.state(w.server("fe01.contoso.com"))["vcredist"] = True
        result = ok(run_twin(CoreComponents, world, "fe01.contoso.com", {"install_path": INSTALL}))
        assert result["steps"] == ["ocscore", "bootstrap"]

    def test_without_become_it_fails_at_once(self, make_world):
        world = make_world()
        result = run_twin(CoreComponents, world, "fe01.contoso.com", {"install_path": INSTALL}, become=False)
        assert result["failed"] and result["error"]["kind"] == "become_required"
        assert "become: true" in result["msg"] and "become_method: runas" in result["msg"]
        assert "round_trips" not in result or result["round_trips"] == 0
        assert events(world, "vcredist_installed") == []

    def test_the_twin_refuses_the_dpapi_step_without_become(self, make_world):
        from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import Executable, Plan
        from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost
        world = make_world()
        ok(run_twin(CoreComponents, world, "fe01.contoso.com", {"install_path": INSTALL}))
        with world.transaction() as w:
            from ansible_collections.sfb.server.plugins.plugin_utils.twin.cmdlets import deployment as twin_deployment
            twin_deployment.state(w.server("fe01.contoso.com"))["rtclocal"] = False
        host = TwinHost(world, "fe01.contoso.com", become=False)
        answer = host.run(Plan.of(Executable(rf"{INSTALL}\Deployment\Bootstrapper.exe",
                                             ("/BootstrapLocalMgmt", rf"/SourceDirectory:{MEDIA}"))))
        assert not answer.ok and "DPAPI" in answer.results[0].stderr

    def test_the_interactive_setup_is_refused_by_the_twin(self, make_world):
        from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import Executable, Plan
        from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost
        answer = TwinHost(make_world(), "fe01.contoso.com", become=True).run(
            Plan.of(Executable(rf"{MEDIA}\Setup.exe", ("/BootstrapLocalMgmt",))))
        assert not answer.ok and "interactive" in answer.results[0].stderr

    def test_default_folder_follows_the_media_release(self, make_world):
        result = ok(run_twin(CoreComponents, make_world(), "fe01.contoso.com"))
        assert result["install_path"] == r"C:\Program Files\Skype for Business Server 2019"
        assert result["commands"][1] == rf"C:\Windows\System32\msiexec.exe /i {MEDIA}\Setup\ocscore.msi /qn /norestart"

    def test_check_mode_changes_nothing(self, make_world):
        world = make_world()
        result = ok(run_twin(CoreComponents, world, "fe01.contoso.com", {"install_path": INSTALL}, check_mode=True))
        assert result["changed"] and "transcript" not in result
        assert events(world, "core_components_installed") == []

    def test_missing_media(self, make_world):
        result = run_twin(CoreComponents, make_world(), "fe01.contoso.com", {"setup_path": r"F:\Setup.exe"})
        assert result["failed"] and "not on the server" in result["msg"]


class TestLocalStoreAndComponents:
    def test_step_1_waits_for_replication_then_is_idempotent(self, make_world):
        world = make_world()
        ok(run_twin(CoreComponents, world, "fe01.contoso.com"))
        first = ok(run_twin(LocalStore, world, "fe01.contoso.com", diff=True))
        assert first["changed"] and first["replica"]["UpToDate"] is True
        # The documented route: export, import into the local store, join replication, start the agent.
        assert first["commands"] == [r"Export-CsConfiguration -FileName 'C:\Windows\Temp\sfb-CsConfiguration.zip' -Force",
                                     r"Import-CsConfiguration -FileName 'C:\Windows\Temp\sfb-CsConfiguration.zip' -LocalStore",
                                     "Enable-CsReplica", "Start-CsWindowsService -Name 'RTCREPLICA'"]
        assert first["diff"]["after"]["replica"]["UpToDate"] is True
        assert not ok(run_twin(LocalStore, world, "fe01.contoso.com"))["changed"]

    def test_step_1_from_a_file_that_is_not_there(self, make_world):
        world = make_world()
        ok(run_twin(CoreComponents, world, "fe01.contoso.com"))
        result = run_twin(LocalStore, world, "fe01.contoso.com", {"source": "file", "configuration_file": r"C:\cfg.zip"})
        assert result["failed"] and "cfg.zip" in result["msg"]

    def test_step_2_before_step_1_lists_the_unmet_prerequisite(self, make_world):
        world = make_world()
        ok(run_twin(CoreComponents, world, "fe01.contoso.com"))
        result = run_twin(Components, world, "fe01.contoso.com")
        assert result["failed"] and "Prerequisites not satisfied" in result["msg"]
        assert "Local configuration store" in result["error"]["unmet"][0]

    def test_step_2_installs_the_roles_of_the_topology(self, make_world):
        world = make_world()
        ok(run_twin(CoreComponents, world, "fe01.contoso.com", {"install_path": INSTALL}))
        ok(run_twin(LocalStore, world, "fe01.contoso.com"))
        result = ok(run_twin(Components, world, "fe01.contoso.com"))
        assert result["changed"] and result["restarts"] == 0
        assert {"RTCSRV", "RTCMEDSRV", "RTCREPLICA"} <= set(result["services"])
        assert result["placement"]["uses_fabric"] and result["placement"]["pool"] == "pool01.contoso.com"
        assert result["commands"] == [rf'"{INSTALL}\Deployment\Bootstrapper.exe"', "Enable-CsComputer",
                                      "Install-CsDatabase -LocalDatabases"]
        again = ok(run_twin(Components, world, "fe01.contoso.com"))
        assert not again["changed"] and again["round_trips"] == 1

    def test_restart_mid_step_2_then_run_again(self, make_world):
        world = make_world({"fe02.contoso.com": {"restart_during_setup": True}})
        ok(run_twin(CoreComponents, world, "fe02.contoso.com"))
        ok(run_twin(LocalStore, world, "fe02.contoso.com"))
        result = ok(run_twin(Components, world, "fe02.contoso.com"))
        assert result["restarts"] == 1
        assert [line["exit_code"] for line in result["transcript"] if "exit_code" in line] == [3010, 0]
        assert len(events(world, "reboot_finished", "fe02.contoso.com")) == 1

    def test_restart_limit(self, make_world):
        world = make_world({"fe02.contoso.com": {"restart_during_setup": True}})
        ok(run_twin(CoreComponents, world, "fe02.contoso.com"))
        ok(run_twin(LocalStore, world, "fe02.contoso.com"))
        result = run_twin(Components, world, "fe02.contoso.com", {"max_restarts": 0})
        assert result["failed"] and "still asks for a restart" in result["msg"]


class TestCertificates:
    def test_request_assign_and_keep(self, make_world):
        world = make_world()
        _unused, certificate = steps_1_to_3(world, "fe01.contoso.com")
        ok(certificate)
        assert certificate["action"] == "requested_and_assigned"
        assert certificate["problems"] == {u: "no certificate assigned" for u in
                                           ("Default", "WebServicesInternal", "WebServicesExternal")}
        request = certificate["commands"][0]
        assert request.startswith("Request-CsCertificate -New -Type 'Default','WebServicesInternal','WebServicesExternal'")
        # The names come from the topology (Get-CsService -WebServer, Get-CsTopology -AsXml), not the options.
        assert "-KeySize 2048" in request and ("-DomainName 'pool01.contoso.com,sip.contoso.com,meet.contoso.com,"
                                               "dialin.contoso.com,webext-pool01.contoso.com'") in request
        assert certificate["commands"][1].startswith("Set-CsCertificate -Thumbprint")
        again = ok(run_twin(Certificate, world, "fe01.contoso.com", {"ca": CA, "sip_domains": ["contoso.com"]}))
        assert not again["changed"] and again["round_trips"] == 1
        assert all(v["valid"] for v in again["certificates"].values())

    def test_ca_refusal_fails_with_the_reason(self, make_world):
        reason = "Denied by Policy Module: template WebServer not allowed"
        world = make_world({"se01.contoso.com": {"ca_refuses": reason}})
        _unused, certificate = steps_1_to_3(world, "se01.contoso.com")
        assert certificate["failed"] and reason in certificate["msg"] and CA in certificate["msg"]
        assert events(world, "certificate_assigned", "se01.contoso.com") == []

    def test_names_not_covered_trigger_a_new_certificate(self, make_world):
        world = make_world()
        steps_1_to_3(world, "fe01.contoso.com")
        info = ok(run_twin(CertificateInfo, world, "fe01.contoso.com",
                           {"sip_domains": ["contoso.com"], "subject_alternative_names": ["webext.contoso.com"]}))
        assert info["invalid"]["Default"].endswith("missing names: webext.contoso.com")
        assert info["certificates"]["OAuthTokenIssuer"] is None
        renewed = ok(run_twin(Certificate, world, "fe01.contoso.com",
                              {"ca": CA, "sip_domains": ["contoso.com"], "subject_alternative_names": ["webext.contoso.com"]}))
        assert renewed["changed"] and "names_not_covered" in renewed["certificates"]["Default"]["problems"]
        # subject_alternative_names adds to the topology's names.
        assert ("-DomainName 'pool01.contoso.com,sip.contoso.com,meet.contoso.com,dialin.contoso.com,"
                "webext-pool01.contoso.com,webext.contoso.com'") in renewed["commands"][0]

    def test_renew_before_days_replaces_an_expiring_certificate(self, make_world):
        world = make_world()
        steps_1_to_3(world, "fe01.contoso.com")
        result = ok(run_twin(Certificate, world, "fe01.contoso.com",
                             {"ca": CA, "sip_domains": ["contoso.com"], "renew_before_days": 800}, check_mode=True))
        assert result["changed"] and result["action"] == "would_request"
        assert result["certificates"]["Default"]["problems"] == ["expiring"]

    def test_oauth_is_global_and_alone(self, make_world):
        world = make_world()
        steps_1_to_3(world, "fe01.contoso.com")
        mixed = run_twin(Certificate, world, "fe01.contoso.com", {"ca": CA, "uses": ["Default", "OAuthTokenIssuer"]})
        assert mixed["failed"] and mixed["error"]["kind"] == "invalid_argument"
        oauth = ok(run_twin(Certificate, world, "fe01.contoso.com",
                            {"ca": CA, "uses": ["OAuthTokenIssuer"], "sip_domains": ["contoso.com"]}))
        assert "-Identity 'Global'" in oauth["commands"][-1]
        # "your Skype for Business Server default certificate can also be used as the OAuthTokenIssuer".
        default = ok(run_twin(CertificateInfo, world, "fe01.contoso.com", {"sip_domains": ["contoso.com"]}))
        assert oauth["action"] == "assigned" and oauth["thumbprint"] == default["certificates"]["Default"]["thumbprint"]
        steps_1_to_3(world, "fe02.contoso.com")
        info = ok(run_twin(CertificateInfo, world, "fe02.contoso.com", {"sip_domains": ["contoso.com"]}))
        assert info["certificates"]["OAuthTokenIssuer"]["valid"]
        again = ok(run_twin(Certificate, world, "fe01.contoso.com",
                            {"ca": CA, "uses": ["OAuthTokenIssuer"], "sip_domains": ["contoso.com"]}))
        assert not again["changed"]

    def test_ca_credentials_are_a_secret(self, make_world):
        world = make_world()
        _unused, _unused = steps_1_to_3(world, "fe03.contoso.com", ca="unused")  # the first request fails: unknown CA
        result = ok(run_twin(Certificate, world, "fe03.contoso.com",
                             {"ca": CA, "ca_account": "CONTOSO\\enroll", "ca_password": "S3cr3t!"}))
        assert "S3cr3t!" not in str(result)
        assert "-CaPassword <String:ca_password>" in result["commands"][0]

    def test_offline_request_then_import(self, make_world):
        world = make_world()
        steps_1_to_3(world, "fe01.contoso.com", ca="unused")
        args = {"request": "offline", "request_file": r"C:\req\fe01.req", "response_file": r"C:\req\fe01-response.cer",
                "sip_domains": ["contoso.com"]}
        written = ok(run_twin(Certificate, world, "fe01.contoso.com", args))
        assert written["action"] == "request_written" and "-Output 'C:\\req\\fe01.req'" in written["commands"][0]
        with world.transaction() as w:  # the twin's CA answers after a while
            w.server("fe01.contoso.com")["deployment"]["requests"][r"c:\req\fe01.req"]["answer_at"] = 0
        imported = ok(run_twin(Certificate, world, "fe01.contoso.com", args))
        assert imported["action"] == "imported_and_assigned"
        assert not ok(run_twin(Certificate, world, "fe01.contoso.com", args))["changed"]


class TestStart:
    def deploy_pool(self, world, servers=tuple(POOL)):
        for server in servers:
            _unused, certificate = steps_1_to_3(world, server)
            ok(certificate)

    def test_start_cs_pool_once_then_nothing(self, make_world):
        world = make_world()
        self.deploy_pool(world)
        result = ok(run_twin(ServicesStarted, world, "fe01.contoso.com", {"ready_servers": POOL}))
        assert result["commands"] == ["Start-CsPool -PoolFqdn 'pool01.contoso.com' -Confirm:$false"]
        assert result["not_running"] == {} and set(result["services"]) == set(POOL)
        assert len(events(world, "pool_started")) == 1
        again = ok(run_twin(ServicesStarted, world, "fe02.contoso.com", {"ready_servers": POOL}))
        assert not again["changed"]

    def test_too_few_ready_servers_for_the_first_start(self, make_world):
        world = make_world()
        self.deploy_pool(world, POOL[:2])
        result = run_twin(ServicesStarted, world, "fe01.contoso.com", {"ready_servers": POOL[:2]})
        assert result["failed"] and "needs at least 3" in result["msg"] and result["error"]["not_ready"] == [POOL[2]]
        assert events(world, "pool_started") == []

    def test_a_service_that_does_not_start_is_named(self, make_world):
        world = make_world({"fe03.contoso.com": {"service_fails_to_start": ["RTCSRV"]}})
        self.deploy_pool(world)
        result = run_twin(ServicesStarted, world, "fe01.contoso.com", {"timeout": 60})
        assert result["failed"] and result["error"]["not_running"] == {"fe03.contoso.com": ["RTCSRV"]}
        assert "fe03.contoso.com:RTCSRV" in result["error"]["start_error"]

    def test_standard_edition_uses_start_cs_windows_service(self, make_world):
        world = make_world()
        steps_1_to_3(world, "se01.contoso.com")
        check = ok(run_twin(ServicesStarted, world, "se01.contoso.com", check_mode=True))
        assert check["changed"] and check["commands"] == ["Start-CsWindowsService"]
        result = ok(run_twin(ServicesStarted, world, "se01.contoso.com"))
        assert not result["uses_fabric"] and result["not_running"] == {}
        again = ok(run_twin(ServicesStarted, world, "se01.contoso.com"))
        assert not again["changed"] and again["round_trips"] == 1
        summary = admin.summary(world)["servers"]["se01.contoso.com"]["services"]
        assert set(summary.values()) == {"Running"}

    def test_firewall_must_run_for_the_first_start(self, make_world):
        world = make_world()
        steps_1_to_3(world, "se01.contoso.com")
        with world.transaction() as w:
            w.server("se01.contoso.com")["windows_firewall"] = "Stopped"
        result = run_twin(ServicesStarted, world, "se01.contoso.com")
        assert result["failed"] and "MpsSvc" in result["msg"]


class TestWindowsUpdate:
    def test_check_mode_searches_then_install_and_restart(self, make_world):
        world = make_world()
        with world.transaction() as w:
            w.server("fe01.contoso.com")["updates"]["pending"].append(
                {"kb": "KB1", "title": "CU", "minutes": 10, "reboot": True, "category": "SecurityUpdates"})
        check = ok(run_twin(WindowsUpdate, world, "fe01.contoso.com", check_mode=True))
        assert check["changed"] and [u["kb"] for u in check["pending"]] == ["KB1"]
        result = ok(run_twin(WindowsUpdate, world, "fe01.contoso.com"))
        assert result["rebooted"] and [u["kb"] for u in result["installed"]] == ["KB1"]
        assert not ok(run_twin(WindowsUpdate, world, "fe01.contoso.com"))["changed"]


@pytest.mark.parametrize("server", ["fe01.contoso.com", "se01.contoso.com"])
def test_check_mode_on_a_deployed_server_reports_no_change(make_world, server):
    world = make_world()
    steps_1_to_3(world, server)
    for cls, args in ((CoreComponents, {"install_path": INSTALL}), (LocalStore, {}), (Components, {}),
                      (Certificate, {"ca": CA, "sip_domains": ["contoso.com"]})):
        result = ok(run_twin(cls, world, server, args, check_mode=True))
        assert not result["changed"], (cls, result)


class TestRoleAwareCertificates:
    def test_a_type_the_role_does_not_use_is_refused_before_any_change(self, make_world):
        world = make_world()
        steps_1_to_3(world, "fe01.contoso.com")
        result = run_twin(Certificate, world, "fe01.contoso.com", {"ca": CA, "uses": ["Internal"]})
        assert result["failed"] and "does not use the certificate type(s) Internal" in result["msg"]

    def test_the_twin_refuses_an_edge_type_on_a_front_end(self, make_world):
        from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan
        from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost
        world = make_world()
        steps_1_to_3(world, "fe01.contoso.com")
        answer = TwinHost(world, "fe01.contoso.com", become=True).run(Plan.of(
            CmdletCall("Request-CsCertificate", {"New": True, "Type": ["AccessEdgeExternal"], "CA": CA})))
        assert not answer.ok and answer.results[0].error.error_id == "CertificateTypeNotApplicable"

    def test_a_client_only_certificate_that_covers_the_names_is_not_reused(self, make_world):
        world = make_world(faults={"fe01.contoso.com": {"store_certificate_without_server_authentication": True}})
        components, certificate = steps_1_to_3(world, "fe01.contoso.com")
        ok(certificate)
        assert certificate["action"] == "requested_and_assigned"
        assert certificate["thumbprint"] != "" and events(world, "certificate_issued", "fe01.contoso.com")
        store = ok(run_twin(CertificateInfo, world, "fe01.contoso.com", {"sip_domains": ["contoso.com"]}))["store"]
        client = [c for c in store if c["friendly_name"] == "Client certificate"]
        assert client and client[0]["thumbprint"] != certificate["thumbprint"]


class TestOAuthStaysOnFrontEnds:
    @pytest.fixture
    def world(self, tmp_path):
        from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore
        store = WorldStore(str(tmp_path / "oauth.db"))
        admin.create(store, {"speed": 200000, "product": "2019", "sites": [{"name": "Redmond", "pools": [
            {"fqdn": "pool01.contoso.com", "edition": "Enterprise", "roles": ["FrontEnd"], "state": "deployed",
             "load": {"sessions_per_minute": 0}, "servers": ["fe01.contoso.com", "fe02.contoso.com", "fe03.contoso.com"]},
            {"fqdn": "dirpool.contoso.com", "edition": "Enterprise", "roles": ["Director"], "state": "deployed",
             "load": {"sessions_per_minute": 0}, "servers": ["dir01.contoso.com"]},
        ]}]}, replace=True)
        return store

    def test_assigned_from_a_front_end_and_copied_to_front_ends_only(self, world):
        oauth = ok(run_twin(Certificate, world, "fe01.contoso.com",
                            {"ca": CA, "uses": ["OAuthTokenIssuer"], "sip_domains": ["contoso.com"]}))
        with world.transaction() as w:
            holders = {fqdn for fqdn, s in w.servers.items()
                       if any(c["thumbprint"] == oauth["thumbprint"] for c in s.get("certificates", []))}
        assert holders == {"fe01.contoso.com", "fe02.contoso.com", "fe03.contoso.com"}

    def test_refused_outside_a_front_end_by_the_module_and_by_the_twin(self, world):
        from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan
        from ansible_collections.sfb.server.plugins.plugin_utils.twin.host import TwinHost
        refused = run_twin(Certificate, world, "dir01.contoso.com",
                           {"ca": CA, "uses": ["OAuthTokenIssuer"], "sip_domains": ["contoso.com"]})
        assert refused["failed"] and "not a Front End Server" in refused["msg"]
        host = TwinHost(world, "dir01.contoso.com", become=True)
        thumbprint = host.read(CmdletCall("Get-ChildItem", {"Path": r"Cert:\LocalMachine\My"},
                                          select=("Thumbprint",))).output(0)[0]["Thumbprint"]
        assign = CmdletCall("Set-CsCertificate", {"Identity": "Global", "Type": ["OAuthTokenIssuer"], "Thumbprint": thumbprint})
        answer = host.run(Plan.of(assign))
        assert not answer.ok and answer.results[0].error.error_id == "OAuthTokenIssuerOutsideFrontEnd"


def test_step_2_on_a_server_that_carries_a_cu_warns_without_its_source(make_world):
    world = make_world()
    ok(run_twin(CoreComponents, world, "fe01.contoso.com"))
    ok(run_twin(LocalStore, world, "fe01.contoso.com"))
    with world.transaction() as w:
        w.server("fe01.contoso.com")["version"] = "7.0.2046.530"  # a cumulative update is on the server
    result = ok(run_twin(Components, world, "fe01.contoso.com"))
    assert result["changed"] and result["cu_to_reapply"] is True
    assert "cumulative update" in result["warnings"][0] and "deploy_cu_path" in result["warnings"][0]
