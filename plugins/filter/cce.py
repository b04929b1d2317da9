# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the Cloud Connector rollout (playbooks/cce_patch.yml, role sfb.server.cce_patch): the
site checks and the orchestration arithmetic, in tested Python rather than in Jinja.

- cce_site_plan: the sites of the job and their appliances, the single-appliance sites refused (no HA:
  "Install Windows updates manually" of the troubleshooting guide takes an appliance out of HA, and a
  site with one appliance then takes no call), and the waves: each site one appliance at a time, an
  appliance left in update mode first in its site, at most `sites_at_once` sites at the same time.
- cce_pending_count: the updates pending on an appliance host and its VMs.
- cce_ha_check: whether this appliance may leave HA now (the tenant's view of its site).
- cce_halted: the appliances whose cycle failed in this run (no later wave starts).
- cce_site_outcomes: which sites finished, which halted and where, which were not reached.
"""

from __future__ import annotations

from typing import Any, Iterable

from ansible.errors import AnsibleFilterError

DOCUMENTATION = ""


def _var(hostvars: Any, host: str, name: str) -> Any:
    try:
        facts = hostvars[host]
    except KeyError:
        return None
    try:
        return facts.get(name) if hasattr(facts, "get") else facts[name]
    except KeyError:
        return None


def _mapping(value: Any) -> dict:
    return dict(value) if isinstance(value, dict) or hasattr(value, "keys") else {}


def _in_update_mode(hostvars: Any, host: str, info_name: str) -> bool:
    return bool(_mapping(_mapping(_var(hostvars, host, info_name)).get("appliance")).get("update_mode"))


def cce_site_plan(hosts: list, hostvars: Any, accept_downtime: Iterable[str] = (), sites_at_once: int = 4,
                  info_name: str = "cce_patch_preflight_info") -> dict:
    """Group the appliance hosts by site (`cce_site`), refuse single-appliance sites whose downtime is not
    accepted, and order the appliances into waves: wave k holds the next appliance of at most
    `sites_at_once` sites; a site joins as soon as another has none left."""
    try:
        at_once = int(sites_at_once)
    except (TypeError, ValueError):
        raise AnsibleFilterError(f"cce_patch_sites_at_once must be a whole number, not {sites_at_once!r}.") from None
    if at_once < 1:
        raise AnsibleFilterError("cce_patch_sites_at_once must be at least 1.")
    unsited = [h for h in hosts if not _var(hostvars, h, "cce_site")]
    if unsited:
        raise AnsibleFilterError(f"These appliance hosts have no cce_site in the inventory: {', '.join(unsited)}. "
                                 "Nothing was changed.")
    sites: dict[str, list[str]] = {}
    for host in hosts:
        sites.setdefault(str(_var(hostvars, host, "cce_site")), []).append(host)
    for site, members in sites.items():
        # An appliance left out of HA by an interrupted run is completed before its site loses another.
        sites[site] = ([h for h in members if _in_update_mode(hostvars, h, info_name)]
                       + [h for h in members if not _in_update_mode(hostvars, h, info_name)])
    accepted = {str(s) for s in accept_downtime or ()}
    refused = [site for site, members in sites.items() if len(members) == 1 and site not in accepted]
    pending = {site: list(members) for site, members in sites.items()}
    active: list[str] = []
    waves: list[list[str]] = []
    while pending:
        for site in list(pending):
            if site not in active and len(active) < at_once:
                active.append(site)
        wave = [pending[site].pop(0) for site in active]
        waves.append(wave)
        for site in list(active):
            if not pending[site]:
                del pending[site]
                active.remove(site)
    return {"sites": sites, "sizes": {site: len(members) for site, members in sites.items()}, "refused": refused,
            "waves": waves, "batches": [len(wave) for wave in waves], "order": [h for wave in waves for h in wave]}


def cce_pending_count(host_search: Any, vm_searches: Any) -> int:
    """Updates pending on the appliance host (a windows_update search) and its VMs (a loop of them)."""
    host = len(_mapping(host_search).get("pending") or [])
    results = _mapping(vm_searches).get("results") or []
    return host + sum(len(_mapping(r).get("pending") or []) for r in results)


def appliance_name(host: str) -> str:
    """The appliance's name in the tenant (Get-CsHybridPSTNAppliance Name): the host's short name,
    as Register-CcAppliance registers it (the inventory names the host by that name)."""
    return str(host).split(".", 1)[0].upper()


def cce_ha_check(appliances: Any, host: str, site: str, accept_downtime: Iterable[str] = ()) -> dict:
    """May this appliance leave HA now? Only when no other appliance of its site is out of HA already (in
    maintenance mode) and another one serves, or the site's downtime is accepted."""
    me = appliance_name(host)
    of_site = [_mapping(a) for a in appliances or [] if str(_mapping(a).get("site", site)).lower() == str(site).lower()]
    others = [a for a in of_site if str(a.get("name", "")).upper() != me]
    out = [str(a.get("name")) for a in others if a.get("maintenance_mode")]
    serving = [str(a.get("name")) for a in others if a.get("in_ha", not a.get("maintenance_mode"))]
    reasons = []
    if out:
        reasons.append(f"{', '.join(out)} of {site} already out of HA")
    if not serving and site not in {str(s) for s in accept_downtime or ()}:
        reasons.append(f"no other appliance of {site} in HA (the site is not in cce_patch_accept_downtime)")
    return {"ok": not reasons, "reasons": reasons, "others_in_ha": serving, "others_out_of_ha": out,
            "known": any(str(a.get("name", "")).upper() == me for a in of_site)}


def cce_halted(hosts: list, hostvars: Any) -> list:
    """The appliances whose cycle failed in this run."""
    return [h for h in hosts if _mapping(_var(hostvars, h, "cce_patch_report")).get("outcome") == "failed"]


def cce_site_outcomes(plan: Any, hostvars: Any) -> dict:
    """Per site: finished (every appliance patched or with nothing to do), halted (at which appliance, and
    which were not reached), or not started."""
    outcomes = {}
    for site, members in _mapping(_mapping(plan).get("sites")).items():
        reports = {h: _mapping(_var(hostvars, h, "cce_patch_report")) for h in members}
        failed = [h for h, r in reports.items() if r.get("outcome") == "failed"]
        done = [h for h, r in reports.items() if r.get("outcome") in ("patched", "skipped")]
        missing = [h for h in members if h not in failed and h not in done]
        if failed:
            status = f"halted at {', '.join(failed)}"
        elif not missing:
            status = "finished"
        elif done:
            status = "stopped: another site failed"
        else:
            status = "not started"
        outcomes[site] = {"status": status, "done": done, "failed": failed, "not_reached": missing}
    return outcomes


class FilterModule:
    def filters(self):
        return {
            "cce_site_plan": cce_site_plan,
            "cce_pending_count": cce_pending_count,
            "cce_ha_check": cce_ha_check,
            "cce_halted": cce_halted,
            "cce_site_outcomes": cce_site_outcomes,
        }
