"""Rebuilding the read models: replay the store into a new file beside views.db, swap it in.

A rebuild writes a new file while the runner (bco.projections.runner) keeps following into
the old one; under the runner's writer lock it catches the new file up with the last events
and moves it over views.db, so readers switch at their next connection.

A full rebuild of a big store is shared between processes by case. It is CPU-bound Python
(reading and decoding events, the handlers, the guide engine), so one process uses one core.
Read models built per case (`ReadModel.by_case`) are built in every process, each over its own
share of the cases: a process decodes only its cases' events (and those of aggregates that
belong to no case, such as guide versions, which every share needs), so decoding is split too,
not only the handlers. The read models that need every event in order (sums per day, matches
across cases, who last did anything) are built in the rebuilding process, which therefore
decodes every event and takes a smaller share of the cases. Every process replays up to the
same notification; then the helpers' rows are copied into the new file, where no two shares
hold the same case, and the last events are caught up as always.
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
from functools import cache
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.utils import resolve_topic
from sqlite_utils import Database

from bco.application import BCOApplication
from bco.config import Settings
from bco.domain.case import Case
from bco.domain.interview import Interview
from bco.projections.read_pool import SWAP_SUFFIX, swap_marker
from bco.projections.readmodel import POSITIONS, ReadModel
from bco.projections.runner import ReadModelRunner, connect, set_position
from bco.projections.views_copy import bring_copy
from bco.projections.viewsdb import Error, attach, connect_file

ReadModelFactory = Callable[[BCOApplication], Sequence[ReadModel]]
Progress = Callable[[int], None]

log = logging.getLogger(__name__)

PARALLEL_FROM_EVENTS = 50_000  # below this a helper's start-up costs more than it saves
REBUILD_BATCH_SIZE = 100_000  # a rebuild's batches: fewer commits, rows rewritten less often
SWAP_WAIT_SECONDS = 15.0  # for readers to let go of the old views.db (pools do in ~0.5 s)
REBUILD_GC_THRESHOLD = 50_000  # allocations between young-generation collections (default 700)
REBUILD_CACHE_MIB = 2048  # page cache, in MiB, of each rebuilding process's connection
SHARE_SLOTS = 10_000  # a case's share: its id modulo this, cut into one range per process
DECODE_COST = 19.0  # µs per event to decode it (to_domain_event), as ReadModel.rebuild_cost


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
        more, else 1) share out the cases of a full rebuild.
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
            deferred = defer_indexes(db, chosen)
            shares = self._shares(chosen, processes)
            with _few_collections():
                if shares:
                    stop = runner.app.store_position()
                    names = [m.name for m in chosen if m.by_case]
                    helpers = [start_helper(runner.app.settings,
                                            building.with_name(f"{building.name}.part{n}"),
                                            self.made_by, names, share, stop, self.batch_size)
                               for n, share in enumerate(shares[1:], start=1)
                               if self.made_by is not None]
                    redo = self._replay_share(db, shares[0], stop, progress)
                    for helper in helpers:
                        redo |= helper.merge_into(db, runner.key)
                    helpers = []
                    self._start_again(db, redo)
                self._replay(db, progress)
            with db.atomic():
                for statement in deferred:
                    db.execute(statement)
            self._finish(db, building, progress)
        except BaseException:
            for helper in helpers:
                helper.stop()
            close_quietly(db)
            _remove_database_files(building)
            raise

    def join(self, copy: Path, progress: Progress | None = None) -> None:
        """Start from another node's copy of views.db (bco.projections.views_copy) and replay
        only the events after it; swapped in as a rebuild is, so safe while serving."""
        runner = self.runner
        remove_stale_rebuild_files(self.views_path)
        building = self.views_path.with_name(f"{self.views_path.name}.rebuild-{os.getpid()}")
        _remove_database_files(building)
        db = None
        try:
            bring_copy(copy, building, runner.key, runner.app.store_position())
            db = connect_aside(building, runner.key)
            runner.prepare(db, runner.read_models)  # an older layout is replayed in full
            self._replay(db, progress)
            self._finish(db, building, progress)
        except BaseException:
            if db is not None:
                close_quietly(db)
            _remove_database_files(building)
            raise

    def _finish(self, db: Database, building: Path, progress: Progress | None) -> None:
        """Under the writer lock: the last events, then the built file in place of views.db."""
        with self.runner.lock():
            self._replay(db, progress)
            db.execute("PRAGMA journal_mode = DELETE")
            db.close()
            _fsync(building)
            self._swap_in(building)

    def fill_share(self, share: CaseShare, stop: int) -> None:
        """Replay the store up to `stop` into the runner's file, for the read models' share of
        the cases (a rebuild helper's part), built for speed."""
        db = connect_aside(self.views_path, self.runner.key)
        try:
            defer_indexes(db, self.runner.read_models)  # the rebuilding process makes them
            with _few_collections():
                self._replay_share(db, share, stop, None)
        finally:
            db.close()

    def remaining_events(self) -> int:
        """How many notifications a full rebuild will read, for a progress bar's length."""
        return self.runner.app.store_position()

    def _shares(self, chosen: Sequence[ReadModel], processes: int | None) -> list[CaseShare]:
        """How a full rebuild shares out the cases, or nothing to rebuild in this process
        alone (one process asked for, a small store, one read model, or none built per case)."""
        if processes is None:
            big = self.remaining_events() >= PARALLEL_FROM_EVENTS
            processes = self.runner.app.settings.rebuild_processes if big else 1
        by_case = [m for m in chosen if m.by_case]
        if (self.made_by is None or len(chosen) < len(self.runner.read_models)
                or processes < 2 or not by_case):
            return []
        shares = case_shares(by_case, [m for m in chosen if not m.by_case], processes)
        log.info("Rebuilding in %d processes, cases shared out as %s", len(shares),
                 describe(shares))
        return shares

    def _replay_share(self, db: Database, share: CaseShare, stop: int,
                      progress: Progress | None) -> set[str]:
        """Replay notifications up to `stop`: every event to the read models that need them all
        (the first share only), this share's to those built per case. Returns the read models
        built per case that stopped on an event (to build again from every event)."""
        runner = self.runner
        whole = [m for m in runner.read_models if not m.by_case] if share.first else []
        by_case = [m for m in runner.read_models if m.by_case]
        router = CaseRouter(share, decode_all=bool(whole))
        failed: set[str] = set()
        start = 1
        while start <= stop:
            notifications = runner.app.recorder.select_notifications(
                start=start, limit=self.batch_size, stop=stop)
            if not notifications:
                break
            everything, mine = router.sort(notifications, runner.decode)
            last = notifications[-1].id
            for model, pending in [*((m, everything) for m in whole),
                                   *((m, mine) for m in by_case)]:
                if (model.name not in failed and pending
                        and not runner.apply_batch(db, model, pending, last)):
                    failed.add(model.name)
            start = last + 1
            if progress is not None:
                progress(len(notifications))
        with db.atomic():
            for model in [*whole, *by_case]:
                if model.name not in failed:
                    set_position(db, model.name, stop, None, None)
        return {name for name in failed if name in {m.name for m in by_case}}

    def _start_again(self, db: Database, names: set[str]) -> None:
        """Empty read models built per case that stopped on an event in some share: the next
        replay builds them from every event in order, stopping where following along would."""
        again = [model for model in self.runner.read_models if model.name in names]
        if not again:
            return
        log.warning("Rebuilding %s again from every event: it stopped on an event",
                    ", ".join(sorted(names)))
        with db.atomic():
            for model in again:
                model.forget(db)
        self.runner.prepare(db, again)
        defer_indexes(db, again)  # made with the others at the end

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
    """A file being rebuilt beside views.db: no fsyncs, since a crash only means rebuilding,
    and a page cache big enough to keep the pages a replay keeps coming back to: SQLCipher
    decrypts and checks every page it reads into the cache, so with the default 8 MB the
    replay of a big store spent most of its time reading the same pages again."""
    db = connect(path, key, journal_mode="MEMORY")
    db.execute("PRAGMA synchronous = OFF")
    db.execute(f"PRAGMA cache_size = -{REBUILD_CACHE_MIB * 1024}")
    return db


def defer_indexes(db: Database, models: Sequence[ReadModel]) -> list[str]:
    """Drop the indexes of these read models' tables that no handler looks rows up by
    (`ReadModel.lookups`) and return the SQL that makes them again.

    A replay then keeps fewer b-trees up to date with every row it writes (and SQLCipher
    encrypts fewer pages at every commit); an index made at the end from the finished table
    is built in one sorted pass.
    """
    keep = {(table, column) for model in models for table, column in model.lookups}
    tables = {table for model in models for table in model.tables}
    deferred = []
    with db.atomic():
        for name, table, sql in db.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' "
                "AND sql IS NOT NULL ORDER BY name").fetchall():
            columns = [row[2] for row in db.execute(f"PRAGMA index_info([{name}])")]
            if table not in tables or (columns and (table, columns[0]) in keep):
                continue
            deferred.append(sql)
            db.execute(f"DROP INDEX [{name}]")
    return deferred


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


@dataclass(frozen=True)
class CaseShare:
    """The cases one process builds the read models built per case for: those whose id
    modulo SHARE_SLOTS lies in [low, high). The `first` share's process (the rebuilding one)
    also builds the read models that need every event, and takes interview events whose case
    it cannot tell."""

    low: int
    high: int
    first: bool

    def holds(self, case_id: UUID) -> bool:
        return self.low <= case_id.int % SHARE_SLOTS < self.high


def case_shares(by_case: Sequence[ReadModel], whole: Sequence[ReadModel],
                processes: int) -> list[CaseShare]:
    """One share of the cases per process, of about equal load in µs per event.

    The first process decodes every event for the read models in `whole` and runs them, so it
    gets fewer cases: with C the read models per case, W the whole ones and D decoding, it
    carries D + W + f0·C and every other process fk·(D + C), and the shares f add up to 1.
    """
    cost = sum(m.rebuild_cost for m in by_case)
    fixed = sum(m.rebuild_cost for m in whole) + DECODE_COST if whole else 0.0
    helpers = max(1, processes) - 1
    if fixed:
        load = (1 + fixed / cost) / (1 / cost + helpers / (DECODE_COST + cost))
        first = max(0.0, (load - fixed) / cost)
    else:
        first = 1 / (helpers + 1)
    fractions = [first] + [(1 - first) / helpers] * helpers if helpers else [1.0]
    shares, low, total = [], 0, 0.0
    for n, fraction in enumerate(fractions):
        total += fraction
        high = SHARE_SLOTS if n == len(fractions) - 1 else round(total * SHARE_SLOTS)
        shares.append(CaseShare(low, max(low, high), n == 0))
        low = max(low, high)
    return shares


_CASE, _STARTED, _INTERVIEW, _OTHER = range(4)


@cache
def _kind(topic: str) -> int:
    """Whether a notification's event is a case's, starts an interview, is an interview's, or
    belongs to no case (a guide version, an account: every share needs those)."""
    try:
        cls = resolve_topic(topic)
    except Exception:  # an unknown topic: decoding it fails in every share, as it should
        return _OTHER
    if not isinstance(cls, type):
        return _OTHER
    if issubclass(cls, Interview.Started):
        return _STARTED
    owner = cls.__qualname__.partition(".")[0]
    if owner == Case.__name__ and cls.__module__ == Case.__module__:
        return _CASE
    if owner == Interview.__name__ and cls.__module__ == Interview.__module__:
        return _INTERVIEW
    return _OTHER


class CaseRouter:
    """Sorts a batch of notifications for one process: decodes what it needs, once.

    An interview's events follow its case, learnt from its `Started` event (which every
    process decodes: one event per interview). The first share keeps the interviews of the
    other shares, every other share its own ones: an interview whose start could not be read
    goes to the first share, whose read models then stop on it as following along would.
    """

    def __init__(self, share: CaseShare, *, decode_all: bool) -> None:
        self.share = share
        self.decode_all = decode_all
        self.interviews: set[UUID] = set()

    def sort(self, notifications: Sequence[Any], decode: Callable[[Any], Any]
             ) -> tuple[list[tuple[int, Any]], list[tuple[int, Any]]]:
        """(every event, if this process decodes them all; the events of this share)."""
        share, first, interviews = self.share, self.share.first, self.interviews
        everything: list[tuple[int, Any]] = []
        mine: list[tuple[int, Any]] = []
        for notification in notifications:
            kind = _kind(notification.topic)
            event = None
            if kind == _CASE:
                ours = share.holds(notification.originator_id)
            elif kind == _INTERVIEW:
                ours = (notification.originator_id in interviews) != first
            elif kind == _STARTED:
                event = decode(notification)
                case_id = getattr(event, "case_id", None)
                ours = share.holds(case_id) if isinstance(case_id, UUID) else first
                if ours != first:
                    interviews.add(notification.originator_id)
            else:
                ours = True
            if ours or self.decode_all:
                if event is None:
                    event = decode(notification)
                pair = (notification.id, event)
                if self.decode_all:
                    everything.append(pair)
                if ours:
                    mine.append(pair)
        return everything, mine


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

    def merge_into(self, db: Database, key: str | None) -> set[str]:
        """Wait for the part, then add its rows to `db` (its cases are in no other share);
        returns the read models that stopped on an event in it."""
        problem = self._outcome()
        if problem is not None:
            raise RebuildHelperFailed(
                f"The rebuild of a share of the cases in a helper process failed: {problem}. "
                "Nothing was swapped in; run the rebuild again, or with "
                "BCO_REBUILD_PROCESSES=1 to build everything in one process.")
        attach(db.conn, self.part, "part", key)
        try:
            tables = [name for (name,) in db.execute(
                "SELECT name FROM part.sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name != ?", [POSITIONS])]
            stopped = {name for (name,) in db.execute(
                f"SELECT name FROM part.[{POSITIONS}] WHERE error IS NOT NULL")}
            with db.atomic():
                for table in tables:
                    # rows made from events of no case (guide versions) are in every share,
                    # the same in each: the first copy stays. Read in the part's own order:
                    # in key order the reads jump all over the part (148 s instead of 12 s
                    # for a 1M-event store when the part was no longer in the OS's cache).
                    db.execute(f"INSERT OR IGNORE INTO main.[{table}] "
                               f"SELECT * FROM part.[{table}]")
        finally:
            db.execute("DETACH DATABASE part")
        remove_part(self.part)
        return stopped & self.names

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
                 share: CaseShare, stop: int, batch_size: int) -> Helper:
    """Start a process building the read models `names` for one share of the cases into
    `part`, from the same store, up to notification `stop`."""
    remove_part(part)
    context = multiprocessing.get_context("spawn")  # no SQLite or PostgreSQL handle crosses
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=_build_part, args=(settings, part, made_by, names, share,
                                                        stop, batch_size, sending),
                              name=f"bco-rebuild-{part.name}", daemon=True)
    process.start()
    sending.close()
    return Helper(process, receiving, part, set(names))


def _build_part(settings: Settings, part: Path, made_by: ReadModelFactory, names: list[str],
                share: CaseShare, stop: int, batch_size: int, results: Connection) -> None:
    """In the helper: open the store, replay its share into `part`, report None or the error."""
    _stop_with_parent(part)
    try:
        app = BCOApplication(settings)
        try:
            models = [model for model in made_by(app) if model.name in names]
            runner = ReadModelRunner(app, part, models)
            Rebuilder(runner, batch_size=batch_size).fill_share(share, stop)
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


def describe(shares: Sequence[CaseShare]) -> str:
    """How a rebuild shares out the cases, for the log."""
    return " | ".join(f"{(share.high - share.low) / SHARE_SLOTS:.0%} of the cases"
                      + (" and what needs every event" if share.first else "")
                      for share in shares)
