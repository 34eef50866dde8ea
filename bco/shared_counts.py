"""Counters every process and node shares: API rate limits and failed sign-ins.

Counted in one table of the event store's database (the SQLite file, or PostgreSQL), because
that is the one store every web worker and node already shares: a count kept in each
process's memory lets a guesser spread over several workers or nodes that many times the
tries. Flask-Limiter's storages are memory, Redis, Memcached and MongoDB; BCO runs none of
those, so `LimitsStorage` gives the `limits` package a storage over this table.

Keys are stored as keyed hashes (HMAC-SHA256 under a key derived from the events key): a key
holds a token's name, an address or a typed sign-in name, which may be a mistyped password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from limits.storage import Storage

from bco.config import Settings
from bco.storage import read_key

TABLE = "bco_counters"
SWEEP_SECONDS = 300.0  # expired rows are deleted this often per process
LABEL = b"bco shared counters v1"

_UPSERT = (
    "INSERT INTO {table} (key, count, expires_at, last_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (key) DO UPDATE SET "
    "count = CASE WHEN {table}.expires_at <= excluded.last_at THEN excluded.count "
    "ELSE {table}.count + excluded.count END, "
    "expires_at = CASE WHEN {table}.expires_at <= excluded.last_at OR ? = 1 "
    "THEN excluded.expires_at ELSE {table}.expires_at END, "
    "last_at = excluded.last_at "
    "RETURNING count")


@dataclass(frozen=True)
class Count:
    """A live counter: how many, until when it holds, and when it last went up."""

    count: int
    expires_at: float
    last_at: float


class SharedCounts:
    """Expiring counters in the event store's database, safe across threads and processes."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.clock = clock
        self._lock = threading.Lock()
        self._conn: Any = None
        self._pid = 0
        self._swept = 0.0
        key = read_key(settings)
        secret = base64.b64decode(key) if key else b""
        self._hash_key = hmac.digest(secret, LABEL, "sha256")
        schema = settings.database_schema if settings.uses_postgres else ""
        self._table = f'"{schema}".{TABLE}' if schema else TABLE

    def incr(self, key: str, expiry: float, amount: int = 1, *, now: float | None = None,
             sliding: bool = False) -> int:
        """Add `amount`; a counter past its expiry starts again. With `sliding` every increment
        moves the expiry to `expiry` seconds from now (forget only after a quiet spell)."""
        moment = self.clock() if now is None else now
        with self._cursor() as run:
            (count,) = run(_UPSERT.format(table=self._table),
                           [self._hashed(key), amount, moment + expiry, moment,
                            int(sliding)]).fetchone()
            if moment - self._swept > SWEEP_SECONDS:
                run(f"DELETE FROM {self._table} WHERE expires_at <= ?", [moment])
                self._swept = moment
        return int(count)

    def peek(self, key: str, *, now: float | None = None) -> Count | None:
        """The counter as it stands, or None when there is none or it has expired."""
        moment = self.clock() if now is None else now
        with self._cursor() as run:
            row = run(f"SELECT count, expires_at, last_at FROM {self._table} WHERE key = ?",
                      [self._hashed(key)]).fetchone()
        if row is None or row[1] <= moment:
            return None
        return Count(int(row[0]), float(row[1]), float(row[2]))

    def clear(self, key: str) -> None:
        with self._cursor() as run:
            run(f"DELETE FROM {self._table} WHERE key = ?", [self._hashed(key)])

    def reset(self) -> int:
        with self._cursor() as run:
            return int(run(f"DELETE FROM {self._table}", []).rowcount)

    def check(self) -> bool:
        """Whether the table can be reached (Flask-Limiter asks before leaving its fallback)."""
        try:
            with self._cursor() as run:
                run(f"SELECT 1 FROM {self._table} LIMIT 1", []).fetchall()
        except Exception:
            return False
        return True

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _hashed(self, key: str) -> str:
        return hmac.digest(self._hash_key, key.encode(), hashlib.sha256).hex()

    @contextmanager
    def _cursor(self) -> Iterator[Callable[[str, list[Any]], Any]]:
        """One statement at a time on this process's connection (made again after a fork)."""
        with self._lock:
            conn = self._connection()
            if self.settings.uses_postgres:
                def run(sql: str, values: list[Any]) -> Any:
                    return conn.execute(sql.replace("?", "%s"), values)
            else:
                def run(sql: str, values: list[Any]) -> Any:
                    return conn.execute(sql, values)
            try:
                yield run
            except Exception:
                self._conn = None  # a broken connection is not used again
                _close_quietly(conn)
                raise

    def _connection(self) -> Any:
        if self._conn is not None and self._pid == os.getpid():
            return self._conn
        if self.settings.uses_postgres:
            import psycopg  # only for PostgreSQL, as in bco.storage

            conn: Any = psycopg.connect(self.settings.database_url, autocommit=True,
                                        connect_timeout=10)
        else:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.settings.events_path), isolation_level=None,
                                   check_same_thread=False, timeout=10)
            conn.execute("PRAGMA journal_mode = WAL")
        create = (f"CREATE TABLE IF NOT EXISTS {self._table} (key TEXT PRIMARY KEY, "
                  "count INTEGER NOT NULL, expires_at DOUBLE PRECISION NOT NULL, "
                  "last_at DOUBLE PRECISION NOT NULL)")
        try:
            conn.execute(create)
        except Exception:  # PostgreSQL: another process created it at the same moment
            conn.execute(create)
        self._conn, self._pid = conn, os.getpid()
        return conn


def _close_quietly(conn: Any) -> None:
    try:
        conn.close()
    except Exception:  # closing a broken connection may fail too; it is dropped either way
        return


class LimitsStorage(Storage):
    """A `limits` storage (fixed windows, as Flask-Limiter uses by default) over SharedCounts.

    Flask-Limiter makes it from `storage_uri="bco://"` with `storage_options={"counts": ...}`.
    """

    STORAGE_SCHEME = ["bco"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 **options: Any) -> None:
        self.counts: SharedCounts = options["counts"]
        super().__init__(uri, wrap_exceptions=wrap_exceptions)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return Exception

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self.counts.incr(f"limit:{key}", expiry, amount, now=time.time())

    def get(self, key: str) -> int:
        found = self.counts.peek(f"limit:{key}", now=time.time())
        return found.count if found else 0

    def get_expiry(self, key: str) -> float:
        found = self.counts.peek(f"limit:{key}", now=time.time())
        return found.expires_at if found else time.time()

    def check(self) -> bool:
        return self.counts.check()

    def reset(self) -> int | None:
        return self.counts.reset()

    def clear(self, key: str) -> None:
        self.counts.clear(f"limit:{key}")
