"""The "contacts informed within 24 h of the interview" KPI from real events: who informs
each contact follows the contact's own choice, else the index's answer for all contacts, and
changes of either move the contact in or out of the service's count; following along and a
rebuild give the same numbers."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from bco.application import BCOApplication
from bco.domain.case import IndexPerson
from bco.projections import all_read_models
from bco.projections.kpis import Period, compute_kpis
from bco.projections.rebuild import Rebuilder
from bco.projections.runner import ReadModelRunner

AMS = ZoneInfo("Europe/Amsterdam")


def started(app: BCOApplication, clock: Any) -> UUID:
    case_id = app.register_case(
        person=IndexPerson(name="Index", phone="06 12345678"), disease="covid-19",
        test_date=clock.now.date(), actor="intake").aggregate_id
    app.assign_case(case_id, "anna", "north", actor="lead")
    return app.start_interview(case_id, actor="anna").aggregate_id


def contact(app: BCOApplication, interview_id: UUID, name: str,
            informs: str | None) -> UUID:
    return app.report_contact(interview_id, {
        "name": name, "day": date(2026, 11, 23), "informs": informs, "household": False,
        "facts": {}}, actor="anna").aggregate_id


def kpis(runner: ReadModelRunner, clock: Any) -> tuple[int, float | None]:
    runner.catch_up()
    with runner.reading() as db:
        found = compute_kpis(db, Period(date(2026, 11, 25), date(2026, 11, 27), AMS),
                             now=clock.now)
    return found["contacts_to_inform"], found["contacts_informed_within_24h"]


def test_the_informer_rule_and_the_24_hours_from_events(app: BCOApplication, clock: Any,
                                                        tmp_path: Path) -> None:
    runner = ReadModelRunner(app, tmp_path / "views.db", all_read_models(app))
    first = started(app, clock)
    by_answer = contact(app, first, "Karin", None)  # the answer for all decides
    own_index = contact(app, first, "Joost", "index")  # informs them themselves
    app.record_answer(first, "who_informs", "authority", actor="anna")
    app.complete_interview(first, actor="anna")
    second = started(app, clock)
    late = contact(app, second, "Lotte", "authority")
    undecided = contact(app, second, "Bram", None)  # "mixed": nobody named yet
    app.record_answer(second, "who_informs", "mixed", actor="anna")
    app.complete_interview(second, actor="anna")
    assert kpis(runner, clock) == (2, 0.0)  # Karin and Lotte, neither informed yet

    clock.advance(hours=2)
    app.log_inform_outcome(first, by_answer, "informed", actor="anna")
    app.log_inform_outcome(first, own_index, "informed", actor="anna")  # not the service's
    clock.advance(hours=28)
    app.log_inform_outcome(second, late, "informed", actor="anna")  # after 30 h
    assert kpis(runner, clock) == (2, 0.5)

    app.reopen_interview(second, "Bram's informer was agreed later", actor="anna")
    app.update_contact(second, undecided, {"informs": "authority"}, actor="anna")
    app.complete_interview(second, actor="anna")
    assert kpis(runner, clock) == (3, 1 / 3)
    app.reopen_interview(first, "the index will tell them all", actor="anna")
    app.record_answer(first, "who_informs", "index", actor="anna")  # Karin leaves the count
    following = kpis(runner, clock)
    assert following == (2, 0.0)

    Rebuilder(runner).rebuild()
    assert kpis(runner, clock) == following
