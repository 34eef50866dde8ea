"""A case goes only to an active tracer of its team, whoever hands it out, on either store."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest

from bco.application import BCOApplication
from bco.domain.case import CallOutcome, IndexPerson
from bco.domain.errors import CaseClosedError, InvalidTransitionError, InvalidValueError


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

