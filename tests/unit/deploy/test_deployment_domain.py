# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Deployment Wizard's rules in domain/deployment.py, without any server."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.domain import deployment as dep
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError

NOW = datetime.datetime(2026, 1, 5, 2, 0, tzinfo=datetime.timezone.utc)
ROOTS = [{"Subject": "CN=Contoso Root CA", "Issuer": "CN=Contoso Root CA"}]
CAS = [{"Subject": "CN=Contoso Issuing CA", "Issuer": "CN=Contoso Root CA"}]


def cert(**overrides):
    base = {"Thumbprint": "AB12", "Subject": "CN=pool01.contoso.com", "Issuer": "CN=Contoso Issuing CA",
            "NotBefore": "2025-12-01T00:00:00.0000000Z", "NotAfter": "2027-12-01T00:00:00.0000000Z",
            "HasPrivateKey": True, "FriendlyName": "SfB",
            "DnsNameList": [{"Punycode": n, "Unicode": n} for n in
                            ("pool01.contoso.com", "fe01.contoso.com", "sip.contoso.com")],
            "EnhancedKeyUsageList": [{"FriendlyName": "Server Authentication", "ObjectId": "1.3.6.1.5.5.7.3.1"}],
            "PublicKey": {"Key": {"KeySize": 2048}}}
    base.update(overrides)
    return base


NAMES = dep.required_names("fe01.contoso.com", "pool01.contoso.com", ["contoso.com"], [])


class TestProducts:
    @pytest.mark.parametrize("name, version, key", [
        ("Skype for Business Server 2015", "6.0.9319.0", "2015"),
        ("Skype for Business Server 2019", "7.0.2046.0", "2019"),
        ("Skype for Business Server 2019", "7.0.2046.396", "2019"),
        ("Skype for Business Server Subscription Edition", "8.0.1", "SE"),
    ])
    def test_the_release_is_read_from_name_and_version(self, name, version, key):
        assert dep.product_of(name, version).key == key

    def test_an_unknown_release_is_refused(self):
        with pytest.raises(SfbError, match="Cannot tell"):
            dep.product_of("Lync Server 2013", "5.0.8308.0")

    def test_installed_core_components_are_found_among_other_programs(self):
        entries = [{"DisplayName": "Microsoft Visual C++ 2015 Redistributable", "DisplayVersion": "14.0"},
                   {"DisplayName": "Skype for Business Server 2015, Core Components", "DisplayVersion": "6.0.9319.272"},
                   {"DisplayName": None}]
        installed = dep.installed_from(entries)
        assert installed.core and installed.product.key == "2015" and installed.version == "6.0.9319.272"

    def test_nothing_installed(self):
        assert not dep.installed_from([{"DisplayName": "Windows Admin Center"}]).core

    def test_default_folders_differ_by_release(self):
        assert dep.candidate_install_paths(None)[:2] == [r"C:\Program Files\Skype for Business Server 2015",
                                                         r"C:\Program Files\Skype for Business Server 2019"]
        assert dep.candidate_install_paths("E:\\SfB\\") == [r"E:\SfB"]

    def test_found_install_path_reads_test_path_answers_in_order(self):
        assert dep.found_install_path(["C:\\a", "E:\\b"], [False, True]) == "E:\\b"
        assert dep.found_install_path(["C:\\a"], [False]) is None

    def test_drive_of_a_relative_path_is_an_error(self):
        assert dep.drive_of(r"e:\Program Files\SfB") == "E"
        with pytest.raises(SfbError):
            dep.drive_of(r"Program Files\SfB")


class TestPrerequisites:
    def facts(self, **overrides):
        base = dict(account="CONTOSO\\sfbadmin", local_admin=True, server_admin=True, firewall_status="Running",
                    install_path="E:\\SfB", drive_free_bytes=100 * 1024 ** 3, drive_exists=True,
                    pending_updates=[], in_topology=True, min_free_gb=32)
        base.update(overrides)
        return dep.PrerequisiteFacts(**base)

    def test_all_met_gives_an_empty_list(self):
        assert dep.prerequisite_findings(self.facts()) == []

    def test_every_missing_prerequisite_is_listed_with_its_fix(self):
        found = dep.prerequisite_findings(self.facts(
            local_admin=False, server_admin=False, firewall_status="Stopped",
            pending_updates=[{"kb": "KB5031234", "title": "CU"}], in_topology=False, drive_free_bytes=1024 ** 3))
        assert [f.check for f in found] == ["local_administrator", "rtc_universal_server_admins", "windows_firewall",
                                            "windows_update", "install_path", "topology"]
        assert all(f.fix for f in found)
        assert "KB5031234" in found[3].problem and "MpsSvc" in found[2].problem

    def test_unknown_ad_membership_is_reported_not_guessed(self):
        found = dep.prerequisite_findings(self.facts(server_admin=None))
        assert [f.check for f in found] == ["rtc_universal_server_admins"] and "RSAT-ADDS" in found[0].fix

    def test_missing_drive(self):
        assert [f.check for f in dep.prerequisite_findings(self.facts(drive_exists=False))] == ["install_path"]

    def test_local_admin_through_a_nested_domain_group(self):
        local = [{"Name": "CONTOSO\\Domain Admins", "ObjectClass": "Group", "PrincipalSource": "ActiveDirectory"},
                 {"Name": "FE01\\Administrator", "ObjectClass": "User", "PrincipalSource": "Local"}]
        assert dep.domain_groups_of(local) == ["Domain Admins"]
        assert not dep.is_local_admin("CONTOSO\\sfbadmin", local, {})
        assert dep.is_local_admin("CONTOSO\\sfbadmin", local, {"Domain Admins": [{"SamAccountName": "sfbadmin"}]})
        assert dep.is_local_admin("contoso\\Administrator", [{"Name": "CONTOSO\\administrator"}], {})


class TestComponents:
    def test_drift_lists_missing_and_extra_services(self):
        drift = dep.components_drift(["Mediation"], [{"Name": "RTCMEDSRV"}, {"Name": "RTCSRV"}])
        assert drift == {"missing": ["RTCCLSAGT", "RTCREPLICA"], "extra": ["RTCSRV"]}

    def test_front_end_needs_local_databases_mediation_does_not(self):
        assert dep.needs_local_databases(["FrontEnd", "Mediation"]) and not dep.needs_local_databases(["Edge"])

    def test_unmet_prerequisites_are_read_from_setup_output(self):
        out = "Checking...\nPrerequisite not satisfied: Windows Identity Foundation\nprerequisite NOT satisfied: .NET 4.8\n"
        assert dep.unmet_prerequisites(out) == ["Windows Identity Foundation", ".NET 4.8"]
        assert dep.unmet_prerequisites("All good") == []


class TestCertificates:
    def judge(self, certificate, names=tuple(NAMES), days=30):
        return dep.judge(certificate, "AB12", names, NOW, days, CAS, ROOTS)

    def test_a_good_certificate_is_valid(self):
        verdict = self.judge(cert())
        assert verdict.valid and verdict.problems == ()

    @pytest.mark.parametrize("overrides, problem", [
        ({"HasPrivateKey": False}, "missing_private_key"),
        ({"Issuer": "CN=Lab CA"}, "untrusted_root"),
        ({"NotAfter": "2025-12-31T00:00:00Z"}, "expired"),
        ({"NotAfter": "2026-01-20T00:00:00Z"}, "expiring"),
        ({"NotBefore": "2026-02-01T00:00:00Z"}, "not_yet_valid"),
        ({"DnsNameList": [{"Unicode": "fe01.contoso.com"}], "Subject": "CN=fe01.contoso.com"}, "names_not_covered"),
    ])
    def test_each_problem_is_named(self, overrides, problem):
        verdict = self.judge(cert(**overrides))
        assert verdict.problems == (problem,)
        assert dep.describe_problems(verdict)

    def test_names_missing_say_which(self):
        verdict = self.judge(cert(DnsNameList=["fe01.contoso.com"], Subject="CN=fe01.contoso.com"))
        assert verdict.names_missing == ("pool01.contoso.com", "sip.contoso.com")

    def test_wildcards_cover_one_label(self):
        assert dep.covers(["*.contoso.com"], "sip.contoso.com")
        assert not dep.covers(["*.contoso.com"], "a.b.contoso.com")

    def test_a_certificate_not_in_the_store(self):
        assert dep.judge(None, "FF", NAMES, NOW, 30, CAS, ROOTS).problems == ("not_in_store",)

    def test_root_trust_follows_intermediates(self):
        assert dep.chain_trusted({"Issuer": "CN=Contoso Issuing CA"}, CAS, ROOTS)
        assert not dep.chain_trusted({"Issuer": "CN=Contoso Issuing CA"}, [], ROOTS)

    def test_newest_valid_covering_certificate_is_chosen(self):
        old = cert(Thumbprint="OLD", NotAfter="2026-12-01T00:00:00Z")
        new = cert(Thumbprint="NEW")
        bad = cert(Thumbprint="BAD", HasPrivateKey=False, NotAfter="2030-01-01T00:00:00Z")
        assert dep.newest_covering([old, new, bad], NAMES, NOW, 30, CAS, ROOTS)["Thumbprint"] == "NEW"
        assert dep.newest_covering([bad], NAMES, NOW, 30, CAS, ROOTS) is None

    def test_reuse_needs_server_authentication_and_2048_bits_read_not_guessed(self):
        client = cert(Thumbprint="CLIENT", EnhancedKeyUsageList=[{"FriendlyName": "Client Authentication",
                                                                  "ObjectId": "1.3.6.1.5.5.7.3.2"}])
        short = cert(Thumbprint="SHORT", PublicKey={"Key": {"KeySize": 1024}})
        unread = cert(Thumbprint="UNREAD", PublicKey=None, EnhancedKeyUsageList=None)
        assert dep.newest_covering([client, short, unread], NAMES, NOW, 30, CAS, ROOTS) is None
        assert dep.reuse_problems(client) == ["no_server_authentication"]
        assert dep.reuse_problems(short) == ["key_too_small"]
        assert dep.reuse_problems(unread) == ["usage_unreadable", "key_size_unreadable"]
        # An assigned certificate is judged on what is known to be wrong.
        verdict = dep.judge(client, "CLIENT", NAMES, NOW, 30, CAS, ROOTS)
        assert verdict.problems == ("no_server_authentication",)
        assert dep.judge(unread, "UNREAD", NAMES, NOW, 30, CAS, ROOTS).valid

    def test_a_winrm_certificate_is_no_oauth_candidate(self):
        winrm = cert(Thumbprint="WINRM", Subject="CN=fe01.contoso.com")
        default = cert(Thumbprint="DEFAULT")
        oauth = cert(Thumbprint="OAUTH", Subject="CN=contoso.com")
        chosen = dep.oauth_candidates([winrm, default, oauth], ["DEFAULT"], ["contoso.com"])
        assert [c["Thumbprint"] for c in chosen] == ["DEFAULT", "OAUTH"]

    def test_certificate_types_follow_the_roles(self):
        assert dep.certificate_groups(["FrontEnd", "Mediation"]) == [("Default", "WebServicesInternal", "WebServicesExternal")]
        assert dep.certificate_groups(["Mediation"]) == [("Default",)]
        assert dep.certificate_groups(["Director"]) == [("Default", "WebServicesInternal", "WebServicesExternal")]
        assert dep.certificate_groups(["Edge"]) == [("Internal",),
                                                    ("AccessEdgeExternal", "DataEdgeExternal", "AudioVideoAuthentication")]

    @pytest.mark.parametrize("text", ["2027-12-01T00:00:00.1234567Z", "2027-12-01T00:00:00+00:00", "/Date(1827619200000)/"])
    def test_dates_as_the_runner_and_json_write_them(self, text):
        assert dep.parse_time(text).year == 2027

    def test_required_names_without_duplicates(self):
        assert dep.required_names("SE01.contoso.com", "se01.contoso.com", ["contoso.com"], ["SIP.contoso.com", "web.contoso.com"]) == \
            ["se01.contoso.com", "sip.contoso.com", "web.contoso.com"]


class TestFirstStart:
    @pytest.mark.parametrize("size, ready, skipped", [(3, 3, 0), (4, 3, 1), (8, 6, 2), (16, 12, 4)])
    def test_enough_servers_start_and_the_rest_are_skipped(self, size, ready, skipped):
        servers = [f"fe{i:02d}.contoso.com" for i in range(size)]
        skip, minimum = dep.start_check(servers, servers[:ready])
        assert len(skip) == skipped and minimum == ready

    def test_too_few_servers_for_the_85_percent_rule(self):
        servers = ["fe01", "fe02", "fe03"]
        with pytest.raises(SfbError, match="needs at least 3") as caught:
            dep.start_check(servers, ["fe01", "fe02"])
        assert caught.value.details["not_ready"] == ["fe03"]

    def test_not_running_lists_each_server(self):
        late = dep.not_running({"a": [{"Name": "RTCSRV", "Status": "Stopped"}, {"Name": "W3SVC", "Status": "Running"}],
                                "b": [{"Name": "RTCSRV", "Status": "Running"}], "c": []})
        assert late == {"a": ["RTCSRV"], "c": ["(no Skype for Business services installed)"]}


@pytest.mark.parametrize("value, problem", [
    ("", "it is empty"),
    ("ca01.contoso.com\\Contoso Issuing CA", ""),
    ("ca01.contoso.com", "no backslash"),
    ("ca01\\Contoso Issuing CA", "not a fully qualified domain name"),
    ("ca01.contoso.com\\", "not a CA name"),
    ("ca 01.contoso.com\\CA", "not a fully qualified domain name"),
])
def test_the_ca_is_checked_before_any_change(value, problem):
    found = dep.ca_problem(value)
    assert (found == "") if problem == "" else (problem in found)
