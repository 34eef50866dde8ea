"""The web's wiring to the read side: the runner per process, its follower, read-your-writes."""

from __future__ import annotations

import atexit
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app
from sqlite_utils import Database

from bco.application import BCOApplication, Recorded
from bco.config import Settings
from bco.projections import runner_for
from bco.projections.follower import Follower
from bco.projections.read_pool import ReadPool
from bco.projections.rebuild import remove_stale_rebuild_files
from bco.projections.runner import ReadModelRunner
from bco.projections.viewsdb import views_key

log = logging.getLogger(__name__)


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
    """A read connection for this request, from the process's pool (bco.projections.read_pool:
    its decrypted pages stay for the next request, and a rebuild's swap is waited for)."""
    pool: ReadPool = current_app.extensions["bco_read_pool"]
    with pool.connection() as db:
        yield db


def init_app(flask_app: Flask, application: BCOApplication, settings: Settings) -> None:
    """A runner per web process; it follows the store in a thread in one process per machine.

    What a rebuild killed midway left beside views.db (encrypted personal data in a stray
    file) is removed as the server starts, not only at the next rebuild; files of a rebuild still
    running are left alone.
    """
    removed = remove_stale_rebuild_files(settings.views_path)
    if removed:
        log.warning("Removed %d file(s) a killed rebuild left beside %s", len(removed),
                    settings.views_path)
    projection_runner = runner_for(application)
    flask_app.extensions["bco_runner"] = projection_runner
    flask_app.extensions["bco_read_pool"] = ReadPool(settings.views_path, views_key(settings))
    if settings.run_projections_in_web:
        follower = Follower(projection_runner)
        flask_app.extensions["bco_follower"] = follower
        follower.start()
        atexit.register(follower.stop)
