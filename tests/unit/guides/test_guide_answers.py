"""An answer is checked against its question's type and stored in one shape, without I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from bco.domain.errors import InvalidPhoneError, InvalidValueError, NotFoundError
from bco.guides.answers import checked_answer, listed_under
from bco.guides.loader import default_guides_dir, load_guide
from bco.guides.model import Guide

TODAY = date(2026, 11, 25)


@dataclass(frozen=True)
class Listed:
    prompt: str | None = None
    household: bool = False


def check(guide: Guide, question: str, value: object, **contacts: object) -> object:
    return checked_answer(guide, question, value, today=TODAY, region="NL", **contacts)


def phone_guide(folder: Path) -> Guide:
    """The COVID-19 guide asking for a call-back number instead of a call-back time."""
    text = (default_guides_dir() / "covid-19.yaml").read_text(encoding="utf-8")
    old = "      - id: callback_time\n        type: text\n"
    assert old in text
    path = folder / "covid-19.yaml"
    path.write_text(text.replace(old, "      - id: callback_time\n        type: phone\n"),
                    encoding="utf-8")
    return load_guide(path)


@pytest.mark.parametrize(("question", "given", "stored"), [
    ("has_symptoms", True, True),
    ("has_symptoms", False, False),
    ("who_informs", " index ", "index"),
    ("symptoms", ["cough", "fever", "cough"], ["fever", "cough"]),  # the guide's order, once
    ("symptoms", [], []),  # none of them is an answer too
    ("household_size", 3, 3),
    ("household_size", 2.0, 2),
    ("household_size", 0, 0),
    ("onset_date", "2026-11-25", "2026-11-25"),
    ("onset_date", "20261120", "2026-11-20"),
    ("known_case_details", "  my sister  ", "my sister"),
])
def test_an_answer_is_stored_in_its_questions_shape(covid: Guide, question: str, given: object,
                                                    stored: object) -> None:
    assert check(covid, question, given) == stored


@pytest.mark.parametrize(("question", "given", "message"), [
    ("has_symptoms", "yes", "Answer yes or no."),
    ("has_symptoms", 1, "Answer yes or no."),
    ("has_symptoms", None, "Give an answer, or leave the question for later."),
    ("who_informs", "nobody", "Pick one of the options shown."),
    ("who_informs", 3, "Pick one of the options shown."),
    ("symptoms", "fever", "Pick from the options shown."),
    ("symptoms", ["fever", "plague"], "Pick from the options shown."),
    ("household_size", "2", "Type a number, e.g. 2."),
    ("household_size", True, "Type a number, e.g. 2."),
    ("household_size", -1, "Type a number of 0 or more."),
    ("household_size", 100_001, "Type a number of 0 or more."),
    ("household_size", 10**400, "Type a number of 0 or more."),
    ("household_size", math.nan, "Type a number of 0 or more."),
    ("household_size", math.inf, "Type a number of 0 or more."),
    ("household_size", 2.5, "Type a whole number, e.g. 2."),
    ("onset_date", "31-02-2026", "Give the date as day-month-year, e.g. with the date picker."),
    ("onset_date", date(2026, 11, 20), "Give the date as day-month-year, e.g. with the date "
                                       "picker."),
    ("onset_date", "2026-11-26", "This date lies in the future; check the day."),
    ("onset_date", "0202-11-18", "The year 0202 cannot be right; check the year and type all "
                                 "four digits, e.g. 2026."),
    ("onset_date", "2016-11-18", "18-11-2016 is more than two years ago; check the year."),
    ("known_case_details", "   ", "Give an answer, or leave the question for later."),
    ("known_case_details", "x" * 2001, "This is too long: keep it under 2000 characters."),
    ("known_case_details", 5, "Type the answer as text."),
])
def test_a_value_that_does_not_fit_its_question_is_refused(covid: Guide, question: str,
                                                           given: object, message: str) -> None:
    with pytest.raises(InvalidValueError) as refused:
        check(covid, question, given)
    assert refused.value.message == message
    assert refused.value.field == "value"


def test_only_the_onset_question_must_be_recent(shipped: dict[str, Guide]) -> None:
    """A date asked for another reason may lie years back; a mistyped year never."""
    guide = shipped["measles"]
    others = [q.id for q in guide.questions.values()
              if q.type == "date" and q.id != guide.windows.onset_question]
    assert others
    assert check(guide, others[0], "2016-11-18") == "2016-11-18"
    with pytest.raises(InvalidValueError, match="check the year"):
        check(guide, others[0], "0202-11-18")
    with pytest.raises(InvalidValueError, match="more than two years ago"):
        check(guide, guide.windows.onset_question or "", "2016-11-18")


def test_a_question_the_guide_does_not_have_is_not_found(covid: Guide) -> None:
    with pytest.raises(NotFoundError) as refused:
        check(covid, "q0000", "yes")
    assert refused.value.message == "This interview's guide has no such question."


def test_a_phone_number_is_stored_in_e164(tmp_path: Path) -> None:
    guide = phone_guide(tmp_path)
    assert check(guide, "callback_time", "06 12345678") == "+31612345678"
    with pytest.raises(InvalidPhoneError) as refused:
        check(guide, "callback_time", "0612")
    assert refused.value.field == "value"
    with pytest.raises(InvalidValueError, match="Type the answer as text"):
        check(guide, "callback_time", 612345678)


def test_a_contacts_question_counts_the_contacts_listed_under_it(covid: Guide) -> None:
    """Named under the question, or a housemate for the housemates question; the value given
    does not count, the roster does."""
    contacts = [Listed("household_members"), Listed(household=True), Listed("day:2026-11-20"),
                Listed("setting:work", household=True)]
    assert check(covid, "household_members", 99, contacts=contacts) == 3
    assert check(covid, "household_members", None) == 0
    question = covid.questions["household_members"]
    assert [listed_under(question, c) for c in contacts] == [True, True, False, True]
