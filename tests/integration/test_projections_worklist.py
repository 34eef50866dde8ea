"""The worklist's ordering rules, the unassigned pool, the team's cases, and claiming the next
case safely."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from bco.application import BCOApplication, Recorded
from bco.config import Settings
from bco.domain.case import CallOutcome, IndexPerson
from bco.domain.errors import ConflictError
from bco.projections.runner import ReadModelRunner, open_views
from bco.projections.viewsdb import views_key
from bco.projections.worklist import (
    Worklist,
    for_team,
    for_tracer,
    next_unassigned,
    team_tracers,
    unassigned,
)


def new_case(app: BCOApplication, clock: Any, tracer: str | None = None) -> UUID:
    recorded = app.register_case(
        person=IndexPerson(name="Index", phone="06 12345678"),
        disease=app.catalog.known_diseases[0],
        test_date=clock.now.date(), actor="lead")
    if tracer:
        app.assign_case(recorded.aggregate_id, tracer, actor="lead")
    clock.advance(minutes=10)
    return recorded.aggregate_id


def caught_up(app: BCOApplication, tmp_path: Path) -> Path:
    runner = ReadModelRunner(app, tmp_path / "views.db", [Worklist()])
    runner.catch_up()
    return runner.views_path


def test_callbacks_due_first_then_waiting_then_interviews(app: BCOApplication, clock: Any,
                                                          tmp_path: Path) -> None:
    unreachable = new_case(app, clock, "anna")
    app.mark_unreachable(unreachable, "three tries", actor="anna")
    oldest_waiting = new_case(app, clock, "anna")
    interviewing = new_case(app, clock, "anna")
    app.start_interview(interviewing, actor="anna")
    callback_soon = new_case(app, clock, "anna")
    app.log_call_attempt(callback_soon, CallOutcome.CALLBACK_REQUESTED,
                         callback_at=clock.now + timedelta(minutes=30), actor="anna")
    callback_later = new_case(app, clock, "anna")
    app.log_call_attempt(callback_later, CallOutcome.CALLBACK_REQUESTED,
                         callback_at=clock.now + timedelta(hours=8), actor="anna")
    newest_waiting = new_case(app, clock, "anna")
    done = new_case(app, clock, "anna")
    app.close_case(done, "duplicate", actor="lead")
    new_case(app, clock, "bert")
    clock.advance(hours=1)

    with open_views(caught_up(app, tmp_path), views_key(app.settings)) as db:
        items = for_tracer(db, "anna", now=clock.now, target_hours=24)
    assert [(i.case_id, i.bucket) for i in items] == [
        (callback_soon, "callback_due"), (oldest_waiting, "waiting"),
        (newest_waiting, "waiting"), (interviewing, "interview"),
        (callback_later, "callback_later"), (unreachable, "unreachable"),
    ]
    assert items[3].interview_status == "in_progress"


def test_waiting_time_is_measured_against_the_first_call_target(
        app: BCOApplication, clock: Any, tmp_path: Path) -> None:
    late = new_case(app, clock, "anna")
    clock.advance(hours=5)
    fresh = new_case(app, clock, "anna")
    clock.advance(hours=1)
    with open_views(caught_up(app, tmp_path), views_key(app.settings)) as db:
        items = for_tracer(db, "anna", now=clock.now, target_hours=6)
    by_case = {i.case_id: i for i in items}
    assert by_case[late].overdue and not by_case[fresh].overdue
    assert by_case[fresh].first_call_due_at == by_case[fresh].received_at + timedelta(hours=6)


def test_pool_offers_due_callbacks_before_the_oldest_new_cases(
        app: BCOApplication, clock: Any, tmp_path: Path) -> None:
    oldest = new_case(app, clock)
    newer = new_case(app, clock)
    called_back = new_case(app, clock, "anna")
    app.log_call_attempt(called_back, CallOutcome.CALLBACK_REQUESTED,
                         callback_at=clock.now + timedelta(minutes=5), actor="anna")
    app.unassign_case(called_back, actor="anna")
    taken = new_case(app, clock, "bert")
    clock.advance(minutes=30)
    with open_views(caught_up(app, tmp_path), views_key(app.settings)) as db:
        assert next_unassigned(db, now=clock.now) == [called_back, oldest, newer]
        pool = unassigned(db, now=clock.now, target_hours=24)
    assert taken not in {i.case_id for i in pool}
    assert pool[0].case_id == called_back and pool[0].bucket == "callback_due"


def claim_next_case(app: BCOApplication, views: Path, tracer: str,
                    team: str | None = None) -> Recorded | None:
    """What the 'next case' button does: candidates from the worklist, then the command."""
    with open_views(views, views_key(app.settings)) as db:
        candidates = next_unassigned(db, now=app.clock())
    return app.claim_next_case(tracer, team, actor=tracer, candidates=candidates)


def test_two_tracers_pressing_next_get_different_cases(app: BCOApplication, clock: Any,
                                                       tmp_path: Path) -> None:
    first_case, second_case = new_case(app, clock), new_case(app, clock)
    views = caught_up(app, tmp_path)
    anna = claim_next_case(app, views, "anna")
    bert = claim_next_case(app, views, "bert")  # the view still shows both free
    assert anna is not None and bert is not None
    assert (anna.aggregate_id, bert.aggregate_id) == (first_case, second_case)
    assert app.get_case(first_case).tracer == "anna"
    assert app.get_case(second_case).tracer == "bert"
    assert claim_next_case(app, views, "cem") is None


def test_claim_skips_closed_taken_and_ineligible_candidates(app: BCOApplication,
                                                            clock: Any) -> None:
    closed, taken, elsewhere, free = (new_case(app, clock) for _ in range(4))
    app.close_case(closed, "duplicate", actor="lead")
    app.assign_case(taken, "bert", actor="lead")
    app.assign_case(elsewhere, "bert", "south", actor="lead")
    app.unassign_case(elsewhere, actor="lead")  # back in the pool, reserved for team south

    claimed = app.claim_next_case(
        "anna", "north", actor="anna", candidates=[closed, taken, elsewhere, free],
        eligible=lambda case: case.team in (None, "north"))

    assert claimed is not None and claimed.aggregate_id == free
    assert app.get_case(free).tracer == "anna" and app.get_case(free).team == "north"
    assert app.get_case(elsewhere).tracer is None
    assert app.claim_next_case("anna", actor="anna", candidates=[closed, taken]) is None


class RacingApplication(BCOApplication):
    """The application, but a rival claims the first case it reads before it can assign it."""

    name = BCOApplication.name  # the same event store (a subclass would get its own tables)
    raced = False
    conflicts = 0

    def get_case(self, case_id: UUID) -> Any:
        case = super().get_case(case_id)
        if not self.raced:
            self.raced = True
            super().assign_case(case_id, "rival", actor="rival")
        return case

    def assign_case(self, case_id: UUID, tracer: str, team: str | None = None, *,
                    actor: str, command_id: str | None = None,
                    expected_version: int | None = None) -> Recorded:
        try:
            return super().assign_case(case_id, tracer, team, actor=actor,
                                       command_id=command_id,
                                       expected_version=expected_version)
        except ConflictError:
            self.conflicts += 1
            raise


def test_claim_moves_on_when_assignment_conflicts(app: BCOApplication, settings: Settings,
                                                  clock: Any, tmp_path: Path) -> None:
    contested, spare = new_case(app, clock), new_case(app, clock)
    views = caught_up(app, tmp_path)
    racing = RacingApplication(settings, clock=clock)
    try:
        claimed = claim_next_case(racing, views, "anna")
    finally:
        racing.close()
    assert racing.conflicts == 1
    assert claimed is not None and claimed.aggregate_id == spare
    assert app.get_case(contested).tracer == "rival"
    assert app.get_case(spare).tracer == "anna"


def test_team_tracers_are_those_holding_its_open_cases(app: BCOApplication, clock: Any,
                                                       tmp_path: Path) -> None:
    for tracer, team in [("bert", "north"), ("anna", "north"), ("anna", "north"),
                         ("cem", "south"), ("dirk", None)]:
        app.assign_case(new_case(app, clock), tracer, team, actor="lead")
    finished = new_case(app, clock)
    app.assign_case(finished, "eva", "north", actor="lead")
    app.close_case(finished, "duplicate", actor="lead")
    new_case(app, clock)  # in the pool: nobody holds it

    with open_views(caught_up(app, tmp_path), views_key(app.settings)) as db:
        assert team_tracers(db, "north") == ["anna", "bert"]
        assert team_tracers(db, "south") == ["cem"]
        assert team_tracers(db, None) == ["dirk"]
        assert team_tracers(db, "west") == []


def test_team_cases_come_bucket_by_bucket_across_its_tracers(
        app: BCOApplication, clock: Any, tmp_path: Path) -> None:
    anna_waiting = new_case(app, clock)
    app.assign_case(anna_waiting, "anna", "north", actor="lead")
    bert_interview = new_case(app, clock)
    app.assign_case(bert_interview, "bert", "north", actor="lead")
    app.start_interview(bert_interview, actor="bert")
    bert_waiting = new_case(app, clock)
    app.assign_case(bert_waiting, "bert", "north", actor="lead")
    anna_callback = new_case(app, clock)
    app.assign_case(anna_callback, "anna", "north", actor="lead")
    app.log_call_attempt(anna_callback, CallOutcome.CALLBACK_REQUESTED,
                         callback_at=clock.now + timedelta(minutes=5), actor="anna")
    south = new_case(app, clock)
    app.assign_case(south, "cem", "south", actor="lead")
    clock.advance(hours=1)

    with open_views(caught_up(app, tmp_path), views_key(app.settings)) as db:
        items = for_team(db, "north", now=clock.now, target_hours=24)
    assert [(i.case_id, i.bucket, i.tracer) for i in items] == [
        (anna_callback, "callback_due", "anna"), (anna_waiting, "waiting", "anna"),
        (bert_waiting, "waiting", "bert"), (bert_interview, "interview", "bert"),
    ]
