"""The Interview aggregate: answers, contacts, probing, handover, completion."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from bco.domain.errors import (
    ContactRemovedError,
    FutureDateError,
    InterviewCompletedError,
    InvalidPhoneError,
    InvalidTransitionError,
    InvalidValueError,
    UnknownContactError,
)
from bco.domain.interview import InformOutcome, Interview, InterviewStatus, informer_for

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def start() -> Interview:
    return Interview.start(interview_id=uuid4(), case_id=uuid4(), guide_id="covid-19",
                           guide_version="1", guide_hash="abc", now=NOW, actor="tom")


def report(interview: Interview, **details: object) -> object:
    contact_id = uuid4()
    interview.report_contact(contact_id, {"name": "Jan", **details}, region="NL", now=NOW,
                             actor="tom")
    return contact_id


def test_start_keeps_guide_version_and_tracer() -> None:
    interview = start()
    assert (interview.guide_id, interview.guide_version, interview.guide_hash) == (
        "covid-19", "1", "abc")
    assert interview.tracer == "tom" and interview.status == InterviewStatus.IN_PROGRESS


def test_answer_recorded_then_changed_and_repeats_ignored() -> None:
    interview = start()
    interview.record_answer("household_size", 3, now=NOW, actor="tom")
    interview.record_answer("household_size", 3, now=NOW, actor="tom")
    interview.record_answer("household_size", 4, now=NOW, actor="tom")
    kinds = [type(e).__name__ for e in interview.pending_events]
    assert kinds == ["Started", "AnswerRecorded", "AnswerChanged"]
    assert interview.answers == {"household_size": 4}


def test_contact_reported_normalised_and_checked() -> None:
    interview = start()
    contact_id = report(interview, phone="0612345678", day=date(2026, 11, 23), household=True,
                        prompt="day:2026-11-23", facts={"duration_min": 30})
    contact = interview.contacts[str(contact_id)]
    assert contact.phone == "+31612345678" and contact.household
    assert contact.prompt == "day:2026-11-23"
    with pytest.raises(FutureDateError):
        report(interview, day=date(2026, 12, 1))
    with pytest.raises(InvalidPhoneError):
        report(interview, phone="123")
    with pytest.raises(InvalidValueError, match="name"):
        interview.report_contact(uuid4(), {"name": "  "}, region="NL", now=NOW, actor="tom")
    with pytest.raises(InvalidValueError, match="Unknown contact field"):
        report(interview, shoe_size=42)
    with pytest.raises(InvalidValueError, match="index"):
        report(interview, informs="neighbour")


def test_update_and_remove_contact() -> None:
    interview = start()
    contact_id = report(interview)
    interview.update_contact(contact_id, {"phone": "0687654321"}, region="NL", now=NOW,
                             actor="tom")
    assert interview.contacts[str(contact_id)].phone == "+31687654321"
    version = interview.version
    interview.update_contact(contact_id, {"phone": "0687654321"}, region="NL", now=NOW,
                             actor="tom")
    assert interview.version == version
    interview.remove_contact(contact_id, "reported twice", now=NOW, actor="tom")
    assert interview.live_contacts == []
    with pytest.raises(ContactRemovedError):
        interview.update_contact(contact_id, {"relation": "x"}, region="NL", now=NOW,
                                 actor="tom")
    with pytest.raises(UnknownContactError):
        interview.remove_contact(uuid4(), "x", now=NOW, actor="tom")


def test_category_override_needs_a_reason() -> None:
    interview = start()
    contact_id = report(interview)
    with pytest.raises(InvalidValueError, match="why"):
        interview.update_contact(contact_id, {"category_override": "2a"}, region="NL",
                                 now=NOW, actor="tom")
    interview.update_contact(contact_id, {"category_override": "2a",
                                          "override_reason": "shared car daily"},
                             region="NL", now=NOW, actor="tom")
    assert interview.contacts[str(contact_id)].category_override == "2a"


def test_follow_up_raised_then_answered_or_nobody() -> None:
    interview = start()
    with pytest.raises(InvalidTransitionError):
        interview.answer_follow_up("day:2026-11-23", nobody=True, now=NOW, actor="tom")
    interview.raise_follow_up("day:2026-11-23", now=NOW, actor="tom")
    assert interview.done_prompts == frozenset()
    with pytest.raises(InvalidValueError):
        interview.answer_follow_up("day:2026-11-23", now=NOW, actor="tom")
    interview.answer_follow_up("day:2026-11-23", nobody=True, now=NOW, actor="tom")
    assert interview.done_prompts == {"day:2026-11-23"}


def test_pause_needs_summary_and_blocks_until_resumed() -> None:
    interview = start()
    with pytest.raises(InvalidValueError, match="summary"):
        interview.pause(" ", now=NOW, actor="tom")
    interview.pause("Stopped after day 2; partner still to add.", now=NOW, actor="tom")
    with pytest.raises(InvalidTransitionError, match="resume"):
        interview.record_answer("q", 1, now=NOW, actor="tom")
    interview.resume(now=NOW, actor="eva")
    assert interview.tracer == "eva"
    assert interview.handovers[0].summary.startswith("Stopped after day 2")
    with pytest.raises(InvalidTransitionError):
        interview.resume(now=NOW, actor="eva")


def test_completed_interview_refuses_until_reopened() -> None:
    interview = start()
    contact_id = report(interview)
    with pytest.raises(InvalidTransitionError, match="complete it first"):
        interview.log_inform_outcome(contact_id, InformOutcome.INFORMED, now=NOW, actor="gg")
    interview.complete(now=NOW, actor="tom")
    for attempt in (
        lambda: interview.record_answer("q", 1, now=NOW, actor="tom"),
        lambda: report(interview),
        lambda: interview.add_note("x", now=NOW, actor="tom"),
        lambda: interview.complete(now=NOW, actor="tom"),
    ):
        with pytest.raises(InterviewCompletedError):
            attempt()
    interview.log_inform_outcome(contact_id, InformOutcome.INFORMED, now=NOW, actor="ggd")
    assert interview.contacts[str(contact_id)].inform_outcome == "informed"
    with pytest.raises(InvalidValueError):
        interview.reopen("", now=NOW, actor="tom")
    interview.reopen("index remembered a colleague", now=NOW, actor="tom")
    interview.record_answer("q", 1, now=NOW, actor="tom")
    assert interview.status == InterviewStatus.IN_PROGRESS


def test_notes_keep_author() -> None:
    interview = start()
    interview.add_note("Index is hard of hearing; speak slowly.", now=NOW, actor="tom")
    assert interview.notes[0].by == "tom"
    with pytest.raises(InvalidValueError):
        interview.add_note("   ", now=NOW, actor="tom")


@pytest.mark.parametrize(("own", "for_all", "informer"), [
    (None, "authority", "authority"), (None, "index", "index"), (None, "mixed", None),
    (None, None, None), ("index", "authority", "index"), ("authority", "index", "authority"),
])
def test_who_informs_a_contact(own: str | None, for_all: str | None,
                               informer: str | None) -> None:
    assert informer_for(own, for_all) == informer
