"""The read-model runner: follows the notification log and keeps every read model in views.db.

Each batch of notifications is decoded once and handed to every read model that is behind;
a read model's rows and its new position are committed in one SQLite transaction, so a crash
never applies an event twice or skips one. Writers (this runner, or a rebuild, in any process)
take an exclusive lock on `<views.db>.lock` around each batch. They open their connection per
batch, except the follower thread, which keeps its own while nobody else waits for the lock.

Readers must open a connection per request or query (`open_views`) and not keep it: a rebuild
(bco.projections.rebuild) replaces views.db with a freshly built file (os.replace), and only
connections opened after the swap see the new file.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bco.application import BCOApplication
from bco.projections.readmodel import POSITIONS, Batch, ReadModel, TableShape
from bco.projections.viewsdb import connect_file, file_identity, remove_unreadable, views_key

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
# The follower's kept connection gets the read pool's page cache (bco.projections.read_pool).
KEPT_CACHE_KIB = 16 * 1024


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


def connect(path: Path, key: str | None, *, journal_mode: str = "WAL") -> Database:
    """A connection in autocommit mode, so the runner decides where transactions begin and end."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = connect_file(path, key, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute(f"PRAGMA journal_mode = {journal_mode}")
    conn.execute("PRAGMA synchronous = NORMAL")
    return Database(conn)


@contextmanager
def open_views(path: Path, key: str | None) -> Iterator[Database]:
    """A read connection for one request or query; never keep it across a rebuild's swap.

    `key` is views_key(settings), the key views.db is encrypted under.
    """
    if not path.exists():
        raise FileNotFoundError(
            f"No read models at {path}; run 'bco projections run' (or start the server) first.")
    db = Database(connect_file(path, key, isolation_level=None, check_same_thread=False))
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA query_only = ON")
        yield db
    finally:
        db.close()


class ReadModelRunner:
    """Follows the event store's notification log and keeps the read models in views.db."""

    def __init__(self, app: BCOApplication, views_path: Path | str,
                 read_models: Sequence[ReadModel], *, batch_size: int = 1000) -> None:
        names = [model.name for model in read_models]
        if len(set(names)) != len(names):
            raise ValueError(f"Read model names must be unique, got {names}.")
        self.app = app
        self.views_path = Path(views_path)
        self.key = views_key(app.settings)
        self.read_models = list(read_models)
        self.batch_size = batch_size
        self._shapes: dict[str, TableShape] = {}  # every file this runner writes has one schema
        self.poll_seconds = app.settings.projection_poll_seconds
        self.wait_seconds = app.settings.read_wait_seconds
        self._lock_path = self.views_path.with_name(self.views_path.name + ".lock")
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._advanced = threading.Condition()
        self._thread: threading.Thread | None = None
        self._kept: Database | None = None  # the follower thread's connection, see writer()
        self._kept_identity: tuple[int, int] | None = None
        self._followed: dict[str, _Position] | None = None  # what the follower last committed
        with self.lock():
            remove_unreadable(self.views_path, self.key)
        with self.writer() as db:
            self.prepare(db, self.read_models)

    # -- catching up --------------------------------------------------------------------

    def catch_up(self, *, retry_failed: bool = True, keep: bool = False) -> int:
        """Apply everything up to the store's end; returns how many notifications were read.

        A read model that stopped on a failing event is tried again only with retry_failed;
        `keep` is for the follower thread alone (see writer()).
        """
        skip: set[str] = set()
        if not retry_failed:
            # the follower knows what it committed; anyone else reads it from views.db
            known = self._followed if keep else None
            states = known if known is not None else self._read_positions()
            skip = {name for name, state in states.items() if state.error}
        total = 0
        while True:
            with self.writer(keep=keep) as db:
                read, failed = self.advance(db, skip, self.batch_size)
                if keep:
                    self._followed = _positions_in(db)
            skip |= failed
            total += read
            with self._advanced:
                self._advanced.notify_all()
            if read < self.batch_size:  # a short batch reached the end: no empty read after it
                return total

    def advance(self, db: Database, skip: set[str], limit: int) -> tuple[int, set[str]]:
        """One batch: read, decode once, apply to every read model behind; (read, failed)."""
        positions = _positions_in(db)
        behind = [m for m in self.read_models if m.name not in skip]
        if not behind:
            return 0, set()
        start = min(positions[m.name].position for m in behind) + 1
        notifications = self.app.recorder.select_notifications(start=start, limit=limit)
        if not notifications:
            return 0, set()
        decoded = [(n.id, self.decode(n)) for n in notifications]
        last = notifications[-1].id
        failed: set[str] = set()
        for model in behind:
            since = positions[model.name].position
            pending = (decoded if since < start
                       else [(nid, event) for nid, event in decoded if nid > since])
            if pending and not self.apply_batch(db, model, pending, last):
                failed.add(model.name)
        return len(notifications), failed

    def decode(self, notification: Any) -> Any:
        try:
            return self.app.mapper.to_domain_event(notification)
        except Exception as exc:  # surfaced per read model as a stopped position
            return _Undecodable(notification.id, exc)

    def apply_batch(self, db: Database, model: ReadModel, pending: list[tuple[int, Any]],
                     last: int) -> bool:
        """Rows and position in one transaction; on a failing event, keep what came before it."""
        try:
            with db.atomic():
                self._apply_and_write(db, model, pending)
                set_position(db, model.name, last, None, None)
            return True
        except _HandlerFailed as failure:
            before = [(nid, e) for nid, e in pending if nid < failure.notification_id]
            log.error("Read model %s stopped: %s", model.name, failure)
            with db.atomic():
                self._apply_and_write(db, model, before)
                set_position(db, model.name, failure.notification_id - 1, str(failure),
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
            if not self._thread.is_alive():
                self._let_go_kept()
            self._thread = None
        self._followed = None

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
                self.catch_up(retry_failed=retry_failed, keep=True)
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
            # while this process follows, its follower knows what it committed: reading
            # views.db for it meant a new connection, and its schema, for every look
            followed = self._followed if self.following else None
            states = followed if followed is not None else self._read_positions()
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

    def model(self, name: str) -> ReadModel:
        """The read model called `name`; a wrong name is told which ones exist."""
        for model in self.read_models:
            if model.name == name:
                return model
        known = ", ".join(m.name for m in self.read_models)
        raise ValueError(f"No read model named '{name}'; known: {known}.")

    # -- storage ------------------------------------------------------------------------------

    @contextmanager
    def lock(self, *, before_waiting: Callable[[], None] | None = None) -> Iterator[None]:
        """The writer lock, shared by every process that writes views.db.

        `before_waiting` runs when another writer holds the lock, before waiting for it.
        """
        self.views_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._lock_path, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if before_waiting is not None:
                    before_waiting()
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def writer(self, *, keep: bool = False) -> Iterator[Database]:
        """A connection to views.db under the writer lock, for one batch.

        Without `keep` the connection is fresh and closed after the batch. With it (the
        follower thread only) the connection outlives the batch, so the pages SQLCipher
        decrypted stay in its cache: a fresh connection per batch doubled the CPU of
        following a busy store. The kept connection is closed whenever another writer holds
        the lock (a rebuild can only swap its file in once every connection to the old one
        is closed, and it swaps under the lock) and opened again when views.db is another
        file.
        """
        if not keep:
            with self.lock():
                db = connect(self.views_path, self.key)
                try:
                    yield db
                finally:
                    db.close()
            return
        with self.lock(before_waiting=self._let_go_kept):
            db = self._kept_connection()
            try:
                yield db
            except BaseException:
                self._let_go_kept()  # whatever failed may have left it mid-transaction
                raise

    def _kept_connection(self) -> Database:
        identity = file_identity(self.views_path)
        if self._kept is None or identity is None or identity != self._kept_identity:
            self._let_go_kept()
            db = connect(self.views_path, self.key)
            db.execute(f"PRAGMA cache_size = -{KEPT_CACHE_KIB}")
            self._kept, self._kept_identity = db, file_identity(self.views_path)
        return self._kept

    def _let_go_kept(self) -> None:
        kept, self._kept, self._kept_identity = self._kept, None, None
        if kept is not None:
            kept.close()

    @contextmanager
    def reading(self) -> Iterator[Database]:
        """A read connection to this runner's file (open_views with its key)."""
        with open_views(self.views_path, self.key) as db:
            yield db

    def _read_positions(self) -> dict[str, _Position]:
        """Positions as committed; a WAL reader never waits for the batch being written."""
        with self.reading() as db:
            return _positions_in(db)

    @staticmethod
    def prepare(db: Database, models: Sequence[ReadModel]) -> None:
        """The positions table, and these read models' tables with a position to start from."""
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


def set_position(db: Database, name: str, position: int, error: str | None,
                  error_event: int | None) -> None:
    db.execute(f"UPDATE [{POSITIONS}] SET position = ?, error = ?, error_event = ? "
               "WHERE name = ?", [position, error, error_event, name])


def _set_error(db: Database, name: str, error: str, error_event: int) -> None:
    db.execute(f"UPDATE [{POSITIONS}] SET error = ?, error_event = ? WHERE name = ?",
               [error, error_event, name])
