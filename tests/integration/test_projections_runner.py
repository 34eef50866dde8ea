"""The runner: stopping on a bad event, surviving a kill mid-batch, lag, read-your-writes."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from projection_scenarios import views_contents
from sqlite_utils import Database

from bco.application import BCOApplication
from bco.domain.case import IndexPerson
from bco.projections import all_read_models
from bco.projections.caseload import Caseload, caseload_summary
from bco.projections.rebuild import Rebuilder, RebuildHelperFailed
from bco.projections.runner import ReadModelRunner, open_views
from bco.projections.viewsdb import views_key
from bco.projections.worklist import Worklist, for_tracer


class Killed(BaseException):
    """Stands in for the process dying in the middle of a batch."""


class CaseloadThatFails(Caseload):
    """A caseload whose handler raises on the n-th case event it sees."""

    def __init__(self, fail_on: int, error: type[BaseException] = RuntimeError) -> None:
        self.fail_on = fail_on
        self.error = error
        self.seen = 0

    def _case_event(self, db: Database, event: Any) -> None:
        self.seen += 1
        if self.seen == self.fail_on:
            raise self.error(f"cannot handle {type(event).__qualname__}")
        super()._case_event(db, event)


def register(app: BCOApplication, count: int, *, tracer: str | None = None) -> list[Any]:
    ids = []
    for number in range(count):
        recorded = app.register_case(
            person=IndexPerson(name=f"Index {number}", phone="06 12345678"),
            disease=app.catalog.known_diseases[0], test_date=app.clock().date(), actor="lead")
        if tracer:
            app.assign_case(recorded.aggregate_id, tracer, actor="lead")
        ids.append(recorded.aggregate_id)
    return ids


def total_cases(app: BCOApplication, views: Path) -> int:
    with open_views(views, views_key(app.settings)) as db:
        return int(caseload_summary(db)["total"])


def test_handler_error_stops_that_read_model_only(app: BCOApplication, tmp_path: Path) -> None:
    register(app, 6)
    views = tmp_path / "views.db"
    runner = ReadModelRunner(app, views, [CaseloadThatFails(fail_on=4), Worklist()],
                             batch_size=3)
    runner.catch_up()
    status = {s.name: s for s in runner.status()}
    assert status["caseload"].position == 3 and status["caseload"].error_event == 4
    assert "RuntimeError: cannot handle Case.Registered" in (status["caseload"].error or "")
    assert status["caseload"].lag == 3
    assert status["worklist"].position == 6 and status["worklist"].error is None
    assert total_cases(app, views) == 3

    fixed = ReadModelRunner(app, views, [Caseload(), Worklist()], batch_size=3)
    fixed.catch_up()
    assert total_cases(app, views) == 6
    assert all(s.error is None and s.lag == 0 for s in fixed.status())


def test_kill_mid_batch_then_restart_counts_each_event_once(app: BCOApplication,
                                                            tmp_path: Path) -> None:
    register(app, 9)
    views = tmp_path / "views.db"
    dying = ReadModelRunner(app, views, [CaseloadThatFails(fail_on=8, error=Killed)],
                            batch_size=5)
    with pytest.raises(Killed):
        dying.catch_up()
    assert dying.positions()["caseload"] == 5
    assert total_cases(app, views) == 5

    restarted = ReadModelRunner(app, views, [Caseload()], batch_size=5)
    restarted.catch_up()
    assert total_cases(app, views) == 9
    reference = ReadModelRunner(app, tmp_path / "reference.db", [Caseload()])
    reference.catch_up()
    assert (views_contents(views, app.settings)
            == views_contents(tmp_path / "reference.db", app.settings))


def test_status_shows_lag_until_caught_up(app: BCOApplication, tmp_path: Path) -> None:
    runner = ReadModelRunner(app, tmp_path / "views.db", all_read_models(app))
    register(app, 2)
    assert {s.lag for s in runner.status()} == {2}
    assert {s.store_position for s in runner.status()} == {app.store_position()}
    runner.catch_up()
    assert {s.lag for s in runner.status()} == {0}


def test_wait_for_catches_up_inline_without_a_follower(app: BCOApplication,
                                                       tmp_path: Path) -> None:
    views = tmp_path / "views.db"
    runner = ReadModelRunner(app, views, [Worklist()])
    (case_id,) = register(app, 1)
    recorded = app.assign_case(case_id, "anna", actor="lead")
    assert runner.wait_for(recorded.position)
    with open_views(views, views_key(app.settings)) as db:
        items = for_tracer(db, "anna", now=app.clock(), target_hours=24)
    assert [item.case_id for item in items] == [case_id]


def test_wait_for_with_a_background_follower(app: BCOApplication, tmp_path: Path) -> None:
    views = tmp_path / "views.db"
    runner = ReadModelRunner(app, views, [Worklist(), Caseload()])
    runner.start()
    try:
        assert runner.following
        (case_id,) = register(app, 1)
        recorded = app.assign_case(case_id, "bert", actor="lead")
        assert runner.wait_for(recorded.position, timeout=10)
        with open_views(views, views_key(app.settings)) as db:
            assert caseload_summary(db)["by_tracer"] == {"bert": 1}
    finally:
        runner.stop()
    assert not runner.following


def test_wait_for_gives_up_on_a_stopped_read_model(app: BCOApplication,
                                                   tmp_path: Path) -> None:
    runner = ReadModelRunner(app, tmp_path / "views.db", [CaseloadThatFails(fail_on=1)])
    register(app, 1)
    assert runner.wait_for(app.store_position(), timeout=30) is False
    assert runner.status()[0].error_event == 1


def test_wait_for_is_bounded_by_its_timeout(app: BCOApplication, tmp_path: Path) -> None:
    runner = ReadModelRunner(app, tmp_path / "views.db", [Worklist()])
    register(app, 1)
    assert runner.wait_for(app.store_position() + 1000, timeout=0.05) is False
    assert runner.wait_for(None)
    assert runner.positions()["worklist"] == app.store_position()


def test_rebuild_swaps_while_a_follower_runs(app: BCOApplication, tmp_path: Path) -> None:
    views = tmp_path / "views.db"
    runner = ReadModelRunner(app, views, all_read_models(app), batch_size=4)
    register(app, 5, tracer="anna")
    runner.start()
    try:
        steps: list[int] = []
        Rebuilder(runner).rebuild(progress=steps.append)
        assert sum(steps) >= app.store_position() - 4
        more = register(app, 2)
        assert runner.wait_for(app.store_position(), timeout=10)
    finally:
        runner.stop()
    assert total_cases(app, views) == 5 + len(more)
    assert not list(tmp_path.glob("views.db.rebuild-*"))
    with open_views(views, views_key(app.settings)) as db:
        (mode,) = db.execute("PRAGMA journal_mode").fetchone()
    assert mode == "wal"


def test_the_follower_keeps_its_connection_until_another_writer_waits(
        app: BCOApplication, tmp_path: Path) -> None:
    runner = ReadModelRunner(app, tmp_path / "views.db", [Worklist()])
    register(app, 1)
    runner.catch_up(keep=True)
    kept = runner._kept
    register(app, 1)
    runner.catch_up(keep=True)
    assert kept is not None and runner._kept is kept  # the warm page cache is the point

    with runner.lock():  # another writer, as a rebuild about to swap its file in
        waiting = threading.Thread(target=lambda: runner.catch_up(keep=True))
        waiting.start()
        deadline = time.monotonic() + 10
        while runner._kept is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert runner._kept is None  # let go before waiting, so the old file can be swapped
    waiting.join(10)
    assert runner._kept is not None and runner._kept is not kept
    assert runner.positions()["worklist"] == app.store_position()


def test_unknown_read_model_name_is_refused(app: BCOApplication, tmp_path: Path) -> None:
    runner = ReadModelRunner(app, tmp_path / "views.db", [Worklist()])
    with pytest.raises(ValueError, match="known: worklist"):
        Rebuilder(runner).rebuild(only="nope")



def read_models_that_cannot_be_made(app: BCOApplication) -> list[Any]:
    """What a rebuild helper process calls to make its read models; here it fails."""
    raise RuntimeError("the guides folder is unreadable")


def test_a_failed_rebuild_helper_leaves_the_current_views(app: BCOApplication,
                                                          tmp_path: Path) -> None:
    views = tmp_path / "views.db"
    runner = ReadModelRunner(app, views, all_read_models(app))
    register(app, 3, tracer="anna")
    runner.catch_up()
    register(app, 2)

    with pytest.raises(RebuildHelperFailed) as failed:
        Rebuilder(runner, made_by=read_models_that_cannot_be_made).rebuild(processes=2)

    assert "the guides folder is unreadable" in str(failed.value)
    assert "BCO_REBUILD_PROCESSES=1" in str(failed.value)

    assert total_cases(app, views) == 3  # the old views stay; the rebuild's files are gone
    assert sorted(p.name for p in tmp_path.glob("views.db*")) == ["views.db", "views.db.lock"]


def test_a_rebuild_removes_what_a_killed_rebuild_left_but_not_a_running_one(
        app: BCOApplication, tmp_path: Path) -> None:
    runner = ReadModelRunner(app, tmp_path / "views.db", [Worklist()])
    runner.catch_up()
    gone_pid = 2**22 + 12345  # above Linux's pid_max default: no such process
    killed = [tmp_path / f"views.db.rebuild-{gone_pid}{suffix}"
              for suffix in ("", ".part1", ".part1-wal", "-journal")]
    running = tmp_path / f"views.db.rebuild-{os.getppid()}.part1"
    for stray in [*killed, running]:
        stray.write_text("Sanne de Vries 0612345678")

    Rebuilder(runner).rebuild(processes=1)

    assert [p for p in killed if p.exists()] == []
    assert running.exists()
