"""Worklist, caseload and timeline rows as pure functions of (row, event)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

from bco.domain.case import CallOutcome, Case, IndexPerson
from bco.projections import caseload, timeline, worklist

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def case_events(*steps: Any) -> list[Any]:
    """Register a case, run the given changes on it, and return every event it recorded."""
    case = Case.register(
        case_id=uuid4(), person=IndexPerson(name="Sanne", phone="06 12345678",
                                            birth_date=date(1990, 6, 1)),
        disease="covid-19", onset=None, test_date=date(2026, 11, 24), source="lab",
        received_at=NOW, region="NL", now=NOW, actor="lead")
    for minutes, step in enumerate(steps, start=1):
        step(case, NOW + timedelta(minutes=minutes))
    return list(case.collect_events())


def fold(handler: Any, events: list[Any]) -> Any:
    row = None
    for event in events:
        row = handler(row, event)
    return row


def test_worklist_row_follows_assignment_calls_and_interview() -> None:
    events = case_events(
        lambda c, t: c.assign("anna", "north", now=t, actor="lead"),
        lambda c, t: c.log_call_attempt(CallOutcome.CALLBACK_REQUESTED,
                                        callback_at=t + timedelta(hours=1), now=t, actor="anna"),
    )
    row = fold(worklist.on_case_event, events)
    assert (row["queue"], row["status"], row["attempts"], row["open"]) == ("anna", "assigned",
                                                                           1, 1)
    assert row["callback_at"] == "2026-11-25T10:02:00.000000Z"
    started = case_events(lambda c, t: c.interview_started(uuid4(), now=t, actor="anna"))
    row = fold(worklist.on_case_event, started)
    assert (row["status"], row["callback_at"], row["queue"]) == ("in_progress", None, "")


def test_closed_case_leaves_the_worklist() -> None:
    events = case_events(lambda c, t: c.close("duplicate", now=t, actor="lead"))
    row = fold(worklist.on_case_event, events)
    assert (row["status"], row["open"]) == ("closed", 0)


def test_caseload_keeps_an_age_group_not_a_birth_date() -> None:
    events = case_events(lambda c, t: c.correct_details({"birth_date": date(1950, 1, 1)},
                                                        region="NL", now=t, actor="lead"))
    first = caseload.on_case_event(None, events[0])
    assert first["age_bucket"] == "30-49"
    corrected = fold(caseload.on_case_event, events)
    assert corrected["age_bucket"] == "70+"
    assert "1950" not in repr(corrected)


def test_age_bucket_edges() -> None:
    on = date(2026, 11, 25)
    assert caseload.age_bucket(date(2008, 11, 26), on) == "0-17"
    assert caseload.age_bucket(date(2008, 11, 25), on) == "18-29"
    assert caseload.age_bucket(None, on) == "unknown"


def test_timeline_keeps_first_moments_and_measures_durations() -> None:
    events = case_events(
        lambda c, t: c.log_call_attempt(CallOutcome.NO_ANSWER, now=t, actor="anna"),
        lambda c, t: c.log_call_attempt(CallOutcome.REACHED, now=t, actor="anna"),
        lambda c, t: c.log_call_attempt(CallOutcome.REACHED, now=t, actor="anna"),
    )
    row = fold(timeline.on_case_event, events)
    assert row["first_attempt_at"] == "2026-11-25T09:01:00.000000Z"
    assert row["reached_at"] == "2026-11-25T09:02:00.000000Z"
    assert (row["to_first_attempt_s"], row["to_reached_s"]) == (60, 120)
    assert row["to_interview_completed_s"] is None


def test_timeline_all_informed_needs_every_live_contact() -> None:
    row = {"case_id": "c", "received_at": None, "first_attempt_at": None, "reached_at": None,
           "interview_completed_at": "2026-11-25T10:00:00.000000Z"}
    contacts: list[dict[str, Any]] = [
        {"removed": 0, "informed_at": "2026-11-25T11:00:00.000000Z"},
        {"removed": 0, "informed_at": None},
        {"removed": 1, "informed_at": None},
    ]
    partly = timeline.with_contact_counts(row, contacts)
    assert (partly["contacts_reported"], partly["contacts_informed"]) == (2, 1)
    assert partly["all_informed_at"] is None and partly["completed_to_first_informed_s"] == 3600
    contacts[1]["informed_at"] = "2026-11-25T12:00:00.000000Z"
    whole = timeline.with_contact_counts(row, contacts)
    assert whole["completed_to_all_informed_s"] == 7200


def test_a_case_waits_on_the_informing_clock_only_while_the_service_has_someone_to_inform(
        ) -> None:
    done = "2026-11-25T10:00:00.000000Z"
    row = {"case_id": "c", "received_at": "2026-11-25T08:00:00.000000Z",
           "first_attempt_at": done, "reached_at": done, "interview_completed_at": done,
           "closed_at": None}
    ours = {"removed": 0, "informed_at": None, "informs": "authority", "inform_outcome": None}
    theirs = {"removed": 0, "informed_at": None, "informs": "index", "inform_outcome": None}
    waiting = timeline.with_contact_counts(row, [ours, theirs])
    assert (waiting["waiting_clock"], waiting["waiting_since"]) == ("informing", done)
    assert waiting["contacts_outstanding"] == 1
    ours.update(inform_outcome="informed", informed_at="2026-11-25T11:00:00.000000Z")
    informed = timeline.with_contact_counts(row, [ours, theirs])
    assert informed["contacts_outstanding"] == 0
    assert informed["waiting_clock"] is None and informed["waiting_since"] is None
    nobody_for_us = timeline.with_contact_counts(row, [theirs])
    assert nobody_for_us["waiting_clock"] is None
