"""The event store's database on a connection of its own, for the small tables that live
beside the event log: the per-case keys (bco.case_keys) and the shared counters
(bco.shared_counts).

Their writes need not be synced to disk on their own. On SQLite the connection commits at
`synchronous=NORMAL` in WAL mode, and on PostgreSQL with `synchronous_commit` off: both logs
are written in order, so the next event that commits durably makes every side write before
it durable too (a new case key always comes before the first event it seals). A counter lost
in a crash only forgets a few requests. Syncing each of them would add a disk flush to every
API request and every new case.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from bco.config import Settings


class SideStore(Protocol):
    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement (reading, or writing with RETURNING) and return its rows."""

    def write(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement and return how many rows it changed."""

    def close(self) -> None: ...


def open_side_store(settings: Settings, sqlite_path: Path | None = None) -> SideStore:
    """In the store's schema on PostgreSQL; in `sqlite_path` (events.db unless given) on
    SQLite, the file of the application's own event log."""
    if settings.uses_postgres:
        return _Postgres(settings.database_url, settings.database_schema)
    return _SQLite(str(sqlite_path or settings.events_path))


class _SQLite:
    """One connection to events.db, shared by this process's threads in turn; each statement
    is its own transaction (WAL lets it write beside the store's own connections)."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                    timeout=10)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.lock = threading.Lock()

    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self.lock:
            return list(self.conn.execute(sql, tuple(params)).fetchall())

    def write(self, sql: str, params: Iterable[Any] = ()) -> int:
        with self.lock:
            return self.conn.execute(sql, tuple(params)).rowcount

    def close(self) -> None:
        self.conn.close()


class _Postgres:
    """One autocommit connection in the event store's schema, opened again once when the
    server dropped it (a restart, an idle timeout)."""

    def __init__(self, url: str, schema: str) -> None:
        import psycopg  # only for PostgreSQL, as in bco.storage

        self._psycopg = psycopg
        self.url, self.schema = url, schema
        self.lock = threading.Lock()
        self.conn = self._connect()

    def _connect(self) -> Any:
        conn = self._psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        if self.schema:
            conn.execute(f'SET search_path TO "{self.schema}"')
        conn.execute("SET synchronous_commit TO OFF")
        return conn

    def _run(self, sql: str, params: Iterable[Any], fetch: bool) -> Any:
        statement, values = sql.replace("?", "%s"), tuple(params)
        with self.lock:
            try:
                cursor = self.conn.execute(statement, values)
            except self._psycopg.OperationalError:
                if not self.conn.closed:
                    raise
                self.conn = self._connect()
                cursor = self.conn.execute(statement, values)
            return list(cursor.fetchall()) if fetch else cursor.rowcount

    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        found: list[tuple[Any, ...]] = self._run(sql, params, fetch=True)
        return found

    def write(self, sql: str, params: Iterable[Any] = ()) -> int:
        count: int = self._run(sql, params, fetch=False)
        return count

    def close(self) -> None:
        self.conn.close()
