"""Backups of the event store (with the key store in it) and of the practice sandbox's store
while BCO serves, and restoring one into an empty data directory.

What is copied is the event store's database: the events, the snapshots, `bco_case_keys`
and any other table kept there; and the practice sandbox's store (bco.training.sandbox):
training.db on SQLite, the `bcotraining_*` tables of the same schema on PostgreSQL, so that
a team's practice records come back too. The read models are not: they are rebuilt after a
restore. The events key (BCO_KEY_FILE) is not either: keep it apart, since a backup together
with its key is the whole store in the clear.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bco.config import Settings

FORMAT = "bco-backup-2"
# bco-backup-1 was written before the practice store was backed up: still restored, without it.
READABLE_FORMATS = ("bco-backup-1", FORMAT)
MANIFEST = "manifest.json"
SQLITE_FILE = "events.db"
PRACTICE_FILE = "training.db"
POSTGRES_FILE = "events.pgdump"
PRACTICE_TABLE_PREFIX = "bcotraining_"  # the sandbox's tables on PostgreSQL (its app name)
DIRECTORY_MODE = 0o700
FILE_MODE = 0o600


class BackupError(RuntimeError):
    """A backup or restore cannot go ahead; the message says why and what to do."""


def _event_count(rows: dict[str, int]) -> int:
    return sum(n for table, n in rows.items()
               if table.endswith("events") and "snapshot" not in table)


@dataclass(frozen=True)
class PracticeCopy:
    """The practice sandbox's store in a backup: the file that holds it (training.db on
    SQLite, the same dump on PostgreSQL) with its rows, or, with no file, why there is none."""

    file: str | None
    sha256: str = ""
    size: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    note: str = ""

    @property
    def events(self) -> int:
        return _event_count(self.rows)

    def to_json(self) -> dict[str, Any]:
        if self.file is None:
            return {"file": None, "note": self.note}
        return {"file": self.file, "sha256": self.sha256, "bytes": self.size,
                "events": self.events, "rows": self.rows}


@dataclass(frozen=True)
class Manifest:
    """What a backup holds, to check it before restoring: when, how many rows, a checksum.
    `practice` is None only in a bco-backup-1 manifest, made before practice was copied."""

    created_at: str
    backend: str
    file: str
    sha256: str
    size: int
    rows: dict[str, int]
    schema: str = ""
    practice: PracticeCopy | None = None

    @property
    def events(self) -> int:
        return _event_count({table: n for table, n in self.rows.items()
                             if not table.startswith(PRACTICE_TABLE_PREFIX)})

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "created_at": self.created_at, "backend": self.backend,
                "file": self.file, "sha256": self.sha256, "bytes": self.size,
                "events": self.events, "rows": self.rows, "schema": self.schema,
                "practice": self.practice.to_json() if self.practice else None}


def back_up(settings: Settings, target: Path) -> Manifest:
    """Copy the event store and the practice store into `target` (new or empty): SQLite's
    online backup of one consistent moment of each file, or one pg_dump of the schema for
    PostgreSQL; then the manifest."""
    _fresh_directory(target, "backup directory",
                     "give a new or empty directory for each backup")
    if settings.uses_postgres:
        manifest = _pg_dump(settings, target)
    else:
        manifest = _sqlite_backup(settings, target)
    _write_private(target / MANIFEST,
                   json.dumps(manifest.to_json(), indent=2).encode() + b"\n")
    return manifest


def read_manifest(source: Path) -> Manifest:
    """The manifest of a backup, checked against every file it names."""
    try:
        data = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{source} holds no {MANIFEST}: it is not a BCO backup (made by "
                          "'bco backup DIR').") from None
    except (ValueError, UnicodeDecodeError):
        raise BackupError(f"{source / MANIFEST} is damaged: it is not the JSON "
                          "'bco backup' writes.") from None
    if not isinstance(data, dict) or data.get("format") not in READABLE_FORMATS:
        raise BackupError(f"{source / MANIFEST} is not a {FORMAT} manifest.")
    try:
        manifest = Manifest(created_at=data["created_at"], backend=data["backend"],
                            file=_plain_name(data["file"]), sha256=data["sha256"],
                            size=data["bytes"], rows=dict(data["rows"]),
                            schema=data.get("schema", ""),
                            practice=_practice_from(data))
    except (KeyError, TypeError, ValueError):
        raise BackupError(f"{source / MANIFEST} is incomplete: it lacks what 'bco backup' "
                          "writes there; restore another backup.") from None
    _check_file(source, manifest.file, manifest.sha256, "event store")
    practice = manifest.practice
    if practice is not None and practice.file is not None and practice.file != manifest.file:
        _check_file(source, practice.file, practice.sha256, "practice store")
    return manifest


def _practice_from(data: dict[str, Any]) -> PracticeCopy | None:
    if data["format"] == "bco-backup-1":
        return None
    found = data["practice"]
    if found["file"] is None:
        return PracticeCopy(None, note=str(found.get("note", "")))
    return PracticeCopy(file=_plain_name(found["file"]), sha256=found["sha256"],
                        size=found["bytes"], rows=dict(found["rows"]))


def _plain_name(name: Any) -> str:
    """A file name in the backup directory itself, never a path out of it."""
    if not isinstance(name, str) or not name or Path(name).name != name or name in (".", ".."):
        raise ValueError(name)
    return name


def _check_file(source: Path, name: str, sha256: str, what: str) -> None:
    copied = source / name
    if not copied.is_file():
        raise BackupError(
            f"{copied} is missing: the manifest names it as the backup's {what}, so the "
            "backup is incomplete. Copy the whole backup directory again (every file the "
            "manifest names), or restore another backup; nothing was restored.")
    if _sha256(copied) != sha256:
        raise BackupError(f"{copied} does not match its checksum in the manifest: the "
                          f"backup's {what} is incomplete or damaged; restore another backup. "
                          "Nothing was restored.")


def restore(settings: Settings, source: Path) -> Manifest:
    """Put a SQLite backup in place as the event store (and the practice store, when the
    backup holds one) of an empty data directory; the read models are rebuilt afterwards by
    the caller. Every file is checked before anything is written, and on any failure what
    was written is removed again."""
    manifest = read_manifest(source)
    if manifest.backend != "sqlite" or settings.uses_postgres:
        raise BackupError(_postgres_restore_guidance(settings, source, manifest))
    _fresh_directory(settings.data_dir, "BCO_DATA_DIR",
                     "restore only into an empty data directory: point BCO_DATA_DIR at a new "
                     "one (or move this one aside)")
    copies = [(source / manifest.file, settings.events_path, manifest.rows, "event store")]
    if manifest.practice is not None and manifest.practice.file is not None:
        copies.append((source / manifest.practice.file, settings.training_events_path,
                       manifest.practice.rows, "practice store"))
    try:
        for copied, destination, rows, what in copies:
            _copy_sqlite(copied, destination)
            found = _sqlite_rows(destination)
            if found != rows:
                raise BackupError(f"The restored {what} holds {found}, the manifest says "
                                  f"{rows}; nothing was restored. Restore another backup.")
    except BaseException:
        for _, destination, _, _ in copies:
            destination.unlink(missing_ok=True)
        raise
    return manifest


# -- SQLite ----------------------------------------------------------------------------------


def _sqlite_backup(settings: Settings, target: Path) -> Manifest:
    if not settings.events_path.is_file():
        raise BackupError(f"There is no event store at {settings.events_path} to back up; "
                          "check BCO_DATA_DIR.")
    copy = target / SQLITE_FILE
    _copy_sqlite(settings.events_path, copy)
    return Manifest(created_at=_now(), backend="sqlite", file=SQLITE_FILE,
                    sha256=_sha256(copy), size=copy.stat().st_size, rows=_sqlite_rows(copy),
                    practice=_sqlite_practice(settings, target))


def _sqlite_practice(settings: Settings, target: Path) -> PracticeCopy:
    """training.db as it stood at one moment (its own moment: the two stores share nothing)."""
    if not settings.training_events_path.is_file():
        return PracticeCopy(None, note=f"there was no {PRACTICE_FILE} (the practice sandbox "
                                       "had never been opened)")
    copy = target / PRACTICE_FILE
    _copy_sqlite(settings.training_events_path, copy)
    return PracticeCopy(file=PRACTICE_FILE, sha256=_sha256(copy), size=copy.stat().st_size,
                        rows=_sqlite_rows(copy))


def _copy_sqlite(source: Path, copy: Path) -> None:
    """One consistent moment of a live database (SQLite's backup API reads it in one read
    transaction while writers go on in WAL), as a single file without -wal, mode 0600."""
    _write_private(copy, b"")
    src = sqlite3.connect(str(source), timeout=10)
    dst = sqlite3.connect(str(copy))
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
        (check,) = dst.execute("PRAGMA integrity_check").fetchone()
        if check != "ok":
            raise BackupError(f"The copy of {source} fails SQLite's integrity check: {check}.")
    finally:
        dst.close()
        src.close()
    copy.chmod(FILE_MODE)


def _sqlite_rows(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                for table in tables}
    finally:
        conn.close()


# -- PostgreSQL ------------------------------------------------------------------------------


def _pg_dump(settings: Settings, target: Path) -> Manifest:
    """pg_dump of the store's schema (custom format), and the rows it holds per table.

    The rows are counted in a transaction whose snapshot pg_dump is told to use, so the
    manifest says what the dump holds even while nodes keep writing.
    """
    import psycopg  # only for PostgreSQL

    schema = settings.database_schema or "public"
    program = shutil.which("pg_dump")
    if program is None:
        raise BackupError(
            "pg_dump is not installed here, so BCO cannot back up PostgreSQL itself. Install "
            "the PostgreSQL client (Debian: postgresql-client) or run on a machine that has "
            f"it:\n  pg_dump --format=custom --no-owner --schema={schema} "
            f"--file={target / POSTGRES_FILE} \"$BCO_DATABASE_URL\"")
    dump = target / POSTGRES_FILE
    _write_private(dump, b"")
    with psycopg.connect(settings.database_url) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        exported = conn.execute("SELECT pg_export_snapshot()").fetchone()
        rows = _postgres_rows(conn, schema)
        done = subprocess.run(
            [program, "--format=custom", "--no-owner", f"--schema={schema}", f"--file={dump}",
             f"--snapshot={exported[0] if exported else ''}", settings.database_url],
            capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    dump.chmod(FILE_MODE)
    digest, size = _sha256(dump), dump.stat().st_size
    real = {t: n for t, n in rows.items() if not t.startswith(PRACTICE_TABLE_PREFIX)}
    practice = {t: n for t, n in rows.items() if t.startswith(PRACTICE_TABLE_PREFIX)}
    return Manifest(
        created_at=_now(), backend="postgresql", file=POSTGRES_FILE, sha256=digest, size=size,
        rows=real, schema=schema,
        practice=PracticeCopy(file=POSTGRES_FILE, sha256=digest, size=size, rows=practice)
        if practice else PracticeCopy(None, note=f"schema {schema} held no "
                                                 f"{PRACTICE_TABLE_PREFIX}* tables (the "
                                                 "practice sandbox had never been opened)"))


def _postgres_rows(conn: Any, schema: str) -> dict[str, int]:
    """Rows per table of `schema`, as the connection's transaction sees them."""
    tables = [name for (name,) in conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
        "AND table_type = 'BASE TABLE' ORDER BY table_name", [schema]).fetchall()]
    rows: dict[str, int] = {}
    for table in tables:
        found = conn.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchone()
        rows[table] = int(found[0]) if found else 0
    return rows


def _postgres_restore_guidance(settings: Settings, source: Path, manifest: Manifest) -> str:
    if manifest.backend == "sqlite":
        return ("This is a backup of a SQLite store; restore it with BCO_DATABASE_URL unset "
                "(and convert it separately if it must go into PostgreSQL).")
    schema = manifest.schema or "public"
    return (
        "A PostgreSQL backup is restored with pg_restore, into a database where schema "
        f"'{schema}' does not exist yet (BCO never drops a schema for you):\n"
        f"  pg_restore --no-owner --dbname=\"$BCO_DATABASE_URL\" {source / manifest.file}\n"
        f"then set BCO_DATABASE_SCHEMA={schema}, keep the same events key, and run "
        "'bco projections rebuild' on every machine. The dump holds the practice sandbox's "
        f"{PRACTICE_TABLE_PREFIX}* tables too, when there were any: pg_restore puts them back."
        f"{_expected_rows(manifest)}")


def _expected_rows(manifest: Manifest) -> str:
    """What the restored schema should hold, for the operator to check after pg_restore."""
    if not manifest.rows:
        return ""
    held = ", ".join(f"{table} {count}" for table, count in sorted(manifest.rows.items())
                     if table.endswith("events"))
    return f"\nThe backup counted these rows, which the restored tables should hold: {held}."


# -- files -----------------------------------------------------------------------------------


def _fresh_directory(path: Path, what: str, fix: str) -> None:
    if path.exists() and not path.is_dir():
        raise BackupError(f"{what} {path} is a file; {fix}.")
    if path.is_dir() and any(path.iterdir()):
        held = ", ".join(sorted(p.name for p in path.iterdir())[:5])
        raise BackupError(f"{what} {path} is not empty (it holds {held}); {fix}.")
    path.mkdir(parents=True, exist_ok=True, mode=DIRECTORY_MODE)
    path.chmod(DIRECTORY_MODE)


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    path.chmod(FILE_MODE)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _now() -> str:
    return datetime.now(tz=UTC).isoformat(timespec="seconds")
