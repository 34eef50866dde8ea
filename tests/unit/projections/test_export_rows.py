"""Export records as pure functions of (row, event, position): what changed, and where."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from bco.config import Settings
from bco.domain.case import CallOutcome, Case, IndexPerson
from bco.domain.interview import Interview
from bco.guides.loader import load_guides
from bco.guides.model import Guide
from bco.projections import exports

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def guide() -> Guide:
    guides = load_guides(Settings().guides_dir)
    return next(g for g in guides.values() if g.inform_question)


def case_rows(*steps: Any) -> list[dict[str, Any]]:
    """The case record after each event, with the event's index as its position."""
    case = Case.register(
        case_id=uuid4(), person=IndexPerson(name="Sanne", phone="06 12345678",
                                            birth_date=date(1990, 6, 1)),
        disease="covid-19", onset=None, test_date=date(2026, 11, 24), source="lab",
        received_at=NOW, region="NL", now=NOW, actor="lead")
    for minutes, step in enumerate(steps, start=1):
        step(case, NOW + timedelta(minutes=minutes))
    rows, row = [], None
    for position, event in enumerate(case.collect_events(), start=1):
        row = exports.on_case_event(row, event, position)
        rows.append(row)
    return rows


def test_a_case_record_follows_status_calls_and_times() -> None:
    rows = case_rows(
        lambda c, t: c.assign("anna", "north", now=t, actor="lead"),
        lambda c, t: c.log_call_attempt(CallOutcome.NO_ANSWER, now=t, actor="anna"),
        lambda c, t: c.log_call_attempt(CallOutcome.REACHED, now=t, actor="anna"),
        lambda c, t: c.correct_details({"onset": date(2026, 11, 22)}, region="NL", now=t,
                                       actor="lead"),
    )
    first, last = rows[0], rows[-1]
    assert (first["status"], first["reference"], first["position"]) == (
        "new", f"C-{first['case_id'][:8]}", 1)
    assert (last["status"], last["tracer"], last["team"]) == ("assigned", "anna", "north")
    assert (last["call_attempts"], last["to_first_attempt_s"], last["to_reached_s"]) == (
        2, 120, 180)
    assert (last["onset_date"], last["test_date"], last["position"]) == (
        "2026-11-22", "2026-11-24", 5)
    assert "Sanne" not in repr(rows) and "+316" not in repr(rows)


def test_typed_answers_join_the_record_and_free_text_does_not(guide: Guide) -> None:
    interview = Interview.start(interview_id=uuid4(), case_id=uuid4(), guide_id=guide.id,
                                guide_version=str(guide.version),
                                guide_hash=guide.content_hash, now=NOW, actor="anna")
    by_type = {q.type: q.id for q in guide.questions.values()}
    interview.record_answer(by_type["number"], 3, now=NOW, actor="anna")
    interview.record_answer(by_type["text"], "Bij Jan thuis", now=NOW, actor="anna")
    started, number, text = interview.collect_events()
    row = exports.on_interview_started({"answers": "{}", "position": 1}, started, 2)
    row = exports.on_answer(row, number, guide, 3)
    assert exports.on_answer(row, text, guide, 4) == row
    assert (row["answers"], row["position"], row["guide_id"]) == (
        f'{{"{by_type["number"]}": 3}}', 3, guide.id)


def test_contact_counts_move_the_case_only_when_they_change(guide: Guide) -> None:
    interview = Interview.start(interview_id=uuid4(), case_id=uuid4(), guide_id=guide.id,
                                guide_version=str(guide.version),
                                guide_hash=guide.content_hash, now=NOW, actor="anna")
    contact_id = uuid4()
    interview.report_contact(contact_id, {"name": "Piet", "facts": {}}, region="NL", now=NOW,
                             actor="anna")
    interview.update_contact(contact_id, {"relation": "buurman"}, region="NL", now=NOW,
                             actor="anna")
    _started, reported, updated = interview.collect_events()
    header = {"interview_id": str(interview.id), "case_id": "c", "guide_id": guide.id,
              "informs_answer": None}
    contact = exports.on_contact_event(None, header, reported, guide, 7)
    assert (contact["position"], contact["reference"], contact["removed"]) == (7, "C-c", 0)
    case = exports.with_counts(case_rows()[0], [contact], 7)
    assert (case["contacts_reported"], case["position"]) == (1, 7)
    contact = exports.on_contact_event(contact, header, updated, guide, 8)
    assert (contact["relation"], contact["position"]) == ("buurman", 8)
    assert exports.with_counts(case, [contact], 8) is case
    assert "Piet" not in repr(contact)
