"""One follower per machine: the process holding the follower lock keeps views.db up to date."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from bco.application import BCOApplication
from bco.domain.case import IndexPerson
from bco.projections.follower import Follower, follower_lock_path
from bco.projections.runner import ReadModelRunner
from bco.projections.worklist import Worklist


def follower(app: BCOApplication, views: Path) -> Follower:
    return Follower(ReadModelRunner(app, views, [Worklist()]), retry_seconds=0.02)


def soon(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def register(app: BCOApplication) -> None:
    app.register_case(person=IndexPerson(name="Index", phone="06 12345678"),
                      disease=app.catalog.known_diseases[0], test_date=app.clock().date(),
                      actor="intake")


def test_only_one_process_follows_and_another_takes_over_when_it_stops(
        app: BCOApplication, tmp_path: Path) -> None:
    views = tmp_path / "views.db"
    first, second = follower(app, views), follower(app, views)
    try:
        first.start()
        second.start()
        assert first.leading and first.runner.following
        assert not second.leading and not second.runner.following
        assert first.lock_path == follower_lock_path(views) == tmp_path / "views.db.follower"

        first.stop()

        assert not first.leading and not first.runner.following
        assert soon(lambda: second.leading and second.runner.following)
    finally:
        first.stop()
        second.stop()
    assert not second.runner.following


def test_the_leader_keeps_the_read_models_up_to_date(app: BCOApplication,
                                                     tmp_path: Path) -> None:
    leader = follower(app, tmp_path / "views.db")
    leader.start()
    try:
        register(app)
        register(app)
        assert soon(lambda: leader.runner.positions()["worklist"] == app.store_position())
    finally:
        leader.stop()


def test_a_follower_stopped_while_waiting_never_takes_over(app: BCOApplication,
                                                           tmp_path: Path) -> None:
    views = tmp_path / "views.db"
    first, waiting = follower(app, views), follower(app, views)
    first.start()
    waiting.start()
    waiting.stop()
    first.stop()
    time.sleep(0.1)  # several retry intervals
    assert not waiting.leading and not waiting.runner.following
