"""A command works on a copy of the cached aggregate: nothing it does may reach the original."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

from bco.domain.case import CallOutcome, Case, IndexPerson
from bco.domain.interview import InformOutcome, Interview

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


def state(aggregate: Any) -> dict[str, Any]:
    return dict(vars(aggregate))


def worked_interview() -> Interview:
    interview = Interview.start(interview_id=uuid4(), case_id=uuid4(), guide_id="covid-19",
                                guide_version="1", guide_hash="abc", now=NOW, actor="tom")
    interview.record_answer("symptoms", ["fever", "cough"], now=NOW, actor="tom",
                            command_id="c1")
    contact_id = uuid4()
    interview.report_contact(contact_id, {"name": "Jan", "phone": "0612345678",
                                          "facts": {"duration_min": 30}},
                             region="NL", now=NOW, actor="tom")
    interview.raise_follow_up("day:2026-11-23", now=NOW, actor="tom")
    interview.add_note("Works nights.", now=NOW, actor="tom")
    interview.collect_events()
    return interview


def test_changing_a_copied_interview_leaves_the_original_as_it_was() -> None:
    original = worked_interview()
    untouched = pickle.loads(pickle.dumps(original))  # an independent copy to compare with
    contact_id = next(iter(original.contacts))

    work = copy.deepcopy(original)
    work.record_answer("symptoms", ["fever"], now=LATER, actor="eva", command_id="c2")
    work.record_answer("household_size", 3, now=LATER, actor="eva")
    work.update_contact(contact_id, {"phone": "0687654321", "facts": {"duration_min": 5}},
                        region="NL", now=LATER, actor="eva")
    piet = uuid4()
    work.report_contact(piet, {"name": "Piet"}, region="NL", now=LATER, actor="eva")
    work.answer_follow_up("day:2026-11-23", nobody=True, now=LATER, actor="eva")
    work.add_note("Called back.", now=LATER, actor="eva")
    work.pause("Partner to add.", now=LATER, actor="eva")
    work.resume(now=LATER, actor="ann")
    work.remove_contact(piet, "reported twice", now=LATER, actor="ann")
    work.complete(now=LATER, actor="ann")
    work.log_inform_outcome(contact_id, InformOutcome.INFORMED, now=LATER, actor="ann")

    assert state(original) == state(untouched)
    assert original.pending_events == [] and len(work.pending_events) == 11
    assert work.answers["symptoms"] == ["fever"] and original.answers["symptoms"] == [
        "fever", "cough"]


def test_changing_a_copied_case_leaves_the_original_as_it_was() -> None:
    original = Case.register(
        case_id=uuid4(), person=IndexPerson(name="Sanne", phone="0612345678"),
        disease="covid-19", onset=date(2026, 11, 22), test_date=None, source="lab",
        received_at=NOW, region="NL", now=NOW, actor="lead")
    original.log_call_attempt(CallOutcome.NO_ANSWER, now=NOW, actor="tom")
    original.collect_events()
    untouched = pickle.loads(pickle.dumps(original))

    work = copy.deepcopy(original)
    work.correct_details({"phone": "0687654321"}, region="NL", now=LATER, actor="tom")
    work.assign("eva", "north", now=LATER, actor="lead")
    work.log_call_attempt(CallOutcome.REACHED, now=LATER, actor="eva")
    work.interview_started(uuid4(), now=LATER, actor="eva")
    work.close("moved abroad", now=LATER, actor="lead")

    assert state(original) == state(untouched)
    assert len(work.call_attempts) == 2 and len(original.call_attempts) == 1
