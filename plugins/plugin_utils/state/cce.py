# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the cce_* action plugins read from a Cloud Connector appliance host, in few round trips.

The installed version decides which cmdlets exist (Get-CcVersion from 2.0, Get-CcApplianceStatus
from 2.1, Renew-* before 2.0 and Update-* after), so the first read tries the 2.0 cmdlets and
falls back to Get-CcRunningVersion when PowerShell does not know Get-CcVersion.

The collection keeps its own small state on the host in the registry key STATE_KEY: whether it put
the appliance in update mode, and how far a CA-reset procedure got. A rerun reads it first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ansible_collections.sfb.server.plugins.plugin_utils.domain import cce as model
from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import CmdletCall, Plan

STATE_KEY = r"HKLM:\SOFTWARE\sfb.server\CloudConnector"
UPDATE_MODE_VALUE = "UpdateMode"
CA_RESET_DONE_VALUE = "CaResetDone"
# Strings come back as themselves whatever is selected; a name is needed for the runner to keep them.
TEXT = ("Value",)


@dataclass
class ApplianceFacts:
    script_version: str | None
    running_version: str | None
    backup_version: str | None
    version: tuple[int, ...] | None
    site_directory: str | None
    appliance_directory: str | None
    appliance_status: list = field(default_factory=list)
    state: dict | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def update_mode(self) -> bool:
        return str((self.state or {}).get(UPDATE_MODE_VALUE, "0")) == "1"

    @property
    def ha_supported(self) -> bool:
        # Seed 001: after Switch-CcVersion to an older version "there will be no High Availability
        # support for this old version" until the running and script versions are the same again.
        if self.script_version is None or self.running_version is None:
            return True
        return model.parse_version(self.script_version) == model.parse_version(self.running_version)

    def to_result(self) -> dict:
        return {
            "script_version": self.script_version,
            "running_version": self.running_version,
            "backup_version": self.backup_version or None,
            "version": model.version_text(self.version),
            "site_directory": self.site_directory,
            "appliance_directory": self.appliance_directory,
            "appliance_status": self.appliance_status,
            "update_mode": self.update_mode,
            "ha_supported": self.ha_supported,
            "certificate_cmdlets": _certificate_cmdlets(self.version),
        }


def _certificate_cmdlets(version) -> dict | None:
    try:
        chosen = model.certificate_cmdlets(version) if version else None
    except SfbError:
        return None
    return {"server": chosen.server, "ca": chosen.ca} if chosen else None


def _text(result, index: int) -> str | None:
    values = [v for v in result.output(index) if v not in (None, "")]
    if not values:
        return None
    value = values[0]
    return str(value.get("Value") if isinstance(value, dict) else value)


def not_recognized(result) -> bool:
    failed = result.failed()
    return failed is not None and "CommandNotFound" in (failed.error.error_id or "")


def read_state(host) -> dict | None:
    """The collection's registry values on the host; None when it never created its key.

    -Path, not -LiteralPath: the key has no wildcard characters, and -Path is the form every reader of
    the registry in this collection uses."""
    exists = host.read(CmdletCall("Test-Path", {"Path": STATE_KEY}, select=TEXT))
    if not exists.output(0) or exists.output(0)[0] is not True:
        return None
    values = host.read(CmdletCall("Get-ItemProperty", {"Path": STATE_KEY},
                                  select=(UPDATE_MODE_VALUE, CA_RESET_DONE_VALUE)))
    found = values.output(0)[0] if values.output(0) else {}
    return {k: v for k, v in found.items() if v is not None}


def state_steps(state: dict | None, name: str, value) -> list[CmdletCall]:
    """Calls that write one value of the collection's key, creating the key the first time only
    (New-Item -Force on an existing registry key may empty it). Set-ItemProperty creates a missing
    registry value."""
    steps = []
    if state is None:
        steps.append(CmdletCall("New-Item", {"Path": STATE_KEY, "Force": True}))
    steps.append(CmdletCall("Set-ItemProperty", {"Path": STATE_KEY, "Name": name, "Value": value}))
    return steps


def read_appliance(host, with_status: bool = True) -> ApplianceFacts:
    directories = (CmdletCall("Get-CcSiteDirectory", select=TEXT), CmdletCall("Get-CcApplianceDirectory", select=TEXT))
    modern = host.run(Plan.of(
        CmdletCall("Get-CcVersion", {"VersionType": "RunningScripts"}, select=TEXT),
        CmdletCall("Get-CcVersion", {"VersionType": "RunningBits"}, select=TEXT),
        CmdletCall("Get-CcVersion", {"VersionType": "BackupBits"}, select=TEXT),
        *directories,
    ))
    warnings: list[str] = []
    if modern.ok:
        scripts, running, backup = _text(modern, 0), _text(modern, 1), _text(modern, 2)
        site_dir, appliance_dir = _text(modern, 3), _text(modern, 4)
        version = model.read_version(scripts, "Get-CcVersion") or model.read_version(running, "Get-CcVersion")
    elif not_recognized(modern) and len(modern.results) == 1:
        # Before 2.0 there is no Get-CcVersion; the running version comes from Get-CcRunningVersion
        # (seed 001), and no documented cmdlet gives the script version.
        old = host.run(Plan.of(CmdletCall("Get-CcRunningVersion", select=TEXT), *directories)).raise_for_failure()
        scripts, backup = None, None
        running, site_dir, appliance_dir = _text(old, 0), _text(old, 1), _text(old, 2)
        version = model.read_version(running, "Get-CcRunningVersion")
        if running is None:
            warnings.append(
                "Get-CcRunningVersion returned an empty value: seed 001 says this happens after an upgrade "
                "from 1.3.x to 1.4.1 without Register-CcAppliance; compare module.ini in %UserProfile%\\CloudConnector "
                "and %ProgramData%\\CloudConnector and run Register-CcAppliance.")
    else:
        modern.raise_for_failure()
        raise AssertionError("unreachable")
    if version is None and scripts is None and running is None:
        warnings.append("The appliance reported no version (Get-CcVersion's documented return type is None): "
                        "version-dependent choices cannot be made.")
    facts = ApplianceFacts(scripts, running, backup, version, site_dir, appliance_dir, warnings=warnings)
    if with_status and version and model.at_least(version, model.APPLIANCE_STATUS_SINCE):
        status = host.read(CmdletCall("Get-CcApplianceStatus", select=("Status",)))
        facts.appliance_status = status.output(0)
    facts.state = read_state(host)
    if not facts.ha_supported:
        facts.warnings.append(
            f"The running version {running} differs from the script version {scripts}: seed 001 says there is no "
            "High Availability support in this state. Switch back with Switch-CcVersion so both are the same.")
    return facts


def require_version(facts: ApplianceFacts) -> tuple[int, ...]:
    if facts.version is None:
        raise SfbError("The Cloud Connector version of this appliance is unknown.",
                       hint="Run sfb.server.cce_info and check Get-CcVersion / Get-CcRunningVersion on the host.")
    return facts.version
