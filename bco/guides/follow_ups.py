"""Guide checks about recording contacts: a question that can reveal contacts must have a
follow-up that records them, and a contacts question's defaults must be things a contact has."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bco.guides.categories import fact_fits
from bco.guides.model import AllOf, AnyOf, Compare, Condition, FactType, Probing, Question

CONTACT_KEYS = ("household", "setting")


def default_problems(defaults: Mapping[str, object], facts: Mapping[str, FactType]
                     ) -> Iterator[tuple[str, str]]:
    """Yield (key, message) for each default that is neither a contact key nor a declared fact
    of the right type, so a contact is never given a fact the category rules cannot read."""
    for key, value in defaults.items():
        if key in CONTACT_KEYS:
            continue
        fact_type = facts.get(key)
        if fact_type is None:
            yield key, (f"unknown fact {key!r}; expected household, setting or a fact declared "
                        f"under 'facts' ({', '.join(sorted(facts)) or 'none'})")
        elif not fact_fits(fact_type, value):
            yield key, f"fact {key!r} is {fact_type}; got {value!r}"


def unrecorded(questions: Mapping[str, Question], probing: Probing) -> Iterator[Question]:
    """Yield every question marked `reveals_contacts` that nothing follows up: no contacts
    question shown on its yes, and no consistency probe triggered by its yes."""
    followed: set[str] = set()
    for question in questions.values():
        if question.type == "contacts" and question.show_if is not None:
            followed.update(_yes_subjects(question.show_if))
    for rule in probing.consistency:
        followed.update(_yes_subjects(rule.when))
    for question in questions.values():
        if question.reveals_contacts and question.id not in followed:
            yield question


def _yes_subjects(condition: Condition) -> Iterator[str]:
    """The questions whose yes (or any answer) this condition can hold on."""
    if isinstance(condition, AllOf | AnyOf):
        for part in condition.conditions:
            yield from _yes_subjects(part)
        return
    if _holds_on_yes(condition):
        yield condition.subject


def _holds_on_yes(compare: Compare) -> bool:
    """Tell whether the comparison holds when the answer is yes (true)."""
    if compare.op == "equals":
        return compare.value is True
    if compare.op == "in":
        return isinstance(compare.value, list) and True in compare.value
    return compare.op == "answered"
