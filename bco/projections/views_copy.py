"""A copy of one node's read models for another node to start from.

A node that joins at national scale would replay the whole event log (hours at ~150M
events). Every node's views.db is built from the same log under a key derived from the same
events key, so a new node can start from a peer's copy and replay only the events after it:
`bco projections copy FILE` on a running node, `bco projections rebuild --from FILE` on the
new one (bco.projections.rebuild.Rebuilder.join).
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import Any

from bco.projections.readmodel import POSITIONS
from bco.projections.runner import BUSY_TIMEOUT_MS
from bco.projections.viewsdb import SQLITE_NOTADB, DatabaseError, connect_file

COPY_FILE_MODE = 0o600


class ViewsCopyError(RuntimeError):
    """A copy cannot be made or used; the message says why and what to do instead."""


def copy_views(views_path: Path, key: str | None, target: Path) -> dict[str, int]:
    """Copy views.db as it stands at one moment into `target`, while it keeps being followed.

    SQLite's backup, in one step, reads the whole file in one read transaction: WAL lets the
    follower go on writing, and the copy is of one position per read model. Returns them.
    """
    if not views_path.exists():
        raise ViewsCopyError(f"No read models at {views_path} to copy; run 'bco projections "
                             "run' (or start the server) on this node first.")
    if target.exists() or target.is_symlink():
        raise ViewsCopyError(f"{target} exists already; give the name of a new file, so that "
                             "nothing is overwritten.")
    if not target.parent.is_dir():
        raise ViewsCopyError(f"The folder {target.parent} does not exist; create it or give "
                             "a file in another folder.")
    target.touch(mode=COPY_FILE_MODE, exist_ok=False)
    source = connect_file(views_path, key, isolation_level=None)
    copy = connect_file(target, key, isolation_level=None)
    try:
        source.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        source.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
        return dict(copy.execute(f"SELECT name, position FROM [{POSITIONS}]").fetchall())
    except BaseException:
        copy.close()
        target.unlink(missing_ok=True)
        raise
    finally:
        source.close()
        copy.close()


def bring_copy(copy: Path, building: Path, key: str | None, store_position: int) -> None:
    """Copy the file byte for byte to `building` and check it there: read models of this
    store, whole, and not ahead of it.

    Byte for byte, since it is encrypted under the same key as views.db: SQLite's backup
    would decrypt and encrypt every page again, ten times slower at a national store's size.
    """
    if not copy.is_file():
        raise ViewsCopyError(f"No file at {copy}. Make one on a running node with 'bco "
                             "projections copy FILE' and bring it to this machine.")
    shutil.copyfile(copy, building)
    conn = connect_file(building, key, isolation_level=None)
    try:
        _check(conn, copy, store_position)
    finally:
        conn.close()


def _check(conn: Any, path: Path, store_position: int) -> None:
    damaged = ViewsCopyError(f"{path} is damaged or incomplete (SQLite's quick_check fails; "
                             "was its transfer cut short?); make a new copy with 'bco "
                             "projections copy FILE'.")
    try:
        healthy = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        tables = {name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", None) != SQLITE_NOTADB:
            raise damaged from None
        raise ViewsCopyError(
            f"{path} does not open with this store's key: it is not a copy of read models, or "
            "it was made on a node of another store. Copy views.db from a node that shares "
            "this store and its events key, or run 'bco projections rebuild' without "
            "--from.") from None
    if not healthy:
        raise damaged
    if POSITIONS not in tables:
        raise ViewsCopyError(f"{path} holds no read models (no {POSITIONS} table); it is not "
                             "a copy made with 'bco projections copy'.")
    with contextlib.closing(conn.execute(f"SELECT max(position) FROM [{POSITIONS}]")) as found:
        furthest = found.fetchone()[0] or 0
    if furthest > store_position:
        raise ViewsCopyError(
            f"{path} has read event {furthest}, and this store holds {store_position} events: "
            "it was made on a node of another store, or of this one before a restore. Copy "
            "views.db from a node that follows this store, or run 'bco projections rebuild' "
            "without --from.")
