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
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from limits.storage import Storage

from bco.application import BCOApplication
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
    """Expiring counters in the event store's database, safe across threads and processes.

    They use the application's side connection (bco.side_store): a count is not worth a disk
    flush of its own on every API request, and it closes with the application.
    """

    def __init__(self, app: BCOApplication, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._store = app.side_store  # in the store's schema on PostgreSQL
        self._swept = 0.0
        key = read_key(app.settings)
        secret = base64.b64decode(key) if key else b""
        self._hash_key = hmac.digest(secret, LABEL, "sha256")
        self._table = TABLE
        create = (f"CREATE TABLE IF NOT EXISTS {self._table} (key TEXT PRIMARY KEY, "
                  "count INTEGER NOT NULL, expires_at DOUBLE PRECISION NOT NULL, "
                  "last_at DOUBLE PRECISION NOT NULL)")
        try:
            self._run(create)
        except Exception:  # PostgreSQL: another process created it at the same moment
            self._run(create)

    def incr(self, key: str, expiry: float, amount: int = 1, *, now: float | None = None,
             sliding: bool = False) -> int:
        """Add `amount`; a counter past its expiry starts again. With `sliding` every increment
        moves the expiry to `expiry` seconds from now (forget only after a quiet spell)."""
        moment = self.clock() if now is None else now
        ((count,),) = self._run(_UPSERT.format(table=self._table),
                                [self._hashed(key), amount, moment + expiry, moment,
                                 int(sliding)], fetch=True)
        if moment - self._swept > SWEEP_SECONDS:
            self._swept = moment
            self._run(f"DELETE FROM {self._table} WHERE expires_at <= ?", [moment])
        return int(count)

    def peek(self, key: str, *, now: float | None = None) -> Count | None:
        """The counter as it stands, or None when there is none or it has expired."""
        moment = self.clock() if now is None else now
        rows = self._run(f"SELECT count, expires_at, last_at FROM {self._table} WHERE key = ?",
                         [self._hashed(key)], fetch=True)
        if not rows or rows[0][1] <= moment:
            return None
        count, expires_at, last_at = rows[0]
        return Count(int(count), float(expires_at), float(last_at))

    def clear(self, key: str) -> None:
        self._run(f"DELETE FROM {self._table} WHERE key = ?", [self._hashed(key)])

    def reset(self) -> int:
        (total,) = self._run(f"SELECT count(*) FROM {self._table}", fetch=True)[0]
        self._run(f"DELETE FROM {self._table}")
        return int(total)

    def check(self) -> bool:
        """Whether the table can be reached (Flask-Limiter asks before leaving its fallback)."""
        try:
            self._run(f"SELECT 1 FROM {self._table} LIMIT 1", fetch=True)
        except Exception:
            return False
        return True

    def keys_stored(self) -> list[str]:
        """The keys as the table holds them (keyed hashes), for audits and tests."""
        return [key for (key,) in self._run(f"SELECT key FROM {self._table}", fetch=True)]

    def _hashed(self, key: str) -> str:
        return hmac.digest(self._hash_key, key.encode(), hashlib.sha256).hex()

    def _run(self, sql: str, values: Sequence[Any] = (), *, fetch: bool = False
             ) -> list[tuple[Any, ...]]:
        """One statement, in its own transaction, on the side connection."""
        if fetch:
            return self._store.rows(sql, values)
        self._store.write(sql, values)
        return []


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
