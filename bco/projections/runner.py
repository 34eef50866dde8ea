"""The projection runner: follows the notification log and keeps every read model in views.db.

Each batch of notifications is decoded once and handed to every read model that is behind;
a read model's rows and its new position are committed in one SQLite transaction, so a crash
never applies an event twice or skips one. Writers (this runner, in any process) take an
exclusive lock on `<views.db>.lock` around each batch and open their connection per batch.

Readers must open a connection per request or query (`open_views`) and not keep it: `rebuild`
replaces views.db with a freshly built file (os.replace), and only connections opened after
the swap see the new file.
"""

from __future__ import annotations

import fcntl
import gc
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bco.application import BCOApplication
from bco.projections.parallel import (
    PARALLEL_FROM_EVENTS,
    Helper,
    ReadModelFactory,
    describe,
    share_out,
    start_helper,
)
from bco.projections.readmodel import POSITIONS, Batch, ReadModel, TableShape

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
REBUILD_BATCH_SIZE = 10_000  # a rebuild's batches: fewer commits, rows rewritten less often
REBUILD_GC_THRESHOLD = 50_000  # allocations between young-generation collections (default 700)
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ReadModelStatus:
    """Where one read model stands against the event store, and why it stopped if it did."""

    name: str
    position: int
    store_position: int
    lag: int
    error: str | None
    error_event: int | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Undecodable:
    """A notification the mapper could not turn into an event; applying it fails."""

    notification_id: int
    error: Exception


class _HandlerFailed(Exception):
    """A handler raised on one event; carries the notification id to stop before."""

    def __init__(self, notification_id: int, event: Any, cause: Exception) -> None:
        kind = type(event).__qualname__
        where = (f"{kind} v{getattr(event, 'originator_version', '?')} of "
                 f"{getattr(event, 'originator_id', '?')}")
        super().__init__(f"{type(cause).__name__}: {cause} (notification {notification_id}, "
                         f"{where})")
        self.notification_id = notification_id


@dataclass
class _Position:
    position: int
    error: str | None
    error_event: int | None


def connect(path: Path, *, journal_mode: str = "WAL") -> Database:
    """A connection in autocommit mode, so the runner decides where transactions begin and end."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute(f"PRAGMA journal_mode = {journal_mode}")
    conn.execute("PRAGMA synchronous = NORMAL")
    return Database(conn)


def connect_aside(path: Path) -> Database:
    """A file being rebuilt beside views.db: no fsyncs, since a crash only means rebuilding."""
    db = connect(path, journal_mode="MEMORY")
    db.execute("PRAGMA synchronous = OFF")
    return db


@contextmanager
def open_views(path: Path) -> Iterator[Database]:
    """A read connection for one request or query; never keep it across a rebuild's swap."""
    if not path.exists():
        raise FileNotFoundError(
            f"No read models at {path}; run 'bco projections run' (or start the server) first.")
    db = Database(sqlite3.connect(str(path), isolation_level=None, check_same_thread=False))
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA query_only = ON")
        yield db
    finally:
        db.close()


class ProjectionRunner:
    """Follows the event store's notification log and keeps the read models in views.db."""

    def __init__(self, app: BCOApplication, views_path: Path | str,
                 read_models: Sequence[ReadModel], *, batch_size: int = 1000,
                 rebuild_batch_size: int = REBUILD_BATCH_SIZE,
                 made_by: ReadModelFactory | None = None) -> None:
        """`made_by` makes these read models again from an application (a module-level
        function, such as bco.projections.all_read_models), so that rebuild helper processes
        can make their own; without it a rebuild runs in this process only."""
        names = [model.name for model in read_models]
        if len(set(names)) != len(names):
            raise ValueError(f"Read model names must be unique, got {names}.")
        self.app = app
        self.views_path = Path(views_path)
        self.read_models = list(read_models)
        self.batch_size = batch_size
        self.rebuild_batch_size = rebuild_batch_size
        self.made_by = made_by
        self._shapes: dict[str, TableShape] = {}  # every file this runner writes has one schema
        self.poll_seconds = app.settings.projection_poll_seconds
        self.wait_seconds = app.settings.read_wait_seconds
        self._lock_path = self.views_path.with_name(self.views_path.name + ".lock")
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._advanced = threading.Condition()
        self._thread: threading.Thread | None = None
        with self._writer() as db:
            self._prepare(db, self.read_models)

    # -- catching up --------------------------------------------------------------------

    def catch_up(self, *, retry_failed: bool = True) -> int:
        """Apply everything up to the store's end; returns how many notifications were read.

        A read model that stopped on a failing event is tried again only with retry_failed.
        """
        skip = set() if retry_failed else {
            name for name, state in self._read_positions().items() if state.error}
        total = 0
        while True:
            with self._writer() as db:
                read, failed = self._advance(db, skip, self.batch_size)
            skip |= failed
            total += read
            with self._advanced:
                self._advanced.notify_all()
            if read < self.batch_size:  # a short batch reached the end: no empty read after it
                return total

    def _advance(self, db: Database, skip: set[str], limit: int) -> tuple[int, set[str]]:
        """One batch: read, decode once, apply to every read model behind; (read, failed)."""
        positions = _positions_in(db)
        behind = [m for m in self.read_models if m.name not in skip]
        if not behind:
            return 0, set()
        start = min(positions[m.name].position for m in behind) + 1
        notifications = self.app.recorder.select_notifications(start=start, limit=limit)
        if not notifications:
            return 0, set()
        decoded = [(n.id, self._decode(n)) for n in notifications]
        last = notifications[-1].id
        failed: set[str] = set()
        for model in behind:
            since = positions[model.name].position
            pending = (decoded if since < start
                       else [(nid, event) for nid, event in decoded if nid > since])
            if pending and not self._apply_batch(db, model, pending, last):
                failed.add(model.name)
        return len(notifications), failed

    def _decode(self, notification: Any) -> Any:
        try:
            return self.app.mapper.to_domain_event(notification)
        except Exception as exc:  # surfaced per read model as a stopped position
            return _Undecodable(notification.id, exc)

    def _apply_batch(self, db: Database, model: ReadModel, pending: list[tuple[int, Any]],
                     last: int) -> bool:
        """Rows and position in one transaction; on a failing event, keep what came before it."""
        try:
            with db.atomic():
                self._apply_and_write(db, model, pending)
                _set_position(db, model.name, last, None, None)
            return True
        except _HandlerFailed as failure:
            before = [(nid, e) for nid, e in pending if nid < failure.notification_id]
            log.error("Read model %s stopped: %s", model.name, failure)
            with db.atomic():
                self._apply_and_write(db, model, before)
                _set_position(db, model.name, failure.notification_id - 1, str(failure),
                              failure.notification_id)
            return False
        except Exception as exc:
            log.exception("Read model %s failed to finish a batch", model.name)
            with db.atomic():
                _set_error(db, model.name, f"{type(exc).__name__}: {exc}", pending[0][0])
            return False

    def _apply_and_write(self, db: Database, model: ReadModel,
                         pending: list[tuple[int, Any]]) -> None:
        """Apply to rows held in memory, then write them back; a failed try leaves nothing."""
        batch = Batch(db.conn, self._shapes)
        _apply_all(batch, model, pending)
        model.finish_batch(batch)
        batch.flush()

    # -- following in the background -------------------------------------------------------

    def start(self) -> None:
        """Follow the store in a background thread (the web server calls this once)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self.follow, name="bco-projections",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop following after the batch in hand; its transaction either commits or not."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def following(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def follow(self) -> None:
        """Catch up at most once per poll interval, sooner when a reader waits (wait_for).

        Under a stream of answers this gathers the events of one interval into one batch:
        a batch costs a few milliseconds whatever its size (locking, connecting, one
        transaction per read model, the engine once per interview), so following each
        event as it arrives took a third of a busy web server's CPU.
        """
        retry_failed = True
        while not self._stop.is_set():
            try:
                self.catch_up(retry_failed=retry_failed)
                retry_failed = False
            except Exception:  # keep following: the store or disk may come back
                log.exception("Projection runner could not catch up; retrying")
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

    def wait_for(self, position: int | None, timeout: float | None = None) -> bool:
        """Read your writes: wait (bounded) until every read model has reached `position`."""
        if position is None:
            return True
        deadline = time.monotonic() + (self.wait_seconds if timeout is None else timeout)
        while True:
            states = self._read_positions()
            mine = [states[m.name] for m in self.read_models]
            if all(s.position >= position for s in mine):
                return True
            if any(s.error and s.position < position for s in mine):
                return False
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if self.following:
                self._wake.set()
                with self._advanced:
                    self._advanced.wait(min(remaining, 0.05))
            elif self.catch_up(retry_failed=False) == 0:
                time.sleep(min(remaining, 0.01))

    # -- looking at it --------------------------------------------------------------------------

    def status(self) -> list[ReadModelStatus]:
        """Per read model: position, the store's position, lag in events, and any error."""
        store = self.app.store_position()
        states = self._read_positions()
        return [
            ReadModelStatus(
                name=model.name, position=states[model.name].position, store_position=store,
                lag=max(0, store - states[model.name].position),
                error=states[model.name].error, error_event=states[model.name].error_event)
            for model in self.read_models
        ]

    def positions(self) -> dict[str, int]:
        return {name: state.position for name, state in self._read_positions().items()}

    # -- rebuilding ---------------------------------------------------------------------------

    def rebuild(self, only: str | None = None, progress: Progress | None = None, *,
                processes: int | None = None) -> None:
        """Replay into a new file beside views.db and swap it in; others keep reading the old.

        `processes` (default: BCO_REBUILD_PROCESSES for a store of PARALLEL_FROM_EVENTS or
        more, else 1) share out the read models of a full rebuild; see bco.projections.parallel.
        """
        chosen = self.read_models if only is None else [self._model(only)]
        building = self.views_path.with_name(f"{self.views_path.name}.rebuild-{os.getpid()}")
        _remove_database_files(building)
        db = connect_aside(building)
        helpers: list[Helper] = []
        try:
            if only is not None and self.views_path.exists():
                with self._writer() as current:
                    current.conn.backup(db.conn)
                db.execute("PRAGMA journal_mode = MEMORY")
            self._prepare(db, [])
            with db.atomic():
                for model in chosen:
                    model.forget(db)
            self._prepare(db, self.read_models)
            helpers = self._start_helpers(chosen, building, processes)
            with _few_collections():
                self._replay(db, progress, skip={name for h in helpers for name in h.names})
            for helper in helpers:
                helper.copy_into(db)
            helpers = []
            with self._lock():
                self._replay(db, progress)
                db.execute("PRAGMA journal_mode = DELETE")
                db.close()
                _fsync(building)
                self._swap_in(building)
        except BaseException:
            for helper in helpers:
                helper.stop()
            close_quietly(db)
            _remove_database_files(building)
            raise

    def fill_aside(self) -> None:
        """Replay the store into this runner's file, built for speed (a rebuild helper's part)."""
        db = connect_aside(self.views_path)
        try:
            with _few_collections():
                self._replay(db, None)
        finally:
            db.close()

    def _start_helpers(self, chosen: Sequence[ReadModel], building: Path,
                       processes: int | None) -> list[Helper]:
        """Helper processes for all but the first share of the read models (see parallel.py)."""
        if processes is None:
            big = self.remaining_events() >= PARALLEL_FROM_EVENTS
            processes = self.app.settings.rebuild_processes if big else 1
        if self.made_by is None or len(chosen) < len(self.read_models) or processes < 2:
            return []
        groups = share_out(chosen, processes)
        log.info("Rebuilding in %d processes: %s", len(groups), describe(groups))
        return [start_helper(self.app.settings, building.with_name(f"{building.name}.part{n}"),
                             self.made_by, [m.name for m in group], self.rebuild_batch_size)
                for n, group in enumerate(groups[1:], start=1)]

    def _replay(self, db: Database, progress: Progress | None,
                skip: set[str] | None = None) -> None:
        """Catch the file being built up with the store, reporting events read."""
        skip = set(skip or ())
        while True:
            read, failed = self._advance(db, skip, self.rebuild_batch_size)
            skip |= failed
            if read == 0:
                return
            if progress is not None:
                progress(read)

    def _swap_in(self, built: Path) -> None:
        """Take the old file out of WAL mode first, so no stale -wal can meet the new file."""
        if self.views_path.exists():
            old = sqlite3.connect(str(self.views_path), isolation_level=None)
            try:
                old.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                mode = old.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
            finally:
                old.close()
            if str(mode).lower() != "delete":
                raise RuntimeError(
                    f"{self.views_path} is still open in WAL mode elsewhere; readers must "
                    "open a connection per request. Try the rebuild again.")
        os.replace(built, self.views_path)
        connect(self.views_path).close()

    def remaining_events(self) -> int:
        """How many notifications a full rebuild will read, for a progress bar's length."""
        return self.app.store_position()

    def _model(self, name: str) -> ReadModel:
        for model in self.read_models:
            if model.name == name:
                return model
        known = ", ".join(m.name for m in self.read_models)
        raise ValueError(f"No read model named '{name}'; known: {known}.")

    # -- storage ------------------------------------------------------------------------------

    @contextmanager
    def _lock(self) -> Iterator[None]:
        """The writer lock, shared by every process that writes views.db."""
        self.views_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._lock_path, "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @contextmanager
    def _writer(self) -> Iterator[Database]:
        """A fresh connection to views.db under the writer lock, for one batch."""
        with self._lock():
            db = connect(self.views_path)
            try:
                yield db
            finally:
                db.close()

    def _read_positions(self) -> dict[str, _Position]:
        """Positions as committed; a WAL reader never waits for the batch being written."""
        with open_views(self.views_path) as db:
            return _positions_in(db)

    @staticmethod
    def _prepare(db: Database, models: Sequence[ReadModel]) -> None:
        with db.atomic():
            db.table(POSITIONS).create(
                {"name": str, "position": int, "error": str, "error_event": int},
                pk="name", not_null={"position"}, if_not_exists=True)
            for model in models:
                model.create(db)
                db.execute(f"INSERT OR IGNORE INTO [{POSITIONS}] (name, position) VALUES (?, 0)",
                           [model.name])


def _apply_all(batch: Batch, model: ReadModel, pending: list[tuple[int, Any]]) -> None:
    handlers = model.dispatch()
    for notification_id, event in pending:
        handler = handlers.get(type(event))
        batch.position = notification_id
        try:
            if handler is not None:
                handler(batch, event)
            elif type(event) is _Undecodable:
                raise event.error
        except Exception as exc:
            raise _HandlerFailed(notification_id, event, exc) from exc


def _positions_in(db: Database) -> dict[str, _Position]:
    rows = db.execute(f"SELECT name, position, error, error_event FROM [{POSITIONS}]").fetchall()
    return {name: _Position(position, error, error_event)
            for name, position, error, error_event in rows}


def _set_position(db: Database, name: str, position: int, error: str | None,
                  error_event: int | None) -> None:
    db.execute(f"UPDATE [{POSITIONS}] SET position = ?, error = ?, error_event = ? "
               "WHERE name = ?", [position, error, error_event, name])


def _set_error(db: Database, name: str, error: str, error_event: int) -> None:
    db.execute(f"UPDATE [{POSITIONS}] SET error = ?, error_event = ? WHERE name = ?",
               [error, error_event, name])


@contextmanager
def _few_collections() -> Iterator[None]:
    """Let the cycle collector run less often while replaying a whole store.

    A rebuild makes millions of short-lived rows and events (freed by reference counting)
    while holding a batch's rows for a while; the default thresholds made the collector walk
    those again and again: 10-20% of a rebuild. What exists before the replay (the guides,
    the application) is frozen out of its walks, and everything is restored afterwards.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(REBUILD_GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_database_files(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def close_quietly(db: Database) -> None:
    """Close a connection that may already be closed, on the way out of a failed rebuild."""
    try:
        db.close()
    except sqlite3.Error:
        log.debug("connection was already closed")
