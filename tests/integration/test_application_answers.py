"""BCOApplication owns every rule of an answer, on SQLite and PostgreSQL: the question must be
the guide's, the value must fit it, the stored value is worked out here, and the same answer
again is no change at all."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from answer_support import guides_with_a_phone_question

from bco.application import BCOApplication
from bco.config import Settings
from bco.domain.case import IndexPerson
from bco.domain.errors import DomainError, InvalidPhoneError, NotFoundError

GIVE_AN_ANSWER = "Give an answer, or leave the question for later."
REFUSALS: list[tuple[str, Any, str]] = [
    ("has_symptoms", "yes", "Answer yes or no."),
    ("has_symptoms", None, GIVE_AN_ANSWER),
    ("who_informs", "nobody", "Pick one of the options shown."),
    ("symptoms", ["fever", "plague"], "Pick from the options shown."),
    ("symptoms", "fever", "Pick from the options shown."),
    ("household_size", "2", "Type a number, e.g. 2."),
    ("household_size", -1, "Type a number of 0 or more."),
    ("household_size", 100_001, "Type a number of 0 or more."),
    ("household_size", 2.5, "Type a whole number, e.g. 2."),
    ("onset_date", "31-02-2026", "Give the date as day-month-year, e.g. with the date picker."),
    ("onset_date", "2026-11-26", "This date lies in the future; check the day."),
    ("onset_date", "0202-11-18", "The year 0202 cannot be right; check the year and type all "
                                 "four digits, e.g. 2026."),
    ("onset_date", "2016-11-18", "18-11-2016 is more than two years ago; check the year."),
    ("known_case_details", "  ", GIVE_AN_ANSWER),
    ("known_case_details", "x" * 2001, "This is too long: keep it under 2000 characters."),
    ("known_case_details", 7, "Type the answer as text."),
    ("callback_time", "0612", "'0612' is not a valid number: check the number of digits with "
                              "the person, and include the country code if abroad."),
]


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """Each backend, with a guide that asks for a phone number too."""
    return settings.with_overrides(guides_dir=guides_with_a_phone_question(tmp_path / "guides"))


def interview(app: BCOApplication) -> UUID:
    case_id = app.register_case(
        person=IndexPerson(name="Sanne de Vries", phone="06 12345678"), disease="covid-19",
        onset=date(2026, 11, 22), actor="anna").aggregate_id
    return app.start_interview(case_id, actor="tom").aggregate_id


def test_every_refusal_names_the_value_and_records_nothing(app: BCOApplication) -> None:
    interview_id = interview(app)
    position = app.store_position()
    for question, value, message in REFUSALS:
        with pytest.raises(DomainError) as refused:
            app.record_answer(interview_id, question, value, actor="tom")
        assert (refused.value.message, refused.value.field) == (message, "value"), question
    assert app.store_position() == position
    assert app.get_interview(interview_id).answers == {}


def test_a_question_the_guide_does_not_have_is_not_found(app: BCOApplication) -> None:
    interview_id = interview(app)
    with pytest.raises(NotFoundError, match="guide has no such question"):
        app.record_answer(interview_id, "q0000", "yes", actor="tom")
    assert app.get_interview(interview_id).answers == {}


def test_answers_are_stored_as_the_guide_asks(app: BCOApplication) -> None:
    interview_id = interview(app)
    for question, given in (("symptoms", ["cough", "fever"]), ("household_size", 2.0),
                            ("known_case_details", "  my sister "), ("onset_date", "20261121"),
                            ("callback_time", "06 1234 5678"), ("has_symptoms", True)):
        app.record_answer(interview_id, question, given, actor="tom")
    assert app.get_interview(interview_id).answers == {
        "symptoms": ["fever", "cough"], "household_size": 2, "known_case_details": "my sister",
        "onset_date": "2026-11-21", "callback_time": "+31612345678", "has_symptoms": True}
    with pytest.raises(InvalidPhoneError):
        app.record_answer(interview_id, "callback_time", "geen nummer", actor="tom")


def test_a_contacts_question_is_answered_with_the_count_of_its_contacts(
        app: BCOApplication) -> None:
    interview_id = interview(app)
    app.report_contact(interview_id, {"name": "Joris", "household": True}, actor="tom")
    app.report_contact(interview_id, {"name": "Mila", "prompt": "household_members"},
                       actor="tom")
    app.report_contact(interview_id, {"name": "Ayla", "prompt": "setting:work"}, actor="tom")
    recorded = app.record_answer(interview_id, "household_members", 99, actor="tom")
    assert app.get_interview(interview_id).answers["household_members"] == 2
    assert recorded.saved is not None and recorded.saved.answers["household_members"] == 2


def test_the_same_answer_again_records_nothing_and_conflicts_with_no_one(
        app: BCOApplication) -> None:
    interview_id = interview(app)
    seen = app.get_interview(interview_id).version
    app.record_answer(interview_id, "household_size", 3, actor="eva", expected_version=seen)
    position = app.store_position()
    again = app.record_answer(interview_id, "household_size", 3.0, actor="tom",
                              expected_version=seen)  # stale, but agreeing
    assert again.position is None and app.store_position() == position
    assert again.version == app.get_interview(interview_id).version == seen + 1
    agreed = app.record_answer(interview_id, "symptoms", ["cough", "fever"], actor="tom")
    same = app.record_answer(interview_id, "symptoms", ["fever", "cough"], actor="eva")
    assert agreed.position is not None and same.position is None


def test_today_is_the_day_where_the_tracers_work(settings: Settings, clock: Any) -> None:
    """At 00:30 in Amsterdam it is still yesterday in UTC: the Amsterdam day is no future."""
    clock.now = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
    for zone, accepted in (("Europe/Amsterdam", True), ("UTC", False)):
        app = BCOApplication(settings.with_overrides(timezone=zone), clock=clock)
        try:
            interview_id = interview(app)
            if accepted:
                app.record_answer(interview_id, "onset_date", "2026-11-26", actor="tom")
            else:
                with pytest.raises(DomainError, match="lies in the future"):
                    app.record_answer(interview_id, "onset_date", "2026-11-26", actor="tom")
        finally:
            app.close()


def test_an_interview_the_caller_read_is_worked_on_as_a_copy_and_retried_when_stale(
        app: BCOApplication, clock: Any) -> None:
    """The screen passes the interview it read for its access check; someone saving another
    answer in between costs a retry, not a conflict, and the caller's copy stays as it was."""
    interview_id = interview(app)
    read = app.get_interview(interview_id)
    app.record_answer(interview_id, "has_symptoms", True, actor="eva")
    clock.advance(minutes=1)
    recorded = app.record_answer(interview_id, "household_size", 2, actor="tom",
                                 expected_version=read.version, loaded=read)
    assert read.answers == {} and read.version == 1
    assert app.get_interview(interview_id).answers == {"has_symptoms": True,
                                                       "household_size": 2}
    assert recorded.version == 3 and recorded.saved is not None
    assert recorded.saved.answers == {"has_symptoms": True, "household_size": 2}
    assert [e.actor for e in app.events.get(interview_id)][1:] == ["eva", "tom"]
    fresh = app.get_interview(interview_id)
    recorded = app.record_answer(interview_id, "went_to_work", False, actor="tom",
                                 loaded=fresh, expected_version=fresh.version)
    assert recorded.version == 4 and fresh.version == 3
