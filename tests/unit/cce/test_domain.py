# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugin_utils/domain/cce.py: the rules of seed 001 as pure functions."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.domain import cce
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument, SfbError


class TestRecoverySchedule:
    def test_three_times_ten_seconds_then_doubling(self):
        assert cce.recovery_intervals(10 + 10 + 10 + 20 + 40 + 80) == [10, 10, 10, 20, 40, 80]

    def test_capped_at_one_hour_then_hourly(self):
        intervals = cce.recovery_intervals(6 * 3600)
        capped = intervals.index(3600)
        # 10,10,10,20,40,...,2560 then 3600: the first interval above 1800 is cut to the hour.
        assert intervals[:capped] == [10, 10, 10, 20, 40, 80, 160, 320, 640, 1280, 2560]
        assert all(i == 3600 for i in intervals[capped:-1])
        assert sum(intervals) == pytest.approx(6 * 3600)

    def test_last_wait_is_cut_to_the_window(self):
        intervals = cce.recovery_intervals(45)
        assert intervals == [10, 10, 10, 15]

    def test_scale_keeps_the_shape(self):
        assert cce.recovery_intervals(3.5, scale=0.1) == pytest.approx([1, 1, 1, 0.5])

    @pytest.mark.parametrize("window,scale", [(0, 1), (-5, 1), (10, 0)])
    def test_bad_window_or_scale(self, window, scale):
        with pytest.raises(InvalidArgument):
            cce.recovery_intervals(window, scale)


class TestVersions:
    @pytest.mark.parametrize("text,expected", [("2.1.0", (2, 1, 0)), ("Version 2.0.1.1234", (2, 0, 1, 1234)),
                                               ("Mediation-1.4.2", (1, 4, 2)), ("", None), (None, None)])
    def test_parse(self, text, expected):
        assert cce.parse_version(text) == expected

    @pytest.mark.parametrize("version,server,ca", [
        ((1, 4, 2), "Renew-CcServerCertificate", "Renew-CcCACertificate"),
        ((2, 0), "Update-CcServerCertificate", "Update-CcCACertificate"),
        ((2, 1, 0), "Update-CcServerCertificate", "Update-CcCACertificate"),
    ])
    def test_certificate_cmdlets_follow_the_rename_in_2_0(self, version, server, ca):
        chosen = cce.certificate_cmdlets(version)
        assert (chosen.server, chosen.ca) == (server, ca)

    def test_no_renewal_cmdlet_before_1_4_2(self):
        with pytest.raises(SfbError, match="1.4.1"):
            cce.certificate_cmdlets((1, 4, 1))

    def test_monitored_services_per_version(self):
        assert cce.monitored_services("Edge", (2, 0)) == ("REPLICA", "RTCSRV", "RTCDATAPROXY", "RTCMRAUTH", "RTCMEDIARELAY")
        assert cce.monitored_services("Edge", (1, 4, 2)) == ("RTCSRV",)
        assert cce.monitored_services("Mediation", (1, 4, 2)) == ("RTCSRV", "MEDSVC")
        assert cce.monitored_services("CMS", (1, 4, 2)) == ()
        assert cce.monitored_firewall_rules("Mediation", (2, 1)) == ("CS RTCMEDSRV",)
        assert cce.monitored_firewall_rules("Mediation", (1, 4, 2)) == ()
        with pytest.raises(InvalidArgument):
            cce.monitored_services("FrontEnd", (2, 0))


class TestCaCompromise:
    def test_single_appliance(self):
        actions = [s.action for s in cce.ca_compromise_steps(["a"], export_root=True)]
        assert actions == ["enter_update", "reset_ca", "renew_server", "remove_legacy", "export_root", "exit_update"]

    def test_several_appliances_in_the_documented_order(self):
        steps = [(s.appliance, s.action) for s in cce.ca_compromise_steps(["a", "b", "c"], export_root=False)]
        assert steps == [
            ("a", "clean_ca_files"), ("a", "enter_update"), ("b", "enter_update"), ("c", "enter_update"),
            ("a", "reset_ca"), ("a", "renew_server"), ("a", "remove_legacy"), ("a", "backup_ca"),
            ("b", "reset_ca"), ("b", "renew_server"), ("b", "remove_legacy"),
            ("c", "reset_ca"), ("c", "renew_server"), ("c", "remove_legacy"),
            ("a", "exit_update"), ("b", "exit_update"), ("c", "exit_update"),
        ]

    def test_resume_skips_what_is_done(self):
        steps = cce.ca_compromise_steps(["a", "b"], export_root=False)
        left = cce.remaining_steps(steps, [s.key for s in steps[:5]])
        assert left == steps[5:]

    def test_a_record_of_another_appliance_list_is_refused(self):
        steps = cce.ca_compromise_steps(["a", "b"], export_root=False)
        other = cce.ca_compromise_steps(["a", "x"], export_root=False)
        with pytest.raises(SfbError, match="does not match"):
            cce.remaining_steps(steps, [s.key for s in other[:3]])

    def test_listing_an_appliance_twice_is_refused(self):
        with pytest.raises(InvalidArgument):
            cce.ca_compromise_steps(["a", "A"], export_root=False)


class TestRegistration:
    MINE = cce.ApplianceIdentity("MySite", "MyserverNew", "ms.contoso.com", "10.10.10.10")

    def test_the_seed_example_conflicts_on_fqdn_and_ip(self):
        registered = [cce.ApplianceIdentity("MySite", "Myserver", "ms.contoso.com", "10.10.10.10", "guid-1")]
        check = cce.check_registration(self.MINE, registered)
        assert [c.field for c in check.conflicts] == ["Mediation Server FQDN", "Mediation Server IP Address"]
        assert "Myserver" in check.conflicts[0].describe() and "guid-1" in check.conflicts[0].describe()

    def test_same_name_elsewhere_conflicts(self):
        registered = [cce.ApplianceIdentity("Other", "myservernew", "ms2.contoso.com", "10.0.0.2")]
        assert [c.field for c in cce.check_registration(self.MINE, registered).conflicts] == ["ApplianceName"]

    def test_the_same_appliance_is_already_registered(self):
        registered = [cce.ApplianceIdentity("MySite", "MyserverNew", "MS.contoso.com", "10.10.10.10", "g")]
        check = cce.check_registration(self.MINE, registered)
        assert not check.conflicts and check.already_registered.identity == "g"


class TestIniAndExclusions:
    LINES = ["[Common]", "CountryCode=US", "City=Redmond", "", "[Parameters]", "X=1"]

    def test_state_line_added_after_country_code(self):
        fixed = cce.ini_with_state_line(self.LINES)
        assert fixed[:4] == ["[Common]", "CountryCode=US", "State=", "City=Redmond"]
        assert cce.ini_has_state_line(fixed) and not cce.ini_has_state_line(self.LINES)

    def test_an_empty_state_counts(self):
        lines = ["[Common]", "State="]
        assert cce.ini_has_state_line(lines) and cce.ini_with_state_line(lines) == lines

    def test_state_in_another_section_does_not_count(self):
        assert not cce.ini_has_state_line(["[Common]", "City=X", "[Other]", "State=WA"])

    def test_no_common_section(self):
        with pytest.raises(SfbError):
            cce.ini_with_state_line(["[Parameters]"])

    def test_antivirus_exclusions(self):
        wanted = cce.antivirus_exclusions(r"C:\CCE\ApplianceRoot", r"\\host\CceSite", hosts_site_root=False)
        assert wanted["processes"] == ["Microsoft.Rtc.CCE.ManagementService.exe"]
        assert r"C:\ProgramData\CloudConnector" in wanted["paths"] and cce.MODULE_FOLDER in wanted["paths"]
        assert cce.missing_entries(wanted["paths"], [p.lower() + "\\" for p in wanted["paths"][:2]]) == wanted["paths"][2:]

    def test_path_list(self):
        assert cce.path_list_contains(r"C:\A;C:\Program Files\WindowsPowerShell\Modules\;", cce.MODULES_ROOT)
        assert not cce.path_list_contains(r"C:\A", cce.MODULES_ROOT)
