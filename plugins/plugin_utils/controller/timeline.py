# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The maintenance timeline: each server's phases on a time axis, grouped by pool, with the sessions
refused or dropped, drawn as SVG and told as Markdown (issue #16). It is what an administrator
attaches to the change record.

Two sources give the same Timeline:
- the rolling patch's per-server records (`from_records`), after a real rollout or a rehearsal;
- a twin world's events (`from_events`), for `scripts/sfb-twin timeline`.
Everything here is plain Python on plain data: no connection, no twin, no Ansible.
"""

from __future__ import annotations

import datetime
import html
import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument

# The phases of a server's cycle, in the order they happen, and how each is drawn.
PHASES = ("download", "drain", "failover", "install", "restart", "database", "failback", "serve")
COLOURS = {
    "download": "#9ecae1", "drain": "#fdae6b", "failover": "#e6550d", "install": "#3182bd",
    "restart": "#756bb1", "database": "#31a354", "failback": "#a63603", "serve": "#74c476",
}
LABELS = {
    "download": "updates downloaded (in service)", "drain": "drain (no new sessions)",
    "failover": "failover", "install": "updates installed", "restart": "restart", "database": "database step",
    "failback": "failback", "serve": "return to service",
}
OUT_OF_SERVICE = "#f0f0f0"
# The rolling patch's record names some phases after its modules (roles/rolling_patch: reboot, update_wall).
_ALIASES = {"reboot": "restart", "update": "install", "update_wall": "install", "updates": "install", "cu": "install",
            "database_update": "database"}

# Twin event kinds that open and close a phase (plugins/plugin_utils/twin/: simulation.py, host.py,
# cmdlets/pool.py).
_OPENS = {"updates_download_started": "download", "drain_started": "drain", "failover_started": "failover",
          "updates_install_started": "install", "reboot_started": "restart", "failed_back": "failback"}
_CLOSES = {"updates_downloaded": "download", "drain_finished": "drain", "failed_over": "failover",
           "updates_installed": "install", "reboot_finished": "restart"}
_OUT = ("drain_started", "failover_started", "service_stopped", "reboot_started")
_BACK = ("service_started",)


@dataclass(frozen=True)
class Phase:
    name: str
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return max(0.0, self.end - self.start)


@dataclass(frozen=True)
class Mark:
    """Sessions refused (a pool could take no new session) or dropped (sessions cut) at a moment."""

    kind: str
    at: float
    count: int
    pool: str
    server: str = ""


@dataclass
class Lane:
    server: str
    pool: str
    status: str = ""
    phases: list[Phase] = field(default_factory=list)
    out_of_service: tuple[float, float] | None = None
    note: str = ""

    @property
    def span(self) -> tuple[float, float] | None:
        times = [t for p in self.phases for t in (p.start, p.end)]
        if self.out_of_service:
            times += list(self.out_of_service)
        return (min(times), max(times)) if times else None


@dataclass
class Timeline:
    title: str
    lanes: list[Lane]
    marks: list[Mark] = field(default_factory=list)
    source: str = ""

    def pools(self) -> list[str]:
        return list(dict.fromkeys(lane.pool for lane in self.lanes))

    def window(self) -> tuple[float, float] | None:
        times = [t for lane in self.lanes if lane.span for t in lane.span] + [m.at for m in self.marks]
        if not times:
            return None
        start, end = min(times), max(times)
        return start, max(end, start + 60)


# -- from the rolling patch's records -----------------------------------------------------------


def _number(value, where: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InvalidArgument(f"{where} is {value!r}, not a time in seconds.",
                              hint="Pass the rolling patch's per-server records (rolling_patch_record).") from None


def _record_phases(record: Mapping, where: str) -> tuple[list[Phase], str]:
    """A record's phases: windows ({start, end} in seconds since the epoch) are placed where they say;
    durations alone are laid end to end from the record's `started`, in the cycle's order."""
    phases = record.get("phases") or {}
    if isinstance(phases, list):
        items = [(str(p.get("name", "")), p) for p in phases if isinstance(p, Mapping)]
    elif isinstance(phases, Mapping):
        items = list(phases.items())
    else:
        raise InvalidArgument(f"{where}.phases is neither a mapping nor a list.")
    placed, durations = [], []
    for name, value in items:
        base = _ALIASES.get(str(name), str(name))
        if base not in PHASES:
            continue
        if isinstance(value, Mapping):
            start = _number(value.get("start"), f"{where}.phases.{name}.start")
            end = _number(value.get("end", start), f"{where}.phases.{name}.end")
            if end < start:
                raise InvalidArgument(f"{where}.phases.{name} ends ({end}) before it starts ({start}).")
            placed.append(Phase(base, start, end))
        else:
            seconds = _number(value, f"{where}.phases.{name}")
            if seconds > 0:
                durations.append((base, seconds))
    note = ""
    if durations:
        if record.get("started") in (None, ""):
            return placed, "phase durations without a start time: not drawn"
        cursor = _number(record["started"], f"{where}.started")
        for base, seconds in sorted(durations, key=lambda item: PHASES.index(item[0])):
            placed.append(Phase(base, cursor, cursor + seconds))
            cursor += seconds
        note = "durations laid end to end from the server's start (the record has no phase times)"
    return sorted(placed, key=lambda p: (p.start, PHASES.index(p.name))), note


def from_records(records: Sequence[Mapping], title: str = "Maintenance timeline") -> Timeline:
    """The timeline of a rolling patch from its per-server records (the summary step's list)."""
    if not isinstance(records, Sequence) or isinstance(records, (str, bytes)):
        raise InvalidArgument("records must be a list of the rolling patch's per-server records.")
    lanes, marks = [], []
    for index, record in enumerate(records):
        where = f"records[{index}]"
        if not isinstance(record, Mapping) or not record.get("server"):
            raise InvalidArgument(f"{where} is not a per-server record: it needs at least `server`.",
                                  hint="Pass the rolling patch's per-server records (rolling_patch_record).")
        phases, note = _record_phases(record, where)
        if record.get("failed_task"):
            note = "; ".join(filter(None, [f"failed at '{record['failed_task']}': {record.get('reason', '')}".strip(), note]))
        pool = str(record.get("pool") or record["server"])
        lane = Lane(server=str(record["server"]), pool=pool, status=str(record.get("status", "")),
                    phases=phases, note=note)
        out = record.get("out_of_service")
        if isinstance(out, Mapping) and out.get("start") is not None:
            lane.out_of_service = (_number(out["start"], f"{where}.out_of_service.start"),
                                   _number(out.get("end", out["start"]), f"{where}.out_of_service.end"))
        elif phases:
            offline = [p for p in phases if p.name != "download"]
            if offline:
                lane.out_of_service = (min(p.start for p in offline), max(p.end for p in offline))
        for kind in ("refused", "dropped"):
            for item in record.get(f"sessions_{kind}_at") or []:
                marks.append(Mark(kind, _number(item.get("at"), f"{where}.sessions_{kind}_at"),
                                  int(item.get("count", 1)), pool, lane.server))
        cut = int(record.get("sessions_cut") or 0)
        if cut and lane.phases:
            drain = [p for p in lane.phases if p.name == "drain"]
            marks.append(Mark("dropped", (drain or lane.phases)[-1].end, cut, pool, lane.server))
        lanes.append(lane)
    return Timeline(title=title, lanes=lanes, marks=marks, source="the rolling patch's per-server records")


# -- from a twin world's events ---------------------------------------------------------------


def from_events(events: Iterable[Mapping], pool_of: Mapping[str, str], title: str = "Maintenance timeline",
                statuses: Mapping[str, str] | None = None) -> Timeline:
    """The timeline of what a twin world's events say happened (virtual time). `pool_of`: server -> pool."""
    lanes: dict[str, Lane] = {}
    opened: dict[tuple[str, str], float] = {}
    marks: list[Mark] = []
    pools = set(pool_of.values())
    last_time = 0.0

    def lane(server: str) -> Lane:
        if server not in lanes:
            lanes[server] = Lane(server=server, pool=pool_of.get(server, server),
                                 status=(statuses or {}).get(server, ""))
        return lanes[server]

    def close(server: str, name: str, at: float) -> None:
        start = opened.pop((server, name), None)
        if start is not None:
            lane(server).phases.append(Phase(name, start, at))

    out_since: dict[str, float] = {}
    for event in sorted(events, key=lambda e: (e["virtual_time"], e.get("id", 0))):
        server, kind, at = str(event["server"]), event["kind"], float(event["virtual_time"])
        detail = event.get("detail") or {}
        last_time = max(last_time, at)
        if kind == "sessions_refused":
            marks.append(Mark("refused", at, int(detail.get("count", 1)), server if server in pools else pool_of.get(server, server)))
            continue
        if kind == "sessions_dropped":
            marks.append(Mark("dropped", at, int(detail.get("count", 1)), pool_of.get(server, server), server))
            continue
        if server not in pool_of:
            continue
        if kind in _OUT and server not in out_since:
            out_since[server] = at
        if kind in _BACK and server in out_since:
            current = lane(server)
            start = out_since[server]
            current.out_of_service = (start, at)
        name = _OPENS.get(kind)
        if name == "drain":
            # A server's services drain together: the drain is open from the first of them.
            opened.setdefault((server, "drain"), at)
        elif name == "failback":
            opened[(server, "failback")] = at
        elif name:
            # A new phase ends a drain whose services stopped without a drain_finished (cut at the limit).
            if name != "download":
                close(server, "drain", at)
            opened[(server, name)] = at
        closing = _CLOSES.get(kind)
        if closing:
            close(server, closing, at)
        if kind == "database_updated":
            lane(server).phases.append(Phase("database", at, at))
        if kind == "service_started":
            # Services coming back close the failback; without one, they are the return to service.
            if (server, "failback") in opened:
                close(server, "failback", at)
            else:
                phases = lane(server).phases
                if phases and phases[-1].name == "serve" and at - phases[-1].end < 120:
                    phases[-1] = Phase("serve", phases[-1].start, at)
                elif phases and phases[-1].name in ("restart", "database", "install", "drain", "failover"):
                    phases.append(Phase("serve", phases[-1].end, at))
        if kind == "server_did_not_return":
            lane(server).status = lane(server).status or "did not return after its restart"
        if kind == "service_start_failed":
            lane(server).note = f"service {detail.get('service', '?')} failed to start"
    for (server, name), start in list(opened.items()):
        lane(server).phases.append(Phase(name, start, last_time))
        lane(server).note = lane(server).note or f"{name} still open at the end of the events"
    for server, start in out_since.items():
        current = lane(server)
        if current.out_of_service is None:
            current.out_of_service = (start, last_time)
    # Within a pool, servers in the order they left service (a download ahead does not count).
    ordered = sorted(lanes.values(), key=lambda l: (sorted(pools).index(l.pool) if l.pool in pools else len(pools),
                                                    l.out_of_service[0] if l.out_of_service else
                                                    (l.span[0] if l.span else 0), l.server))
    for current in ordered:
        current.phases.sort(key=lambda p: (p.start, PHASES.index(p.name)))
    return Timeline(title=title, lanes=ordered, marks=marks, source="the twin world's events (virtual time)")


# -- drawing ----------------------------------------------------------------------------------

_LEFT = 230
_WIDTH = 900
_ROW = 20
_TOP = 66


def _clock(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc).strftime("%H:%M")


def _iso(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


def _tick_step(span: float) -> float:
    for step in (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400):
        if span / step <= 12:
            return step
    return 86400 * math.ceil(span / 86400 / 12)


class _Scale:
    def __init__(self, start: float, end: float):
        self.start, self.end = start, end

    def x(self, at: float) -> float:
        return round(_LEFT + (at - self.start) / (self.end - self.start) * _WIDTH, 2)


def svg(timeline: Timeline) -> str:
    """The picture: one row per server under its pool's header row, phases as bars where their times
    say, sessions refused (triangles, on the pool's row) and dropped (crosses, on the server's row)."""
    window = timeline.window()
    rows: list[tuple[str, str]] = []  # (kind, name)
    for pool in timeline.pools():
        rows.append(("pool", pool))
        rows += [("server", lane.server) for lane in timeline.lanes if lane.pool == pool]
    height = _TOP + _ROW * len(rows) + 90  # the legend: two rows of phases, one of marks
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_LEFT + _WIDTH + 30}" height="{height}" '
           f'viewBox="0 0 {_LEFT + _WIDTH + 30} {height}" font-family="sans-serif" font-size="11">',
           f"<title>{html.escape(timeline.title)}</title>",
           '<rect x="0" y="0" width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="20" font-size="15" font-weight="bold">{html.escape(timeline.title)}</text>']
    if window is None:
        out.append('<text x="10" y="44">Nothing happened: no server went through a maintenance phase.</text>')
        out.append("</svg>")
        return "\n".join(out) + "\n"
    scale = _Scale(*window)
    out.append(f'<text x="10" y="38" fill="#555">{html.escape(_iso(window[0]))} to {html.escape(_iso(window[1]))}'
               f" ({_minutes(window[1] - window[0])}); from {html.escape(timeline.source)}</text>")
    step = _tick_step(window[1] - window[0])
    tick = math.ceil(window[0] / step) * step
    bottom = _TOP + _ROW * len(rows)
    while tick <= window[1]:
        x = scale.x(tick)
        out.append(f'<line x1="{x}" y1="{_TOP - 4}" x2="{x}" y2="{bottom}" stroke="#ddd"/>')
        out.append(f'<text x="{x}" y="{_TOP - 8}" text-anchor="middle" fill="#555">{_clock(tick)}</text>')
        tick += step
    row_of = {}
    for index, (kind, name) in enumerate(rows):
        y = _TOP + index * _ROW
        row_of[(kind, name)] = y
        if kind == "pool":
            out.append(f'<rect x="0" y="{y}" width="{_LEFT + _WIDTH + 30}" height="{_ROW}" fill="#f7f7f7"/>')
            out.append(f'<text x="6" y="{y + 14}" font-weight="bold">{html.escape(name)}</text>')
    for lane in timeline.lanes:
        y = row_of[("server", lane.server)]
        status = lane.status.split(":")[0].strip()
        label = lane.server + (f" ({status})" if status and status != "patched" else "")
        out.append(f'<text x="16" y="{y + 14}">{html.escape(label[:38])}</text>')
        if lane.out_of_service:
            start, end = lane.out_of_service
            out.append(f'<rect class="out-of-service" data-server="{html.escape(lane.server)}" '
                       f'data-start="{start}" data-end="{end}" x="{scale.x(start)}" y="{y + 2}" '
                       f'width="{max(1.0, round(scale.x(end) - scale.x(start), 2))}" height="{_ROW - 4}" '
                       f'fill="{OUT_OF_SERVICE}" stroke="#bbb"><title>{html.escape(lane.server)}: out of service '
                       f'{_clock(start)}-{_clock(end)} ({_minutes(end - start)})</title></rect>')
        for phase in lane.phases:
            x = scale.x(phase.start)
            width = max(1.0, round(scale.x(phase.end) - x, 2))
            out.append(f'<rect class="phase" data-server="{html.escape(lane.server)}" data-phase="{phase.name}" '
                       f'data-start="{phase.start}" data-end="{phase.end}" x="{x}" y="{y + 4}" width="{width}" '
                       f'height="{_ROW - 8}" fill="{COLOURS[phase.name]}"><title>{html.escape(lane.server)}: '
                       f'{LABELS[phase.name]} {_clock(phase.start)}-{_clock(phase.end)} '
                       f'({_minutes(phase.seconds)})</title></rect>')
    for mark in timeline.marks:
        x = scale.x(mark.at)
        y = row_of.get(("server", mark.server)) if mark.kind == "dropped" else row_of.get(("pool", mark.pool))
        if y is None:
            y = row_of.get(("pool", mark.pool), _TOP)
        tip = f"{mark.count} session(s) {mark.kind} at {_clock(mark.at)} ({mark.pool})"
        if mark.kind == "refused":
            out.append(f'<path class="mark refused" data-at="{mark.at}" data-count="{mark.count}" '
                       f'd="M{x} {y + 4} l4 10 l-8 0 z" fill="#d62728"><title>{html.escape(tip)}</title></path>')
            out.append(f'<text x="{x + 5}" y="{y + 13}" font-size="9" fill="#d62728">{mark.count}</text>')
        else:
            out.append(f'<path class="mark dropped" data-at="{mark.at}" data-count="{mark.count}" '
                       f'd="M{x - 4} {y + 4} l8 10 m0 -10 l-8 10" stroke="black" stroke-width="2">'
                       f"<title>{html.escape(tip)}</title></path>")
            out.append(f'<text x="{x + 6}" y="{y + 13}" font-size="9">{mark.count}</text>')
    legend_y = bottom + 22
    x = 10
    for name in PHASES:
        out.append(f'<rect x="{x}" y="{legend_y}" width="12" height="10" fill="{COLOURS[name]}"/>')
        out.append(f'<text x="{x + 16}" y="{legend_y + 9}">{LABELS[name]}</text>')
        x += 22 + 6 * len(LABELS[name])
        if x > _LEFT + _WIDTH - 120:
            x, legend_y = 10, legend_y + 16
    legend_y += 18
    out.append(f'<rect x="10" y="{legend_y}" width="12" height="10" fill="{OUT_OF_SERVICE}" stroke="#bbb"/>'
               f'<text x="26" y="{legend_y + 9}">out of service</text>'
               f'<path d="M130 {legend_y} l4 10 l-8 0 z" fill="#d62728"/><text x="140" y="{legend_y + 9}">sessions refused</text>'
               f'<path d="M250 {legend_y} l8 10 m0 -10 l-8 10" stroke="black" stroke-width="2"/>'
               f'<text x="264" y="{legend_y + 9}">sessions dropped</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return " ".join(str(text or "").split()).replace("|", "\\|")


def markdown(timeline: Timeline, picture: str = "") -> str:
    """The report: the window, then per pool each server's phases and time out of service, then the
    sessions refused or dropped. `picture`: the SVG's file name, linked at the top."""
    window = timeline.window()
    lines = [f"# {timeline.title}", ""]
    if window is None:
        lines += [f"No server went through a timed maintenance phase (read from {timeline.source}).", ""]
    else:
        lines += [f"From {_iso(window[0])} to {_iso(window[1])} ({_minutes(window[1] - window[0])}), "
                  f"read from {timeline.source}.", ""]
        if picture:
            lines += [f"![{timeline.title}]({picture})", ""]
    for pool in timeline.pools():
        lanes = [lane for lane in timeline.lanes if lane.pool == pool]
        lines += [f"## {pool}", "", "| server | status | out of service | phases | notes |", "|---|---|---|---|---|"]
        for lane in lanes:
            out = (f"{_clock(lane.out_of_service[0])}-{_clock(lane.out_of_service[1])} "
                   f"({_minutes(lane.out_of_service[1] - lane.out_of_service[0])})") if lane.out_of_service else "-"
            phases = ", ".join(f"{p.name} {_clock(p.start)} {_minutes(p.seconds)}" for p in lane.phases) or "-"
            lines.append(f"| {lane.server} | {_cell(lane.status) or '-'} | {out} | {phases} | {_cell(lane.note)} |")
        lines.append("")
    refused = [m for m in timeline.marks if m.kind == "refused"]
    dropped = [m for m in timeline.marks if m.kind == "dropped"]
    lines += ["## Sessions refused or dropped", ""]
    if not refused and not dropped:
        lines += ["None.", ""]
    else:
        lines += [f"{sum(m.count for m in refused)} session(s) refused, {sum(m.count for m in dropped)} dropped.", "",
                  "| when | what | pool | server | sessions |", "|---|---|---|---|---|"]
        for mark in sorted(timeline.marks, key=lambda m: m.at):
            lines.append(f"| {_clock(mark.at)} | {mark.kind} | {mark.pool} | {mark.server or '-'} | {mark.count} |")
        lines.append("")
    return "\n".join(lines)
