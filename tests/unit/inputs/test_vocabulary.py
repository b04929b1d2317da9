# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The validation vocabulary (plugin_utils/domain/inputs.py): what each check accepts and refuses."""

from __future__ import annotations

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.domain import inputs

GOOD = [
    (inputs.fqdn, "fe01.contoso.com"), (inputs.fqdn, "sql-01.corp.contoso.com."),
    (inputs.host_name, "fe01"), (inputs.host_name, "fe01.contoso.com"), (inputs.short_name, "fe01"),
    (inputs.sip_domain, "contoso.com"), (inputs.domain, "corp.contoso.com"),
    (inputs.ca_name, r"ca01.contoso.com\Contoso Issuing CA"),
    (inputs.ipv4, "10.0.0.1"), (inputs.ipv6, "fd00::10"), (inputs.ip_address, "192.168.1.254"),
    (inputs.host_or_address, "dc01"), (inputs.host_or_address, "fd00::1"),
    (inputs.port, 1), (inputs.port, 65535), (inputs.port_range, "50000-59999"), (inputs.port_range, 5061),
    (inputs.distinguished_name, "OU=Users,DC=contoso,DC=com"),
    (inputs.distinguished_name, r"CN=Smith\, John,OU=Sales,DC=contoso,DC=com"),
    (inputs.distinguished_name, 'CN="Smith, John",DC=contoso,DC=com'),
    (inputs.kb, "KB5005112"), (inputs.kb, "5005112"), (inputs.kb, 5005112),
    (inputs.duration, 0), (inputs.duration, 1.5), (inputs.positive_duration, 1), (inputs.days, 0),
    (inputs.count, 1), (inputs.non_negative_count, 0),
    (inputs.version, "2.1.0"), (inputs.version, "7.0.2046.0"),
    (inputs.windows_path, r"D:\Setup\amd64\Setup.exe"), (inputs.windows_path, r"\\fs01\share\cfg.zip"),
    (inputs.windows_account, r"CONTOSO\sfbadmin"), (inputs.windows_account, "sfbadmin@contoso.com"),
    (inputs.windows_account, "Administrator"),
    (inputs.sip_address, "sip:alice@contoso.com"), (inputs.secret, "p@ss"),
    (inputs.format_template("install_path"), '/InstallDir:"{install_path}"'),
    (inputs.file_name, "report-1"), (inputs.each(inputs.fqdn), []),
    (inputs.empty_or(inputs.ca_name), ""),
]

BAD = [
    (inputs.fqdn, "not a host", "fully qualified"), (inputs.fqdn, "fe01", "short host name"),
    (inputs.fqdn, "10.0.0.1", "IP address"), (inputs.fqdn, "fe_01.contoso.com", "fully qualified"),
    (inputs.fqdn, "-fe.contoso.com", "fully qualified"), (inputs.fqdn, "a" * 64 + ".com", "fully qualified"),
    (inputs.fqdn, ["fe01.contoso.com"], "fully qualified"), (inputs.short_name, "fe01.contoso.com", "short"),
    (inputs.sip_domain, "not a host", "SIP domain"), (inputs.sip_domain, "contoso", "SIP domain"),
    (inputs.ca_name, "ca01.contoso.com", "<CA server FQDN>"), (inputs.ca_name, r"ca01\Contoso CA", "CA server's FQDN"),
    (inputs.ca_name, "ca01.contoso.com\\", "<CA server FQDN>"), (inputs.ca_name, r"a.b.com\x\y", "<CA server FQDN>"),
    (inputs.ipv4, "999.1.1.1", "IPv4"), (inputs.ipv4, "10.0.0", "IPv4"), (inputs.ipv4, "fd00::1", "IPv4"),
    (inputs.ipv6, "10.0.0.1", "IPv6"), (inputs.ip_address, "host", "IPv4 or IPv6"),
    (inputs.port, 0, "port"), (inputs.port, 65536, "port"), (inputs.port, True, "port"), (inputs.port, "80", "port"),
    (inputs.port_range, "60000-50000", "range"), (inputs.port_range, "1-70000", "range"), (inputs.port_range, "a-b", "range"),
    (inputs.distinguished_name, "not a DN", "distinguished name"), (inputs.distinguished_name, "OU=,DC=x", "distinguished"),
    (inputs.distinguished_name, "OU=Users,", "distinguished"), (inputs.distinguished_name, "CN=x\\", "distinguished"),
    (inputs.kb, "KB", "KB number"), (inputs.kb, "Q123456", "KB number"),
    (inputs.duration, -1, "0 or more"), (inputs.duration, True, "number"), (inputs.duration, "10", "number"),
    (inputs.positive_duration, 0, "greater than 0"), (inputs.days, -1, "0 or more"),
    (inputs.count, 0, "1 or more"), (inputs.count, 1.5, "whole number"), (inputs.non_negative_count, -1, "0 or more"),
    (inputs.version, "latest", "version"), (inputs.version, "2", "version"),
    (inputs.windows_path, "Setup.exe", "absolute Windows path"), (inputs.windows_path, "/mnt/setup", "absolute"),
    (inputs.windows_path, r"D:\a|b", "absolute"), (inputs.windows_account, r"\user", "account"),
    (inputs.windows_account, "user@", "account"), (inputs.sip_address, "alice", "SIP address"),
    (inputs.format_template("install_path"), "/InstallDir:{bogus}", "{bogus}"),
    (inputs.format_template("install_path"), "/InstallDir:{install_path", "unbalanced"),
    (inputs.writable_folder, "/proc/sfb", "pseudo file system"), (inputs.writable_folder, "/etc/hostname/x", "is a file"),
    (inputs.file_name, "../x", "base name"), (inputs.each(inputs.fqdn), "fe01.contoso.com", "a list"),
    (inputs.nonempty_list(inputs.each(inputs.fqdn)), [], "at least one"),
    (inputs.unique(inputs.each(inputs.fqdn)), ["a.b.com", "A.b.com"], "twice"),
    (inputs.fields({"fqdn": inputs.fqdn}, required=["fqdn"]), {}, "required"),
    (inputs.fields({"fqdn": inputs.fqdn}), {"fqdn": "a.b.com", "port": 1}, "known key"),
    (inputs.choice("a", "b"), "c", "one of a, b"),
]


@pytest.mark.parametrize("check,value", GOOD)
def test_accepts(check, value):
    check(value, "opt")


@pytest.mark.parametrize("check,value,expected", BAD)
def test_refuses_naming_option_value_and_expectation(check, value, expected):
    with pytest.raises(inputs.InputError) as caught:
        check(value, "opt")
    message = str(caught.value)
    assert message.startswith("opt")
    assert expected in message
    if isinstance(value, str) and value:
        assert repr(value)[:40] in message


def test_a_secret_is_never_repeated():
    for value in ("", ["hunter2"], {"p": "hunter2"}):
        with pytest.raises(inputs.InputError) as caught:
            inputs.secret(value, "ca_password")
        assert "hunter2" not in str(caught.value) and "ca_password" in str(caught.value)
    errors = inputs.check_errors({"ca_password": inputs.fqdn}, {"ca_password": "hunter2"}, secrets=["ca_password"])
    assert errors and "hunter2" not in str(errors[0])


def test_shapes_refuse_a_list_or_dict_for_a_string_option():
    spec = {"ca_password": {"type": "str", "no_log": True}, "names": {"type": "list", "elements": "str"},
            "peers": {"type": "list", "elements": "dict"}, "n": {"type": "int"}}
    errors = inputs.shape_errors(spec, {"ca_password": ["hunter2"], "names": [{"a": 1}], "peers": ["x"], "n": {"a": 1}})
    assert [e.option for e in errors] == ["ca_password", "names[0]", "peers[0]", "n"]
    assert "hunter2" not in " ".join(map(str, errors))
    assert inputs.shape_errors(spec, {"ca_password": "x", "names": ["a"], "peers": [{}], "n": 3}) == []


def test_a_writable_folder_may_be_created_in_a_writable_parent(tmp_path):
    assert inputs.writable_folder(str(tmp_path / "new" / "deeper"), "dest")
    with pytest.raises(inputs.InputError):
        inputs.existing_writable_folder(str(tmp_path / "new"), "dest")


@pytest.mark.parametrize("expression,good,bad", [
    ("fqdn", "a.b.com", "a"), ("optional ca_name", "", "x"), ("list of sip_domain", ["a.com"], ["a b"]),
    ("nonempty list of fqdn", ["a.b.com"], []), ("one of renew, ca_reset", "renew", "other"),
    ("int >= 1", 1, 0), ("number >= 0", 0.5, -0.5), ("int >= 0", 0, 1.5),
])
def test_named_checks(expression, good, bad):
    check = inputs.named(expression)
    check(good, "v")
    with pytest.raises(inputs.InputError):
        check(bad, "v")


def test_an_unknown_named_check_says_which_exist():
    with pytest.raises(KeyError, match="fqdn"):
        inputs.named("fqnd")


def test_refusal_lists_every_error():
    errors = [inputs.InputError("a", 1, "x"), inputs.InputError("b", 2, "y")]
    assert inputs.refusal(errors) == "Invalid input, nothing was changed: a: 1 is not x; b: 2 is not y."
