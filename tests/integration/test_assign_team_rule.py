"""Leads and cases in the application, on either store: a case goes only to an active tracer
of its team, a finished case takes no calls, and a tracer's own due callback comes first."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from bco.application import BCOApplication
from bco.domain.case import CallOutcome, IndexPerson
from bco.domain.errors import CaseClosedError, InvalidTransitionError, InvalidValueError
from bco.projections.runner import ReadModelRunner
from bco.projections.worklist import Worklist, next_unassigned


@pytest.fixture
def staffed(app: BCOApplication) -> BCOApplication:
    for name, role, team in (("anna", "tracer", "north"), ("bram", "tracer", "north"),
                             ("zoe", "tracer", "south"), ("lena", "team_lead", "north"),
                             ("gone", "tracer", "north"), ("auth", "authority", None)):
        app.add_user(name, role=role, team=team, password_hash="x", actor="admin")
    app.disable_user("gone", actor="admin")
    return app


def register(app: BCOApplication, clock: Any) -> UUID:
    return app.register_case(
        person=IndexPerson(name="Sanne de Vries", phone="06 12345678",
                           birth_date=date(1980, 3, 4)),
        disease="covid-19", onset=clock.now.date() - timedelta(days=2),
        received_at=clock.now - timedelta(hours=1), actor="intake").aggregate_id


def test_a_north_case_is_not_given_to_a_tracer_of_south(staffed: BCOApplication,
                                                        clock: Any) -> None:
    case_id = register(staffed, clock)
    staffed.assign_case(case_id, "anna", "north", actor="lena")
    before = staffed.store_position()
    for actor in ("lena", "root"):  # a lead on the web, or a script without an account
        with pytest.raises(InvalidValueError) as refused:
            staffed.assign_case(case_id, "zoe", "south", actor=actor)
        assert refused.value.field == "tracer"
        assert refused.value.message == (
            f"zoe works in team south; case C-{str(case_id)[:8]} belongs to team north. "
            "Choose a tracer of team north.")
    with pytest.raises(InvalidValueError, match="zoe works in team south, not in team north"):
        staffed.assign_case(case_id, "zoe", "north", actor="lena")
    assert staffed.store_position() == before
    assert (staffed.get_case(case_id).tracer, staffed.get_case(case_id).team) == ("anna",
                                                                                  "north")
    staffed.assign_case(case_id, "bram", "north", actor="lena")
    assert staffed.get_case(case_id).tracer == "bram"


def test_a_case_without_a_team_goes_to_the_leads_own_team(staffed: BCOApplication,
                                                          clock: Any) -> None:
    pool = register(staffed, clock)
    with pytest.raises(InvalidValueError, match="belongs to team north"):
        staffed.assign_case(pool, "zoe", actor="lena")
    assert staffed.get_case(pool).tracer is None
    staffed.assign_case(pool, "anna", actor="lena")
    assert staffed.get_case(pool).team == "north"  # the tracer's team, recorded with it

    intake = register(staffed, clock)  # handed out by someone without a team: its first team
    staffed.assign_case(intake, "zoe", actor="intake")
    assert (staffed.get_case(intake).tracer, staffed.get_case(intake).team) == ("zoe", "south")


@pytest.mark.parametrize("name", ["gone", "auth"])
def test_only_active_tracers_and_leads_get_cases(staffed: BCOApplication, clock: Any,
                                                 name: str) -> None:
    case_id = register(staffed, clock)
    with pytest.raises(InvalidValueError, match=f"{name} is not an active tracer or team lead"):
        staffed.assign_case(case_id, name, actor="lena")
    assert staffed.get_case(case_id).tracer is None


def test_bulk_hand_out_by_an_administrator_keeps_cases_in_their_team(
        staffed: BCOApplication, clock: Any) -> None:
    north = register(staffed, clock)
    staffed.assign_case(north, "anna", "north", actor="lena")
    with pytest.raises(InvalidValueError, match="zoe works in team south"):
        staffed.hand_out_cases({north: staffed.get_case(north).version}, "zoe",
                               reason="help", actor="admin")
    assert staffed.get_case(north).tracer == "anna"


def test_taking_from_the_pool_keeps_to_the_takers_team(staffed: BCOApplication,
                                                       clock: Any) -> None:
    north = register(staffed, clock)
    staffed.assign_case(north, "anna", "north", actor="lena")
    staffed.unassign_case(north, actor="lena")  # in the pool, reserved for team north
    assert staffed.claim_next_case("zoe", "south", actor="zoe", candidates=[north]) is None
    with pytest.raises(InvalidValueError, match="belongs to team north"):
        staffed.assign_case(north, "zoe", "south", actor="zoe")
    assert staffed.get_case(north).tracer is None


def test_a_completed_or_closed_case_takes_no_calls_and_stays_out_of_the_pool(
        staffed: BCOApplication, clock: Any) -> None:
    done = register(staffed, clock)
    staffed.assign_case(done, "anna", "north", actor="lena")
    interview = staffed.start_interview(done, actor="anna", reached=True).aggregate_id
    staffed.complete_interview(interview, actor="anna")
    before = staffed.store_position()
    with pytest.raises(InvalidTransitionError, match="The interview is complete"):
        staffed.log_call_attempt(done, CallOutcome.NO_ANSWER, actor="anna")
    with pytest.raises(InvalidTransitionError, match="The interview is complete"):
        staffed.unassign_case(done, actor="lena")
    assert staffed.store_position() == before
    staffed.reopen_interview(interview, "a contact was missed", actor="lena")
    staffed.log_call_attempt(done, CallOutcome.NO_ANSWER, actor="anna")

    closed = register(staffed, clock)
    staffed.assign_case(closed, "anna", "north", actor="lena")
    staffed.close_case(closed, "duplicate", actor="lena")
    with pytest.raises(CaseClosedError):
        staffed.log_call_attempt(closed, CallOutcome.NO_ANSWER, actor="anna")
    with pytest.raises(CaseClosedError):
        staffed.unassign_case(closed, actor="lena")


def test_next_case_is_the_tracers_own_overdue_callback_before_the_pool(
        staffed: BCOApplication, clock: Any, tmp_path: Path) -> None:
    pool = register(staffed, clock)
    other = register(staffed, clock)
    staffed.assign_case(other, "bram", "north", actor="lena")
    staffed.log_call_attempt(other, CallOutcome.CALLBACK_REQUESTED,
                             callback_at=clock.now + timedelta(minutes=10), actor="bram")
    mine = register(staffed, clock)
    staffed.assign_case(mine, "anna", "north", actor="lena")
    staffed.log_call_attempt(mine, CallOutcome.CALLBACK_REQUESTED,
                             callback_at=clock.now + timedelta(minutes=20), actor="anna")
    clock.advance(hours=1)  # both callbacks overdue now
    runner = ReadModelRunner(staffed, tmp_path / "views.db", [Worklist()])
    runner.catch_up()
    with runner.reading() as db:
        candidates = next_unassigned(db, now=clock.now, tracer="anna")
        assert next_unassigned(db, now=clock.now) == [pool]
    assert candidates == [mine, pool]  # bram's callback is his, never offered to anna
    before = staffed.store_position()

    claimed = staffed.claim_next_case("anna", "north", actor="anna", candidates=candidates)

    assert claimed is not None and claimed.aggregate_id == mine
    assert claimed.position is None and staffed.store_position() == before  # nothing taken
    assert staffed.get_case(pool).tracer is None
    staffed.log_call_attempt(mine, CallOutcome.REACHED, actor="anna")
    again = staffed.claim_next_case("anna", "north", actor="anna", candidates=candidates)
    assert again is not None and again.aggregate_id == pool  # the callback is done
    assert staffed.get_case(pool).tracer == "anna"
