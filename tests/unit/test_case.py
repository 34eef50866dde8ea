"""The Case aggregate: every command and the rules it keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from bco.domain.case import CallOutcome, Case, CaseStatus, IndexPerson
from bco.domain.errors import (
    CaseClosedError,
    FutureDateError,
    InvalidPhoneError,
    InvalidTransitionError,
    InvalidValueError,
)

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
PERSON = IndexPerson(name="Sanne de Vries", phone="06 12345678", birth_date=date(1990, 5, 1),
                     email="sanne@example.org", postcode="1234 AB")


def register(**overrides: object) -> Case:
    values: dict = dict(case_id=uuid4(), person=PERSON, disease="covid-19",
                        onset=date(2026, 11, 22), test_date=None, source="lab",
                        received_at=NOW, region="NL", now=NOW, actor="anna")
    values.update(overrides)
    return Case.register(**values)


def test_registration_normalises_phone_and_stamps_actor() -> None:
    case = register()
    assert case.person.phone == "+31612345678"
    assert case.status == CaseStatus.NEW
    assert case.pending_events[0].actor == "anna"
    assert case.received_at == NOW


def test_belgian_number_is_kept_in_its_own_country() -> None:
    case = register(person=IndexPerson(name="Lien Peeters", phone="+32 470 12 34 56"))
    assert case.person.phone == "+32470123456"


@pytest.mark.parametrize("phone", ["12", "hello", "06 1234"])
def test_unparseable_phone_is_refused_with_the_field(phone: str) -> None:
    with pytest.raises(InvalidPhoneError) as caught:
        register(person=IndexPerson(name="X", phone=phone))
    assert caught.value.field == "phone"
    assert phone in caught.value.message


def test_onset_or_test_date_is_required() -> None:
    with pytest.raises(InvalidValueError, match="onset"):
        register(onset=None, test_date=None)


@pytest.mark.parametrize("field", ["onset", "test_date"])
def test_future_dates_are_refused(field: str) -> None:
    tomorrow = NOW.date() + timedelta(days=1)
    with pytest.raises(FutureDateError) as caught:
        register(**{"onset": None, field: tomorrow})
    assert caught.value.field == field


def test_future_birth_date_is_refused() -> None:
    with pytest.raises(FutureDateError):
        register(person=IndexPerson(name="X", phone="0612345678", birth_date=date(2030, 1, 1)))


def test_unknown_language_is_refused() -> None:
    with pytest.raises(InvalidValueError, match="Language"):
        register(person=IndexPerson(name="X", phone="0612345678", language="de"))


def test_status_follows_the_facts() -> None:
    case = register()
    case.assign("tom", "north", now=NOW, actor="lead")
    assert (case.status, case.tracer, case.team) == (CaseStatus.ASSIGNED, "tom", "north")
    case.log_call_attempt(CallOutcome.REACHED, now=NOW, actor="tom")
    case.interview_started(uuid4(), now=NOW, actor="tom")
    assert case.status == CaseStatus.IN_PROGRESS
    case.interview_completed(now=NOW, actor="tom")
    assert case.status == CaseStatus.INTERVIEWED
    case.close("done", now=NOW, actor="tom")
    assert case.status == CaseStatus.CLOSED
    case.reopen("new contact remembered", now=NOW, actor="tom")
    assert case.status == CaseStatus.INTERVIEWED


def test_reassigning_to_the_same_tracer_records_nothing() -> None:
    case = register()
    case.assign("tom", None, now=NOW, actor="lead")
    version = case.version
    case.assign("tom", None, now=NOW, actor="lead")
    assert case.version == version


def test_unassign_puts_the_case_back_in_the_pool() -> None:
    case = register()
    with pytest.raises(InvalidTransitionError):
        case.unassign(now=NOW, actor="lead")
    case.assign("tom", None, now=NOW, actor="lead")
    case.unassign(now=NOW, actor="lead")
    assert case.tracer is None and case.status == CaseStatus.NEW


def test_callback_needs_a_future_time() -> None:
    case = register()
    with pytest.raises(InvalidValueError, match="when to call back"):
        case.log_call_attempt(CallOutcome.CALLBACK_REQUESTED, now=NOW, actor="tom")
    with pytest.raises(InvalidValueError, match="already passed"):
        case.log_call_attempt(CallOutcome.CALLBACK_REQUESTED, callback_at=NOW, now=NOW,
                              actor="tom")
    later = NOW + timedelta(hours=2)
    case.log_call_attempt(CallOutcome.CALLBACK_REQUESTED, callback_at=later, note=" after 5 ",
                          now=NOW, actor="tom")
    assert case.callback_at == later
    assert case.call_attempts[-1].note == "after 5"


def test_callback_time_only_with_callback_outcome() -> None:
    case = register()
    with pytest.raises(InvalidValueError, match="callback time"):
        case.log_call_attempt(CallOutcome.NO_ANSWER, callback_at=NOW + timedelta(hours=1),
                              now=NOW, actor="tom")


def test_reaching_the_index_clears_unreachable_and_callback() -> None:
    case = register()
    case.mark_unreachable("3 attempts", now=NOW, actor="tom")
    assert case.status == CaseStatus.UNREACHABLE
    case.log_call_attempt(CallOutcome.REACHED, now=NOW, actor="tom")
    assert not case.unreachable and case.reached_at == NOW


def test_closed_case_refuses_changes_until_reopened() -> None:
    case = register()
    case.close("duplicate notification", now=NOW, actor="lead")
    with pytest.raises(CaseClosedError):
        case.assign("tom", None, now=NOW, actor="lead")
    with pytest.raises(CaseClosedError):
        case.close("again", now=NOW, actor="lead")
    with pytest.raises(InvalidValueError):
        case.reopen(" ", now=NOW, actor="lead")
    case.reopen("not a duplicate after all", now=NOW, actor="lead")
    case.assign("tom", None, now=NOW, actor="lead")
    assert case.status == CaseStatus.ASSIGNED


def test_one_interview_per_case() -> None:
    case = register()
    case.interview_started(uuid4(), now=NOW, actor="tom")
    with pytest.raises(InvalidTransitionError, match="resume"):
        case.interview_started(uuid4(), now=NOW, actor="tom")
    with pytest.raises(InvalidTransitionError):
        case.mark_unreachable("x", now=NOW, actor="tom")


def test_correct_details_records_only_real_changes() -> None:
    case = register()
    version = case.version
    case.correct_details({"name": "Sanne de Vries"}, region="NL", now=NOW, actor="tom")
    assert case.version == version
    case.correct_details({"phone": "0687654321", "postcode": "9999 ZZ"}, region="NL", now=NOW,
                         actor="tom")
    assert case.person.phone == "+31687654321" and case.person.postcode == "9999 ZZ"
    event = case.pending_events[-1]
    assert isinstance(event, Case.DetailsCorrected)
    assert event.changes == {"phone": "+31687654321", "postcode": "9999 ZZ"}


def test_correct_details_refuses_unknown_fields_and_future_onset() -> None:
    case = register()
    with pytest.raises(InvalidValueError, match="status"):
        case.correct_details({"status": "closed"}, region="NL", now=NOW, actor="tom")
    with pytest.raises(FutureDateError):
        case.correct_details({"onset": date(2027, 1, 1)}, region="NL", now=NOW, actor="tom")


def test_retried_command_is_recognised() -> None:
    case = register(command_id="cmd-1")
    assert case.already_done("cmd-1")
    assert not case.already_done("cmd-2")
    assert not case.already_done(None)
