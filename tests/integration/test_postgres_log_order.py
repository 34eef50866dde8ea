"""A follower of the PostgreSQL log never misses or repeats an event, with writers committing
side by side and out of id order (bco/storage_postgres.py)."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder
from psycopg import Connection, Cursor
from psycopg.rows import DictRow

from bco.application import BCOApplication
from bco.config import Settings
from bco.storage_postgres import (
    HorizonPostgresRecorder,
    SubscriptionRefused,
    insert_function_name,
)

WRITERS = 6
WRITES_PER_WRITER = 60  # a single event goes through another insert function than several
EVENTS_WRITTEN = WRITERS * (WRITES_PER_WRITER + WRITES_PER_WRITER // 3)


class HeldOpen(HorizonPostgresRecorder):
    """The insert function called inside a transaction that stays open after it returns."""

    def _around_insert(self, conn: Connection[DictRow]) -> AbstractContextManager[Any]:
        return conn.transaction()


class SlowCommits(HeldOpen):
    """Commits a few milliseconds after drawing its ids, so commits overtake one another."""

    def _after_insert(self, curs: Cursor[DictRow]) -> None:
        pause(curs)


def pause(curs: Cursor[DictRow]) -> None:
    """A few milliseconds inside the transaction, on another cursor (the insert's cursor must
    keep its result for the library)."""
    with curs.connection.cursor() as other:
        other.execute("SELECT pg_sleep(random() * 0.004)")


class NaiveRecorder(PostgresApplicationRecorder):
    """The library's recorder without its table lock: the design the follower must not need."""

    def _insert_stored_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent],
                              **kwargs: Any) -> None:
        PostgresAggregateRecorder._insert_stored_events(self, curs, stored_events, **kwargs)
        pause(curs)


class HeldCommit(HeldOpen):
    """Holds its transaction open after drawing its id until the test lets it commit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inserted = threading.Event()
        self.release = threading.Event()

    def _after_insert(self, curs: Cursor[DictRow]) -> None:
        with curs.connection.cursor() as other:  # fetching sends the queued insert now
            other.execute("SELECT 1")
            other.fetchone()
        self.inserted.set()
        self.release.wait(30)


class NaiveHeldCommit(HeldCommit):
    """HeldCommit on the naive recorder: no shared lock, no horizon."""

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        return PostgresApplicationRecorder.insert_events(self, stored_events, **kwargs)

    def _insert_stored_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent],
                              **kwargs: Any) -> None:
        PostgresAggregateRecorder._insert_stored_events(self, curs, stored_events, **kwargs)
        self._after_insert(curs)

    def select_notifications(self, *args: Any, **kwargs: Any) -> Any:
        return PostgresApplicationRecorder.select_notifications(self, *args, **kwargs)


@pytest.fixture
def store(postgres_settings: Settings) -> Iterator[BCOApplication]:
    postgres_settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = BCOApplication(postgres_settings)
    yield app
    app.close()


def recorder_like(app: BCOApplication, kind: type[PostgresApplicationRecorder]) -> Any:
    """Another recorder on the application's table and connection pool."""
    return kind(app.recorder.datastore,  # type: ignore[attr-defined]
                events_table_name=app.recorder.events_table_name)  # type: ignore[attr-defined]


def one_event() -> StoredEvent:
    return StoredEvent(originator_id=uuid.uuid4(), originator_version=1, topic="test:Event",
                       state=b"{}")


def follow_while_writing(writer: Any, reader: Any) -> tuple[list[uuid.UUID], set[uuid.UUID]]:
    """Writers insert one or two events per transaction while a follower polls from its position, as
    the read-model runner does; returns what the follower saw, in order, and what was stored."""
    written: set[uuid.UUID] = set()
    guard = threading.Lock()
    done = threading.Event()

    def write() -> None:
        for number in range(WRITES_PER_WRITER):  # every third write has two events
            events = [one_event() for _ in range(2 if number % 3 == 0 else 1)]
            writer.insert_events(events)
            with guard:
                written.update(event.originator_id for event in events)

    seen: list[uuid.UUID] = []
    position = 0

    def poll() -> int:
        nonlocal position
        batch = reader.select_notifications(start=position + 1, limit=50)
        seen.extend(n.originator_id for n in batch)
        if batch:
            position = batch[-1].id
        return len(batch)

    def follow() -> None:
        while not done.is_set():
            poll()
        while poll():
            pass

    threads = [threading.Thread(target=write) for _ in range(WRITERS)]
    follower = threading.Thread(target=follow)
    follower.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    follower.join()
    return seen, written


def test_a_follower_misses_and_repeats_nothing_while_writers_commit_out_of_order(
        store: BCOApplication) -> None:
    recorder = recorder_like(store, SlowCommits)
    seen, written = follow_while_writing(recorder, recorder)
    assert len(written) == EVENTS_WRITTEN
    assert [k for k, n in Counter(seen).items() if n > 1] == []
    assert written - set(seen) == set()
    assert set(seen) == written


def test_the_same_check_catches_a_recorder_without_the_lock(store: BCOApplication) -> None:
    """Proof that the test above can fail: without lock or horizon the follower skips events."""
    recorder = recorder_like(store, NaiveRecorder)
    seen, written = follow_while_writing(recorder, recorder)
    assert len(written) == EVENTS_WRITTEN
    assert written - set(seen), "the naive follower should have passed over a late commit"


@pytest.mark.parametrize(("kind", "misses"), [(HeldCommit, False), (NaiveHeldCommit, True)])
def test_a_commit_that_comes_late_is_read_in_its_place(
        store: BCOApplication, kind: type[HeldCommit], misses: bool) -> None:
    """A draws id n and waits; B draws n+1 and commits; the follower reads; then A commits.

    With the horizon the follower's read waits for A (its lock is queued behind A's shared
    one) and returns both; without it the follower reads B alone and then starts after n+1.
    """
    slow = recorder_like(store, kind)
    fast = recorder_like(store, NaiveRecorder if misses else HorizonPostgresRecorder)
    late, early = one_event(), one_event()
    writing = threading.Thread(target=slow.insert_events, args=([late],))
    writing.start()
    assert slow.inserted.wait(10)
    fast.insert_events([early])

    seen: list[uuid.UUID] = []
    position = 0

    def read_once() -> None:
        nonlocal position
        batch = slow.select_notifications(start=position + 1, limit=10)
        seen.extend(n.originator_id for n in batch)
        position = batch[-1].id if batch else position

    reading = threading.Thread(target=read_once)
    reading.start()
    reading.join(0.0)
    while reading.is_alive() and not waiting_for_advisory_lock(store.settings.database_url):
        reading.join(0.01)
    slow.release.set()
    reading.join(10)
    writing.join(10)
    read_once()
    missed = {late.originator_id, early.originator_id} - set(seen)
    assert missed == ({late.originator_id} if misses else set())
    assert len(seen) == len(set(seen))


def waiting_for_advisory_lock(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                           "AND NOT granted").fetchone()
    return bool(row and row[0])


def test_a_subscription_is_refused_with_how_to_follow_instead(store: BCOApplication) -> None:
    with pytest.raises(SubscriptionRefused, match="poll select_notifications"):
        store.recorder.subscribe()  # type: ignore[attr-defined]


def test_each_events_table_has_insert_functions_of_its_own_within_the_name_limit() -> None:
    long_table = "bcotraining_" + "x" * 60
    names = {insert_function_name(table, "uuid", kind)
             for table in ("bco_events", "bcotraining_events", long_table)
             for kind in ("", "_one")}
    assert len(names) == 6
    assert all(len(name.encode()) <= 63 for name in names)
