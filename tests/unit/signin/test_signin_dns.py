# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sip CNAME check: every outcome with an injected resolver, then through dnspython for real."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.controller import dns_lookup
from ansible_collections.sfb.server.plugins.plugin_utils.domain import signin
from ansible_collections.sfb.server.plugins.plugin_utils.domain.signin import Lookup
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument

RECORD = "sip.contoso.com. 3600 IN CNAME sipdir.online.microsoft.com."


def fixed(answer: Lookup):
    asked = []

    def resolve(name):
        asked.append(name)
        return answer

    resolve.asked = asked
    return resolve


class TestOneResolver:
    def test_correct_cname_passes_and_asks_for_the_sip_name(self):
        resolve = fixed(Lookup("cname", target="SIPDIR.online.microsoft.com."))
        check = signin.check_sip_cname("Contoso.com.", {"8.8.8.8": resolve})
        assert check.status == "pass"
        assert resolve.asked == ["sip.contoso.com"]
        assert check.action == ""

    def test_missing_cname_fails_with_the_record_to_create(self):
        check = signin.check_sip_cname("contoso.com", {"8.8.8.8": fixed(Lookup("no_answer"))})
        assert check.status == "fail"
        assert "no CNAME record" in check.reason
        assert RECORD in check.action
        assert "72 hours" in check.action

    def test_nxdomain_fails_with_the_record_to_create(self):
        check = signin.check_sip_cname("contoso.com", {"8.8.8.8": fixed(Lookup("nxdomain"))})
        assert check.status == "fail"
        assert "NXDOMAIN" in check.reason
        assert RECORD in check.action

    def test_wrong_target_fails_and_names_the_target_found(self):
        check = signin.check_sip_cname("contoso.com", {"8.8.8.8": fixed(Lookup("cname", target="pool.contoso.com"))})
        assert check.status == "fail"
        assert "pool.contoso.com (8.8.8.8)" in check.reason
        assert check.action == f"Change the record at the domain's DNS host to: {RECORD}"

    def test_timeout_is_not_checked(self):
        check = signin.check_sip_cname("contoso.com", {"8.8.8.8": fixed(Lookup("timeout", detail="timed out"))})
        assert check.status == "not_checked"
        assert "timed out" in check.reason

    def test_resolver_error_is_not_checked(self):
        check = signin.check_sip_cname("contoso.com", {"10.0.0.1": fixed(Lookup("error", detail="SERVFAIL"))})
        assert check.status == "not_checked"


class TestSeveralResolvers:
    def test_one_stale_resolver_fails_the_domain(self):
        check = signin.check_sip_cname("contoso.com", {
            "8.8.8.8": fixed(Lookup("cname", target=signin.SIP_TARGET)),
            "10.0.0.10": fixed(Lookup("nxdomain")),
        })
        assert check.status == "fail"
        assert "10.0.0.10" in check.reason and "8.8.8.8" not in check.reason
        assert check.details["answers"]["8.8.8.8"]["outcome"] == "cname"

    def test_a_proven_failure_wins_over_a_timeout(self):
        check = signin.check_sip_cname("contoso.com", {
            "a": fixed(Lookup("timeout")), "b": fixed(Lookup("cname", target="elsewhere.example"))})
        assert check.status == "fail"

    def test_a_timeout_beside_a_pass_leaves_the_domain_not_checked(self):
        check = signin.check_sip_cname("contoso.com", {
            "a": fixed(Lookup("timeout")), "b": fixed(Lookup("cname", target=signin.SIP_TARGET))})
        assert check.status == "not_checked"


@pytest.mark.parametrize("bad", ["", "contoso", "-bad.example", "a..b", "contoso.com/x", None])
def test_a_domain_that_is_not_one_is_refused(bad):
    with pytest.raises(InvalidArgument):
        signin.check_sip_cname(bad, {"x": fixed(Lookup("nxdomain"))})


class TestThroughDnspython:
    """The adapter against a real DNS server on 127.0.0.1 (no Internet needed)."""

    def check(self, server, domain, timeout=2.0):
        chosen = dns_lookup.resolvers(["127.0.0.1"], server.port, timeout)
        assert list(chosen) == [f"127.0.0.1:{server.port}"]
        return signin.check_sip_cname(domain, chosen)

    def test_correct(self, dns_server):
        assert self.check(dns_server, "good.example").status == "pass"

    def test_wrong_target(self, dns_server):
        check = self.check(dns_server, "wrong.example")
        assert check.status == "fail"
        assert "sip.old-lync.wrong.example" in check.reason

    def test_missing_cname_on_an_existing_name(self, dns_server):
        check = self.check(dns_server, "arecord.example")
        assert check.status == "fail"
        assert check.details["answers"][f"127.0.0.1:{dns_server.port}"]["outcome"] == "no_answer"

    def test_nxdomain(self, dns_server):
        check = self.check(dns_server, "absent.example")
        assert check.status == "fail"
        assert check.details["answers"][f"127.0.0.1:{dns_server.port}"]["outcome"] == "nxdomain"

    def test_timeout(self, dns_server):
        check = self.check(dns_server, "slow.example", timeout=0.3)
        assert check.status == "not_checked"
        assert check.details["answers"][f"127.0.0.1:{dns_server.port}"]["outcome"] == "timeout"

    def test_servfail(self, dns_server):
        check = self.check(dns_server, "broken.example")
        assert check.status == "not_checked"
        assert check.details["answers"][f"127.0.0.1:{dns_server.port}"]["outcome"] == "error"

    def test_a_resolver_named_by_host_name_is_refused(self):
        with pytest.raises(InvalidArgument, match="not an IP address"):
            dns_lookup.resolvers(["dns.google"], 53, 1.0)
