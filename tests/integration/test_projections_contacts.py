"""The health authority's list: finished interviews of open cases with contacts still to call."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from bco.application import BCOApplication
from bco.domain.case import IndexPerson
from bco.projections.contacts import Contacts, pending_for_authority
from bco.projections.runner import ReadModelRunner, open_views
from bco.projections.worklist import Worklist


def interview(app: BCOApplication, clock: Any, tracer: str, team: str | None, *,
              informs: str = "authority", complete: bool = True) -> tuple[UUID, UUID, UUID]:
    """A case of `tracer` whose interview reported one contact; (case, interview, contact)."""
    case_id = app.register_case(
        person=IndexPerson(name="Index", phone="06 12345678"), disease="covid-19",
        test_date=clock.now.date(), actor="intake").aggregate_id
    app.assign_case(case_id, tracer, team, actor="lead")
    interview_id = app.start_interview(case_id, actor=tracer).aggregate_id
    contact_id = app.report_contact(interview_id, {
        "name": "Karin Oosterhuis", "phone": "06 47658312", "day": date(2026, 11, 23),
        "informs": informs, "facts": {}}, actor=tracer).aggregate_id
    if complete:
        app.complete_interview(interview_id, actor=tracer)
    clock.advance(minutes=10)
    return case_id, interview_id, contact_id


def pending(app: BCOApplication, tmp_path: Path, **scope: Any) -> list[UUID]:
    runner = ReadModelRunner(app, tmp_path / "views.db", [Worklist(), Contacts(app.catalog.guides)])
    runner.catch_up()
    with open_views(runner.views_path) as db:
        return [found.interview_id for found in pending_for_authority(db, **scope)]


def test_only_finished_interviews_of_open_cases_with_contacts_left_to_call(
        app: BCOApplication, clock: Any, tmp_path: Path) -> None:
    _, waiting, _ = interview(app, clock, "anna", "north")
    _, by_the_index, _ = interview(app, clock, "anna", "north", informs="index")
    _, still_talking, _ = interview(app, clock, "anna", "north", complete=False)
    closed_case, closed, _ = interview(app, clock, "anna", "north")
    app.close_case(closed_case, "moved abroad", actor="lead")
    _, informed, informed_contact = interview(app, clock, "anna", "north")
    app.log_inform_outcome(informed, informed_contact, "informed", actor="authority")
    _, not_reached, not_reached_contact = interview(app, clock, "anna", "north")
    app.log_inform_outcome(not_reached, not_reached_contact, "unreachable", actor="authority")

    found = pending(app, tmp_path)

    assert found == [waiting, not_reached]
    assert not {by_the_index, still_talking, closed, informed} & set(found)


def test_narrowed_to_a_tracer_or_their_team_oldest_first(app: BCOApplication, clock: Any,
                                                         tmp_path: Path) -> None:
    _, bert_north, _ = interview(app, clock, "bert", "north")
    _, anna_south, _ = interview(app, clock, "anna", "south")
    _, cem_south, _ = interview(app, clock, "cem", "south")
    _, anna_north, _ = interview(app, clock, "anna", "north")

    assert pending(app, tmp_path) == [bert_north, anna_south, cem_south, anna_north]
    assert pending(app, tmp_path, tracer="anna") == [anna_south, anna_north]
    assert pending(app, tmp_path, tracer="anna", team="north") == [
        bert_north, anna_south, anna_north]
    assert pending(app, tmp_path, tracer="lead", team="south") == [anna_south, cem_south]
    assert pending(app, tmp_path, limit=2) == [bert_north, anna_south]


def test_each_entry_names_its_case_and_disease(app: BCOApplication, clock: Any,
                                               tmp_path: Path) -> None:
    case_id, interview_id, _ = interview(app, clock, "anna", "north")
    runner = ReadModelRunner(app, tmp_path / "views.db", [Worklist(), Contacts(app.catalog.guides)])
    runner.catch_up()
    with open_views(runner.views_path) as db:
        (found,) = pending_for_authority(db)
    assert (found.interview_id, found.case_id, found.disease) == (
        interview_id, case_id, "covid-19")
