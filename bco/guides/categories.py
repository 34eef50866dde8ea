"""Contact categories from a contact's facts, by the guide's first matching rule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bco.guides.errors import FactError
from bco.guides.model import AllOf, AnyOf, Compare, Condition, FactType, Guide

TYPE_WORDS: dict[FactType, str] = {
    "boolean": "true or false", "number": "a number", "text": "text",
}


@dataclass(frozen=True)
class Categorisation:
    """The category and the id of the rule that decided it, so a tracer can explain it."""

    category: str
    rule: str

    def to_json(self) -> dict[str, str]:
        """Return the CLI/API shape."""
        return {"category": self.category, "rule": self.rule}


def check_facts(guide: Guide, facts: Mapping[str, object]) -> None:
    """Raise FactError for the first fact that is undeclared or has the wrong type."""
    for name, value in facts.items():
        fact_type = guide.fact_types.get(name)
        if fact_type is None:
            declared = ", ".join(sorted(guide.fact_types))
            raise FactError(name, f"unknown fact {name!r}; {guide.id} knows: {declared}")
        if value is not None and not fact_fits(fact_type, value):
            raise FactError(
                name, f"fact {name!r} must be {TYPE_WORDS[fact_type]}, got {value!r}"
            )


def fact_fits(fact_type: FactType, value: object) -> bool:
    """Tell whether `value` has the fact's declared type (a bool is not a number)."""
    if fact_type == "boolean":
        return isinstance(value, bool)
    if fact_type == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, str)


def categorise(guide: Guide, facts: Mapping[str, object]) -> Categorisation:
    """Categorise a contact by the first rule that holds; a missing fact never satisfies a rule."""
    check_facts(guide, facts)
    scheme = guide.categories
    for rule in scheme.rules:
        if rule.when is not None and facts_meet(rule.when, facts) is True:
            return Categorisation(rule.category, rule.id)
    return Categorisation(scheme.default.category, scheme.default.id)


def category_settled(guide: Guide, facts: Mapping[str, object]) -> bool:
    """Tell whether the category is final: no missing fact could make an earlier rule hold."""
    for rule in guide.categories.rules:
        outcome = None if rule.when is None else facts_meet(rule.when, facts)
        if outcome is None:
            return False
        if outcome:
            return True
    return True


def facts_meet(condition: Condition, facts: Mapping[str, object]) -> bool | None:
    """Evaluate a fact condition: True, False, or None while a fact it needs is unknown."""
    if isinstance(condition, AllOf):
        parts = [facts_meet(part, facts) for part in condition.conditions]
        return False if False in parts else (None if None in parts else True)
    if isinstance(condition, AnyOf):
        parts = [facts_meet(part, facts) for part in condition.conditions]
        return True if True in parts else (None if None in parts else False)
    value = facts.get(condition.subject)
    if value is None:
        return None
    return _compare(condition, value)


def _compare(condition: Compare, value: object) -> bool:
    """Apply one comparison to a known value; a value of the wrong type never matches."""
    expected = condition.value
    if condition.op == "equals":
        return (type(value) is type(expected) and value == expected) or (
            _is_number(value) and _is_number(expected) and value == expected
        )
    if not (_is_number(value) and _is_number(expected)):
        return False
    number, limit = float(value), float(expected)  # type: ignore[arg-type]
    return {
        "at_least": number >= limit, "at_most": number <= limit,
        "less_than": number < limit, "more_than": number > limit,
    }.get(condition.op, False)


def _is_number(value: object) -> bool:
    """Tell whether `value` is a real number rather than a bool."""
    return isinstance(value, int | float) and not isinstance(value, bool)
