# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cce_* action plugins end to end on a twin world, without ansible-playbook."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.action.cce_ca_reset import ActionModule as CaReset
from ansible_collections.sfb.server.plugins.action.cce_certificates import ActionModule as Certificates
from ansible_collections.sfb.server.plugins.action.cce_credential import ActionModule as Credential
from ansible_collections.sfb.server.plugins.action.cce_health import ActionModule as Health
from ansible_collections.sfb.server.plugins.action.cce_info import ActionModule as Info
from ansible_collections.sfb.server.plugins.action.cce_preflight import ActionModule as Preflight
from ansible_collections.sfb.server.plugins.action.cce_registration import ActionModule as Registration
from ansible_collections.sfb.server.plugins.action.cce_tenant_info import ActionModule as TenantInfo
from ansible_collections.sfb.server.plugins.action.cce_update_mode import ActionModule as UpdateMode
from ansible_collections.sfb.server.plugins.plugin_utils.host.select import TWIN_CONNECTION
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin, simulation
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore
from sfb_fakes import FakeConnection, FakeTask

NEW, OLD, LONE = "cce-new1.contoso.com", "cce-old1.contoso.com", "cce-lone1.contoso.com"
TENANT = "tenant.contoso.com"

DESCRIPTION = {
    # Slow enough that nothing happens by itself between two reads; no calls, so drains are instant.
    "speed": 50,
    "cce_tenant": {"host": TENANT},
    "cce_sites": [
        {"name": "Paris", "load": {"calls_per_minute": 0},
         "appliances": [{"host": NEW, "version": "2.1.0", "mediation_ip": "10.0.0.1", "internal_days_left": 30},
                        {"host": OLD, "version": "1.4.2", "mediation_ip": "10.0.0.2"}]},
        {"name": "Rome", "load": {"calls_per_minute": 0},
         "appliances": [{"host": LONE, "version": "2.1.0", "mediation_ip": "10.0.9.1", "registered": False,
                         "ini_state_line": False, "module_on_psmodulepath": False, "stuck_image_mount": True,
                         "dotnet_release": 394254}]},
    ],
}


@pytest.fixture
def world(tmp_path):
    store = WorldStore(str(tmp_path / "cce.db"))
    admin.create(store, DESCRIPTION)
    return store


class _Runas:
    name = "ansible.builtin.runas"


def run(cls, world, server, args=None, check_mode=False, become=True):
    connection = FakeConnection(TWIN_CONNECTION, options={"world": world.path, "remote_addr": server})
    # As Ansible hands the connection over with become_method runas (cce_credential needs it: DPAPI).
    connection.become = _Runas() if become else None
    action = cls(FakeTask(args, check_mode=check_mode), connection, None, None, None, None)
    return action.run(task_vars={"inventory_hostname": server})


def change(world, server, update):
    with world.transaction(simulation.advance) as w:
        update(w.server(server))


class TestInfo:
    def test_a_2_1_appliance(self, world):
        result = run(Info, world, NEW)
        appliance = result["appliance"]
        assert not result.get("failed"), result
        assert (appliance["script_version"], appliance["running_version"], appliance["version"]) == ("2.1.0", "2.1.0", "2.1.0")
        assert appliance["site_directory"].startswith("\\\\cce-new1")
        assert appliance["appliance_status"] and "Running" in appliance["appliance_status"][0]
        assert appliance["ha_supported"] and not appliance["update_mode"] and result["problems"] == []
        assert appliance["certificate_cmdlets"] == {"server": "Update-CcServerCertificate", "ca": "Update-CcCACertificate"}

    def test_a_1_4_2_appliance_falls_back_to_get_ccrunningversion(self, world):
        appliance = run(Info, world, OLD)["appliance"]
        assert appliance["script_version"] is None and appliance["running_version"] == "1.4.2"
        assert appliance["appliance_status"] == []  # Get-CcApplianceStatus is 2.1+
        assert appliance["certificate_cmdlets"]["server"] == "Renew-CcServerCertificate"

    def test_running_older_than_scripts_warns(self, world):
        change(world, NEW, lambda s: s["cce"].update(running_version="2.0.1", backup_version="2.1.0"))
        result = run(Info, world, NEW)
        assert not result["appliance"]["ha_supported"]
        assert "no High Availability support" in result["problems"][0]

    def test_tenant_info(self, world):
        result = run(TenantInfo, world, TENANT, {"site": "Paris"})
        assert {a["name"] for a in result["appliances"]} == {"CCE-NEW1", "CCE-OLD1"}
        assert all(a["in_ha"] for a in result["appliances"]) and result["sites"] == [{"name": "Paris", "enable_auto_update": False}]

    def test_tenant_cmdlets_do_not_run_on_an_appliance(self, world):
        result = run(TenantInfo, world, NEW)
        assert result["failed"] and result["error"]["kind"] == "module_missing"


class TestUpdateMode:
    def test_enter_is_idempotent_and_check_mode_changes_nothing(self, world):
        checked = run(UpdateMode, world, NEW, {"state": "entered"}, check_mode=True)
        assert checked["changed"] and checked["commands"][0] == "Enter-CcUpdate"
        assert not world.read().servers[NEW]["cce"]["update_mode"]
        first = run(UpdateMode, world, NEW, {"state": "entered"})
        assert first["changed"] and world.read().servers[NEW]["cce"]["update_mode"]
        assert run(UpdateMode, world, NEW, {"state": "entered"})["changed"] is False
        assert run(Info, world, NEW)["appliance"]["update_mode"]
        assert run(UpdateMode, world, NEW, {"state": "exited"})["changed"]
        assert not world.read().servers[NEW]["cce"]["update_mode"]
        assert run(UpdateMode, world, NEW, {"state": "exited"})["changed"] is False

    def test_bad_state(self, world):
        result = run(UpdateMode, world, NEW, {"state": "on"})
        assert result["failed"] and "entered" in result["msg"]


class TestHealth:
    def test_healthy_host_and_vm(self, world):
        assert run(Health, world, NEW)["healthy"]
        result = run(Health, world, "cce-new1-edge.contoso.com", {"scope": "vm", "vm_role": "Edge", "version": "2.1.0"})
        assert result["healthy"] and result["attempts"] == 1

    def test_a_vm_that_does_not_come_back_fails_after_the_schedule(self, world):
        change(world, NEW, lambda s: s["faults"].update(vm_does_not_start=["Mediation"]))
        change(world, NEW, lambda s: s.update(boot_time=s["boot_time"] + 1))  # a restart the VMs did not survive
        result = run(Health, world, NEW, {"wait": 35})
        assert result["failed"] and result["error"]["kind"] == "unhealthy"
        assert result["error"]["attempts"] == 5  # the first check, then after 10, 10, 10 and the 5 s left
        assert any("Mediation-2.1.0 is Off" in p for p in result["error"]["problems"])

    def test_stopped_service_and_disabled_rule(self, world):
        def break_vm(vm):
            vm["services"]["MEDSVC"]["status"] = "Stopped"
            vm["cce_vm"]["firewall_rules"]["CS RTCMEDSRV"] = False

        change(world, "cce-new1-med.contoso.com", break_vm)
        result = run(Health, world, "cce-new1-med.contoso.com",
                     {"scope": "vm", "vm_role": "Mediation", "version": "2.1.0", "fail_when_unhealthy": False})
        assert result["problems"] == ["service MEDSVC is Stopped", "inbound firewall rule CS RTCMEDSRV is disabled"]

    def test_vm_scope_needs_role_and_version(self, world):
        assert run(Health, world, NEW, {"scope": "vm"})["failed"]


class TestCertificates:
    def test_report_and_renewal_with_the_installed_versions_cmdlets(self, world):
        report = run(Certificates, world, "cce-new1-med.contoso.com", {"threshold_days": 60})
        internal = [c for c in report["certificates"] if c["kind"] == "internal"]
        ca = [c for c in report["certificates"] if c["kind"] == "ca"]
        assert len(internal) == 1 and internal[0]["due"] and 29 < internal[0]["days_left"] <= 30
        assert len(ca) == 1 and not ca[0]["due"]
        renewed = run(Certificates, world, NEW, {"state": "renewed", "certificates": report["certificates"]})
        assert renewed["commands"] == ["Update-CcServerCertificate"] and renewed["renewed"] == ["internal"]
        again = run(Certificates, world, "cce-new1-med.contoso.com", {"threshold_days": 60})
        assert again["due"] == [] and again["root_thumbprints"] == report["root_thumbprints"]
        assert run(Certificates, world, NEW, {"state": "renewed", "certificates": again["certificates"]})["changed"] is False

    def test_a_1_4_2_appliance_renews_with_renew_cmdlets(self, world):
        report = run(Certificates, world, "cce-old1-edge.contoso.com", {"threshold_days": 5000})
        renewed = run(Certificates, world, OLD, {"state": "renewed", "threshold_days": 5000,
                                                 "certificates": report["certificates"]}, check_mode=True)
        assert renewed["commands"] == ["Renew-CcCACertificate", "Renew-CcServerCertificate"]

    def test_renewal_rejects_something_that_is_not_a_report(self, world):
        result = run(Certificates, world, NEW, {"state": "renewed", "certificates": [{"subject": "x"}]})
        assert result["failed"] and "not a certificate report" in result["msg"]


class TestCaReset:
    ARGS = {"procedure_id": "INC-1", "appliances": [NEW, OLD]}

    def test_interrupted_procedure_resumes_and_ends_on_one_root(self, world):
        plan = run(CaReset, world, NEW, {"state": "planned", **self.ARGS})
        steps = plan["steps"]
        assert plan["total"] == 12 and not plan["resumed"] and steps[0]["action"] == "clean_ca_files"
        for step in steps[:6]:
            assert not run(CaReset, world, step["appliance"], {"state": "step", "step": step}).get("failed")
            run(CaReset, world, NEW, {"state": "recorded", "step": step, **self.ARGS})
        # The run stops here; the next one is told what is left.
        resumed = run(CaReset, world, NEW, {"state": "planned", **self.ARGS})
        assert resumed["resumed"] and resumed["steps"] == steps[6:]
        for step in resumed["steps"]:
            result = run(CaReset, world, step["appliance"], {"state": "step", "step": step})
            assert not result.get("failed"), result
            run(CaReset, world, NEW, {"state": "recorded", "step": step, **self.ARGS})
        done = run(CaReset, world, NEW, {"state": "planned", **self.ARGS})
        assert done["steps"] == [] and not done["resumed"]
        state = world.read()
        assert state.servers[NEW]["cce"]["ca"] == state.servers[OLD]["cce"]["ca"]
        assert not state.servers[NEW]["cce"]["update_mode"] and not state.servers[OLD]["cce"]["update_mode"]
        renewals = world.events(kinds=("cce_server_certificates_renewed",))
        assert [e["server"] for e in renewals] == [NEW, OLD]

    def test_another_unfinished_procedure_is_refused(self, world):
        step = run(CaReset, world, NEW, {"state": "planned", **self.ARGS})["steps"][0]
        run(CaReset, world, NEW, {"state": "recorded", "step": step, **self.ARGS})
        other = run(CaReset, world, NEW, {"state": "planned", **self.ARGS, "procedure_id": "INC-2"})
        assert other["failed"] and "INC-1" in other["msg"]

    def test_procedure_id_is_checked(self, world):
        assert run(CaReset, world, NEW, {"state": "planned", **self.ARGS, "procedure_id": "a|b"})["failed"]


class TestPreflight:
    def test_check_mode_reports_and_changes_nothing_then_apply_fixes_then_nothing_left(self, world):
        checked = run(Preflight, world, LONE, {"defender_exclusions": True, "dotnet": False}, check_mode=True)
        assert checked["changed"] and not checked.get("failed"), checked
        names = {c["name"]: c for c in checked["checks"]}
        assert not names["psmodulepath"]["ok"] and not names["image_mounts"]["ok"]
        assert names["ini_state_line"]["detail"] == "skipped"  # the module is not loadable yet
        assert world.read().servers[LONE]["cce"]["stuck_image_mount"]
        applied = run(Preflight, world, LONE, {"defender_exclusions": True, "dotnet": False})
        assert applied["changed"] and not applied.get("failed"), applied
        after = world.read().servers[LONE]
        assert not after["cce"]["stuck_image_mount"]
        assert "C:\\Program Files\\WindowsPowerShell\\Modules" in after["registry"][
            "hklm:\\system\\currentcontrolset\\control\\session manager\\environment"]["PSModulePath"]
        assert applied["commands"][0].startswith("Set-ItemProperty -Path") and len(applied["commands"]) == 4
        second = run(Preflight, world, LONE, {"defender_exclusions": True, "dotnet": False})
        assert second["changed"] is False and all(c["ok"] for c in second["checks"]), second["checks"]
        ini = after_ini = world.read().servers[LONE]["files"]["c:\\cce\\applianceroot\\cloudconnector.ini"]["lines"]
        assert "State=" in ini and after_ini[0] == "[Common]"
        assert "Microsoft.Rtc.CCE.ManagementService.exe" in world.read().servers[LONE]["cce"]["defender"]["ExclusionProcess"]

    def test_dotnet_too_old_for_2_1_fails(self, world):
        change(world, NEW, lambda s: s["registry"]["hklm:\\software\\microsoft\\net framework setup\\ndp\\v4\\full"]
               .update(Release=393295))
        result = run(Preflight, world, NEW)
        assert result["failed"] and "dotnet" in result["msg"] and "4.6.1" in result["msg"]

    def test_module_analysis_cache_reset(self, world):
        result = run(Preflight, world, NEW, {"reset_module_analysis_cache": True})
        assert result["changed"] and any("Remove-Item" in c for c in result["commands"])
        assert run(Preflight, world, NEW, {"reset_module_analysis_cache": True})["changed"] is False


class TestRegistration:
    def test_conflict_names_the_appliance_in_the_way(self, world):
        registered = run(TenantInfo, world, TENANT)["appliances"]
        result = run(Registration, world, LONE, {"site_name": "Rome", "mediation_fqdn": "ms.cce-new1.contoso.com",
                                                 "mediation_ip": "10.0.9.1", "registered_appliances": registered})
        assert result["failed"] and result["error"]["kind"] == "registration_conflict"
        assert result["error"]["conflicts"][0]["appliance"] == "CCE-NEW1"
        assert "Mediation Server FQDN ms.cce-new1.contoso.com" in result["msg"]
        assert not world.read().servers[LONE]["cce"]["registered"]

    def test_registers_once(self, world):
        change(world, LONE, lambda s: s["registry"]["hklm:\\system\\currentcontrolset\\control\\session manager\\environment"]
               .update(PSModulePath="C:\\Program Files\\WindowsPowerShell\\Modules"))
        args = {"site_name": "Rome", "mediation_fqdn": "ms.cce-lone1.contoso.com", "mediation_ip": "10.0.9.1"}
        first = run(Registration, world, LONE, {**args, "registered_appliances": run(TenantInfo, world, TENANT)["appliances"]})
        assert first["changed"] and first["commands"] == ["Register-CcAppliance -SiteName 'Rome' -ApplianceName 'CCE-LONE1'"]
        second = run(Registration, world, LONE, {**args, "registered_appliances": run(TenantInfo, world, TENANT)["appliances"]})
        assert second["changed"] is False and second["registered"]

    def test_malformed_registered_list(self, world):
        result = run(Registration, world, LONE, {"site_name": "Rome", "mediation_fqdn": "x.contoso.com",
                                                 "mediation_ip": "10.0.0.9", "registered_appliances": [{"name": "A"}]})
        assert result["failed"] and "cce_tenant_info" in result["msg"]


class TestCredential:
    def test_verified(self, world):
        result = run(Credential, world, NEW, {"expected_usernames": {"TenantAdmin": "admin@contoso.onmicrosoft.com"}})
        assert not result.get("failed") and result["accounts"]["TenantAdmin"]["username"] == "admin@contoso.onmicrosoft.com"

    def test_changed_host_password_then_recovery(self, world):
        change(world, NEW, lambda s: s["faults"].update(credentials_key_invalid=True))
        verified = run(Credential, world, NEW)
        assert verified["failed"] and "state=recovered" in verified["msg"]
        checked = run(Credential, world, NEW, {"state": "recovered"}, check_mode=True)
        assert checked["changed"] and "credentials.administrator.xml" in str(world.read().servers[NEW]["files"]).lower()
        recovered = run(Credential, world, NEW, {"state": "recovered"})
        assert recovered["changed"] and "Register-CcAppliance -Local" in recovered["console_steps"][0]
        assert len(recovered["console_steps"]) == 2  # 2.0+: Set-CcCredential for DomainAdmin and VmAdmin too
        assert "c:\\programdata\\cloudconnector\\credentials.administrator.xml" not in world.read().servers[NEW]["files"]
        assert [e["kind"] for e in world.events(kinds=("reboot_started",))] == ["reboot_started"]


def test_certificate_report_reads_the_windows_runners_dates():
    # plan_runner.ps1 writes a DateTime as ToUniversalTime().ToString('o'): seven fractional digits and Z.
    from ansible_collections.sfb.server.plugins.action.cce_certificates import certificate_report

    root = {"Thumbprint": "R", "Subject": "CN=CCE CA", "Issuer": "CN=CCE CA", "NotAfter": "2030-01-01T00:00:00.0000000Z"}
    mine = [{"Thumbprint": "M", "Subject": "CN=ms.contoso.com", "Issuer": "CN=CCE CA", "NotAfter": "2026-01-31T00:00:00.0000000Z"},
            {"Thumbprint": "X", "Subject": "CN=other", "Issuer": "CN=Someone Else", "NotAfter": "2026-01-31T00:00:00.0000000Z"}]
    now = 1767225600.0  # 2026-01-01T00:00:00Z
    report = certificate_report(mine, [root], now, threshold_days=60)
    assert [(c["kind"], c["thumbprint"], c["days_left"], c["due"]) for c in report] == [
        ("internal", "M", 30.0, True), ("ca", "R", 1461.0, False)]


def test_credential_check_refuses_to_run_without_become(world):
    result = run(Credential, world, NEW, become=False)
    assert result["failed"] and result["error"]["kind"] == "become_required"
    assert "become_method: runas" in result["msg"] and result.get("round_trips", 0) == 0
