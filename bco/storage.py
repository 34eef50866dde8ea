"""Where events live and how they are sealed: the one seam for backend and cipher."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import JSONTranscoder, Transcoding

from bco.config import Settings
from bco.domain.case import CallAttempt, IndexPerson
from bco.domain.interview import Contact, FollowUp, Handover, Note

CIPHER_TOPIC = "eventsourcing.cryptography:AESCipher"
COMPRESSOR_TOPIC = "eventsourcing.compressor:ZlibCompressor"
SCHEMA_LOCK = 0x42C0_5C4E  # the PostgreSQL advisory lock held while creating the store


class StartupError(RuntimeError):
    """BCO cannot open its event store; the message says how to fix that."""


class KeyNotCreatedError(StartupError):
    """The store is empty and has no key yet: `bco db init` creates one."""


def persistence_env(settings: Settings) -> dict[str, str]:
    """The eventsourcing settings for the configured backend (SQLite file or PostgreSQL)."""
    # Cached aggregates are fast-forwarded from the store before each use, so several
    # processes writing the same aggregate stay correct; a command then reads only new events.
    cache = {"AGGREGATE_CACHE_MAXSIZE": str(settings.aggregate_cache_size)}
    if not settings.aggregate_cache_size:
        cache = {}
    if not settings.uses_postgres:
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
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
    }
    if settings.database_schema:
        env["POSTGRES_SCHEMA"] = settings.database_schema
    return {**env, **cache}


@contextmanager
def one_creator_at_a_time(settings: Settings) -> Iterator[None]:
    """Hold PostgreSQL's advisory lock while the store's tables and functions are created.

    Every application instance creates them if missing, and PostgreSQL refuses two sessions
    replacing the same function at once ("tuple concurrently updated"): web workers, web
    nodes and rebuild helpers start together. SQLite serialises this by itself.
    """
    if not settings.uses_postgres:
        yield
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
    """Encrypt every event at rest; per-case keys (crypto-shredding) will replace this seam."""
    env = {"CIPHER_TOPIC": CIPHER_TOPIC, "CIPHER_KEY": key}
    if settings.compress_events:
        env["COMPRESSOR_TOPIC"] = COMPRESSOR_TOPIC
    return env


def read_key(settings: Settings) -> str | None:
    """The events key from BCO_CIPHER_KEY or the key file, or None when there is none."""
    if settings.cipher_key:
        return settings.cipher_key.strip()
    try:
        return settings.key_file.read_text().strip() or None
    except FileNotFoundError:
        return None


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

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self._names}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


VALUE_OBJECTS = (IndexPerson, CallAttempt, Contact, FollowUp, Handover, Note)


def register_transcodings(transcoder: JSONTranscoder) -> None:
    """Dates and the domain's value objects, as events and snapshots hold them."""
    transcoder.register(DateAsISO())
    for cls in VALUE_OBJECTS:
        transcoder.register(DataclassAsDict(cls))


def replay(aggregate: Any, events: Iterable[Any]) -> Any:
    """Apply stored events in turn; the library's default also type-checks each one, which
    cost a quarter of every command (BENCHMARKS.md, append)."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate
