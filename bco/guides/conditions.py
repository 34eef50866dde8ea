"""Guide conditions (`show_if`, consistency triggers, category rules): one evaluator for all.

A condition is tested on the values of its subjects: a question's answer or a contact's fact.
Where a subject's value comes from differs (`on_answers`, `on_facts`); how a condition holds
does not. Each answer is three-valued: True, False, or None while it cannot be known yet.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum

from bco.guides.model import AllOf, AnyOf, Compare, CompareOp, Condition

NUMERIC_OPS: tuple[CompareOp, ...] = ("at_least", "at_most", "less_than", "more_than")
# What a guide may write, per subject; a fact is one value, so it has no list to look into
# and is never 'answered' (an unknown fact is simply not there yet).
ANSWER_OPS: tuple[CompareOp, ...] = ("equals", "in", "includes", *NUMERIC_OPS, "answered")
FACT_OPS: tuple[CompareOp, ...] = ("equals", "in", *NUMERIC_OPS)


class Missing(Enum):
    """Why a subject has no value: not yet (the condition waits), or never (it fails)."""

    UNKNOWN = "unknown"
    NEVER = "never"


Lookup = Callable[[str], object]  # subject -> its value, or a Missing


def evaluate(condition: Condition, value_of: Lookup) -> bool | None:
    """True or False once decided; None while a value it needs may still come."""
    if isinstance(condition, AllOf):
        parts = [evaluate(part, value_of) for part in condition.conditions]
        return False if False in parts else (None if None in parts else True)
    if isinstance(condition, AnyOf):
        parts = [evaluate(part, value_of) for part in condition.conditions]
        return True if True in parts else (None if None in parts else False)
    value = value_of(condition.subject)
    if value is Missing.NEVER:
        return False
    if value is Missing.UNKNOWN:
        return None
    return compare(condition, value)


def compare(condition: Compare, value: object) -> bool:
    """Apply one comparison to a known value; a value of the wrong shape never matches."""
    expected = condition.value
    op = condition.op
    if op == "answered":
        return True
    if op == "equals":
        return _same(value, expected)
    if op == "in":
        return isinstance(expected, list) and any(_same(value, item) for item in expected)
    if op == "includes":
        return isinstance(value, list | tuple) and expected in value
    number, limit = as_number(value), as_number(expected)
    if number is None or limit is None:
        return False
    if op == "at_least":
        return number >= limit
    if op == "at_most":
        return number <= limit
    if op == "less_than":
        return number < limit
    return op == "more_than" and number > limit


def _same(value: object, expected: object) -> bool:
    """Equal and of one type, except that 15 and 15.0 are the same number (True is not 1)."""
    if type(value) is type(expected):
        return value == expected
    number = as_number(value)
    return number is not None and number == as_number(expected)


def as_number(value: object) -> float | None:
    """Return `value` as a number, or None for anything that is not one (bools included)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def on_answers(condition: Condition, answers: Mapping[str, object],
               applicable: Mapping[str, bool | None]) -> bool | None:
    """Evaluate on answers: a question not asked fails it, one not answered yet leaves it open."""
    def value_of(subject: str) -> object:
        asked = applicable.get(subject)
        if asked is False:
            return Missing.NEVER
        if asked is None or subject not in answers:
            return Missing.UNKNOWN
        return answers[subject]
    return evaluate(condition, value_of)


def on_facts(condition: Condition, facts: Mapping[str, object]) -> bool | None:
    """Evaluate on a contact's facts: a fact not known yet leaves it open."""
    def value_of(subject: str) -> object:
        value = facts.get(subject)
        return Missing.UNKNOWN if value is None else value
    return evaluate(condition, value_of)
