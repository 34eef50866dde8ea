"""What is personal data in a case, under which of its keys, and what is left once erased.

A case has two keys of its own (bco/case_keys.py): one for the index's data and one for the
contacts' details, so contacts can be forgotten sooner than the case. Events and value objects
declare which of their fields are personal (`personal`, and `personal_changes` for a dict of
changes); storage seals exactly those, and erasure replaces exactly those.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Any

from bco.domain.errors import translatable as _t

INDEX = "index"  # the index's identity and what they told about themselves
CONTACTS = "contacts"  # names and ways to reach the people they named
PARTS = (INDEX, CONTACTS)

# Shown in place of personal data whose key was destroyed at the end of retention.
REMOVED = _t("removed after retention")


class PersonalText(str):
    """A typed answer that identifies someone (free text, a phone number): sealed under the
    case's index key like the index's name, while choices, dates and numbers stay readable."""

    __slots__ = ()


class ErasedPhone(str):
    """The marker in place of an erased phone number, with the keyed hash it had: the number
    cannot be read back, but a new case with the same number still counts as a known contact
    (bco.domain.phone.phone_hasher, with the events key)."""

    phone_key: str

    def __new__(cls, phone_key: str) -> ErasedPhone:
        marker = super().__new__(cls, REMOVED)
        marker.phone_key = phone_key
        return marker


def removed_like(value: Any) -> Any:
    """What an erased value becomes: the marker for text, nothing for a date or number (an
    empty text held nothing, and stays empty)."""
    if value is None or value == "":
        return value
    if isinstance(value, PersonalText):
        return PersonalText(REMOVED)
    return REMOVED if isinstance(value, str) else None


def erased(obj: Any, parts: Collection[str]) -> Any:
    """A value object (frozen dataclass with `personal`) with its personal fields of `parts`
    replaced by the marker."""
    declared: Mapping[str, str] = getattr(obj, "personal", {})
    changes = {name: removed_like(getattr(obj, name)) for name, part in declared.items()
               if part in parts and getattr(obj, name) is not None}
    return replace(obj, **changes) if changes else obj


def erased_answers(answers: Mapping[str, Any], parts: Collection[str],
                   identifying: Collection[str] = ()) -> dict[str, Any]:
    """Answers with the identifying ones (PersonalText, or named in `identifying`) removed
    when the index's part is erased."""
    if INDEX not in parts:
        return dict(answers)
    return {key: removed_like(value)
            if isinstance(value, PersonalText) or key in identifying else value
            for key, value in answers.items()}


def masked(event: Any, parts: Collection[str], identifying: Collection[str] = ()) -> Any:
    """A copy of an event with its personal fields of `parts` as the marker (and the answers
    to the `identifying` questions), or the event itself when it has none: for showing events
    after retention (bco.application)."""
    cls = type(event)
    data = dict(vars(event))
    changed = False
    for name, part in getattr(cls, "personal", {}).items():
        if part in parts and data.get(name) is not None:
            data[name], changed = removed_like(data[name]), True
    declared: Mapping[str, str] | None = getattr(cls, "personal_changes", None)
    if declared and isinstance(data.get("changes"), dict):
        data["changes"] = {key: removed_like(value) if declared.get(key) in parts else value
                           for key, value in data["changes"].items()}
        changed = True
    value = data.get("value")
    if INDEX in parts and value is not None and (
            isinstance(value, PersonalText) or data.get("question_id") in identifying):
        data["value"], changed = removed_like(value), True
    if not changed:
        return event
    copy = object.__new__(cls)
    object.__setattr__(copy, "__dict__", data)
    return copy
