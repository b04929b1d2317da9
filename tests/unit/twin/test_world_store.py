# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WorldStore: creating a world file, refusing what is not one, events, and concurrent forks."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest

from ansible_collections.sfb.server.plugins.plugin_utils.errors import TwinWorldError
from ansible_collections.sfb.server.plugins.plugin_utils.twin import admin, description
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore

from twinworlds import describe, pool, three_front_ends


def _entities():
    entities, settings, speed, start = description.build(describe(pool("p.contoso.com", ["a.contoso.com"])))
    return entities, settings, speed, start


def test_create_writes_every_entity_and_a_creation_event(tmp_path):
    store = WorldStore(str(tmp_path / "sub" / "w.db"))
    entities, settings, speed, start = _entities()
    store.create(entities, settings, speed, start)
    world = store.read()
    assert set(world.servers) == {"a.contoso.com"}
    assert world.pools["p.contoso.com"]["servers"] == ["a.contoso.com"]
    assert world.settings == {"product": "2019"}
    assert world.clock.speed == 600.0
    events = store.events()
    assert [e["kind"] for e in events] == ["world_created"]
    assert events[0]["detail"] == {"speed": 600.0}


def test_create_refuses_an_existing_world_unless_asked_to_replace(tmp_path):
    store = WorldStore(str(tmp_path / "w.db"))
    entities, settings, speed, start = _entities()
    store.create(entities, settings, speed, start)
    with store.transaction() as world:
        world.record("a.contoso.com", "marker")
    with pytest.raises(TwinWorldError) as info:
        store.create(entities, settings, speed, start)
    assert "already exists" in info.value.msg and "replace" in info.value.hint
    assert [e["kind"] for e in store.events()] == ["world_created", "marker"], "the refused create changed nothing"
    store.create(entities, settings, speed, start, replace=True)
    assert [e["kind"] for e in store.events()] == ["world_created"]


def test_a_missing_world_says_how_to_create_one(tmp_path):
    store = WorldStore(str(tmp_path / "absent.db"))
    for use in (store.read, store.clock, store.events, lambda: admin.summary(store)):
        with pytest.raises(TwinWorldError) as info:
            use()
        assert "No twin world at" in info.value.msg
        assert "sfb-twin create" in info.value.hint
    assert not (tmp_path / "absent.db").exists(), "looking at a missing world must not create a file"


def test_a_file_that_is_not_sqlite_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are not the droids you are looking for\n" * 20)
    with pytest.raises(TwinWorldError) as info:
        WorldStore(str(path)).read()
    assert str(path) in info.value.msg
    assert "not a twin world" in info.value.hint


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    with pytest.raises(TwinWorldError) as info:
        WorldStore(str(path)).events()
    assert "no sfb.server twin schema" in info.value.msg


def test_a_sqlite_file_without_our_schema_is_refused(tmp_path):
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE customers (name TEXT)")
    db.commit()
    db.close()
    with pytest.raises(TwinWorldError) as info:
        with WorldStore(str(path)).transaction():
            pass
    assert "no sfb.server twin schema" in info.value.msg


def test_a_world_of_another_schema_version_is_refused(make_world):
    store = make_world(three_front_ends())
    db = sqlite3.connect(store.path)
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    db.commit()
    db.close()
    with pytest.raises(TwinWorldError) as info:
        store.read()
    assert "schema version 99" in info.value.msg


def test_a_failed_transaction_changes_nothing(make_world):
    store = make_world(three_front_ends())
    with pytest.raises(ZeroDivisionError):
        with store.transaction() as world:
            world.server("fe01.contoso.com")["power"] = "off"
            world.record("fe01.contoso.com", "should_not_exist")
            raise ZeroDivisionError
    assert store.read().servers["fe01.contoso.com"]["power"] == "on"
    assert store.events(kinds=("should_not_exist",)) == []


def test_entities_added_and_removed_in_a_transaction_persist(make_world):
    store = make_world(three_front_ends())
    with store.transaction() as world:
        world.kind("note")["n1"] = {"text": "hello"}
        del world.servers["fe03.contoso.com"]
    world = store.read()
    assert world.kind("note") == {"n1": {"text": "hello"}}
    assert "fe03.contoso.com" not in world.servers


def test_events_filter_by_kind_and_id(make_world):
    store = make_world(three_front_ends())
    with store.transaction() as world:
        world.record("fe01.contoso.com", "alpha", n=1)
        world.record("fe02.contoso.com", "beta", n=2)
        world.record("fe03.contoso.com", "alpha", n=3)
    alphas = store.events(kinds=("alpha",))
    assert [(e["server"], e["detail"]["n"]) for e in alphas] == [("fe01.contoso.com", 1), ("fe03.contoso.com", 3)]
    first_alpha = alphas[0]["id"]
    assert [e["kind"] for e in store.events(since_id=first_alpha)] == ["beta", "alpha"]
    assert store.events(kinds=("alpha", "beta"), since_id=first_alpha)[0]["detail"] == {"n": 2}


def test_an_unknown_server_lists_the_known_ones(make_world):
    store = make_world(three_front_ends())
    with pytest.raises(TwinWorldError) as info:
        store.read().server("fe09.contoso.com")
    assert "fe09.contoso.com" in info.value.msg
    assert "fe01.contoso.com, fe02.contoso.com, fe03.contoso.com" in info.value.hint
    assert store.read().server("FE01.Contoso.com")["fqdn"] == "fe01.contoso.com"


# -- several Ansible forks at once -----------------------------------------------------------

_PROCESSES = 6
_INCREMENTS = 40


def _bump(path: str, worker: int) -> None:
    store = WorldStore(path)
    for _unused in range(_INCREMENTS):
        with store.transaction() as world:
            counter = world.kind("counter").setdefault("total", {"value": 0, "by": {}})
            counter["value"] += 1
            counter["by"][str(worker)] = counter["by"].get(str(worker), 0) + 1
            world.record(f"worker{worker}", "bumped")


def test_concurrent_forks_lose_no_update(make_world):
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    store = make_world(three_front_ends())
    # Touch the world in the parent first, as the Ansible controller does before it forks its workers.
    admin.summary(store)
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_bump, args=(store.path, n)) for n in range(_PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [w.exitcode for w in workers] == [0] * _PROCESSES
    counter = store.read().kind("counter")["total"]
    assert counter["value"] == _PROCESSES * _INCREMENTS
    assert counter["by"] == {str(n): _INCREMENTS for n in range(_PROCESSES)}
    assert len(store.events(kinds=("bumped",))) == _PROCESSES * _INCREMENTS


def test_a_refused_file_is_closed_at_once(tmp_path, monkeypatch):
    from ansible_collections.sfb.server.plugins.plugin_utils.twin import world as world_module

    opened = []
    real_connect = sqlite3.connect

    def tracking_connect(*args, **kwargs):
        opened.append(real_connect(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(world_module.sqlite3, "connect", tracking_connect)
    path = tmp_path / "notes.db"
    path.write_text("not a database\n" * 50)
    with pytest.raises(TwinWorldError):
        WorldStore(str(path)).read()
    assert len(opened) == 1
    with pytest.raises(sqlite3.ProgrammingError):
        opened[0].execute("SELECT 1")


def test_a_world_path_that_cannot_be_a_file_is_refused_with_a_hint(tmp_path):
    entities, settings, speed, start = _entities()
    (tmp_path / "a_directory").mkdir()
    with pytest.raises(TwinWorldError) as info:
        WorldStore(str(tmp_path / "a_directory")).create(entities, settings, speed, start, replace=True)
    assert "Cannot create a twin world at" in info.value.msg and "a directory you can write to" in info.value.hint
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(TwinWorldError) as info:
        WorldStore(str(tmp_path / "a_file" / "w.db")).create(entities, settings, speed, start)
    assert "Cannot create a twin world at" in info.value.msg


# -- the kept connection and the reused world (docs/twin.md, "Cost of a transaction") -------------


def test_a_world_replaced_at_the_same_path_is_read_again(make_world, tmp_path):
    store = make_world(three_front_ends())
    assert len(store.read().servers) == 3
    with store.transaction(reuse=True) as world:
        world.servers["fe01.contoso.com"]["faults"]["unreachable"] = True
    admin.create(WorldStore(store.path), three_front_ends(servers=["fe01.contoso.com"]), replace=True)
    with store.transaction(reuse=True) as world:
        assert list(world.servers) == ["fe01.contoso.com"]
        assert world.servers["fe01.contoso.com"]["faults"] == {}, "nothing of the old world may survive"


def test_a_removed_world_is_refused_at_the_next_use(make_world):
    import os

    store = make_world(three_front_ends())
    store.read()
    os.remove(store.path)
    with pytest.raises(TwinWorldError) as info:
        store.read()
    assert "No twin world" in info.value.msg


def test_a_reused_world_sees_what_another_connection_wrote(make_world):
    import threading

    store = make_world(three_front_ends())
    with store.transaction(reuse=True) as world:
        world.servers["fe02.contoso.com"]["faults"]["drain_never_ends"] = True

    def other():  # another thread is another connection, as another fork would be
        with WorldStore(store.path).transaction() as world:
            world.servers["fe02.contoso.com"]["faults"]["unreachable"] = True

    worker = threading.Thread(target=other)
    worker.start()
    worker.join()
    with store.transaction(reuse=True) as world:
        assert world.servers["fe02.contoso.com"]["faults"] == {"drain_never_ends": True, "unreachable": True}


def test_a_failed_reused_transaction_leaves_nothing_behind(make_world):
    store = make_world(three_front_ends())
    with store.transaction(reuse=True) as world:
        world.servers["fe01.contoso.com"]["faults"]["drain_never_ends"] = True
    with pytest.raises(ZeroDivisionError):
        with store.transaction(reuse=True) as world:
            world.servers["fe01.contoso.com"]["faults"]["unreachable"] = True
            raise ZeroDivisionError
    with store.transaction(reuse=True) as world:
        assert world.servers["fe01.contoso.com"]["faults"] == {"drain_never_ends": True}
