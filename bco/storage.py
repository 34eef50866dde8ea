"""Where events live and how they are sealed: the one seam for backend and cipher."""

from __future__ import annotations

import base64
import fcntl
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import InterfaceError, JSONTranscoder, Transcoding
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteFactory,
)
from eventsourcing.utils import Environment, EnvType

from bco.config import Settings
from bco.domain.case import CallAttempt, IndexPerson, Invite
from bco.domain.interview import Contact, FollowUp, Handover, Note
from bco.sealing import SealedAsList, sealed

CIPHER_TOPIC = "eventsourcing.cryptography:AESCipher"
COMPRESSOR_TOPIC = "eventsourcing.compressor:ZlibCompressor"
MAPPER_TOPIC = "bco.sealing:SealingMapper"
KEY_SIZES = (16, 24, 32)
SCHEMA_LOCK = 0x42C0_5C4E  # the PostgreSQL advisory lock held while creating the store
SQLITE_CREATION_LOCK = "store.lock"  # its SQLite counterpart, a file in the data directory
# Writers commit side by side; followers read up to a horizon (bco/storage_postgres.py).
POSTGRES_RECORDER_TOPIC = "bco.storage_postgres:HorizonPostgresRecorder"
STATEMENT_CACHE = 64  # prepared statements kept per SQLite connection


class StartupError(RuntimeError):
    """BCO cannot open its event store; the message says how to fix that."""


class KeyNotCreatedError(StartupError):
    """The store is empty and has no key yet: `bco db init` creates one."""


def persistence_env(settings: Settings) -> dict[str, str]:
    """The eventsourcing settings for the configured backend (SQLite file or PostgreSQL)."""
    # Reads fast-forward a cached aggregate from the store; a command writes on its cached
    # copy and the store's unique version key refuses it when another process was ahead
    # (BCOApplication._written_on_cached), so several processes stay correct.
    cache = {"AGGREGATE_CACHE_MAXSIZE": str(settings.aggregate_cache_size)}
    if not settings.aggregate_cache_size:
        cache = {}
    if not settings.uses_postgres:
        return {
            "PERSISTENCE_MODULE": "bco.storage:StatementCachingSQLiteFactory",
            "SQLITE_DBNAME": str(settings.events_path),
            "SQLITE_LOCK_TIMEOUT": "10",
            **cache,
        }
    url = urlsplit(settings.database_url)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": url.path.lstrip("/") or "postgres",
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
        "POSTGRES_CONNECT_TIMEOUT": "10",
        "POSTGRES_POOL_SIZE": "5",
        "APPLICATION_RECORDER_TOPIC": POSTGRES_RECORDER_TOPIC,
    }
    if settings.database_schema:
        env["POSTGRES_SCHEMA"] = settings.database_schema
    return {**env, **cache}


class StatementCachingSQLiteFactory(SQLiteFactory):
    """The library's SQLite event store, on connections that keep their prepared statements.

    eventsourcing opens its connections with `cached_statements=True`, which sqlite3 takes as
    a cache of one statement: BEGIN, the query and ROLLBACK then evict one another and are
    compiled again on every use. That was half the cost of reading an aggregate's new events,
    which every command and page does.
    """

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        unused = self.datastore.pool  # its connections are made on first use: none exist yet
        self.datastore.pool = _StatementCachingPool(db_name=unused.db_name,
                                                    lock_timeout=unused.lock_timeout)
        unused.close()


class _StatementCachingPool(SQLiteConnectionPool):
    def _create_connection(self) -> SQLiteConnection:
        """As the library makes a connection (autocommit, WAL, rows by name), with a cache."""
        try:
            connection = sqlite3.connect(
                database=self.db_name, uri=True, check_same_thread=False,
                isolation_level=None, cached_statements=STATEMENT_CACHE,
                timeout=self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT)
        except (sqlite3.Error, TypeError) as exc:
            raise InterfaceError(exc) from exc
        if not self.is_sqlite_memory_mode:
            connection.execute("PRAGMA journal_mode=WAL")
            self.is_journal_mode_wal = True
        connection.row_factory = sqlite3.Row
        return SQLiteConnection(sqlite_conn=connection, max_age=self.max_age)


@contextmanager
def one_creator_at_a_time(settings: Settings) -> Iterator[None]:
    """Let one application instance at a time create the store's tables (and functions).

    Every instance creates them if missing, and web workers, web nodes and rebuild helpers
    start together. PostgreSQL refuses two sessions replacing the same function at once
    ("tuple concurrently updated"), so they queue on an advisory lock. SQLite does not wait
    its busy timeout while a new file is switched to WAL: the other openers fail at once
    with "database is locked", so they queue on a lock file beside the store.
    """
    if not settings.uses_postgres:
        with open(settings.data_dir / SQLITE_CREATION_LOCK, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    import psycopg  # only for PostgreSQL: on SQLite it would cost ~20 MiB per process for nothing

    try:
        conn = psycopg.connect(settings.database_url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        where = urlsplit(settings.database_url)
        detail = " ".join(str(exc).split())
        raise StartupError(
            f"Cannot reach PostgreSQL at {where.hostname}:{where.port or 5432} ({detail}) "
            "Check BCO_DATABASE_URL and that the server is running.") from None
    with conn:
        conn.execute("SELECT pg_advisory_lock(%s)", [SCHEMA_LOCK])
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", [SCHEMA_LOCK])


def sealing_env(key: str, settings: Settings) -> dict[str, str]:
    """Encrypt every event at rest under the events key, and its personal fields once more
    under the keys of its own case (bco/sealing.py), which retention destroys."""
    env = {"CIPHER_TOPIC": CIPHER_TOPIC, "CIPHER_KEY": key, "MAPPER_TOPIC": MAPPER_TOPIC}
    if settings.compress_events:
        env["COMPRESSOR_TOPIC"] = COMPRESSOR_TOPIC
    return env


def read_key(settings: Settings) -> str | None:
    """The events key from BCO_CIPHER_KEY or the key file, or None when there is none.

    A key that cannot be one is refused here with the setting it came from, rather than as a
    traceback from deep inside the cipher.
    """
    if settings.cipher_key:
        return checked_key(settings.cipher_key.strip(), "BCO_CIPHER_KEY")
    path = settings.key_file
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise StartupError(f"BCO_KEY_FILE {path} is a directory; it must be the file that "
                           "holds the events key.") from None
    except UnicodeDecodeError:
        text = "\ufffd"
    except OSError as exc:
        raise StartupError(f"BCO_KEY_FILE {path} cannot be read: {exc.strerror}.") from None
    return checked_key(text, f"BCO_KEY_FILE {path}") if text else None


def checked_key(key: str, source: str) -> str:
    """The key if AES can use it: base64 text of 16, 24 or 32 bytes."""
    try:
        size = len(base64.b64decode(key.encode("ascii"), validate=True))
    except (ValueError, UnicodeEncodeError):
        raise StartupError(f"{source} does not hold an events key: expected base64 text of 16, "
                           "24 or 32 bytes, as 'bco db init' writes.") from None
    if size not in KEY_SIZES:
        raise StartupError(f"{source} holds a key of {size} bytes; an events key has 16, 24 "
                           "or 32 bytes.")
    return key


def create_key_file(path: Path) -> str:
    """Write a new random key readable by its owner only (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = AESCipher.create_key(16)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    return key


# -- how events are stored and replayed ----------------------------------------------------


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class DataclassAsDict(Transcoding):
    """Stores a frozen value object of the domain, e.g. inside a snapshot."""

    def __init__(self, cls: type[Any]) -> None:
        self.type = cls
        self.name = cls.__qualname__
        self._names = [f.name for f in fields(cls)]
        self._personal: dict[str, str] = dict(getattr(cls, "personal", {}))

    def encode(self, obj: Any) -> dict[str, Any]:
        personal = self._personal
        return {name: sealed(personal[name], getattr(obj, name), name) if name in personal
                else getattr(obj, name) for name in self._names}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


VALUE_OBJECTS = (IndexPerson, CallAttempt, Contact, FollowUp, Handover, Note, Invite)


def register_transcodings(transcoder: JSONTranscoder) -> None:
    """Dates and the domain's value objects, as events and snapshots hold them."""
    transcoder.register(DateAsISO())
    transcoder.register(SealedAsList())
    for cls in VALUE_OBJECTS:
        transcoder.register(DataclassAsDict(cls))


def replay(aggregate: Any, events: Iterable[Any]) -> Any:
    """Apply stored events in turn; the library's default also type-checks each one, which
    cost a quarter of every command (BENCHMARKS.md, append)."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate
