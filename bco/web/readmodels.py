"""The web process's view of the read models: one follower per machine, and read-your-writes.

Every web process builds a projection runner, but only the one holding a non-blocking lock on
`<views.db>.follower` runs it in a background thread: with gunicorn's several workers that is one
follower per machine instead of one per worker, each catching up the same read models on the
same cores. The others retry the lock every few seconds, so a follower that exits (a worker
restarted) is replaced. A process that does not follow still reads its own writes: the runner's
`wait_for` then catches up itself, under the same writer lock, so no event is applied twice.
"""

from __future__ import annotations

import atexit
import fcntl
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from flask import Flask, current_app
from sqlite_utils import Database

from bco.application import BCOApplication, Recorded
from bco.config import Settings
from bco.projections import runner_for
from bco.projections.runner import ReadModelRunner, open_views

log = logging.getLogger(__name__)

CLAIM_RETRY_SECONDS = 2.0


def runner() -> ReadModelRunner:
    found: ReadModelRunner = current_app.extensions["bco_runner"]
    return found


def read_your_writes(recorded: Recorded | None) -> None:
    """Wait (bounded) until the read models include this command, so the next page shows it.

    Only where a read model is shown after the command: the interview screen renders from the
    aggregate, so its saves do not wait.
    """
    if recorded is None or recorded.position is None:
        return
    if not runner().wait_for(recorded.position):
        log.warning("Read models did not reach position %s in time", recorded.position)


@contextmanager
def views() -> Iterator[Database]:
    """A read connection for this request only (a rebuild may swap the file in between)."""
    settings: Settings = current_app.extensions["bco_settings"]
    with open_views(settings.views_path) as db:
        yield db


class Follower:
    """Runs the runner's background thread in this process only while it holds the lock file."""

    def __init__(self, projection_runner: ReadModelRunner, lock_path: Path) -> None:
        self.runner = projection_runner
        self.lock_path = lock_path
        self._held: IO[str] | None = None
        self._stop = threading.Event()
        self._retry: threading.Thread | None = None

    @property
    def leading(self) -> bool:
        return self._held is not None

    def start(self) -> None:
        """Follow now if no other process on this machine does, else keep trying in a thread."""
        if self._claim():
            return
        self._retry = threading.Thread(target=self._keep_trying, name="bco-follower-claim",
                                       daemon=True)
        self._retry.start()

    def stop(self) -> None:
        """Stop following and let another process take over."""
        self._stop.set()
        self.runner.stop()
        if self._held is not None:
            self._held.close()  # closing the file releases the lock
            self._held = None

    def _keep_trying(self) -> None:
        while not self._stop.wait(CLAIM_RETRY_SECONDS):
            if self._claim():
                return

    def _claim(self) -> bool:
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.lock_path, "a+")  # noqa: SIM115 - held open while this process leads
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        if self._stop.is_set():
            handle.close()
            return False
        self._held = handle
        self.runner.start()
        return True


def init_app(flask_app: Flask, application: BCOApplication, settings: Settings) -> None:
    """A runner per web process; it follows the store in a thread in one process per machine."""
    projection_runner = runner_for(application)
    flask_app.extensions["bco_runner"] = projection_runner
    if settings.run_projections_in_web:
        views_path = settings.views_path
        follower = Follower(projection_runner,
                            views_path.with_name(views_path.name + ".follower"))
        flask_app.extensions["bco_follower"] = follower
        follower.start()
        atexit.register(follower.stop)
