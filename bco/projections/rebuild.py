"""Rebuilding the read models: replay the store into a new file beside views.db, swap it in.

A rebuild writes a new file while the runner (bco.projections.runner) keeps following into
the old one; under the runner's writer lock it catches the new file up with the last events
and moves it over views.db, so readers switch at their next connection.

A full rebuild of a big store is shared between processes. It is CPU-bound Python (decoding
events, the handlers, the guide engine), so one process uses one core. Read models are
independent of each other, so each helper process builds some of them into a part file of its
own from the same event store; the rebuilding process builds the rest into the new views file
and copies the parts in when they are done. Every process decodes every event it needs, which
costs far less than the handlers it no longer runs.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from sqlite_utils import Database

from bco.application import BCOApplication
from bco.config import Settings
from bco.projections.read_pool import SWAP_SUFFIX, swap_marker
from bco.projections.readmodel import POSITIONS, TRIGGER_FED_SUFFIX, ReadModel
from bco.projections.runner import ReadModelRunner, connect
from bco.projections.viewsdb import Error, attach, connect_file

ReadModelFactory = Callable[[BCOApplication], Sequence[ReadModel]]
Progress = Callable[[int], None]

log = logging.getLogger(__name__)

PARALLEL_FROM_EVENTS = 50_000  # below this a helper's start-up costs more than it saves
REBUILD_BATCH_SIZE = 10_000  # a rebuild's batches: fewer commits, rows rewritten less often
SWAP_WAIT_SECONDS = 15.0  # for readers to let go of the old views.db (pools do in ~0.5 s)
REBUILD_GC_THRESHOLD = 50_000  # allocations between young-generation collections (default 700)


class Rebuilder:
    """Rebuilds a runner's read models into a new file and swaps it in for views.db."""

    def __init__(self, runner: ReadModelRunner, *, made_by: ReadModelFactory | None = None,
                 batch_size: int = REBUILD_BATCH_SIZE) -> None:
        """`made_by` makes the runner's read models again from an application (a module-level
        function, such as bco.projections.all_read_models), so that helper processes can make
        their own; without it a rebuild runs in this process only."""
        self.runner = runner
        self.made_by = made_by
        self.batch_size = batch_size

    @property
    def views_path(self) -> Path:
        return self.runner.views_path

    def rebuild(self, only: str | None = None, progress: Progress | None = None, *,
                processes: int | None = None) -> None:
        """Replay into a new file beside views.db and swap it in; others keep reading the old.

        `processes` (default: BCO_REBUILD_PROCESSES for a store of PARALLEL_FROM_EVENTS or
        more, else 1) share out the read models of a full rebuild.
        """
        runner = self.runner
        chosen = runner.read_models if only is None else [runner.model(only)]
        remove_stale_rebuild_files(self.views_path)
        building = self.views_path.with_name(f"{self.views_path.name}.rebuild-{os.getpid()}")
        _remove_database_files(building)
        db = connect_aside(building, runner.key)
        helpers: list[Helper] = []
        try:
            if only is not None and self.views_path.exists():
                with runner.writer() as current:
                    current.conn.backup(db.conn)
                db.execute("PRAGMA journal_mode = MEMORY")
            runner.prepare(db, [])
            with db.atomic():
                for model in chosen:
                    model.forget(db)
            runner.prepare(db, runner.read_models)
            helpers = self._start_helpers(chosen, building, processes)
            with _few_collections():
                self._replay(db, progress, skip={name for h in helpers for name in h.names})
            for helper in helpers:
                helper.copy_into(db, runner.key)
            helpers = []
            with runner.lock():
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
        """Replay the store into the runner's file, built for speed (a rebuild helper's part)."""
        db = connect_aside(self.views_path, self.runner.key)
        try:
            with _few_collections():
                self._replay(db, None)
        finally:
            db.close()

    def remaining_events(self) -> int:
        """How many notifications a full rebuild will read, for a progress bar's length."""
        return self.runner.app.store_position()

    def _start_helpers(self, chosen: Sequence[ReadModel], building: Path,
                       processes: int | None) -> list[Helper]:
        """Helper processes for all but the first share of the read models."""
        if processes is None:
            big = self.remaining_events() >= PARALLEL_FROM_EVENTS
            processes = self.runner.app.settings.rebuild_processes if big else 1
        if (self.made_by is None or len(chosen) < len(self.runner.read_models)
                or processes < 2):
            return []
        groups = share_out(chosen, processes)
        log.info("Rebuilding in %d processes: %s", len(groups), describe(groups))
        return [start_helper(self.runner.app.settings,
                             building.with_name(f"{building.name}.part{n}"),
                             self.made_by, [m.name for m in group], self.batch_size)
                for n, group in enumerate(groups[1:], start=1)]

    def _replay(self, db: Database, progress: Progress | None,
                skip: set[str] | None = None) -> None:
        """Catch the file being built up with the store, reporting events read."""
        skip = set(skip or ())
        while True:
            read, failed = self.runner.advance(db, skip, self.batch_size)
            skip |= failed
            if read == 0:
                return
            if progress is not None:
                progress(read)

    def _swap_in(self, built: Path) -> None:
        """Move the new file over views.db once no connection holds the old one.

        The old file is taken out of WAL mode first, so that no stale -wal can meet the new
        file; that needs every other connection to it closed. The marker beside views.db
        tells web processes to close their pooled read connections and lend none until it
        is gone (bco.projections.read_pool); connections lent for one request end with it.
        """
        if not self.views_path.exists():
            os.replace(built, self.views_path)
        else:
            marker = swap_marker(self.views_path)
            marker.write_text(str(os.getpid()))  # whose: a killed rebuild's is removed later
            try:
                self._leave_wal()
                os.replace(built, self.views_path)
            finally:
                marker.unlink(missing_ok=True)
        connect(self.views_path, self.runner.key).close()

    def _leave_wal(self) -> None:
        """Switch the old views.db to DELETE mode, waiting for readers to let go of it."""
        deadline = time.monotonic() + SWAP_WAIT_SECONDS
        while True:
            old = connect_file(self.views_path, self.runner.key, isolation_level=None)
            try:
                old.execute("PRAGMA busy_timeout = 1000")
                mode = old.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
            except Error:
                mode = "busy"
            finally:
                old.close()
            if str(mode).lower() == "delete":
                return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{self.views_path} is still open in WAL mode elsewhere after "
                    f"{SWAP_WAIT_SECONDS:.0f} s; a process holds it that does not watch "
                    f"the {SWAP_SUFFIX} marker. Try the rebuild again.")
            time.sleep(0.2)


def connect_aside(path: Path, key: str | None) -> Database:
    """A file being rebuilt beside views.db: no fsyncs, since a crash only means rebuilding."""
    db = connect(path, key, journal_mode="MEMORY")
    db.execute("PRAGMA synchronous = OFF")
    return db


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
    except Error:
        log.debug("connection was already closed")


# -- sharing a full rebuild between processes ------------------------------------------------


class RebuildHelperFailed(RuntimeError):
    """A helper process could not build its part; nothing has been swapped in."""


def share_out(models: Sequence[ReadModel], processes: int) -> list[list[ReadModel]]:
    """Read models in `processes` groups of about equal cost; the first stays in this process.

    Costliest first, each to the group with the least so far (longest-processing-time rule).
    """
    groups: list[list[ReadModel]] = [[] for _ in range(max(1, min(processes, len(models))))]
    loads = [0.0] * len(groups)
    for model in sorted(models, key=lambda m: -m.rebuild_cost):
        lightest = loads.index(min(loads))
        groups[lightest].append(model)
        loads[lightest] += model.rebuild_cost
    return [group for group in groups if group]


@dataclass
class Helper:
    """A process building some read models into its own part file."""

    process: BaseProcess
    results: Connection
    part: Path
    names: set[str]

    def stop(self) -> None:
        """Give up on this part (the rebuild failed or was interrupted) and remove its file."""
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.results.close()
        remove_part(self.part)

    def copy_into(self, db: Database, key: str | None) -> None:
        """Wait for the part, then replace these read models' tables and positions in `db`."""
        problem = self._outcome()
        if problem is not None:
            raise RebuildHelperFailed(
                f"The rebuild of {', '.join(sorted(self.names))} in a helper process failed: "
                f"{problem}. Nothing was swapped in; run the rebuild again, or with "
                "BCO_REBUILD_PROCESSES=1 to build every read model in one process.")
        attach(db.conn, self.part, "part", key)
        try:
            tables = [name for (name,) in db.execute(
                "SELECT name FROM part.sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name != ?", [POSITIONS])]
            # Tables SQLite triggers fill ('…_by_day') go last: copying the tables their
            # triggers watch fills them once more, and the part's own rows must win.
            tables.sort(key=lambda name: name.endswith(TRIGGER_FED_SUFFIX))
            with db.atomic():
                for table in tables:
                    db.execute(f"DELETE FROM main.[{table}]")
                    db.execute(f"INSERT INTO main.[{table}] SELECT * FROM part.[{table}]")
                for name, position, error, error_event in db.execute(
                        f"SELECT name, position, error, error_event FROM part.[{POSITIONS}]"
                        ).fetchall():
                    db.execute(f"UPDATE main.[{POSITIONS}] SET position = ?, error = ?, "
                               "error_event = ? WHERE name = ?",
                               [position, error, error_event, name])
        finally:
            db.execute("DETACH DATABASE part")
        remove_part(self.part)

    def _outcome(self) -> str | None:
        """None when the part is built, else what went wrong."""
        try:
            problem: str | None = self.results.recv()
        except EOFError:  # it died without reporting (killed, out of memory)
            problem = "it stopped before finishing"
        finally:
            self.results.close()
        self.process.join()
        if problem is None and self.process.exitcode != 0:
            problem = f"it exited with code {self.process.exitcode}"
        return problem


def start_helper(settings: Settings, part: Path, made_by: ReadModelFactory, names: list[str],
                 batch_size: int) -> Helper:
    """Start a process building the read models `names` into `part`, from the same store."""
    remove_part(part)
    context = multiprocessing.get_context("spawn")  # no SQLite or PostgreSQL handle crosses
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=_build_part, args=(settings, part, made_by, names,
                                                        batch_size, sending),
                              name=f"bco-rebuild-{part.name}", daemon=True)
    process.start()
    sending.close()
    return Helper(process, receiving, part, set(names))


def _build_part(settings: Settings, part: Path, made_by: ReadModelFactory, names: list[str],
                batch_size: int, results: Connection) -> None:
    """In the helper: open the store, replay it into `part`, report None or the error."""
    _stop_with_parent(part)
    try:
        app = BCOApplication(settings)
        try:
            models = [model for model in made_by(app) if model.name in names]
            Rebuilder(ReadModelRunner(app, part, models), batch_size=batch_size).fill_aside()
        finally:
            app.close()
    except Exception as exc:  # reported to the rebuilding process, which raises it there
        log.debug("Rebuild helper failed:\n%s", traceback.format_exc())
        results.send(f"{type(exc).__name__}: {exc}")
    else:
        results.send(None)
    finally:
        results.close()


def _stop_with_parent(part: Path) -> None:
    """A helper whose rebuild was killed (kill -9, out of memory) removes its part and exits at
    once: nobody would copy the part in or remove it, and it holds (encrypted) personal data.
    Without this the helper went on writing it after the next start had cleaned up."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()  # returns when the parent process has ended, however it ended
        remove_part(part)
        os._exit(1)

    threading.Thread(target=watch, name="bco-rebuild-parent-watch", daemon=True).start()


def remove_stale_rebuild_files(views_path: Path) -> list[Path]:
    """Delete what rebuilds killed midway left beside views.db (personal data, encrypted, in a
    stray file); files of a rebuild whose process still runs are left alone."""
    removed = []
    prefix = f"{views_path.name}.rebuild-"
    for leftover in views_path.parent.glob(f"{prefix}*"):
        digits = leftover.name[len(prefix):].split(".")[0].split("-")[0]
        if not digits.isdigit() or _process_alive(int(digits)):
            continue
        leftover.unlink(missing_ok=True)
        removed.append(leftover)
    marker = swap_marker(views_path)
    with contextlib.suppress(OSError, ValueError):
        owner = int(marker.read_text().strip() or "0")
        if owner <= 0 or not _process_alive(owner):
            marker.unlink()
            removed.append(marker)
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: not ours to judge
    return True


def remove_part(part: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm", ".lock"):
        Path(f"{part}{suffix}").unlink(missing_ok=True)


def describe(groups: Sequence[Sequence[ReadModel]]) -> str:
    """How a rebuild shares out its read models, for the log."""
    return " | ".join(", ".join(m.name for m in group) for group in groups)

