"""The rules an answer must meet before it is recorded, so every caller meets the same ones.

Pure: the caller passes `today` (where the tracers work) and the phone region. A refusal is an
InvalidValueError on the field "value" whose English text is marked (`_t`), so the web shows it
translated next to the field and the CLI in English.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from typing import Protocol

from bco.domain.errors import InvalidValueError, NotFoundError
from bco.domain.errors import translatable as _t
from bco.domain.interview import refuse_implausible_day
from bco.domain.personal import PersonalText
from bco.domain.phone import normalise_phone
from bco.guides.model import Guide, Question

MAX_TEXT = 2000
# Question types whose answers may identify someone: kept as PersonalText, sealed under the
# case's key and erased with the index's data after retention.
IDENTIFYING_TYPES = frozenset({"text", "phone"})
MAX_NUMBER = 100_000
FIELD = "value"


class Listed(Protocol):
    """A contact as far as a contacts question counts it."""

    @property
    def prompt(self) -> str | None: ...

    @property
    def household(self) -> bool: ...


def listed_under(question: Question, contact: Listed) -> bool:
    """Whether a contacts question is about this contact: named under it, or one of all it
    describes (every housemate for a 'who lives with you' question)."""
    return contact.prompt == question.id or (
        bool(question.contact_defaults.get("household")) and contact.household)


def checked_answer(guide: Guide, question_id: str, value: object, *, today: date, region: str,
                   contacts: Iterable[Listed] = ()) -> object:
    """The answer as it is stored, or a refusal that says what to give instead.

    A contacts question's answer is the number of `contacts` listed under it, whatever value
    was given: it says how many the index named, which only the roster knows.
    """
    question = guide.questions.get(question_id)
    if question is None:
        raise NotFoundError(_t("This interview's guide has no such question."),
                            field="question_id")
    kind = question.type
    if kind == "contacts":
        return sum(1 for contact in contacts if listed_under(question, contact))
    if kind == "multichoice":
        return _choices(question, value)
    if isinstance(value, str):
        value = value.strip()
        if len(value) > MAX_TEXT:
            raise InvalidValueError(
                _t("This is too long: keep it under %(limit)d characters."), field=FIELD,
                limit=MAX_TEXT)
    if value is None or value == "":
        raise InvalidValueError(_t("Give an answer, or leave the question for later."),
                                field=FIELD)
    if kind == "yesno":
        if not isinstance(value, bool):
            raise InvalidValueError(_t("Answer yes or no."), field=FIELD)
        return value
    if kind == "choice":
        if not isinstance(value, str) or value not in {o.value for o in question.options}:
            raise InvalidValueError(_t("Pick one of the options shown."), field=FIELD)
        return value
    if kind == "number":
        return _count(value)
    if kind == "date":
        return _day(value, today, recent=question.id == guide.windows.onset_question)
    if not isinstance(value, str):
        raise InvalidValueError(_t("Type the answer as text."), field=FIELD)
    # Free text and phone numbers may identify someone: sealed under the case's key.
    if kind == "phone":
        return PersonalText(normalise_phone(value, region, field=FIELD))
    return PersonalText(value)


def _choices(question: Question, value: object) -> list[str]:
    """The options picked, in the guide's order; none picked is an answer too."""
    allowed = [o.value for o in question.options]
    if not isinstance(value, list | tuple) or any(v not in allowed for v in value):
        raise InvalidValueError(_t("Pick from the options shown."), field=FIELD)
    return [option for option in allowed if option in value]


def _count(value: object) -> int:
    """A number question asks how many (housemates, people): a whole number, 0 or more."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidValueError(_t("Type a number, e.g. 2."), field=FIELD)
    if value < 0 or value > MAX_NUMBER or not math.isfinite(value):
        raise InvalidValueError(_t("Type a number of 0 or more."), field=FIELD)
    if not float(value).is_integer():
        raise InvalidValueError(_t("Type a whole number, e.g. 2."), field=FIELD)
    return int(value)


def _day(value: object, today: date, *, recent: bool) -> str:
    """A YYYY-MM-DD day, not after today, its year plausible (`recent`: the onset question)."""
    try:
        day = date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidValueError(_t("Give the date as day-month-year, e.g. with the date picker."),
                                field=FIELD)
    if day > today:
        raise InvalidValueError(_t("This date lies in the future; check the day."), field=FIELD)
    refuse_implausible_day(day, today, FIELD, recent=recent)
    return day.isoformat()
