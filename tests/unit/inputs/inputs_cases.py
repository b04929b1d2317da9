# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bad-input table (issue #15): every module, playbook and twin CLI command, with what a new user
might type. Each case must be refused, with a message naming the option, without a traceback, and
with the twin world unchanged. A case's `option` is the text the message must contain.

Module cases run the action plugin in-process against one shared twin world (ALL_WORLD); playbook
cases are grouped into runs of ansible-playbook (one run reports every bad variable at once, as the
job_inputs play does); CLI cases run scripts/sfb-twin's main().
"""

from __future__ import annotations

from typing import NamedTuple

FE, FE2, SE = "fe01.contoso.com", "fe02.contoso.com", "se01.contoso.com"
CCE, TENANT = "cce-ams1.contoso.com", "tenant-admin.contoso.com"
DC, PC = "dc01.contoso.com", "pc01.contoso.com"
CA = r"ca01.contoso.com\Contoso Issuing CA"
CONTROLLER = "localhost"


# Modules and playbooks whose checks are being declared by their owners' rewrites in this session;
# emptied once the declarations are in (a skipped case is not a passed one: see the final report).
PENDING: set[str] = set()


class Case(NamedTuple):
    module: str
    host: str
    args: dict
    option: str
    why: str = ""


# Good arguments of each module: a bad case starts from them and changes one option.
BASE: dict[str, tuple[str, dict]] = {
    # SfB servers
    "server_info": (FE, {}),
    "service_info": (FE, {}),
    "firewall": (FE, {"roles": ["FrontEnd"]}),
    "port_check": (FE, {"peers": [{"fqdn": FE2, "roles": ["FrontEnd"]}]}),
    "client_media_ports": (FE, {"enabled": True}),
    "drain": (FE, {}),
    "failover": (FE, {}),
    "database_update": (FE, {}),
    "pool_health_info": (FE, {}),
    "reboot": (FE, {}),
    "windows_update": (FE, {}),
    "prerequisites_info": (FE, {}),
    "core_components": (FE, {}),
    "local_store": (FE, {}),
    "components": (FE, {}),
    "certificate": (FE, {"ca": CA}),
    "certificate_info": (FE, {}),
    "services_started": (FE, {}),
    "cumulative_update": (FE, {"path": "D:\\CU\\SkypeServerUpdateInstaller.exe", "version": "7.0.2046.530"}),
    "maintenance_timeline": (CONTROLLER, {"records": [], "dest": "{tmp}"}),
    "rolling_patch_turn": (CONTROLLER, {"path": "{tmp}"}),
    # Cloud Connector
    "cce_ca_reset": (CCE, {"state": "planned", "appliances": [CCE], "procedure_id": "INC-1"}),
    "cce_certificates": (CCE, {}),
    "cce_credential": (CCE, {}),
    "cce_health": (CCE, {}),
    "cce_info": (CCE, {}),
    "cce_preflight": (CCE, {}),
    "cce_registration": (CCE, {"site_name": "Amsterdam", "mediation_fqdn": "med.contoso.com",
                               "mediation_ip": "10.1.0.11", "registered_appliances": []}),
    "cce_tenant_info": (TENANT, {}),
    "cce_update_mode": (CCE, {"state": "entered"}),
    # Sign-in diagnostics
    "signin_dns_info": (CONTROLLER, {"domains": ["contoso.com"]}),
    "signin_report": (CONTROLLER, {"checks": [], "dest": "{tmp}"}),
    "sip_user_enabled": (DC, {}),
    "trust_model_data": (PC, {"domains": ["contoso.com"]}),
    "time_sync_info": (DC, {}),
    # Controller side
    "firewall_report": (CONTROLLER, {"pools": [{"fqdn": "pool01.contoso.com", "roles": ["FrontEnd"],
                                                "servers": [FE]}], "dest": "{tmp}"}),
    "twin_world": (CONTROLLER, {"path": "{world}", "src": "{estate}", "replace": True}),
    "twin_fault": (CONTROLLER, {"path": "{world}", "server": FE, "fault": "unreachable", "value": True}),
    "twin_info": (CONTROLLER, {"path": "{world}"}),
    "job_inputs": (CONTROLLER, {"hosts": "sfb", "matched": [FE]}),
}

# module -> [(changed options, option the message must name, why)]
BAD: dict[str, list[tuple[dict, str, str]]] = {
    "server_info": [],
    "service_info": [
        ({"name": [{"RTCSRV": 1}]}, "name", "a dict where a service name belongs"),
        ({"name": ["RTC SRV"]}, "name", "a service name with a space"),
        ({"name": [""]}, "name", "an empty service name"),
        ({"activity_level": "maybe"}, "activity_level", "not a boolean"),
    ],
    "firewall": [
        ({"roles": ["Frontend"]}, "roles", "a role in the wrong case"),
        ({"roles": []}, "roles", "no role"),
        ({"roles": ["FrontEnd", "FrontEnd"]}, "roles", "a role twice"),
        ({"roles": [["FrontEnd"]]}, "roles", "a nested list"),
        ({"state": "gone"}, "state", "not a choice"),
        ({"prune": "maybe"}, "prune", "not a boolean"),
        ({"central_management_store": ["yes"]}, "central_management_store", "a list for a boolean"),
    ],
    "port_check": [
        ({"peers": []}, "peers", "no peer"),
        ({"peers": [{"fqdn": "not a host", "roles": ["FrontEnd"]}]}, "peers[0].fqdn", "not a host name"),
        ({"peers": [{"fqdn": FE2}]}, "peers[0].roles", "a peer without roles"),
        ({"peers": [{"fqdn": FE2, "roles": ["Bogus"]}]}, "peers[0].roles[0]", "an unknown role"),
        ({"peers": [FE2]}, "peers", "a name where a dict belongs"),
        ({"peers": [{"roles": ["FrontEnd"]}]}, "peers[0].fqdn", "a peer without fqdn"),
        ({"fail_on_closed": "sometimes"}, "fail_on_closed", "not a boolean"),
        ({"peers": None}, "peers", "peers missing"),
    ],
    "client_media_ports": [
        ({"enabled": None}, "enabled", "enabled missing"),
        ({"port": 80}, "port", "below 1024"),
        ({"port": 70000}, "port", "above 65535"),
        ({"range": 5}, "range", "fewer than 20 ports"),
        ({"port": 65530, "range": 20}, "range", "a range past 65535"),
        ({"identity": ""}, "identity", "an empty identity"),
        ({"identity": ["Global"]}, "identity", "a list for the identity"),
        ({"identity": "Redmond"}, "identity", "a site without site:"),
        ({"identity": "service:Registrar:fe01.contoso.com"}, "identity", "a service that holds no conferencing settings"),
        ({"port": "high"}, "port", "not a number"),
    ],
    "drain": [
        ({"state": "empty"}, "state", "not a choice"),
        ({"timeout": -1}, "timeout", "a negative duration"),
        ({"poll_interval": 0}, "poll_interval", "a poll interval of 0"),
        ({"at_limit": "wait"}, "at_limit", "not a choice"),
        ({"startup_type": "Automatic"}, "startup_type", "not a maintenance startup type"),
        ({"services": [{"RTCSRV": 1}]}, "services", "a dict where a service name belongs"),
        ({"reason": ["patch"]}, "reason", "a list for the reason"),
    ],
    "failover": [
        ({"state": "down"}, "state", "not a choice"),
        ({"wait_time": -1}, "wait_time", "a negative duration"),
        ({"draining_timeout": -5}, "draining_timeout", "a negative duration"),
        ({"reason": {"why": "x"}}, "reason", "a dict for the reason"),
        ({"_host": SE}, "cannot be failed over", "a Standard Edition server (nothing to fail over to)"),
    ],
    "database_update": [
        ({"databases": "all"}, "databases", "not a choice"),
        ({"databases": "configured"}, "sql_server_fqdn", "configured without a SQL Server"),
        ({"databases": "configured", "sql_server_fqdn": "not a host"}, "sql_server_fqdn", "not a host name"),
        ({"databases": "configured", "sql_server_fqdn": "sql01"}, "sql_server_fqdn", "a short name"),
        ({"exclude_collocated_stores": "x"}, "exclude_collocated_stores", "not a boolean"),
    ],
    "pool_health_info": [
        ({"busy_retries": -1}, "busy_retries", "a negative count"),
        ({"busy_wait": -1}, "busy_wait", "a negative duration"),
        ({"readiness": "x"}, "readiness", "not a boolean"),
    ],
    "reboot": [
        ({"reason": ["x"]}, "reason", "a list for the reason"),
        ({"reboot_timeout": -1}, "reboot_timeout", "a negative duration"),
        ({"reboot_timeout": 0}, "reboot_timeout", "no time to come back"),
    ],
    "windows_update": [
        ({"reject": ["not a kb"]}, "reject", "not a KB number"),
        ({"categories": [{"a": 1}]}, "categories", "a dict for a category"),
        ({"timeout": -1}, "timeout", "a negative duration"),
        ({"reboot_timeout": -1}, "reboot_timeout", "a negative duration"),
        ({"reboot": "x"}, "reboot", "not a boolean"),
    ],
    "prerequisites_info": [
        ({"run_account": "\\sfbadmin"}, "run_account", "an account without a domain"),
        ({"install_path": "Program Files"}, "install_path", "a relative path"),
        ({"min_free_gb": -1}, "min_free_gb", "negative free space"),
        ({"update_categories": [["x"]]}, "update_categories", "a nested list"),
        ({"fail_on_missing": "x"}, "fail_on_missing", "not a boolean"),
    ],
    "core_components": [
        ({"setup_path": "Setup.exe"}, "setup_path", "a relative path"),
        ({"install_path": "Skype"}, "install_path", "a relative path"),
        ({"install_dir_argument": "/InstallDir:{bogus}"}, "install_dir_argument", "an unknown placeholder"),
        ({"install_dir_argument": "/InstallDir:{install_path"}, "install_dir_argument", "an unbalanced brace"),
        ({"reboot_timeout": -1}, "reboot_timeout", "a negative duration"),
    ],
    "local_store": [
        ({"source": "tape"}, "source", "not a choice"),
        ({"replica_fqdn": "fe02"}, "replica_fqdn", "a short name"),
        ({"source": "file", "configuration_file": "export.zip"}, "configuration_file", "a relative path"),
        ({"server_fqdn": "not a host"}, "server_fqdn", "not a host name"),
        ({"replication_timeout": -1}, "replication_timeout", "a negative duration (enabled the replica first)"),
        ({"poll_interval": -1}, "poll_interval", "a negative poll interval"),
    ],
    "components": [
        ({"install_path": "Skype"}, "install_path", "a relative path"),
        ({"max_restarts": -1}, "max_restarts", "a negative count"),
        ({"reboot_timeout": -1}, "reboot_timeout", "a negative duration"),
    ],
    "certificate": [
        ({"renew_before_days": -1}, "renew_before_days", "negative days"),
        ({"sip_domains": ["not a host"]}, "sip_domains", "not a SIP domain"),
        ({"ca": "ca01.contoso.com"}, "ca", "a CA without a backslash"),
        ({"ca": "ca01\\Contoso CA"}, "ca", "a CA server that is not an FQDN"),
        ({"ca_password": ["hunter2"]}, "ca_password", "a list for the password"),
        ({"ca_password": {"p": "hunter2"}}, "ca_password", "a dict for the password"),
        ({"key_size": 1000}, "key_size", "not a key size"),
        ({"uses": ["Bogus"]}, "uses", "not a certificate use"),
        ({"request": "paper"}, "request", "not a choice"),
        ({"ca": None}, "ca", "online without a CA"),
        ({"subject_alternative_names": ["not a host"]}, "subject_alternative_names", "not a host name"),
        ({"ca_account": "\\x"}, "ca_account", "not an account"),
        ({"request": "offline", "ca": None, "request_file": "req.txt"}, "request_file", "a relative path"),
    ],
    "certificate_info": [
        ({"sip_domains": ["not a host"]}, "sip_domains", "not a SIP domain"),
        ({"subject_alternative_names": ["a b"]}, "subject_alternative_names", "not a host name"),
        ({"renew_before_days": -1}, "renew_before_days", "negative days"),
    ],
    "services_started": [
        ({"ready_servers": ["fe01"]}, "ready_servers", "a short name (matched nothing)"),
        ({"ready_servers": ["not a host"]}, "ready_servers", "not a host name"),
        ({"timeout": -1}, "timeout", "a negative duration"),
        ({"poll_interval": -1}, "poll_interval", "a negative poll interval"),
    ],
    "cumulative_update": [
        ({"version": "latest"}, "version", "not a version"),
        ({"path": "D:\\CU\\setup.exe"}, "path", "not the update installer"),
        ({"path": None}, "path", "path missing"),
        ({"stop_web_server": "x"}, "stop_web_server", "not a boolean"),
    ],
    "rolling_patch_turn": [
        ({"path": None}, "path", "path missing"),
        ({"path": "/proc/sfb"}, "path", "a pseudo file system"),
        ({"state": "bogus"}, "state", "not a choice"),
        ({"state": "done"}, "server", "done without the server"),
        ({"timeout": 0}, "timeout", "no time to wait"),
        ({"poll_interval": 0}, "poll_interval", "a zero poll interval"),
    ],
    "maintenance_timeline": [
        ({"records": None}, "records", "records missing"),
        ({"records": ["x"]}, "records", "a string for a record"),
        ({"dest": "/proc/sfb"}, "dest", "a pseudo file system"),
        ({"name": "a/b"}, "name", "a path for the name"),
        ({"title": ""}, "title", "an empty title"),
    ],
    "cce_ca_reset": [
        ({"state": None}, "state", "state missing"),
        ({"state": "bogus"}, "state", "not a choice"),
        ({"procedure_id": None}, "procedure_id", "planned without a procedure id"),
        ({"procedure_id": "INC|1"}, "procedure_id", "a record separator in the id"),
        ({"appliances": ["not a host"]}, "appliances", "not a host name"),
        ({"appliances": [CCE, CCE]}, "appliances", "an appliance twice"),
        ({"appliances": []}, "appliances", "planned without appliances"),
        ({"state": "step", "step": {"action": "bogus", "key": "k"}}, "step", "an unknown step action"),
        ({"state": "step", "step": "reset_ca"}, "step", "a string for the step"),
        ({"export_path": "CceRoot.cer"}, "export_path", "a relative path"),
    ],
    "cce_certificates": [
        ({"threshold_days": -1}, "threshold_days", "negative days"),
        ({"state": "expired"}, "state", "not a choice"),
        ({"certificates": ["x"]}, "certificates", "a string for a certificate report"),
    ],
    "cce_credential": [
        ({"account_types": ["Bogus"]}, "account_types", "not an account type"),
        ({"expected_usernames": {"Bogus": "x"}}, "expected_usernames", "not an account type"),
        ({"expected_usernames": {"VmAdmin": "\\x"}}, "expected_usernames", "not an account"),
        ({"host_user": ""}, "host_user", "an empty user"),
        ({"reboot_timeout": 0}, "reboot_timeout", "no time to come back"),
        ({"state": "fixed"}, "state", "not a choice"),
    ],
    "cce_health": [
        ({"scope": "site"}, "scope", "not a choice"),
        ({"scope": "vm"}, "vm_role", "vm without vm_role"),
        ({"scope": "vm", "vm_role": "CMS", "version": "latest"}, "version", "not a version"),
        ({"wait": -1}, "wait", "a negative duration"),
        ({"schedule_scale": 0}, "schedule_scale", "a zero factor"),
        ({"vm_name_prefixes": {"Bogus": "x"}}, "vm_name_prefixes", "not a VM role"),
        ({"vm_name_prefixes": {}}, "vm_name_prefixes", "no prefix (searched as None)"),
        ({"corpnet_switch": ""}, "corpnet_switch", "an empty switch name"),
    ],
    "cce_info": [],
    "cce_preflight": [
        ({"module_analysis_cache": "cache"}, "module_analysis_cache", "a relative path"),
        ({"dotnet": "x"}, "dotnet", "not a boolean"),
        ({"ini_state_value": ["x"]}, "ini_state_value", "a list for a value"),
    ],
    "cce_registration": [
        ({"mediation_ip": "999.1.1.1"}, "mediation_ip", "not an IP address (Register-CcAppliance ran)"),
        ({"mediation_fqdn": "not a host"}, "mediation_fqdn", "not a host name"),
        ({"site_name": ""}, "site_name", "an empty site"),
        ({"site_name": None}, "site_name", "site missing"),
        ({"registered_appliances": ["x"]}, "registered_appliances", "a string for an appliance"),
        ({"registered_appliances": [{"name": "A"}]}, "registered_appliances[0]", "an appliance without its fields"),
        ({"appliance_name": "cce ams1"}, "appliance_name", "a name with a space"),
    ],
    "cce_tenant_info": [],
    "cce_update_mode": [
        ({"state": None}, "state", "state missing"),
        ({"state": "open"}, "state", "not a choice"),
        ({"force": "x"}, "force", "not a boolean"),
    ],
    "signin_dns_info": [
        ({"domains": None}, "domains", "domains missing"),
        ({"domains": []}, "domains", "no domain"),
        ({"domains": ["not a host"]}, "domains", "not a domain"),
        ({"resolvers": ["not a host!"]}, "resolvers", "not a resolver"),
        ({"resolvers": ["dns01.contoso.com"]}, "resolvers", "a resolver by name (queried by address)"),
        ({"port": 0}, "port", "port 0"),
        ({"timeout": 0}, "timeout", "no time to answer"),
        ({"expected_target": "x y"}, "expected_target", "not a host name"),
    ],
    "signin_report": [
        ({"checks": None}, "checks", "checks missing"),
        ({"dest": "/proc/sfb"}, "dest", "a pseudo file system"),
        ({"dest": "{tmp}/missing"}, "dest", "a folder that does not exist"),
        ({"name": "../report"}, "name", "a path for the name"),
        ({"guidance_skip": [""]}, "guidance_skip", "an empty name"),
        ({"guidance_skip": ["licence", "bogus"]}, "guidance_skip", "an unknown guidance item"),
        ({"name": "r" * 300}, "name", "a name the file system refuses (was a traceback)"),
        ({"scope": "all"}, "scope", "a string for the scope"),
    ],
    "sip_user_enabled": [
        ({"search_base": "not a DN"}, "search_base", "not a distinguished name (a false pass)"),
        ({"search_base": "OU=Users,"}, "search_base", "a trailing comma"),
        ({"server": "not a host!"}, "server", "not a host name"),
        ({"users": [""]}, "users", "an empty user"),
        ({"enable": "x"}, "enable", "not a boolean"),
    ],
    "trust_model_data": [
        ({"domains": ["not a host"]}, "domains", "not a domain"),
        ({"domains": []}, "domains", "no domain"),
        ({"key": "Software\\Policies"}, "key", "not a registry key"),
    ],
    "time_sync_info": [
        ({"samples": 0}, "samples", "no sample"),
        ({"samples": 11}, "samples", "too many samples"),
        ({"max_skew": 0}, "max_skew", "a zero skew"),
        ({"reference": "not a host!"}, "reference", "not a time server"),
    ],
    "firewall_report": [
        ({"servers": [{"fqdn": FE, "pool": "pool01.contoso.com", "roles": ["FrontEnd"]}]}, "pools", "pools and servers"),
        ({"pools": None}, "pools", "neither pools nor servers"),
        ({"dest": "/proc/sfb"}, "dest", "a pseudo file system (was a traceback)"),
        ({"dest": "/etc/hostname/x"}, "dest", "a file in the way"),
        ({"name": "a/b"}, "name", "a path for the name"),
        ({"name": "x" * 300}, "name", "a name the file system refuses (was a traceback)"),
        ({"dest": "{tmp}/" + "d" * 300}, "dest", "a folder name the file system refuses"),
        ({"pools": []}, "pools", "no pool"),
        ({"formats": ["pdf"]}, "formats", "not a format"),
        ({"pools": [{"fqdn": "not a host", "roles": ["FrontEnd"], "servers": [FE]}]}, "pools[0].fqdn", "not a host name"),
        ({"pools": [{"fqdn": "pool01.contoso.com", "roles": ["Bogus"], "servers": [FE]}]}, "pools[0].roles[0]", "an unknown role"),
        ({"pools": [{"fqdn": "pool01.contoso.com", "roles": ["FrontEnd"], "servers": []}]}, "pools[0].servers", "no server"),
        ({"pools": [{"fqdn": "pool01.contoso.com", "roles": ["FrontEnd"], "servers": [FE], "load_balancing": "f5"}]},
         "pools[0].load_balancing", "not a load-balancing type"),
        ({"office_web_apps": ["not a host"]}, "office_web_apps", "not a host name"),
        ({"pools": None, "servers": [{"fqdn": FE, "roles": ["FrontEnd"]}]}, "servers[0].pool", "a server without pool"),
    ],
    "twin_world": [
        ({"path": None}, "path", "path missing"),
        ({"state": "gone"}, "state", "not a choice"),
        ({"src": "{tmp}/missing.yml"}, "src", "a description that does not exist"),
        ({"description": {"sites": []}}, "src", "src and description"),
        ({"src": None, "description": "sites"}, "description", "a string for the description"),
        ({"path": "/proc/sfb/world.db"}, "path", "a world under /proc"),
        ({"path": "{tmp}/" + "w" * 300 + "/world.db"}, "path", "a folder name the file system refuses"),
    ],
    "twin_fault": [
        ({"server": None}, "server", "server missing"),
        ({"fault": "no such fault"}, "fault", "a fault name with spaces"),
        ({"value": None}, "value", "present without a value"),
        ({"state": "on"}, "state", "not a choice"),
        ({"server": "not a host"}, "server", "not a host name"),
        ({"fault": "bogus_fault"}, "bogus_fault", "an unknown fault"),
        ({"path": "{tmp}/" + "w" * 300}, "path", "a name the file system refuses (was a traceback)"),
    ],
    "twin_info": [
        ({"events_since": -1}, "events_since", "a negative event id"),
        ({"event_kinds": [""]}, "event_kinds", "an empty kind"),
        ({"path": "{tmp}/missing.db"}, "missing.db", "no world there"),
        ({"path": "{tmp}/" + "w" * 300}, "path", "a name the file system refuses (was a traceback)"),
        ({"path": ""}, "path", "an empty path"),
    ],
    "job_inputs": [
        ({"matched": None}, "matched", "matched missing"),
        ({"hosts": None}, "hosts", "hosts missing"),
        ({"matched": []}, "hosts", "a pattern that matches nothing"),
        ({"checks": {"x": "fqnd"}}, "checks.x", "an unknown check"),
        ({"roles": ["nope"]}, "roles", "not a role"),
        ({"required_if": [["a"]]}, "required_if[0]", "not [variable, value, [variables]]"),
        ({"roles": ["deploy"], "checks": {"deploy_ca": "optional ca_name"}, "_hostvars": {"deploy_ca": "ca01"}},
         "deploy_ca", "a bad variable on a host"),
        ({"roles": ["cce_patch"], "_hostvars": {}}, "cce_site", "an appliance without cce_site"),
    ],
}

# Every module gets one more case: an option it does not have (a typo).
TYPO = ({"bogus_option": 1}, "bogus_option", "an unknown option")


def module_cases() -> list[Case]:
    cases = []
    for module, (host, base) in BASE.items():
        for changes, option, why in BAD[module] + [TYPO]:
            args = dict(base)
            args.update(changes)
            on = args.pop("_host", host)
            cases.append(Case(module, on, {k: v for k, v in args.items() if v is not None}, option, why))
    return cases


class PlaybookRun(NamedTuple):
    """One ansible-playbook run and the options its failure message must name (one case each)."""

    name: str
    playbook: str
    inventory: str  # "estate", "cce", "signin", "noworld", "cce_no_site"
    extra_vars: dict
    options: tuple[str, ...]


NOTHING = {"sfb_hosts": "nothing_matches"}

PLAYBOOK_RUNS = [
    PlaybookRun("report: empty pattern", "report.yml", "estate", NOTHING, ("hosts",)),
    PlaybookRun("report: a twin inventory without sfb_twin_world", "report.yml", "noworld", {}, ("sfb_twin_world",)),
    PlaybookRun("firewall: empty pattern and bad variables", "firewall.yml", "estate",
                {**NOTHING, "firewall_roles": ["Frontend", ["FrontEnd"]], "firewall_state": "gone",
                 "firewall_prune": "maybe", "firewall_check_fail_on_closed": "sometimes",
                 "firewall_ipsec_exemptions": ["x"], "firewall_central_management_store": "perhaps"},
                ("hosts", "firewall_roles", "firewall_state", "firewall_prune", "firewall_check_fail_on_closed",
                 "firewall_ipsec_exemptions", "firewall_central_management_store")),
    PlaybookRun("firewall_report: empty pattern and bad variables", "firewall_report.yml", "estate",
                {**NOTHING, "firewall_report_dest": "/proc/sfb", "firewall_report_name": "a/b",
                 "firewall_report_formats": ["pdf"], "firewall_report_office_web_apps": ["not a host"]},
                ("hosts", "firewall_report_dest", "firewall_report_name", "firewall_report_formats",
                 "firewall_report_office_web_apps")),
    PlaybookRun("firewall_report: bad pools", "firewall_report.yml", "estate",
                {"firewall_report_pools": [{"fqdn": "pool01.contoso.com", "roles": ["Bogus"], "servers": [FE]}]},
                ("firewall_report_pools",)),
    PlaybookRun("signin_diagnostics: bad variables", "signin_diagnostics.yml", "signin",
                {"signin_diagnostics_sip_domains": ["not a host"], "signin_diagnostics_ad_search_base": "not a DN",
                 "signin_diagnostics_report_dir": "/proc/sfb", "signin_diagnostics_time_samples": 0,
                 "signin_diagnostics_dns_port": 0, "signin_diagnostics_dns_timeout": 0,
                 "signin_diagnostics_max_skew": -1, "signin_diagnostics_time_reference": "not a host!",
                 "signin_diagnostics_trust_domains": ["x y"], "signin_diagnostics_report_name": "../r",
                 "signin_diagnostics_ad_server": "a b", "signin_diagnostics_dns_resolvers": ["a b"],
                 "signin_diagnostics_fix_trust_model_data": "maybe", "signin_diagnostics_enable_sip_users": "maybe"},
                ("signin_diagnostics_sip_domains", "signin_diagnostics_ad_search_base", "signin_diagnostics_report_dir",
                 "signin_diagnostics_time_samples", "signin_diagnostics_dns_port", "signin_diagnostics_dns_timeout",
                 "signin_diagnostics_max_skew", "signin_diagnostics_time_reference", "signin_diagnostics_trust_domains",
                 "signin_diagnostics_report_name", "signin_diagnostics_ad_server", "signin_diagnostics_dns_resolvers",
                 "signin_diagnostics_fix_trust_model_data", "signin_diagnostics_enable_sip_users")),
    PlaybookRun("signin_diagnostics: no SIP domain and no host", "signin_diagnostics.yml", "estate",
                {}, ("signin_diagnostics_sip_domains", "hosts")),
    PlaybookRun("cce_certificates: empty pattern and bad variables", "cce_certificates.yml", "cce",
                {"cce_certificates_hosts": "nothing_matches", "cce_certificates_flow": "rotate",
                 "cce_certificates_threshold_days": -1, "cce_certificates_schedule_scale": 0,
                 "cce_certificates_health_window": -5, "cce_certificates_export_path": "root.cer"},
                ("hosts", "cce_certificates_flow", "cce_certificates_threshold_days",
                 "cce_certificates_schedule_scale", "cce_certificates_health_window",
                 "cce_certificates_export_path")),
    PlaybookRun("cce_certificates: a CA reset without its id", "cce_certificates.yml", "cce",
                {"cce_certificates_flow": "ca_reset", "cce_certificates_procedure_id": ""},
                ("cce_certificates_procedure_id",)),
    PlaybookRun("cce_certificates: an appliance without cce_site or cce_vms", "cce_certificates.yml", "cce_no_site",
                {}, ("cce_site", "cce_vms")),
    PlaybookRun("cce_patch: an appliance without cce_site, bad variables", "cce_patch.yml", "cce_no_site",
                {"cce_patch_reject": ["not a kb"], "cce_patch_update_timeout": -1, "cce_patch_schedule_scale": 0,
                 "cce_patch_reboot_timeout": -1, "cce_patch_health_window": -1},
                ("cce_site", "cce_patch_reject", "cce_patch_update_timeout", "cce_patch_schedule_scale",
                 "cce_patch_reboot_timeout", "cce_patch_health_window")),
    PlaybookRun("cce_patch: empty pattern", "cce_patch.yml", "cce", {"cce_patch_hosts": "nothing_matches"}, ("hosts",)),
    PlaybookRun("patch_pool: empty pattern and bad variables", "patch_pool.yml", "estate",
                {"rolling_patch_hosts": "", "rolling_patch_reject": ["not a kb"], "rolling_patch_drain_timeout": -1,
                 "rolling_patch_poll_interval": 0, "rolling_patch_drain_at_limit": "wait",
                 "rolling_patch_startup_type": "Automatic", "rolling_patch_update_timeout": -1,
                 "rolling_patch_reboot_timeout": -1, "rolling_patch_busy_retries": -1, "rolling_patch_failover_wait": -1,
                 "rolling_patch_pools_at_once": 0, "rolling_patch_cu_version": "latest",
                 "rolling_patch_back_end_sql": "not a host", "rolling_patch_categories": [{"a": 1}],
                 "rolling_patch_backup_pools": ["x"]},
                ("hosts", "rolling_patch_reject", "rolling_patch_drain_timeout", "rolling_patch_poll_interval",
                 "rolling_patch_drain_at_limit", "rolling_patch_startup_type", "rolling_patch_update_timeout",
                 "rolling_patch_reboot_timeout", "rolling_patch_busy_retries", "rolling_patch_failover_wait",
                 "rolling_patch_pools_at_once", "rolling_patch_cu_version", "rolling_patch_back_end_sql",
                 "rolling_patch_categories", "rolling_patch_backup_pools")),
    PlaybookRun("deploy: empty pattern and bad variables", "deploy.yml", "estate",
                {"deploy_hosts": "nothing_matches", "deploy_ca": "ca01.contoso.com",
                 "deploy_sip_domains": ["not a host"], "deploy_renew_before_days": -1,
                 "deploy_ca_password": ["hunter2"], "deploy_certificate_key_size": 1000,
                 "deploy_local_store_source": "tape", "deploy_setup_path": "Setup.exe",
                 "deploy_update_reject": ["not a kb"], "deploy_start_timeout": -1,
                 "deploy_min_free_gb": -1, "deploy_run_account": "\\x",
                 "deploy_subject_alternative_names": ["a b"]},
                ("hosts", "deploy_ca", "deploy_sip_domains", "deploy_renew_before_days", "deploy_ca_password",
                 "deploy_certificate_key_size", "deploy_local_store_source", "deploy_setup_path",
                 "deploy_update_reject", "deploy_start_timeout", "deploy_min_free_gb", "deploy_run_account",
                 "deploy_subject_alternative_names")),
    PlaybookRun("deploy: an online request without a CA (was steps 1-2 first)", "deploy.yml", "estate",
                {"deploy_ca": ""}, ("deploy_ca",)),
]

# Secrets that must appear in no output.
SECRETS = ("hunter2",)


class CliCase(NamedTuple):
    argv: tuple[str, ...]
    option: str
    why: str


CLI_CASES = [
    CliCase(("fault", FE, "service_fails_to_start", "[RTCSRV", "--world", "{world}"), "VALUE", "not YAML (was a traceback)"),
    CliCase(("fault", FE, "service_fails_to_start", "{a:", "--world", "{world}"), "VALUE", "not YAML"),
    CliCase(("fault", FE, "bogus_fault", "true", "--world", "{world}"), "bogus_fault", "an unknown fault"),
    CliCase(("fault", "nohost.contoso.com", "unreachable", "true", "--world", "{world}"), "nohost.contoso.com", "an unknown server"),
    CliCase(("fault", FE, "service_fails_to_start", "true", "--world", "{world}"), "service_fails_to_start", "a wrong value"),
    CliCase(("fault", FE, "--world", "{world}"), "fault", "the fault missing"),
    CliCase(("create", "{tmp}/missing.yml", "--world", "{tmp}/new.db"), "missing.yml", "no description file"),
    CliCase(("create", "/etc/hostname", "--world", "{tmp}/new.db"), "description", "not a description"),
    CliCase(("create", "{estate}", "--world", "{world}"), "already exists", "a world without --replace"),
    CliCase(("create", "{estate}", "--world", "/proc/sfb/new.db"), "/proc/sfb/new.db", "a world under /proc"),
    CliCase(("show", "--world", "{tmp}/missing.db"), "missing.db", "no world there"),
    CliCase(("show", "--world", "/etc/hostname"), "/etc/hostname", "not a world"),
    CliCase(("show",), "--world", "no world given"),
    CliCase(("events", "--world", "{world}", "--since", "-5"), "--since", "a negative event id"),
    CliCase(("events", "--world", "{world}", "--since", "soon"), "--since", "not a number"),
    CliCase(("bogus", "--world", "{world}"), "bogus", "an unknown command"),
    CliCase((), "command", "no command"),
]
