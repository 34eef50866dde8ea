"""The web's pooled read connections to views.db: reused between requests, never stale, and
never in the way of a rebuild's swap (bco/projections/read_pool.py)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

from bco.application import BCOApplication
from bco.domain.case import IndexPerson
from bco.projections import all_read_models
from bco.projections.caseload import caseload_summary
from bco.projections.read_pool import ReadPool, swap_marker
from bco.projections.rebuild import Rebuilder, remove_stale_rebuild_files
from bco.projections.runner import ReadModelRunner
from bco.projections.viewsdb import views_key


def register(app: BCOApplication, count: int) -> None:
    for number in range(count):
        app.register_case(person=IndexPerson(name=f"Pooled {number}", phone="06 12345678"),
                          disease=app.catalog.known_diseases[0],
                          test_date=app.clock().date(), actor="lead")


def total(pool: ReadPool) -> int:
    with pool.connection() as db:
        return int(caseload_summary(db)["total"])


@pytest.fixture
def runner(app: BCOApplication, tmp_path: Path) -> ReadModelRunner:
    return ReadModelRunner(app, tmp_path / "views.db", all_read_models(app))


def followed_pool(app: BCOApplication, runner: ReadModelRunner, cases: int) -> ReadPool:
    """A pool on views.db once `cases` new cases were registered and followed."""
    register(app, cases)
    runner.catch_up()
    return ReadPool(runner.views_path, runner.key)


def test_a_connection_is_lent_again_and_sees_what_was_followed_since(
        app: BCOApplication, runner: ReadModelRunner) -> None:
    pool = followed_pool(app, runner, 2)
    with pool.connection() as first:
        assert int(caseload_summary(first)["total"]) == 2
    assert pool.pooled_count() == 1
    register(app, 3)
    runner.catch_up()
    with pool.connection() as again:
        assert again is first
        assert int(caseload_summary(again)["total"]) == 5


def test_a_connection_left_in_a_transaction_is_not_lent_again(
        app: BCOApplication, runner: ReadModelRunner) -> None:
    pool = followed_pool(app, runner, 1)
    with pool.connection() as db:
        db.execute("BEGIN")
        db.execute("SELECT count(*) FROM worklist").fetchone()
    assert pool.pooled_count() == 0


def test_a_rebuild_swaps_while_the_pool_holds_connections(
        app: BCOApplication, runner: ReadModelRunner) -> None:
    pool = followed_pool(app, runner, 3)
    held = [pool.connection() for _ in range(3)]
    for lent in held:
        lent.__enter__()
    for lent in held:
        lent.__exit__(None, None, None)
    assert pool.pooled_count() == 3
    before = os.stat(runner.views_path).st_ino

    Rebuilder(runner).rebuild()

    assert os.stat(runner.views_path).st_ino != before
    assert not swap_marker(runner.views_path).exists()
    register(app, 1)
    runner.catch_up()
    assert total(pool) == 4  # read from the new file, not a connection to the old one


def test_a_request_under_way_delays_the_swap_and_is_not_broken_by_it(
        app: BCOApplication, runner: ReadModelRunner) -> None:
    pool = followed_pool(app, runner, 2)
    reading = threading.Event()
    release = threading.Event()
    seen: list[int] = []

    def request() -> None:
        with pool.connection() as db:
            reading.set()
            release.wait(10)
            seen.append(int(caseload_summary(db)["total"]))

    worker = threading.Thread(target=request)
    worker.start()
    assert reading.wait(10)
    rebuild = threading.Thread(target=Rebuilder(runner).rebuild)
    rebuild.start()
    rebuild.join(1.0)
    assert rebuild.is_alive(), "the swap waits for the request's connection"
    release.set()
    worker.join(10)
    rebuild.join(20)
    assert not rebuild.is_alive()
    assert seen == [2]
    assert total(pool) == 2


def test_a_file_replaced_behind_the_pool_is_not_read_through_an_old_connection(
        app: BCOApplication, runner: ReadModelRunner, tmp_path: Path) -> None:
    pool = followed_pool(app, runner, 2)
    assert total(pool) == 2
    other = ReadModelRunner(app, tmp_path / "other" / "views.db", all_read_models(app))
    register(app, 1)
    other.catch_up()
    os.replace(other.views_path, runner.views_path)  # e.g. a restore, with the pool idle
    assert total(pool) == 3


def test_a_killed_rebuilds_marker_is_removed_and_a_live_ones_kept(
        app: BCOApplication, runner: ReadModelRunner) -> None:
    runner.catch_up()
    marker = swap_marker(runner.views_path)
    marker.write_text(str(os.getpid()))
    assert marker not in remove_stale_rebuild_files(runner.views_path)
    dead = _a_finished_process_id()
    marker.write_text(str(dead))
    assert marker in remove_stale_rebuild_files(runner.views_path)
    assert not marker.exists()


def test_no_read_models_yet_is_said_plainly(app: BCOApplication, tmp_path: Path) -> None:
    pool = ReadPool(tmp_path / "views.db", views_key(app.settings))
    with pytest.raises(FileNotFoundError, match="bco projections run"), pool.connection():
        pass


def _a_finished_process_id() -> int:
    import subprocess
    import sys

    child: Any = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return int(child.pid)
