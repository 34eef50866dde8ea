"""One follower per machine: the web process that holds `<views.db>.follower` keeps views.db
up to date in a background thread.

Every web process builds a read-model runner, but only the one holding a non-blocking lock on
the follower file runs it in a background thread: with gunicorn's several workers that is one
follower per machine instead of one per worker, each catching up the same read models on the
same cores. The others retry the lock every few seconds, so a follower that exits (a worker
restarted) is replaced. A process that does not follow still reads its own writes: the runner's
`wait_for` then catches up itself, under the same writer lock, so no event is applied twice.
"""

from __future__ import annotations

import fcntl
import threading
from pathlib import Path
from typing import IO

from bco.projections.runner import ReadModelRunner

CLAIM_RETRY_SECONDS = 2.0


class Follower:
    """Runs the runner's background thread in this process only while it holds the lock file."""

    def __init__(self, runner: ReadModelRunner, lock_path: Path | None = None, *,
                 retry_seconds: float = CLAIM_RETRY_SECONDS) -> None:
        self.runner = runner
        self.lock_path = lock_path or follower_lock_path(runner.views_path)
        self.retry_seconds = retry_seconds
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
        """Stop following and let another process take over; a claim under way ends first."""
        self._stop.set()
        if self._retry is not None:
            self._retry.join()
            self._retry = None
        self.runner.stop()
        if self._held is not None:
            self._held.close()  # closing the file releases the lock
            self._held = None

    def _keep_trying(self) -> None:
        while not self._stop.wait(self.retry_seconds):
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


def follower_lock_path(views_path: Path) -> Path:
    """Beside views.db, apart from the writer lock: leading is not the same as writing."""
    return views_path.with_name(views_path.name + ".follower")
