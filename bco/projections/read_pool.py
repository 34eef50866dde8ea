"""Read connections to views.db kept between a web process's requests.

views.db is a SQLCipher file: every page a connection reads from disk is decrypted and
checked (AES and an HMAC) before SQLite sees it, and a connection's decrypted pages live only
as long as the connection. A connection per request therefore decrypted again, on every page
load, every page its queries touched: at 1M events the lead's dashboard spent most of its time
there. Pooled connections keep those pages (a larger cache than SQLite's default), so a page
touched by the last request costs nothing; SQLite notices any commit by the follower and
drops the pages it changed.

A rebuild replaces views.db with a new file (bco.projections.rebuild). Before it does, it
puts a marker beside views.db (`SWAP_SUFFIX`) and waits until no connection holds the old
file: from then on the pool closes what it holds and lends no pooled connection, only
connections for one request, until the marker is gone. A connection to a file that was
replaced anyway (restored, removed at start) is noticed by its file identity and not reused.
Connections idle for `IDLE_SECONDS` are closed by a reaper thread, so a process that serves
nothing does not hold the file either.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlite_utils import Database

from bco.projections.runner import BUSY_TIMEOUT_MS
from bco.projections.viewsdb import connect_file, file_identity

SWAP_SUFFIX = ".swap"  # views.db.swap: a rebuild is about to replace views.db
IDLE_SECONDS = 30.0  # a pooled connection unused this long is closed
REAP_SECONDS = 0.5  # how often idle connections and the marker are looked at
CACHE_KIB = 16 * 1024  # decrypted pages kept per connection (SQLite's default is 2 MiB)
POOL_SIZE = 8  # connections kept; `bco serve` runs 8 threads by default


def swap_marker(views_path: Path) -> Path:
    return views_path.with_name(views_path.name + SWAP_SUFFIX)


class _Pooled:
    __slots__ = ("db", "identity", "since")

    def __init__(self, db: Database, identity: tuple[int, int]) -> None:
        self.db = db
        self.identity = identity
        self.since = time.monotonic()


class ReadPool:
    """Read-only connections to one views.db, lent one request at a time."""

    def __init__(self, path: Path, key: str | None, *, size: int = POOL_SIZE) -> None:
        self.path = path
        self.key = key
        self.size = size
        self.marker = swap_marker(path)
        self._idle: list[_Pooled] = []
        self._lock = threading.Lock()
        _REAPER.watch(self)

    @contextmanager
    def connection(self) -> Iterator[Database]:
        """A read connection for one request; FileNotFoundError when there is no views.db."""
        identity = file_identity(self.path)
        if identity is None:
            raise FileNotFoundError(f"No read models at {self.path}; run 'bco projections "
                                    "run' (or start the server) first.")
        swapping = self.marker.exists()
        if swapping:
            self.close_idle(older_than=0.0)
        pooled = None if swapping else self._take(identity)
        if pooled is None:
            pooled = _Pooled(self._open(), identity)
        kept = False
        try:
            yield pooled.db
            kept = not swapping and self._give_back(pooled)
        finally:
            if not kept:
                pooled.db.close()

    def close_idle(self, older_than: float = IDLE_SECONDS) -> None:
        """Close pooled connections unused for `older_than` seconds (all with 0)."""
        now = time.monotonic()
        with self._lock:
            stale = [p for p in self._idle if now - p.since >= older_than]
            self._idle = [p for p in self._idle if now - p.since < older_than]
        for pooled in stale:
            with suppress(Exception):
                pooled.db.close()

    def pooled_count(self) -> int:
        with self._lock:
            return len(self._idle)

    def _take(self, identity: tuple[int, int]) -> _Pooled | None:
        with self._lock:
            while self._idle:
                pooled = self._idle.pop()
                if pooled.identity == identity:
                    return pooled
                with suppress(Exception):
                    pooled.db.close()  # a file that was replaced since
        return None

    def _give_back(self, pooled: _Pooled) -> bool:
        """Back into the pool, unless the pool is full or the borrower left a transaction
        open (its snapshot would hide the follower's later commits)."""
        if pooled.db.conn.in_transaction:
            return False
        pooled.since = time.monotonic()
        with self._lock:
            if len(self._idle) >= self.size:
                return False
            self._idle.append(pooled)
            return True

    def _open(self) -> Database:
        db = Database(connect_file(self.path, self.key, isolation_level=None,
                                   check_same_thread=False))
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA query_only = ON")
            db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        except Exception:
            db.close()
            raise
        return db


class _Reaper:
    """One daemon thread for every pool of the process: closes idle connections, and all of
    a pool's connections while a rebuild waits to swap its file."""

    def __init__(self) -> None:
        self._pools: weakref.WeakSet[ReadPool] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def watch(self, pool: ReadPool) -> None:
        with self._lock:
            self._pools.add(pool)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="bco-read-pool-reaper",
                                                daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(REAP_SECONDS)
            with self._lock:
                pools = list(self._pools)
            for pool in pools:
                pool.close_idle(0.0 if pool.marker.exists() else IDLE_SECONDS)
            del pools


_REAPER = _Reaper()
