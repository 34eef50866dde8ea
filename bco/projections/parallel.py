"""A full rebuild shared between processes: each builds some read models, then one file.

A rebuild is CPU-bound Python (decoding events, the handlers, the guide engine), so one
process uses one core. Read models are independent of each other, so the runner gives each
helper process some of them to build into a part file of its own from the same event store;
the rebuilding process builds the rest into the new views file and copies the parts in when
they are done. Every process decodes every event it needs, which costs far less than the
handlers it no longer runs.
"""

from __future__ import annotations

import logging
import multiprocessing
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING

from sqlite_utils import Database

from bco.config import Settings
from bco.projections.readmodel import POSITIONS, ReadModel

if TYPE_CHECKING:
    from bco.application import BCOApplication

ReadModelFactory = Callable[["BCOApplication"], Sequence[ReadModel]]

log = logging.getLogger(__name__)

PARALLEL_FROM_EVENTS = 50_000  # below this a helper's start-up costs more than it saves


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

    def copy_into(self, db: Database) -> None:
        """Wait for the part, then replace these read models' tables and positions in `db`."""
        problem = self._outcome()
        if problem is not None:
            raise RebuildHelperFailed(
                f"The rebuild of {', '.join(sorted(self.names))} in a helper process failed: "
                f"{problem}. Nothing was swapped in; run the rebuild again, or with "
                "BCO_REBUILD_PROCESSES=1 to build every read model in one process.")
        db.execute("ATTACH DATABASE ? AS part", [str(self.part)])
        try:
            tables = [name for (name,) in db.execute(
                "SELECT name FROM part.sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name != ?", [POSITIONS])]
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
    from bco.application import BCOApplication
    from bco.projections.runner import ProjectionRunner

    try:
        app = BCOApplication(settings)
        try:
            models = [model for model in made_by(app) if model.name in names]
            runner = ProjectionRunner(app, part, models, rebuild_batch_size=batch_size)
            runner.fill_aside()
        finally:
            app.close()
    except Exception as exc:  # reported to the rebuilding process, which raises it there
        log.debug("Rebuild helper failed:\n%s", traceback.format_exc())
        results.send(f"{type(exc).__name__}: {exc}")
    else:
        results.send(None)
    finally:
        results.close()


def remove_part(part: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm", ".lock"):
        Path(f"{part}{suffix}").unlink(missing_ok=True)


def describe(groups: Sequence[Sequence[ReadModel]]) -> str:
    """How a rebuild shares out its read models, for the log."""
    return " | ".join(", ".join(m.name for m in group) for group in groups)

