"""How views.db is opened: a SQLCipher file under a key derived from the events key.

The read models hold names, phone numbers, e-mail addresses, birth dates and postcodes (and
derived state that may quote them), so the whole file is encrypted rather than chosen columns:
every page of views.db, its -wal, a rebuild's file and its helpers' part files is unreadable
without the events key, and a read model added later cannot leak by forgetting to seal a
column. The key is never written anywhere: every process derives it again (HKDF-SHA256 with a
label of its own) from the events key in settings, so views.db has no secret of its own.

SQLCipher with a raw 256-bit key skips its passphrase derivation (~100 ms per connection),
which matters because readers open a connection per request.
"""

from __future__ import annotations

import base64
import functools
import logging
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as dbapi2
import sqlite_utils.db
import sqlite_utils.utils
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bco.config import Settings
from bco.storage import StartupError, read_key

log = logging.getLogger(__name__)

LABEL = b"bco read models (views.db) v1"
SQLITE_NOTADB = 26  # what SQLCipher answers for a file under another key, or none

Error = dbapi2.Error
DatabaseError = dbapi2.DatabaseError
OperationalError = dbapi2.OperationalError

# sqlite-utils catches `sqlite3.OperationalError` inside (alter=True, drop(ignore=True),
# INSERT ... RETURNING), which SQLCipher's connections never raise: they raise their own
# module's classes. sqlite-utils takes pysqlite3 in place of sqlite3 when it is installed;
# sqlcipher3 is a pysqlite3 build with encryption, so point sqlite-utils at it the same way.
# Every Database in BCO wraps a views.db connection made here.
for _module in (sqlite_utils.utils, sqlite_utils.db):
    setattr(_module, "sqlite3", dbapi2)  # noqa: B010
    setattr(_module, "OperationalError", dbapi2.OperationalError)  # noqa: B010


@functools.lru_cache(maxsize=8)
def views_key(settings: Settings) -> str | None:
    """The SQLCipher key of views.db as a raw-key literal, or None when encryption is off.

    Off only with BCO_ENCRYPT_READ_MODELS=false, which scripts/bench uses to measure the cost.
    """
    if not settings.encrypt_read_models:
        return None
    events_key = read_key(settings)
    if events_key is None:
        raise StartupError("The read models are encrypted under a key derived from the events "
                           "key, and there is none yet: run 'bco db init' first.")
    derived = HKDF(algorithm=SHA256(), length=32, salt=None, info=LABEL).derive(
        base64.b64decode(events_key))
    return f"x'{derived.hex()}'"


def connect_file(path: Path | str, key: str | None, **options: Any) -> Any:
    """A connection to a views.db-like file, keyed before anything else touches it."""
    conn = dbapi2.connect(str(path), **options)
    conn.execute("PRAGMA cipher_log_level = NONE")  # a wrong key raises; no stderr noise
    if key is not None:
        conn.execute(f'PRAGMA key = "{key}"')
    return conn


def attach(conn: Any, path: Path | str, alias: str, key: str | None) -> None:
    """ATTACH another file under the same key (SQLCipher does not reuse a raw key by itself)."""
    conn.execute(f"ATTACH DATABASE ? AS [{alias}] KEY ?", [str(path), key or ""])


def readable(path: Path, key: str | None) -> bool:
    """Whether `path` opens with this key (a views.db from before encryption does not)."""
    try:
        conn = connect_file(path, key)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", None) == SQLITE_NOTADB:
            return False
        raise  # busy or broken: not a reason to throw the file away
    return True


def remove_unreadable(path: Path, key: str | None) -> bool:
    """Delete a views.db this key cannot open, so it is built again from the events.

    A views.db written before encryption (or under another events key) holds nothing the
    events do not; keeping it would keep personal data in the clear.
    """
    if not path.exists() or readable(path, key):
        return False
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    log.warning("Removed %s: it could not be opened with the read models' key; it is built "
                "again from the events", path)
    return True


def file_identity(path: Path) -> tuple[int, int] | None:
    """Which file `path` names now (a rebuild's swap makes it another); None when missing."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino
