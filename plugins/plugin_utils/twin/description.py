# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build a twin world from a small YAML description.

    speed: 600                      # virtual seconds per real second (default 600)
    start: 2026-01-05T02:00:00Z     # virtual time when the world is created (optional)
    product: "2019"                 # 2015, 2019 or SE; a pool or server may override it
    sites:
      - name: Redmond
        pools:
          - fqdn: pool01.contoso.com
            edition: Enterprise     # Enterprise or Standard
            load_balancing: dns     # dns or hardware
            roles: [FrontEnd, Mediation]
            state: deployed         # deployed (services running) or bare (topology published only)
            load: {sessions_per_minute: 12, session_minutes: 15}
            servers:
              - fe01.contoso.com
              - fqdn: fe02.contoso.com
                faults: {service_fails_to_start: [RTCSRV]}
                pending_updates: [{kb: KB5031234, title: Cumulative update, minutes: 20, reboot: true}]

Errors name the place in the description (sites[0].pools[1].servers[2]) and what is expected.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from typing import Any, Callable

from ansible_collections.sfb.server.plugins.plugin_utils.errors import SfbError, WorldDescriptionError
from ansible_collections.sfb.server.plugins.plugin_utils.twin import knowledge

DEFAULT_SPEED = 600.0
DEFAULT_START = "2026-01-05T02:00:00+00:00"
EDITIONS = ("Standard", "Enterprise")
LOAD_BALANCING = ("dns", "hardware")
STATES = ("deployed", "bare")
CERTIFICATE_LIFETIME_DAYS = 730

# Faults a description or `sfb-twin fault` may inject, with what each one does.
FAULTS = {
    "service_fails_to_start": "list of service names (or '*') that stay Stopped when started",
    "unreachable": "true: every connection to the server fails",
    "no_return_after_reboot": "true: the server does not come back after a reboot",
    "drain_never_ends": "true: sessions on the server never end by themselves",
    "update_fails": "list of KB numbers that fail to install",
    # Deployment (docs/deployment.md):
    "restart_during_setup": "true: step 2 (Bootstrapper) asks for a restart once, then succeeds when run again",
    "ca_refuses": "text: the enterprise CA denies this server's certificate requests, giving this reason",
}
# How the value of each fault above is read. A family's own faults are kept as given.
_NAME_LIST_FAULTS = ("service_fails_to_start", "update_fails")
_SWITCH_FAULTS = ("unreachable", "no_return_after_reboot", "drain_never_ends", "restart_during_setup")

Section = Callable[[Any, "WorldBuilder"], None]


class WorldBuilder:
    """Collects the entities of a world while a description is read."""

    def __init__(self, start: float):
        self.start = start
        self.entities: dict[str, dict[str, dict]] = {}

    def add(self, kind: str, key: str, doc: dict, where: str) -> None:
        docs = self.entities.setdefault(kind, {})
        if key in docs:
            raise WorldDescriptionError(f"{where}: {kind} {key} is described twice.")
        docs[key] = doc


def build(description: Any) -> tuple[dict[str, dict[str, dict]], dict, float, float]:
    """Entities, settings, speed and virtual start time of the world a description describes."""
    # Handler families may add sections (and faults) of their own.
    from ansible_collections.sfb.server.plugins.plugin_utils.twin import cmdlets

    cmdlets.load()
    if not isinstance(description, dict):
        raise WorldDescriptionError(
            "A world description is a YAML mapping with at least `sites:`.",
            hint="See docs/twin.md for an example.",
        )
    unknown = sorted(set(description) - {"speed", "start", "product", *SECTIONS})
    if unknown:
        raise WorldDescriptionError(
            f"Unknown top-level key(s) in the world description: {', '.join(unknown)}.",
            hint=f"Known keys: speed, start, product, {', '.join(SECTIONS)}.",
        )
    if not any(key in description for key in SECTIONS):
        raise WorldDescriptionError(
            f"The world description describes nothing: give at least one of {', '.join(SECTIONS)}."
        )
    speed = _number(description.get("speed", DEFAULT_SPEED), "speed", minimum=1.0)
    start = _timestamp(description.get("start", DEFAULT_START), "start")
    settings = {"product": _product(description.get("product", "2019"), "product")}
    builder = WorldBuilder(start)
    for key, section in SECTIONS.items():
        if key in description:
            section(description[key], builder, settings)
    return builder.entities, settings, speed, start


# -- Skype for Business Server sites ---------------------------------------------------------


def _sites(value: Any, builder: WorldBuilder, settings: dict) -> None:
    for i, site in enumerate(_list(value, "sites")):
        where = f"sites[{i}]"
        site = _mapping(site, where, required=("name",), optional=("pools",))
        name = _text(site["name"], f"{where}.name")
        builder.add("site", name.lower(), {"name": name, "site_id": i + 1}, where)
        for j, pool in enumerate(_list(site.get("pools", []), f"{where}.pools")):
            _pool(pool, f"{where}.pools[{j}]", name, builder, settings)


def _pool(value: Any, where: str, site: str, builder: WorldBuilder, settings: dict) -> None:
    pool = _mapping(value, where, required=("fqdn", "servers"),
                    optional=("edition", "load_balancing", "roles", "state", "load", "product"))
    fqdn = _fqdn(pool["fqdn"], f"{where}.fqdn")
    edition = _choice(pool.get("edition", "Enterprise"), EDITIONS, f"{where}.edition")
    balancing = _choice(pool.get("load_balancing", "dns"), LOAD_BALANCING, f"{where}.load_balancing")
    state = _choice(pool.get("state", "deployed"), STATES, f"{where}.state")
    product = _product(pool.get("product", settings["product"]), f"{where}.product")
    try:
        roles = knowledge.check_roles(pool.get("roles", [knowledge.FRONT_END]))
    except SfbError as exc:
        raise WorldDescriptionError(f"{where}.roles: {exc.msg}", hint=exc.hint) from None
    load = _mapping(pool.get("load", {}), f"{where}.load", optional=("sessions_per_minute", "session_minutes"))
    servers = _list(pool["servers"], f"{where}.servers")
    if not servers:
        raise WorldDescriptionError(f"{where}.servers: a pool has at least one server.")
    if edition == "Standard" and len(servers) != 1:
        raise WorldDescriptionError(
            f"{where}: a Standard Edition pool has exactly one server, not {len(servers)}."
        )
    if edition == "Enterprise" and knowledge.FRONT_END in roles:
        try:  # the documented quorum table stops at 12 Front Ends (2015) and 16 (2019)
            knowledge.check_pool_size(len(servers), product)
        except SfbError as exc:
            raise WorldDescriptionError(f"{where}.servers: {exc.msg}") from None
    names = []
    for k, server in enumerate(servers):
        names.append(_server(server, f"{where}.servers[{k}]", site, fqdn, edition, roles, state, product, builder))
    if edition == "Standard" and names[0] != fqdn:
        raise WorldDescriptionError(
            f"{where}: a Standard Edition pool's FQDN is its server's FQDN ({names[0]}), not {fqdn}."
        )
    builder.add("pool", fqdn, {
        "fqdn": fqdn,
        "site": site,
        "edition": edition,
        "load_balancing": balancing,
        "roles": roles,
        "product": product,
        "servers": names,
        "started": state == "deployed",
        "stats": {},
        "load": {
            "sessions_per_minute": int(_number(load.get("sessions_per_minute", 6), f"{where}.load.sessions_per_minute", 0)),
            "session_minutes": _number(load.get("session_minutes", 10), f"{where}.load.session_minutes", 0.1),
            # A deployed pool starts warm: the first look at the world backfills the sessions that
            # would be in progress had users been working for a while.
            "cursor": _warm_cursor(builder.start, load.get("session_minutes", 10)) if state == "deployed" else None,
            "next_session": 1,
        },
    }, where)


def _warm_cursor(start: float, session_minutes: float) -> int:
    return int(start // 60) - int(session_minutes * 1.5) - 1


def _server(value: Any, where: str, site: str, pool: str, edition: str, roles: list[str],
            state: str, product: str, builder: WorldBuilder) -> str:
    if isinstance(value, str):
        value = {"fqdn": value}
    server = _mapping(value, where, required=("fqdn",), optional=("faults", "pending_updates", "state"))
    fqdn = _fqdn(server["fqdn"], f"{where}.fqdn")
    state = _choice(server.get("state", state), STATES, f"{where}.state")
    faults = _mapping(server.get("faults", {}), f"{where}.faults", optional=tuple(FAULTS))
    faults = {name: fault_value(name, value, f"{where}.faults.{name}") for name, value in faults.items()}
    updates = [
        _update(u, f"{where}.pending_updates[{i}]")
        for i, u in enumerate(_list(server.get("pending_updates", []), f"{where}.pending_updates"))
    ]
    builder.add("server", fqdn, server_document(
        fqdn, site, pool, edition, roles, product, state, builder.start, faults, updates), where)
    return fqdn


def server_document(fqdn: str, site: str, pool: str, edition: str, roles: list[str], product: str,
                    state: str, now: float, faults: dict | None = None,
                    updates: list[dict] | None = None) -> dict:
    """A server as the twin keeps it. `bare`: in the published topology, nothing installed yet."""
    deployed = state == "deployed"
    info = knowledge.product(product)
    services = {}
    if deployed:
        for spec in knowledge.services_for(roles):
            services[spec.name] = {
                "display_name": spec.display_name,
                "role": spec.role,
                "carries_sessions": spec.carries_sessions,
                "status": "Running",
                "startup_type": "Automatic",
                "accepting": True,
            }
    return {
        "fqdn": fqdn,
        "site": site,
        "pool": pool,
        "edition": edition,
        "roles": list(roles),
        "product": info.key,
        "version": info.rtm_version if deployed else None,
        "power": "on",
        "boot_time": now,
        "reboot_until": None,
        "installed": {
            "core": deployed,
            "install_path": info.program_folder if deployed else None,
            "local_store": deployed,
            "components": list(roles) if deployed else [],
        },
        "services": services,
        "sessions": [],
        "pending_reboot": False,
        "updates": {"pending": list(updates or []), "installed": []},
        "certificates": _initial_certificates(fqdn, pool, now, roles) if deployed else [],
        "windows_firewall": "Running",
        "faults": dict(faults or {}),
    }


def _initial_certificates(fqdn: str, pool: str, now: float, roles: list[str]) -> list[dict]:
    names = sorted({fqdn, pool})
    # The uses of each role's certificate table (knowledge/certificates.yml, environmental-requirements.md):
    # a stand-alone Mediation Server has a Default certificate only.
    uses = list(dict.fromkeys(use for role in roles for use in knowledge.certificate_types(role)))
    return [{
        "thumbprint": hashlib.sha1(f"{fqdn}|default|{now}".encode()).hexdigest().upper(),
        "subject": f"CN={pool}",
        "alternative_names": names,
        "issuer": "CN=Contoso Issuing CA",
        "not_before": now,
        "not_after": now + CERTIFICATE_LIFETIME_DAYS * 86400,
        "uses": uses,
        "has_private_key": True,
        "trusted_root": True,
    }]


def _update(value: Any, where: str) -> dict:
    update = _mapping(value, where, required=("kb",),
                      optional=("title", "minutes", "download_minutes", "reboot", "category"))
    return {
        "kb": _text(update["kb"], f"{where}.kb"),
        "title": str(update.get("title", update["kb"])),
        "minutes": _number(update.get("minutes", 10), f"{where}.minutes", 0),
        # Download apart from install (issue #16): fetched ahead by a download, or at install time.
        "download_minutes": _number(update.get("download_minutes", 0), f"{where}.download_minutes", 0),
        "reboot": bool(update.get("reboot", True)),
        "category": str(update.get("category", "SecurityUpdates")),
    }


# Top-level sections of a description. A handler family adds its own with `section("name")`.
SECTIONS: dict[str, Callable[[Any, WorldBuilder, dict], None]] = {"sites": _sites}


def section(name: str):
    def register(builder):
        SECTIONS[name] = builder
        return builder

    return register


# -- value checks ----------------------------------------------------------------------------


def fault_value(name: str, value: Any, where: str) -> Any:
    """The value a fault is kept with: a list of names, or true/false; a clear error otherwise."""
    if name in _NAME_LIST_FAULTS:
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            raise WorldDescriptionError(f"{where}: expected a list of names (or one name), got {value!r}.")
        # Windows service names are case-insensitive; the twin keeps them upper case (RTCSRV).
        return [n.strip().upper() if name == "service_fails_to_start" else n.strip() for n in names]
    if name in _SWITCH_FAULTS and not isinstance(value, bool):
        raise WorldDescriptionError(f"{where}: expected true or false, got {value!r}.")
    return value


def _mapping(value: Any, where: str, required: tuple = (), optional: tuple = ()) -> dict:
    if not isinstance(value, dict):
        raise WorldDescriptionError(f"{where}: expected a mapping, got {type(value).__name__}.")
    missing = [k for k in required if k not in value]
    if missing:
        raise WorldDescriptionError(f"{where}: missing {', '.join(missing)}.")
    unknown = sorted(set(value) - set(required) - set(optional))
    if unknown:
        raise WorldDescriptionError(
            f"{where}: unknown key(s) {', '.join(map(str, unknown))}.",
            hint=f"Known keys: {', '.join(required + optional)}.",
        )
    return value


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise WorldDescriptionError(f"{where}: expected a list, got {type(value).__name__}.")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise WorldDescriptionError(f"{where}: expected a non-empty string, got {value!r}.")
    return value.strip()


def _fqdn(value: Any, where: str) -> str:
    text = _text(value, where).lower()
    labels = text.split(".")
    if len(labels) < 2 or not all(labels) or any(not l.replace("-", "").isalnum() for l in labels):
        raise WorldDescriptionError(f"{where}: {value!r} is not a fully qualified domain name.")
    return text


def _choice(value: Any, choices: tuple, where: str) -> str:
    for choice in choices:
        if str(value).lower() == choice.lower():
            return choice
    raise WorldDescriptionError(f"{where}: {value!r} is not one of {', '.join(choices)}.")


def _product(value: Any, where: str) -> str:
    try:
        return knowledge.product(str(value)).key
    except SfbError as exc:
        raise WorldDescriptionError(f"{where}: {exc.msg}", hint=exc.hint) from None


def _number(value: Any, where: str, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise WorldDescriptionError(f"{where}: expected a number of at least {minimum}, got {value!r}.")
    return float(value)


# ISO 8601's extended form, read by hand rather than by fromisoformat, whose forms differ between the
# Pythons the collection supports: 3.10 takes neither Z, nor a fraction other than 3 or 6 digits (.NET's
# round-trip format "o" writes 7), while 3.11+ takes more than ISO 8601 allows ("05.Z"). One grammar, on
# every Python: a date, optionally a time (seconds and fraction optional) and an offset (Z, +HH, +HHMM, +HH:MM).
_ISO_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"(?:(?P<utc>[Zz])|(?P<sign>[+-])(?P<oh>\d{2})(?::?(?P<om>\d{2}))?)?)?"
)


def parse_iso_timestamp(text: str) -> datetime.datetime:
    """An ISO 8601 date and time; the fraction padded or cut (not rounded) to microseconds, the offset kept
    (none given: a naive datetime). Raises ValueError when the text is not one."""
    match = _ISO_TIMESTAMP.fullmatch(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not an ISO 8601 date and time")
    year, month, day, hour, minute, second, fraction = match.groups()[:7]
    tzinfo = None
    if match["utc"]:
        tzinfo = datetime.timezone.utc
    elif match["sign"]:
        offset = datetime.timedelta(hours=int(match["oh"]), minutes=int(match["om"] or 0))
        tzinfo = datetime.timezone(-offset if match["sign"] == "-" else offset)  # ValueError from 24 hours
    return datetime.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                             int(((fraction or "") + "000000")[:6]), tzinfo=tzinfo)


def _timestamp(value: Any, where: str) -> float:
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        try:
            moment = parse_iso_timestamp(str(value))
        except ValueError:
            raise WorldDescriptionError(f"{where}: {value!r} is not an ISO 8601 date and time.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()
