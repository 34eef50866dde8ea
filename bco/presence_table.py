"""Presence shared by every web node: who has which case or interview open, in one PostgreSQL
table beside the event store (when BCO_DATABASE_URL is set).

Each poll of a page upserts (page, account) with the database's clock, so nodes need not
agree on theirs, and reads the others seen within the expiry. Rows are only hints: they are
replaced on every poll and swept when stale, and if PostgreSQL cannot be reached presence
shows nobody rather than failing the page.
"""

from __future__ import annotations

import logging
import threading
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from bco.config import Settings

log = logging.getLogger(__name__)

TABLE = "bco_presence"
SWEEP_EVERY = 200  # polls between deletions of stale rows, per process


@dataclass(frozen=True)
class Seen:
    """Someone else on the page, and since when (seconds since the epoch, database clock)."""

    name: str
    since: float


class SharedPresence:
    """The two operations of the in-memory register, on a table every node shares."""

    def __init__(self, settings: Settings, expiry: float) -> None:
        self.url = settings.database_url
        self.schema = settings.database_schema or "public"
        self.expiry = expiry
        self._lock = threading.Lock()
        self._conn: Any = None
        self._polls = 0

    def here(self, key: str, name: str) -> list[Seen]:
        """Note that `name` has `key` open; return the others who have it open too."""
        try:
            with self._lock:
                return self._here(key, name)
        except Exception as exc:  # presence only informs: a page never fails for it
            log.warning("Presence is unavailable: %s", exc)
            self._drop_connection()
            return []

    def close(self) -> None:
        with self._lock:
            self._drop_connection()

    def _here(self, key: str, name: str) -> list[Seen]:
        from psycopg import sql

        conn = self._connection()
        table = sql.Identifier(self.schema, TABLE)
        conn.execute(sql.SQL(
            "INSERT INTO {t} AS p (page, account, since, last) VALUES (%s, %s, now(), now()) "
            "ON CONFLICT (page, account) DO UPDATE SET last = now(), since = CASE "
            "WHEN p.last < now() - make_interval(secs => %s) THEN now() ELSE p.since END"
        ).format(t=table), [key, name, self.expiry])
        rows = conn.execute(sql.SQL(
            "SELECT account, extract(epoch FROM since) FROM {t} WHERE page = %s "
            "AND account <> %s AND last >= now() - make_interval(secs => %s) "
            "ORDER BY since, account").format(t=table), [key, name, self.expiry]).fetchall()
        self._polls += 1
        if self._polls % SWEEP_EVERY == 0:
            conn.execute(sql.SQL("DELETE FROM {t} WHERE last < now() - make_interval(secs => %s)")
                         .format(t=table), [self.expiry])
        return [Seen(account, float(since)) for account, since in rows]

    def _connection(self) -> Any:
        """One autocommit connection per process, made (with the table) on first use."""
        if self._conn is None:
            import psycopg
            from psycopg import sql

            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
            # Another node may create it at the same moment: then it exists, as wanted.
            with suppress(psycopg.errors.UniqueViolation, psycopg.errors.DuplicateTable):
                conn.execute(sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {t} (page text NOT NULL, account text NOT NULL, "
                    "since timestamptz NOT NULL, last timestamptz NOT NULL, "
                    "PRIMARY KEY (page, account))").format(t=sql.Identifier(self.schema, TABLE)))
            self._conn = conn
        return self._conn

    def _drop_connection(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
