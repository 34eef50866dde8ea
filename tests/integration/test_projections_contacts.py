"""The health authority's list: contacts of finished interviews of open cases still to call,
most urgent first, narrowed, paged, and never without the contacts nobody was named to inform."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from bco.application import BCOApplication
from bco.domain.case import IndexPerson
from bco.projections import all_read_models
from bco.projections.contacts import (
    InformFilter,
    categories_to_inform,
    count_to_inform,
    to_inform,
)
from bco.projections.runner import ReadModelRunner


def interview(app: BCOApplication, clock: Any, tracer: str, team: str | None, *,
              informs: str | None = "authority", complete: bool = True,
              household: bool = False, answer: str | None = None,
              day: date = date(2026, 11, 23)) -> tuple[UUID, UUID, UUID]:
    """A case of `tracer` whose interview reported one contact; (case, interview, contact)."""
    case_id = app.register_case(
        person=IndexPerson(name="Index", phone="06 12345678"), disease="covid-19",
        test_date=clock.now.date(), actor="intake").aggregate_id
    app.assign_case(case_id, tracer, team, actor="lead")
    interview_id = app.start_interview(case_id, actor=tracer).aggregate_id
    contact_id = app.report_contact(interview_id, {
        "name": "Karin Oosterhuis", "phone": "06 47658312", "day": day,
        "informs": informs, "household": household, "facts": {}}, actor=tracer).aggregate_id
    if answer is not None:
        app.record_answer(interview_id, "who_informs", answer, actor=tracer)
    if complete:
        app.complete_interview(interview_id, actor=tracer)
    clock.advance(minutes=10)
    return case_id, interview_id, contact_id


def listed(app: BCOApplication, tmp_path: Path, **wanted: Any) -> list[UUID]:
    """Contact ids on the list, in its order."""
    paging = {key: wanted.pop(key) for key in ("offset", "limit") if key in wanted}
    runner = ReadModelRunner(app, tmp_path / "views.db", all_read_models(app))
    runner.catch_up()
    with runner.reading() as db:
        return [found.contact_id for found in to_inform(db, InformFilter(**wanted), **paging)]


def test_only_finished_interviews_of_open_cases_with_contacts_left_to_call(
        app: BCOApplication, clock: Any, tmp_path: Path) -> None:
    _, _, waiting = interview(app, clock, "anna", "north")
    _, _, by_the_index = interview(app, clock, "anna", "north", informs="index")
    _, _, still_talking = interview(app, clock, "anna", "north", complete=False)
    closed_case, _, closed = interview(app, clock, "anna", "north")
    app.close_case(closed_case, "moved abroad", actor="lead")
    _, informed, informed_contact = interview(app, clock, "anna", "north")
    app.log_inform_outcome(informed, informed_contact, "informed", actor="authority")
    _, not_reached, not_reached_contact = interview(app, clock, "anna", "north")
    app.log_inform_outcome(not_reached, not_reached_contact, "unreachable", actor="authority")

    found = listed(app, tmp_path)

    assert found == [waiting, not_reached_contact]
    assert not {by_the_index, still_talking, closed, informed_contact} & set(found)


@pytest.mark.parametrize("answer", [None, "index", "authority", "mixed"])
@pytest.mark.parametrize("own", [None, "index", "authority"])
def test_every_answer_and_choice_either_lists_the_contact_or_names_the_index(
        app: BCOApplication, clock: Any, tmp_path: Path, answer: str | None,
        own: str | None) -> None:
    """Nobody falls between the chairs: the index informs, or the contact is on the list
    (marked when nobody was named)."""
    _, _, contact_id = interview(app, clock, "anna", "north", informs=own,
                                 answer=answer)
    runner = ReadModelRunner(app, tmp_path / "views.db", all_read_models(app))
    runner.catch_up()
    with runner.reading() as db:
        found = {c.contact_id: c for c in to_inform(db, InformFilter())}
    the_index_informs = own == "index" or (own is None and answer == "index")
    assert (contact_id in found) is not the_index_informs
    if contact_id in found:
        expected = own or (answer if answer in ("index", "authority") else None)
        assert found[contact_id].informs == expected


def test_most_urgent_category_first_then_the_longest_waiting(
        app: BCOApplication, clock: Any, tmp_path: Path) -> None:
    _, _, old_other = interview(app, clock, "anna", "north")
    _, _, old_household = interview(app, clock, "anna", "north", household=True)
    _, _, new_other = interview(app, clock, "anna", "north", day=date(2026, 11, 24))
    _, _, new_household = interview(app, clock, "anna", "north", household=True)
    _, interview_id, overridden = interview(app, clock, "anna", "north", complete=False)
    app.update_contact(interview_id, overridden, {"category_override": "2a",
                                                  "override_reason": "Kissed the index"},
                       actor="anna")
    app.complete_interview(interview_id, actor="anna")

    assert listed(app, tmp_path) == [old_household, new_household, overridden, old_other,
                                     new_other]
    assert listed(app, tmp_path, category="3") == [old_other, new_other]
    assert listed(app, tmp_path, day="2026-11-24") == [new_other]
    assert listed(app, tmp_path, limit=2, offset=2) == [overridden, old_other]
    runner = ReadModelRunner(app, tmp_path / "views.db", all_read_models(app))
    with runner.reading() as db:
        assert count_to_inform(db, InformFilter(category="1")) == 2
        assert categories_to_inform(db, InformFilter(category="1")) == [
            ("covid-19", "1"), ("covid-19", "2a"), ("covid-19", "3")]


def test_narrowed_by_outcome_and_to_a_tracer_or_their_team(app: BCOApplication, clock: Any,
                                                           tmp_path: Path) -> None:
    _, _, bert_north = interview(app, clock, "bert", "north")
    _, tried, anna_south = interview(app, clock, "anna", "south")
    app.log_inform_outcome(tried, anna_south, "unreachable", actor="authority")
    _, _, cem_south = interview(app, clock, "cem", "south")
    _, _, anna_north = interview(app, clock, "anna", "north")

    assert listed(app, tmp_path) == [bert_north, anna_south, cem_south, anna_north]
    assert listed(app, tmp_path, outcome="unreachable") == [anna_south]
    assert listed(app, tmp_path, outcome="new") == [bert_north, cem_south, anna_north]
    assert listed(app, tmp_path, tracer="anna") == [anna_south, anna_north]
    assert listed(app, tmp_path, tracer="anna", team="north") == [
        bert_north, anna_south, anna_north]
    assert listed(app, tmp_path, tracer="lead", team="south") == [anna_south, cem_south]
