"""Each event says what it changed, so a stale edit conflicts only with a change of that thing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

from bco.domain.case import CallOutcome, Case, IndexPerson
from bco.domain.interview import Interview, answer_target, contact_target

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def targets_of(aggregate: Any) -> list[tuple[str, frozenset[str]]]:
    return [(type(e).__name__, e.targets()) for e in aggregate.collect_events()]


def test_case_events_name_what_they_changed() -> None:
    case = Case.register(
        case_id=uuid4(), person=IndexPerson(name="Sanne", phone="06 12345678"),
        disease="covid-19", onset=None, test_date=date(2026, 11, 24), source="lab",
        received_at=NOW, region="NL", now=NOW, actor="lead")
    later = NOW + timedelta(minutes=1)
    case.correct_details({"phone": "06 87654321", "source": "GGD"}, region="NL", now=later,
                         actor="lead")
    case.assign("anna", "north", now=later, actor="lead")
    case.unassign(now=later, actor="lead")
    case.log_call_attempt(CallOutcome.NO_ANSWER, now=later, actor="anna")
    case.close("duplicate", now=later, actor="lead")
    assert targets_of(case) == [
        ("Registered", frozenset()),
        ("DetailsCorrected", frozenset({"phone", "source"})),
        ("Assigned", frozenset({"assignment"})),
        ("Unassigned", frozenset({"assignment"})),
        ("CallAttemptLogged", frozenset()),
        ("Closed", frozenset()),
    ]


def test_interview_events_name_the_answer_or_contact_they_changed() -> None:
    interview = Interview.start(interview_id=uuid4(), case_id=uuid4(), guide_id="covid-19",
                                guide_version="1", guide_hash="h", now=NOW, actor="anna")
    first, second = uuid4(), uuid4()
    at = {"now": NOW, "actor": "anna"}
    interview.record_answer("household_size", 2, **at)
    interview.record_answer("household_size", 3, **at)
    interview.report_contact(first, {"name": "Piet"}, region="NL", **at)
    interview.report_contact(second, {"name": "Kees"}, region="NL", **at)
    interview.update_contact(first, {"relation": "colleague"}, region="NL", **at)
    interview.remove_contact(second, "reported twice", **at)
    interview.add_note("calls back tomorrow", **at)
    assert targets_of(interview) == [
        ("Started", frozenset()),
        ("AnswerRecorded", {answer_target("household_size")}),
        ("AnswerChanged", {answer_target("household_size")}),
        ("ContactReported", frozenset()),
        ("ContactReported", frozenset()),
        ("ContactUpdated", {contact_target(first)}),
        ("ContactRemoved", {contact_target(second)}),
        ("NoteAdded", frozenset()),
    ]
    assert answer_target("q") != contact_target("q")
