"""The key store: two keys of its own per case (the index's, the contacts'), in the event
store's database (on its side connection, bco.side_store), each wrapped under the master
events key.

Destroying a key (crypto-shredding) is the end of retention: what it sealed can no longer be
read by anyone, while the events themselves, and the non-personal facts in them, stay. A key
row is never deleted either: its wrapped key is blanked and the moment noted, so the store
shows which keys existed and when each was destroyed.
"""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bco.domain.phone import phone_hasher
from bco.side_store import SideStore

TABLE = "bco_case_keys"
KEY_BYTES = 32
NONCE_BYTES = 12
CACHE_LIMIT = 50_000  # unwrapped keys kept per process; a rebuild touches every case once


class KeyStoreError(RuntimeError):
    """The key store cannot be read or written; the message says why."""


@dataclass(frozen=True)
class KeyRow:
    owner_id: str
    part: str
    generation: int
    wrapped: str | None
    created_at: str
    destroyed_at: str | None


class CaseKeys:
    """Per-case keys: created on first use, unwrapped once per process, destroyed at the end
    of retention. `cipher_for` and `current` are on the hot path and hit a dict."""

    def __init__(self, side_store: SideStore, master_key: str, *, table: str = TABLE) -> None:
        self._table = table  # the practice sandbox keeps its keys apart (bcotraining_case_keys)
        self._master = AESGCM(base64.b64decode(master_key))
        # The same keyed hash of phone numbers as the timeline read model's, kept readable
        # beside each sealed phone number so that erasing it keeps "known contact" countable.
        self.phone_key = phone_hasher(master_key)
        self._db = side_store
        self._db.write(
            f"CREATE TABLE IF NOT EXISTS {self._table} (owner_id TEXT NOT NULL, "
            "part TEXT NOT NULL, generation INTEGER NOT NULL, wrapped TEXT, "
            "created_at TEXT NOT NULL, destroyed_at TEXT, "
            "PRIMARY KEY (owner_id, part, generation))")
        self._ciphers: dict[tuple[str, str, int], AESGCM | None] = {}
        self._current: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    # -- the hot path -------------------------------------------------------------------

    def current(self, owner: str, part: str) -> tuple[int, AESGCM]:
        """The live key of one aggregate's part (by its id as text), created when it has none
        (yet, or any more: a contact named after the contacts' key was destroyed gets a new
        key)."""
        generation = self._current.get((owner, part))
        if generation is not None:
            cipher = self._ciphers.get((owner, part, generation))
            if cipher is not None:
                return generation, cipher
        return self._load_current(owner, part)

    def cipher_for(self, owner: str, part: str, generation: int) -> AESGCM | None:
        """The key that sealed a value, or None when it was destroyed (or never existed)."""
        found = self._ciphers.get((owner, part, generation), False)
        if found is not False:
            return found  # type: ignore[return-value]
        return self._load(owner, part, generation)

    def forget(self, owner_id: UUID) -> None:
        """Drop one aggregate's keys from this process, e.g. once they are seen destroyed."""
        owner = str(owner_id)
        with self._lock:
            for generation_key in [k for k in self._ciphers if k[0] == owner]:
                del self._ciphers[generation_key]
            for part_key in [k for k in self._current if k[0] == owner]:
                del self._current[part_key]

    # -- the store -------------------------------------------------------------------------

    def _load(self, owner: str, part: str, generation: int) -> AESGCM | None:
        rows = self._db.rows(f"SELECT wrapped FROM {self._table} WHERE owner_id = ? AND part = ? "
                             "AND generation = ?", [owner, part, generation])
        cipher = self._unwrap(owner, part, generation, rows[0][0]) if rows else None
        self._remember((owner, part, generation), cipher)
        return cipher

    def _load_current(self, owner: str, part: str) -> tuple[int, AESGCM]:
        """The live key, or a new one: first tried as generation 1 (a new case's first
        sealed field costs one statement); when that exists, the newest generation is read,
        and a new one made after it when that was destroyed. Two processes creating the same
        key: the primary key lets one in, and the other reads back the one that was stored."""
        generation = 1
        for _ in range(4):
            raw = AESGCM.generate_key(KEY_BYTES * 8)
            inserted = self._db.write(
                f"INSERT INTO {self._table} (owner_id, part, generation, wrapped, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [owner, part, generation, self._wrap(owner, part, generation, raw), _now()])
            if inserted == 1:
                return self._use(owner, part, generation, AESGCM(raw))
            rows = self._db.rows(
                f"SELECT generation, wrapped FROM {self._table} WHERE owner_id = ? AND part = ? "
                "ORDER BY generation DESC LIMIT 1", [owner, part])
            if rows and rows[0][1] is not None:
                generation = int(rows[0][0])
                return self._use(owner, part, generation,
                                 self._unwrap_live(owner, part, generation, rows[0][1]))
            generation = int(rows[0][0]) + 1 if rows else 1
        raise KeyStoreError(f"Could not create a key for {owner} ({part}).")

    def _use(self, owner: str, part: str, generation: int, cipher: AESGCM
             ) -> tuple[int, AESGCM]:
        self._remember((owner, part, generation), cipher)
        with self._lock:
            self._current[(owner, part)] = generation
        return generation, cipher

    def _remember(self, key: tuple[str, str, int], cipher: AESGCM | None) -> None:
        with self._lock:
            if len(self._ciphers) >= CACHE_LIMIT:
                self._ciphers.clear()
                self._current.clear()
            self._ciphers[key] = cipher

    def _wrap(self, owner: str, part: str, generation: int, raw: bytes) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._master.encrypt(nonce, raw, _label(owner, part, generation))
        return base64.b64encode(nonce + sealed).decode("ascii")

    def _unwrap(self, owner: str, part: str, generation: int, wrapped: str | None
                ) -> AESGCM | None:
        if wrapped is None:
            return None
        return self._unwrap_live(owner, part, generation, wrapped)

    def _unwrap_live(self, owner: str, part: str, generation: int, wrapped: str) -> AESGCM:
        data = base64.b64decode(wrapped)
        try:
            raw = self._master.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:],
                                       _label(owner, part, generation))
        except InvalidTag:
            raise KeyStoreError(
                f"A case key in {self._table} does not open with the events key; the store "
                "and the key file (BCO_KEY_FILE) do not belong together.") from None
        return AESGCM(raw)

    # -- retention ------------------------------------------------------------------------

    def destroy(self, owner_id: UUID, parts: Iterable[str], *, now: datetime) -> int:
        """Blank the keys of `parts` of one aggregate; returns how many keys were destroyed."""
        owner = str(owner_id)
        destroyed = 0
        for part in parts:
            destroyed += self._db.write(
                f"UPDATE {self._table} SET wrapped = NULL, destroyed_at = ? WHERE owner_id = ? AND "
                "part = ? AND wrapped IS NOT NULL", [now.isoformat(), owner, part])
        self.forget(owner_id)
        return destroyed

    def live(self, owner_id: UUID, parts: Iterable[str]) -> int:
        """How many keys of `parts` of one aggregate are not destroyed yet: what `destroy`
        would take now."""
        return sum(len(self._db.rows(f"SELECT 1 FROM {self._table} WHERE owner_id = ? AND part = ? "
                                     "AND wrapped IS NOT NULL", [str(owner_id), part]))
                   for part in parts)

    def has_keys(self, owner_id: UUID, part: str) -> bool:
        """Whether anything of this part was ever sealed under a key of its own (events stored
        before per-case keys were not)."""
        return bool(self._db.rows(f"SELECT 1 FROM {self._table} WHERE owner_id = ? AND part = ? "
                                  "LIMIT 1", [str(owner_id), part]))

    def rows(self) -> Iterator[KeyRow]:
        """Every key row, for backups and tests."""
        for row in self._db.rows(f"SELECT owner_id, part, generation, wrapped, created_at, "
                                 f"destroyed_at FROM {self._table} ORDER BY owner_id, part, "
                                 "generation"):
            yield KeyRow(str(row[0]), str(row[1]), int(row[2]), row[3], str(row[4]),
                         None if row[5] is None else str(row[5]))


def _label(owner: str, part: str, generation: int) -> bytes:
    """Binds a wrapped key to its row, so a key copied onto another case does not open."""
    return f"bco case key:{owner}:{part}:{generation}".encode()


def _now() -> str:
    return datetime.now(tz=UTC).isoformat()
