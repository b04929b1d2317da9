# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The twin's world: every simulated site, pool, server and appliance, kept in one SQLite file.

Several Ansible forks talk to the same world at once, so every change happens inside an
immediate SQLite transaction: one writer at a time, readers never see half a change. The world is
small (tens of servers), so a transaction loads every entity, lets the caller change them as plain
dicts, and writes back only those that changed.

What keeps that cheap (docs/twin.md, "Cost of a transaction"): each process keeps its connection
to a world file open (keyed by process id, so a fork never uses its parent's), WAL with
synchronous=NORMAL (a simulation needs no fsync per commit: a crash of the machine may lose the
last transactions, never corrupt the file), and the parsed entities of the last transaction are kept
and reused when `PRAGMA data_version` says no other connection wrote since.

Time is virtual: `speed` virtual seconds pass for each real second, so a 20-minute update takes
two seconds at speed 600. Everything that happens is appended to the `events` table, which is what
a user reads to see what a run did.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from ansible_collections.sfb.server.plugins.plugin_utils.errors import TwinWorldError

SCHEMA_VERSION = 1
# Open connections of this process, most recent last: {(pid, thread, path): _Cached}.
_MAX_CONNECTIONS = 8
# Entity kind of the Windows machines that are not Skype for Business servers.
MACHINE = "machine"
_BUSY_TIMEOUT_SECONDS = 60

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entities (
    kind TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (kind, key));
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    virtual_time REAL NOT NULL,
    real_time REAL NOT NULL,
    server TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_kind ON events (kind);
"""


@dataclass(frozen=True)
class Clock:
    """Virtual time: `speed` virtual seconds for each real second since `real_start`."""

    virtual_start: float
    real_start: float
    speed: float

    def now(self, real_now: float | None = None) -> float:
        real = time.time() if real_now is None else real_now
        return self.virtual_start + (real - self.real_start) * self.speed

    def real_seconds(self, virtual_seconds: float) -> float:
        return max(0.0, virtual_seconds) / self.speed

    def to_dict(self) -> dict:
        return {"virtual_start": self.virtual_start, "real_start": self.real_start, "speed": self.speed}


@dataclass
class World:
    """The world as plain dicts, loaded for one transaction."""

    now: float
    clock: Clock
    settings: dict
    entities: dict[str, dict[str, dict]]
    events: list[tuple[str, str, dict]] = field(default_factory=list)

    def kind(self, kind: str) -> dict[str, dict]:
        return self.entities.setdefault(kind, {})

    @property
    def servers(self) -> dict[str, dict]:
        return self.kind("server")

    @property
    def pools(self) -> dict[str, dict]:
        return self.kind("pool")

    @property
    def sites(self) -> dict[str, dict]:
        return self.kind("site")

    def server(self, fqdn: str) -> dict:
        key = fqdn.lower()
        if key not in self.servers:
            # Windows machines that are not Skype for Business servers (users' computers, domain
            # controllers: cmdlets/signin.py) answer plans too, without joining pools or topology.
            if key in self.kind(MACHINE):
                return self.kind(MACHINE)[key]
            known = ", ".join(sorted([*self.servers, *self.kind(MACHINE)])) or "none"
            raise TwinWorldError(
                f"The twin world has no server named {fqdn}.",
                hint=f"Servers in this world: {known}. Inventory host names (or ansible_host) must "
                "match the server FQDNs of the world description.",
            )
        return self.servers[key]

    def record(self, server: str, kind: str, **detail: Any) -> None:
        self.events.append((server, kind, detail))


@dataclass
class _Cached:
    db: sqlite3.Connection
    identity: tuple[int, int]          # (st_dev, st_ino) of the file it was opened on
    data_version: int | None = None    # after this connection's last commit
    entities: dict | None = None       # the parsed entities as that commit left them
    originals: dict | None = None      # their JSON text


_CACHE: "collections.OrderedDict[tuple[int, str], _Cached]" = collections.OrderedDict()
# Connections a forked child inherited: never used, and never closed by the child either (closing
# would run SQLite's close on its parent's file handles), so they are only kept referenced.
_INHERITED: list = []


def _forget_inherited() -> None:
    _INHERITED.extend(_CACHE.values())
    _CACHE.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited)


def _evict(path: str) -> None:
    """Close this process's connections to `path` (the file is about to be replaced or removed)."""
    for key in [k for k in _CACHE if k[0] == os.getpid() and k[2] == path]:
        _CACHE.pop(key).db.close()


class WorldStore:
    """A world file on disk."""

    def __init__(self, path: str):
        self.path = os.path.abspath(os.path.expanduser(path))

    # -- creation --------------------------------------------------------------------------

    def create(self, entities: dict[str, dict[str, dict]], settings: dict, speed: float,
               virtual_start: float, replace: bool = False) -> None:
        exists = os.path.exists(self.path)
        if exists and not replace:
            raise TwinWorldError(f"A twin world already exists at {self.path}.",
                                 hint="Remove it or ask for replace to start again.")
        _evict(self.path)
        try:
            if exists:
                os.remove(self.path)
            for stale in (self.path + "-wal", self.path + "-shm"):
                # A previous world's log must not be replayed into the new file.
                if os.path.exists(stale):
                    os.remove(stale)
            directory = os.path.dirname(self.path)
            if directory:
                os.makedirs(directory, exist_ok=True)
        except OSError as exc:  # a directory in the way, no permission: say so, never a traceback
            raise TwinWorldError(f"Cannot create a twin world at {self.path}: {exc.strerror}.",
                                 hint="Give the path of a file in a directory you can write to.") from None
        clock = Clock(virtual_start=virtual_start, real_start=time.time(), speed=float(speed))
        with contextlib.closing(self._open(create=True)) as db:
            db.executescript(_SCHEMA)
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            db.execute("INSERT INTO meta VALUES ('clock', ?)", (json.dumps(clock.to_dict()),))
            db.execute("INSERT INTO meta VALUES ('settings', ?)", (json.dumps(settings),))
            db.executemany(
                "INSERT INTO entities VALUES (?, ?, ?)",
                [(kind, key, json.dumps(doc, sort_keys=True))
                 for kind, docs in entities.items() for key, doc in docs.items()],
            )
            db.execute(
                "INSERT INTO events (virtual_time, real_time, server, kind, detail) VALUES (?, ?, '', 'world_created', ?)",
                (clock.now(), time.time(), json.dumps({"speed": speed})),
            )
            db.execute("COMMIT")

    # -- transactions ----------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self, advance: Callable[[World], None] | None = None, reuse: bool = False) -> Iterator[World]:
        """Load the world, let the caller change it, write back what changed, atomically.

        `advance` brings the simulation up to the current virtual time (sessions that started or
        ended, reboots that finished) before the caller sees the world.

        `reuse`: the caller keeps no reference to the world's dicts once the transaction is over (the
        plan engine), so the dicts it leaves can serve the next such transaction of this process when
        no other connection wrote in between. Other callers get dicts of their own, as always.
        """
        cached = self._connection()
        db = cached.db
        db.execute("BEGIN IMMEDIATE")
        try:
            # data_version is read with the write lock held: nobody can commit between it and the load.
            version = db.execute("PRAGMA data_version").fetchone()[0]
            if reuse and cached.entities is not None and cached.data_version == version:
                world, originals = self._world(db, cached.entities), cached.originals
            else:
                world, originals = self._load(db)
            cached.entities = None  # the dicts are the caller's until the commit
            if advance is not None:
                advance(world)
            yield world
            originals = self._save(db, world, originals)
            db.execute("COMMIT")
            if reuse:
                cached.entities, cached.originals = world.entities, originals
                cached.data_version = db.execute("PRAGMA data_version").fetchone()[0]
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def read(self) -> World:
        """A snapshot of the world, without advancing the simulation (the caller's own copy)."""
        db = self._connection().db
        if db.in_transaction:  # read from inside this thread's own transaction: what it sees so far
            return self._load(db)[0]
        db.execute("BEGIN")
        try:
            world, _unused = self._load(db)
        finally:
            db.execute("COMMIT")
        return world

    def clock(self) -> Clock:
        return Clock(**self._meta(self._connection().db, "clock"))

    def events(self, since_id: int = 0, kinds: tuple[str, ...] = ()) -> list[dict]:
        query = "SELECT id, virtual_time, real_time, server, kind, detail FROM events WHERE id > ?"
        args: list[Any] = [since_id]
        if kinds:
            query += f" AND kind IN ({','.join('?' for _unused in kinds)})"
            args.extend(kinds)
        rows = self._connection().db.execute(query + " ORDER BY id", args).fetchall()
        return [
            {"id": r[0], "virtual_time": r[1], "real_time": r[2], "server": r[3], "kind": r[4],
             "detail": json.loads(r[5])}
            for r in rows
        ]

    # -- internals -------------------------------------------------------------------------

    def _connection(self) -> _Cached:
        """This process's open connection to the world file, opened (and its schema checked) once."""
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            _evict(self.path)
            raise TwinWorldError(
                f"No twin world at {self.path}.",
                hint="Create one first: `scripts/sfb-twin create DESCRIPTION.yml --world PATH` or the "
                "sfb.server.twin_world module with state=present; set sfb_twin_world to its path.",
            ) from None
        key = (os.getpid(), threading.get_ident(), self.path)
        cached = _CACHE.get(key)
        if cached is not None and cached.identity != (stat.st_dev, stat.st_ino):
            _evict(self.path)  # the file was replaced since: its old connection reads the old file
            cached = None
        if cached is None:
            cached = _Cached(self._open(), (stat.st_dev, stat.st_ino))
            _CACHE[key] = cached
            # The least recently used of this thread's own connections go first (another thread's
            # may be in the middle of a transaction).
            mine = [k for k in _CACHE if k[:2] == key[:2] and k != key]
            while len(_CACHE) > _MAX_CONNECTIONS and mine:
                _CACHE.pop(mine.pop(0)).db.close()
        _CACHE.move_to_end(key)
        return cached

    def _open(self, create: bool = False) -> sqlite3.Connection:
        db = None
        try:
            # One connection per thread (the key above); another thread may only close it, on eviction.
            db = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_SECONDS, isolation_level=None,
                                 check_same_thread=False)
            db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_SECONDS * 1000}")
            if create:
                db.execute("PRAGMA journal_mode = WAL")
            else:
                self._check_schema(db)
            # WAL makes NORMAL safe against a crash of the process (no corruption, no torn commit);
            # only a crash of the machine can lose the last commits, which a rehearsal can afford.
            db.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            if db is not None:  # a refused file must not stay open until the garbage collector runs
                db.close()
            raise TwinWorldError(
                f"The twin world at {self.path} cannot be read: {exc}.",
                hint="The file is not a twin world (or is damaged). Create it again from its description.",
            ) from None
        return db

    def _check_schema(self, db: sqlite3.Connection) -> None:
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        except sqlite3.DatabaseError:
            row = None
        if row is None:
            raise sqlite3.DatabaseError("it has no sfb.server twin schema")
        if int(row[0]) != SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"schema version {row[0]}, this collection reads {SCHEMA_VERSION}")

    @staticmethod
    def _meta(db: sqlite3.Connection, key: str) -> Any:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def _world(self, db: sqlite3.Connection, entities: dict) -> World:
        clock = Clock(**self._meta(db, "clock"))
        return World(now=clock.now(), clock=clock, settings=self._meta(db, "settings") or {}, entities=entities)

    def _load(self, db: sqlite3.Connection) -> tuple[World, dict]:
        # The connection stays open between transactions: another process may have replaced the
        # schema meanwhile (a load happens only when somebody else wrote, or on a plain read).
        try:
            self._check_schema(db)
        except sqlite3.DatabaseError as exc:
            raise TwinWorldError(
                f"The twin world at {self.path} cannot be read: {exc}.",
                hint="The file is not a twin world (or is damaged). Create it again from its description.",
            ) from None
        entities: dict[str, dict[str, dict]] = {}
        originals: dict[tuple[str, str], str] = {}
        for kind, key, doc in db.execute("SELECT kind, key, doc FROM entities"):
            entities.setdefault(kind, {})[key] = json.loads(doc)
            originals[(kind, key)] = doc
        return self._world(db, entities), originals

    @staticmethod
    def _save(db: sqlite3.Connection, world: World, originals: dict) -> dict:
        """Write the entities whose JSON changed; return the texts the file now holds."""
        current = {}
        for kind, docs in world.entities.items():
            for key, doc in docs.items():
                # Keys keep the order they were read in, so an unchanged document gives the same text
                # without sorting (creation sorts them once).
                text = json.dumps(doc)
                current[(kind, key)] = text
                if originals.get((kind, key)) != text:
                    db.execute("INSERT OR REPLACE INTO entities VALUES (?, ?, ?)", (kind, key, text))
        for gone in set(originals) - set(current):
            db.execute("DELETE FROM entities WHERE kind = ? AND key = ?", gone)
        real = time.time()
        db.executemany(
            "INSERT INTO events (virtual_time, real_time, server, kind, detail) VALUES (?, ?, ?, ?, ?)",
            [(world.now, real, server, kind, json.dumps(detail, sort_keys=True, default=str))
             for server, kind, detail in world.events],
        )
        return current
