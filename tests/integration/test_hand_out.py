"""Bulk hand-outs and priorities, through the application on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest

from bco.application import BCOApplication
from bco.domain.case import IndexPerson
from bco.domain.errors import ConflictError, InvalidValueError
from bco.projections import runner_for
from bco.projections import worklist as worklist_model
from bco.projections.runner import open_views
from bco.projections.viewsdb import views_key


@pytest.fixture
def staffed(app: BCOApplication) -> BCOApplication:
    for name, role, team in (("anna", "tracer", "north"), ("bram", "tracer", "north"),
                             ("zoe", "tracer", "south"), ("lena", "team_lead", "north"),
                             ("gone", "tracer", "north")):
        app.add_user(name, role=role, team=team, password_hash="x", actor="admin")
    app.disable_user("gone", actor="admin")
    return app


def register(app: BCOApplication, clock, hours_ago: float = 1) -> UUID:
    return app.register_case(
        person=IndexPerson(name="Sanne de Vries", phone="06 12345678",
                           birth_date=date(1980, 3, 4)),
        disease="covid-19", onset=clock.now.date() - timedelta(days=2),
        received_at=clock.now - timedelta(hours=hours_ago), actor="intake").aggregate_id


def test_bulk_hand_out_records_the_reason_in_each_event(staffed: BCOApplication,
                                                        clock) -> None:
    first, second = register(staffed, clock), register(staffed, clock)
    staffed.assign_case(first, "anna", "north", actor="lena")
    expected = {first: staffed.get_case(first).version, second: 1}
    recorded = staffed.hand_out_cases(expected, "bram", reason="anna is ill", actor="lena")
    assert recorded.position is not None
    for case_id in (first, second):
        case = staffed.get_case(case_id)
        assert (case.tracer, case.team) == ("bram", "north")
        last = staffed.case_history(case_id)[-1]
        assert last["type"] == "Case.Assigned"
        assert last["data"]["reason"] == "anna is ill" and last["actor"] == "lena"


def test_a_lead_cannot_hand_out_to_or_from_another_team(staffed: BCOApplication,
                                                        clock) -> None:
    case_id = register(staffed, clock)
    with pytest.raises(InvalidValueError) as refused:
        staffed.hand_out_cases({case_id: 1}, "zoe", reason="help", actor="lena")
    assert refused.value.field == "tracer"
    south = register(staffed, clock)
    staffed.assign_case(south, "zoe", "south", actor="admin")
    with pytest.raises(InvalidValueError) as other:
        staffed.hand_out_cases({case_id: 1, south: 2}, "anna", reason="help", actor="lena")
    assert other.value.field == "cases"
    assert staffed.get_case(case_id).tracer is None  # all or nothing
    assert staffed.get_case(south).tracer == "zoe"


def test_unknown_or_disabled_tracers_and_no_reason_are_refused(staffed: BCOApplication,
                                                               clock) -> None:
    case_id = register(staffed, clock)
    for tracer, reason, field in (("gone", "x", "tracer"), ("nobody", "x", "tracer"),
                                  ("anna", "  ", "reason")):
        with pytest.raises(InvalidValueError) as refused:
            staffed.hand_out_cases({case_id: 1}, tracer, reason=reason, actor="lena")
        assert refused.value.field == field
    assert staffed.get_case(case_id).version == 1


def test_a_case_handed_out_meanwhile_is_a_conflict_and_nothing_changes(
        staffed: BCOApplication, clock) -> None:
    first, second = register(staffed, clock), register(staffed, clock)
    staffed.assign_case(second, "anna", "north", actor="lena")  # after the lead looked
    with pytest.raises(ConflictError) as conflict:
        staffed.hand_out_cases({first: 1, second: 1}, "bram", reason="x", actor="lena")
    assert conflict.value.other_change["data"]["tracer"] == "anna"
    assert staffed.get_case(first).tracer is None


def test_priority_is_an_event_and_orders_the_worklist(staffed: BCOApplication, clock) -> None:
    older, newer = register(staffed, clock, hours_ago=5), register(staffed, clock, hours_ago=1)
    staffed.set_case_priority(newer, 2, "care home resident", actor="lena")
    assert staffed.get_case(newer).priority == 2
    assert staffed.case_history(newer)[-1]["data"]["reason"] == "care home resident"
    with pytest.raises(InvalidValueError):
        staffed.set_case_priority(older, 7, "x", actor="lena")
    runner_for(staffed).catch_up()
    with open_views(staffed.settings.views_path, views_key(staffed.settings)) as db:
        pool = worklist_model.unassigned(db, now=clock.now, target_hours=24)
        claimable = worklist_model.next_unassigned(db, now=clock.now)
    assert [item.case_id for item in pool] == [newer, older]
    assert pool[0].priority == 2
    assert claimable == [newer, older]
    staffed.set_case_priority(older, 1, "asked by the GGD", actor="admin")
    with pytest.raises(ConflictError):  # lena saw version 1, before admin's change
        staffed.set_case_priority(older, 2, "x", actor="lena", expected_version=1)
    staffed.set_case_priority(newer, 0, "back to normal", actor="lena", expected_version=2)
    assert staffed.get_case(newer).priority == 0


def test_priority_for_several_cases_is_all_or_none(staffed: BCOApplication, clock) -> None:
    """Found by the form fuzzer (issue 15): the dashboard set the first ticked case's priority,
    then refused the second with a conflict, and said nothing was saved."""
    first, second = register(staffed, clock), register(staffed, clock)
    staffed.set_case_priority(second, 1, "asked by the GGD", actor="admin")  # after lena looked
    before = staffed.store_position()
    with pytest.raises(ConflictError) as conflict:
        staffed.set_cases_priority({first: 1, second: 1}, 2, "care home", actor="lena")
    assert conflict.value.current is not None and conflict.value.current.id == second
    assert staffed.store_position() == before
    assert staffed.get_case(first).priority == 0
    with pytest.raises(InvalidValueError):
        staffed.set_cases_priority({first: 1}, 7, "x", actor="lena")
    recorded = staffed.set_cases_priority({first: 1, second: 2}, 2, "care home", actor="lena")
    assert [staffed.get_case(c).priority for c in (first, second)] == [2, 2]
    assert recorded.position == staffed.store_position() == before + 2
    assert staffed.case_history(first)[-1]["data"]["reason"] == "care home"
    # A change of something else since the lead looked is no conflict.
    staffed.assign_case(first, "anna", "north", actor="lena")
    staffed.set_cases_priority({first: 2, second: 3}, 0, "back to normal", actor="lena")
    assert staffed.get_case(first).priority == 0
