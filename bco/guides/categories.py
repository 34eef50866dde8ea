"""Contact categories from a contact's facts, by the guide's first matching rule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bco.guides.conditions import on_facts
from bco.guides.errors import FactError
from bco.guides.model import FactType, Guide

TYPE_WORDS: dict[FactType, str] = {
    "boolean": "true or false", "number": "a number", "text": "text",
}


@dataclass(frozen=True)
class Categorisation:
    """The category, the rule that decided it (so a tracer can explain it), and whether it is
    final: `settled` when no fact still missing could make an earlier rule decide instead."""

    category: str
    rule: str
    settled: bool = True

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
    return _first_rule(guide, facts)


def category_settled(guide: Guide, facts: Mapping[str, object]) -> bool:
    """Tell whether the category is final: no missing fact could make an earlier rule hold."""
    return _first_rule(guide, facts).settled


def _first_rule(guide: Guide, facts: Mapping[str, object]) -> Categorisation:
    """The first rule that holds, and whether a rule before it is still undecided."""
    scheme = guide.categories
    settled = True
    for rule in scheme.rules:
        outcome = True if rule.when is None else on_facts(rule.when, facts)
        if outcome is True:
            return Categorisation(rule.category, rule.id, settled)
        settled = settled and outcome is False
    return Categorisation(scheme.default.category, scheme.default.id, settled)
