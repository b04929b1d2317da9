# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the rolling patch (playbooks/patch_pool.yml, role sfb.server.rolling_patch): the
orchestration arithmetic, in tested Python rather than in Jinja.

- rolling_patch_preflight: the pools of the job from every server's preflight read, and the refusals
  (a pool that cannot spare one server, naming the servers that are down; a server that did not answer).
- rolling_patch_waves: the order and the batches: each pool one server at a time, an interrupted server
  first in its pool, at most `pools_at_once` pools per wave, a pool and its backup pool never in the same
  wave.
- rolling_patch_halted: the servers whose cycle failed (a later wave does not start).
- rolling_patch_record: the per-server record the summary prints.
- rolling_patch_back_end: the server of each pool that runs the Back End database step, once the pool
  finished.
"""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleFilterError

DOCUMENTATION = ""

# The record's fields, stable for the summary and the timeline (roles/rolling_patch/tasks/summary.yml).
RECORD_FIELDS = ("server", "started", "pool", "procedure", "wave", "resumed", "status", "updates", "installed", "cu_before",
                 "cu_after", "pool_before", "pool_after", "done", "phases", "wall_seconds", "failed_task", "reason",
                 "sessions_cut")


def _result(hostvars: Any, host: str, name: str) -> dict:
    try:
        value = hostvars[host].get(name) if hasattr(hostvars[host], "get") else hostvars[host][name]
    except KeyError:
        return {}
    return dict(value or {}) if isinstance(value, dict) or hasattr(value, "keys") else {}


def rolling_patch_preflight(hosts: list, hostvars: Any, result_name: str = "rolling_patch_preflight") -> dict:
    """Pools, members down and refusals, from every server's preflight read (a fresh read of each)."""
    pools: dict[str, dict] = {}
    refusals: list[str] = []
    unanswered: list[str] = []
    for host in hosts:
        read = _result(hostvars, host, result_name)
        if not read or read.get("unreachable"):
            unanswered.append(host)
            refusals.append(f"{host} did not answer the preflight ({read.get('msg') if read else 'no answer'})")
            continue
        if read.get("failed"):
            refusals.append(f"{host} was refused in the preflight: {str(read.get('msg') or 'unknown').strip()}")
            continue
        pool = str(read.get("pool") or host)
        entry = pools.setdefault(pool, {"pool": pool, "procedure": read.get("procedure"), "servers": [],
                                        "members": list(read.get("pool_servers") or [host]), "down": set(),
                                        "reasons": []})
        entry["servers"].append(host)
        entry["down"].update(read.get("down") or [])
        for reason in read.get("reasons") or []:
            if reason not in entry["reasons"]:
                entry["reasons"].append(reason)
    for pool, entry in pools.items():
        entry["down"] = sorted(entry["down"] | {h for h in unanswered if h.lower() in
                                                (m.lower() for m in entry["members"])})
        if entry["reasons"]:
            down = f" Not running: {', '.join(entry['down'])}." if entry["down"] else ""
            refusals.append(f"pool {pool} cannot spare a server: {'; '.join(entry['reasons'])}.{down}")
    return {"pools": {p: {**e, "down": list(e["down"])} for p, e in pools.items()}, "refusals": refusals}


def run_forks() -> int:
    """The forks of this run: ansible-playbook's -f/--forks, else the configured default (ansible.cfg, ANSIBLE_FORKS)."""
    from ansible import constants, context

    return int((context.CLIARGS or {}).get("forks") or constants.DEFAULT_FORKS)


def rolling_patch_waves(hosts: list, hostvars: Any, pools_at_once: int = 1, backup_pools: dict | None = None,
                        result_name: str = "rolling_patch_preflight", forks: int | None = None) -> dict:
    """Plan the rollout in lanes: at most `pools_at_once` lanes run at once, each one server at a time, a
    lane's pools one after the other; a pool's interrupted server goes first, and a pool shares the lane of
    its backup pool, so the two are never short of a server together.

    Each server waits only for its lane's previous server (`after`), not for the other lanes: wave k
    (the k-th server of every lane) is what the plan shows, not a barrier. `batches` (the play's serial)
    cut the order in runs of at most `forks` servers, so that every server waiting for its turn holds a
    fork of its own while the one it waits for can always run (a waiting server never waits for a later
    one)."""
    if int(pools_at_once) < 1:
        raise AnsibleFilterError("rolling_patch_pools_at_once must be at least 1.")
    forks = run_forks() if forks is None else forks
    if int(forks) < 1:
        raise AnsibleFilterError("forks must be at least 1.")
    backup = {str(k).lower(): str(v).lower() for k, v in (backup_pools or {}).items()}
    partners = {**backup, **{v: k for k, v in backup.items()}}
    queues: dict[str, list[str]] = {}
    for host in hosts:
        read = _result(hostvars, host, result_name)
        pool = str(read.get("pool") or host).lower()
        queues.setdefault(pool, [])
        if read.get("in_maintenance"):
            queues[pool].insert(sum(1 for h in queues[pool] if _result(hostvars, h, result_name).get("in_maintenance")), host)
        else:
            queues[pool].append(host)
    interrupted = {pool for pool, queue in queues.items()
                   if queue and _result(hostvars, queue[0], result_name).get("in_maintenance")}
    # Resumed pools first, then the longest: each goes to the least loaded lane (its partner's, if placed).
    order = sorted((p for p in queues if queues[p]), key=lambda p: (p not in interrupted, -len(queues[p])))
    lanes: list[list[str]] = [[] for _lane in range(min(int(pools_at_once), len(order)))]
    lane_of: dict[str, int] = {}
    for pool in order:
        partner = partners.get(pool)
        if partner in lane_of:
            lane = lane_of[partner]
        else:
            lane = min(range(len(lanes)), key=lambda i: (sum(len(queues[q]) for q in lanes[i]), i))
        lanes[lane].append(pool)
        lane_of[pool] = lane
    runs = [[h for pool in lane for h in queues[pool]] for lane in lanes]
    waves = [[run[k] for run in runs if k < len(run)] for k in range(max((len(r) for r in runs), default=0))]
    after = {run[i]: [run[i - 1]] if i else [] for run in runs for i in range(len(run))}
    flat = [h for w in waves for h in w]
    size = int(forks)
    batches = [len(flat[i:i + size]) for i in range(0, len(flat), size)]
    return {"waves": waves, "order": flat, "batches": batches, "pools": dict(queues),
            "lanes": [list(lane) for lane in lanes], "after": after}


def rolling_patch_halted(hosts: list, hostvars: Any) -> list:
    """The servers whose cycle failed in this run."""
    return [h for h in hosts if str(_result(hostvars, h, "rolling_patch_record").get("status")) == "FAILED"]


def rolling_patch_record(gate: dict, results: dict, started: float, now: float, host: str = "", check_mode: bool = False,
                         status: str | None = None, pending: list | None = None, wave: int | None = None) -> dict:
    """The record of one server's cycle from the results of its tasks (by step name)."""
    gate = dict(gate or {})

    def step(name: str) -> dict:
        value = (results or {}).get(name)
        return dict(value) if isinstance(value, dict) else {}

    def changed(name: str) -> bool:
        value = step(name)
        return bool(value.get("changed")) and not value.get("skipped")

    drain, failover, update, cu = step("drain"), step("failover"), step("update"), step("cu")
    installed = [u.get("kb") for u in update.get("installed") or [] if isinstance(u, dict)]
    done = []
    if gate.get("in_maintenance"):
        done.append("resumed an interrupted maintenance")
    if changed("drain"):
        done.append(f"drained ({drain.get('sessions', 0)} sessions)")
    if drain.get("sessions_cut"):
        done.append(f"cut {drain['sessions_cut']} sessions at the drain limit")
    if changed("failover"):
        done.append("failed over")
    if installed:
        done.append("installed " + ", ".join(installed))
    if changed("cu"):
        done.append(f"cumulative update {cu.get('version_before')} -> {cu.get('target')}")
    elif cu.get("decision") == "at_target":
        done.append(f"cumulative update already at {cu.get('target')}")
    if changed("database"):
        done.append("database step")
    if changed("reboot"):
        done.append("restarted")
    if changed("failback"):
        done.append("failed back")
    if changed("serve"):
        done.append("returned to service")
    quorum_before = gate.get("quorum") or {}
    after = step("verify")
    record = {
        "server": host or gate.get("server"),
        "started": float(started),
        "pool": gate.get("pool") or host,
        "procedure": gate.get("procedure"),
        "wave": wave,
        "resumed": bool(gate.get("in_maintenance")),
        "status": status or ("planned (check mode)" if check_mode else "patched"),
        "updates": [u.get("kb") for u in pending or [] if isinstance(u, dict)],
        "installed": installed,
        "cu_before": gate.get("patch_version"),
        "cu_after": after.get("patch_version") if after else None,
        "pool_before": quorum_before.get("running") if quorum_before else "not a Windows Fabric pool",
        "pool_after": None,
        "done": done,
        "phases": {
            "drain": drain.get("drain_seconds", 0),
            "failover": failover.get("seconds", 0),
            "update_wall": round(float(update.get("wall_seconds", 0) or 0), 1),
            "cu": cu.get("seconds", 0),
            "reboot": step("reboot").get("seconds", 0),
            "failback": step("failback").get("seconds", 0),
        },
        "wall_seconds": round(float(now) - float(started), 1),
        "failed_task": None,
        "reason": None,
        "sessions_cut": int(drain.get("sessions_cut") or 0),
    }
    return record


def rolling_patch_failed(record: dict, task: str, reason: str) -> dict:
    out = dict(record or {})
    out.update(status="FAILED", failed_task=task, reason=reason)
    return out


def rolling_patch_halt_message(server: str, task: str, reason: str, fresh: dict) -> str:
    """The halt message, describing the estate from a fresh read taken after the failure (`fresh`: the
    result of pool_health_info mode=preflight run in the rescue)."""
    reason = str(reason or "unknown").strip().rstrip(".")
    lines = [f"The rollout stops at {server}: '{task}' failed: {reason}."]
    if not fresh or fresh.get("failed") or fresh.get("unreachable"):
        lines.append(f"{server} could not be read after the failure ({(fresh or {}).get('msg', 'no answer')}): it is "
                     "out of service, or down. Its maintenance marker (HKLM:\\SOFTWARE\\sfb.server\\Maintenance) "
                     "remembers what to restore.")
    else:
        marker = fresh.get("marker")
        down = fresh.get("down") or []
        if marker:
            lines.append(f"{server} is out of service (marker phase {marker.get('phase')}); its maintenance marker "
                         "(HKLM:\\SOFTWARE\\sfb.server\\Maintenance) remembers what to restore.")
        else:
            lines.append(f"Nothing is left to restore on {server} (no maintenance marker).")
        if down:
            lines.append(f"Front Ends of pool {fresh.get('pool')} not running now: {', '.join(down)}.")
        elif fresh.get("members"):
            lines.append(f"Every Front End of pool {fresh.get('pool')} runs.")
    lines.append("Servers of other pools that were in the same wave finish their cycle; no further wave starts. "
                 "Fix the cause and run the playbook again: it resumes with this server.")
    return " ".join(lines)


def rolling_patch_back_end(hosts: list, hostvars: Any) -> list:
    """One server per Enterprise pool for the Back End database step: the pool's last server, when the
    pool's servers went through the Front End procedure and every queued server of the pool was patched
    (or had nothing to do). Whether a cumulative update is in play is the playbook's condition.

    A server the rollout never started (its pool halted, or another pool's failure ended the run) has
    a record without a procedure: it still counts against its pool, since the database step must wait
    for every Front End to carry the new update (patch-or-update-a-back-end-or-standard-edition-server.md).
    """
    by_pool: dict[str, list[str]] = {}
    for host in hosts:
        record = _result(hostvars, host, "rolling_patch_record")
        if record:
            by_pool.setdefault(str(record.get("pool")), []).append(host)
    chosen = []
    for members in by_pool.values():
        records = [_result(hostvars, h, "rolling_patch_record") for h in members]
        if not any(r.get("procedure") == "front_end_failover" for r in records):
            continue
        if all(str(r.get("status")).startswith(("patched", "skipped")) for r in records):
            chosen.append(members[-1])
    return chosen


def rolling_patch_pools(hosts: list, hostvars: Any) -> dict:
    """Which pools finished, which halted (and where), which did not start, from the records."""
    pools: dict[str, list[dict]] = {}
    for host in hosts:
        record = _result(hostvars, host, "rolling_patch_record")
        if record:
            pools.setdefault(str(record.get("pool") or host), []).append(record)
    finished, halted, unfinished = [], {}, []
    for pool, records in pools.items():
        failed = [r["server"] for r in records if r.get("status") == "FAILED"]
        if failed:
            halted[pool] = failed
        elif all(str(r.get("status", "")).startswith(("patched", "skipped", "planned")) for r in records):
            finished.append(pool)
        else:
            unfinished.append(pool)
    return {"finished": sorted(finished), "halted": halted, "not_finished": sorted(unfinished)}


def rolling_patch_wave_items(waves: list) -> list:
    """[[wave index, server], ...] in queue order, for add_host."""
    return [[index, host] for index, wave in enumerate(waves or []) for host in wave]


def rolling_patch_plan_lines(waves: list, hostvars: Any) -> list:
    lines = []
    for index, wave in enumerate(waves or []):
        for host in wave:
            read = _result(hostvars, host, "rolling_patch_preflight")
            search = _result(hostvars, host, "rolling_patch_search")
            kbs = [u.get("kb") for u in search.get("pending") or [] if isinstance(u, dict)]
            extra = " (resume: interrupted maintenance)" if read.get("in_maintenance") else ""
            cu = " + cumulative update" if read.get("cu") == "install" else ""
            lines.append(f"wave {index + 1}: {host} [{read.get('pool')}, {read.get('procedure')}]: "
                         f"{', '.join(kbs) or 'nothing pending'}{cu}{extra}")
    return lines


class FilterModule:
    def filters(self):
        return {
            "rolling_patch_preflight": rolling_patch_preflight,
            "rolling_patch_waves": rolling_patch_waves,
            "rolling_patch_halted": rolling_patch_halted,
            "rolling_patch_record": rolling_patch_record,
            "rolling_patch_failed": rolling_patch_failed,
            "rolling_patch_halt_message": rolling_patch_halt_message,
            "rolling_patch_back_end": rolling_patch_back_end,
            "rolling_patch_pools": rolling_patch_pools,
            "rolling_patch_wave_items": rolling_patch_wave_items,
            "rolling_patch_plan_lines": rolling_patch_plan_lines,
        }
