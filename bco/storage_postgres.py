"""The event log on PostgreSQL without a table lock per write: writers commit side by side,
and followers read only up to a horizon below which nothing can still commit.

The library's recorder takes `LOCK TABLE ... IN EXCLUSIVE MODE` (and sends a NOTIFY, which
serialises commits too) in every write transaction, so that notification ids become visible in
order and a follower never passes an id whose transaction commits later. Eight writers then
take turns, one fsync each. Here every writer holds a *shared* advisory lock from before its
notification id is drawn until it has committed, so writers do not wait for one another and
PostgreSQL flushes their commits together. A reader that wants the log's end takes the same
advisory lock *exclusively* for a moment: once it has it, every transaction that drew an id
has committed or rolled back, and ids drawn later are higher than the end it reads. Below that
horizon the log is final, so a follower that reads up to it misses nothing and sees nothing
twice. The cost moves to the follower: one short lock per poll that finds new events, not
one per write.

A write is one statement, a call of the database function `bco_insert_<table>_<id type>`
(one per events table: the real store's and the practice sandbox's share a schema) that
takes the shared lock and inserts, committed on its own: one round trip to the server,
where the library's pipeline needs a BEGIN, the insert, a sync for its ids and a COMMIT.

Imported only when BCO_DATABASE_URL is set (bco.storage names it by topic), so a SQLite
install never loads psycopg.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from eventsourcing.persistence import InterfaceError, Notification, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import Connection, Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier, Literal

PG_IDENTIFIER_LIMIT = 63  # bytes; PostgreSQL truncates longer names
LOCK_CLASS = 0x0BC0_1061  # the first key of the advisory lock; the second names the table


def insert_function_name(events_table_name: str, id_type: str, kind: str = "") -> str:
    """The insert function of one events table. Each table has its own: the function names
    its table, and two applications in one schema (the real store and the practice sandbox)
    sharing one would each replace it with theirs, sending every write to the last opened.
    `kind` "_one" names the function for a single event."""
    name = f"bco_insert_{events_table_name}_{id_type}{kind}"
    if len(name.encode()) > PG_IDENTIFIER_LIMIT:  # PostgreSQL would cut it short silently
        name = f"bco_insert_{zlib.crc32(events_table_name.encode()):08x}_{id_type}{kind}"
    return name


class SubscriptionRefused(RuntimeError):
    """Asked to LISTEN for new events on a log whose writes send no NOTIFY."""


class HorizonPostgresRecorder(PostgresApplicationRecorder):
    """Writers take a shared advisory lock; a reader takes it exclusively to learn the horizon."""

    def __init__(self, datastore: PostgresDatastore, *,
                 events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        where = f"{datastore.schema}.{events_table_name}".encode()
        self.lock_key = [LOCK_CLASS, zlib.crc32(where) - 2**31]
        self.lock_table_statements = []
        self._reading = SQL("SELECT pg_advisory_xact_lock(%s, %s)")
        self._horizon = 0
        self._horizon_guard = threading.Lock()
        self._insert_function = insert_function_name(events_table_name,
                                                     datastore.originator_id_type)
        # The library's default lock_timeout 0 means none: then no SET per write.
        set_timeout = (SQL("SET LOCAL lock_timeout = {timeout}; ").format(
            timeout=Literal(f"{datastore.lock_timeout}s")) if datastore.lock_timeout else SQL(""))
        self._insert_call = SQL("SELECT * FROM {schema}.{function}(%s)").format(
            schema=Identifier(datastore.schema), function=Identifier(self._insert_function))
        # In place of the library's insert function, which sends a NOTIFY.
        self.sql_create_statements[self.create_insert_function_statement_index] = SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}(events {schema}.{event}[]) "
            "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ BEGIN {set_timeout}"
            "PERFORM pg_advisory_xact_lock_shared({first}, {second}); "
            "RETURN QUERY INSERT INTO {schema}.{table} "
            "(originator_id, originator_version, topic, state) "
            "SELECT originator_id, originator_version, topic, state FROM unnest(events) "
            "RETURNING notification_id; END; $BODY$").format(
            schema=Identifier(datastore.schema), function=Identifier(self._insert_function),
            event=Identifier(self.stored_event_type_name),
            table=Identifier(self.events_table_name), set_timeout=set_timeout,
            first=Literal(self.lock_key[0]), second=Literal(self.lock_key[1]))
        self._insert_one_function = insert_function_name(
            events_table_name, datastore.originator_id_type, "_one")
        self._insert_one_call = SQL("SELECT {schema}.{function}(%s, %s, %s, %s)").format(
            schema=Identifier(datastore.schema), function=Identifier(self._insert_one_function))
        self._rendered: dict[str, bytes] = {}  # statement text by function name
        self.sql_create_statements.append(SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}(id {id_type}, version bigint, "
            "event_topic text, event_state bytea) RETURNS bigint LANGUAGE plpgsql AS $BODY$ "
            "DECLARE drawn bigint; BEGIN {set_timeout}"
            "PERFORM pg_advisory_xact_lock_shared({first}, {second}); "
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "VALUES (id, version, event_topic, event_state) RETURNING notification_id INTO drawn; "
            "RETURN drawn; END; $BODY$").format(
            schema=Identifier(datastore.schema), function=Identifier(self._insert_one_function),
            id_type=SQL(datastore.originator_id_type), table=Identifier(self.events_table_name),
            set_timeout=set_timeout,
            first=Literal(self.lock_key[0]), second=Literal(self.lock_key[1])))

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any
                      ) -> Sequence[int] | None:
        """One call of an insert function: the shared lock, the rows and their ids, and the
        commit, in one round trip. A single event (most writes: an answer) goes as plain
        parameters, which psycopg sends for a fraction of an array of composites' CPU."""
        if not stored_events:
            return []
        if len(stored_events) == 1:  # an answer: plain parameters, no array of composites
            (event,) = stored_events
            query: Composed = self._insert_one_call
            params: tuple[Any, ...] = (event.originator_id, event.originator_version,
                                       event.topic, event.state)
            function = self._insert_one_function
        else:
            query, function = self._insert_call, self._insert_function
            params = ([self.construct_pg_stored_event(e.originator_id, e.originator_version,
                                                      e.topic, e.state)
                       for e in stored_events],)
        with (self.datastore.get_connection() as conn, self._around_insert(conn),
              conn.cursor() as curs):
            curs.execute(self._render(function, query, conn), params, prepare=True)
            ids = [int(row[function]) for row in curs.fetchall()]
            self._after_insert(curs)
        return ids

    def _render(self, function: str, query: Composed, conn: Connection[DictRow]) -> bytes:
        """The call's text, made once: psycopg would quote its identifiers anew on every
        call (a tenth of a write's CPU)."""
        rendered = self._rendered.get(function)
        if rendered is None:
            rendered = self._rendered[function] = query.as_bytes(conn)
        return rendered

    def _around_insert(self, conn: Connection[DictRow]) -> AbstractContextManager[Any]:
        """Nothing: the call commits by itself. A test holds a transaction open around it."""
        return nullcontext()

    def _after_insert(self, curs: Cursor[DictRow]) -> None:
        """Nothing; a test widens the gap between drawing an id and committing here."""

    def horizon(self) -> int:
        """The highest notification id below which no transaction can still commit.

        When nothing beyond the last horizon has committed, that horizon still holds and no
        lock is taken: an idle follower does not make writers wait.
        """
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.max_notification_id_statement, prepare=True)
            row = curs.fetchone()
        if int((row and row["max"]) or 0) <= self._horizon:
            return self._horizon
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._reading, self.lock_key, prepare=True)
            # A new statement, so a new snapshot: taken after every writer before us ended.
            curs.execute(self.max_notification_id_statement, prepare=True)
            row = curs.fetchone()
        found = int(row["max"] or 0) if row else 0
        with self._horizon_guard:
            self._horizon = max(self._horizon, found)
            return self._horizon

    def select_notifications(self, start: int | None, limit: int, stop: int | None = None,
                             topics: Sequence[str] = (), *,
                             inclusive_of_start: bool = True) -> Sequence[Notification]:
        """As the library reads them, never past the horizon (learnt again only when needed)."""
        first = 1 if start is None else start if inclusive_of_start else start + 1
        wanted = first + limit - 1 if stop is None else min(stop, first + limit - 1)
        horizon = self._horizon if wanted <= self._horizon else self.horizon()
        stop = horizon if stop is None else min(stop, horizon)
        if stop < first:
            return []
        return super().select_notifications(start, limit, stop, topics,
                                            inclusive_of_start=inclusive_of_start)

    def max_notification_id(self) -> int | None:
        return self.horizon() or None

    def subscribe(self, gt: int | None = None, topics: Sequence[str] = ()) -> Any:
        """Refused: no write sends NOTIFY (it would make commits take turns again), so a
        LISTEN subscription would wait for nothing. Followers poll (ReadModelRunner)."""
        raise SubscriptionRefused(
            "BCO's PostgreSQL event log has no LISTEN/NOTIFY subscription; poll "
            "select_notifications, which stops at the horizon, as ReadModelRunner does.")

