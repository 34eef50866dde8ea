"""A contact's category as every screen and read model shows it: the tracer's override, else
what the guide's rules make of the contact's facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bco.guides.categories import categorise
from bco.guides.errors import FactError
from bco.guides.model import Guide
from bco.guides.state import ContactFacts

CategorySource = Literal["override", "computed", "unknown"]
NO_GUIDE = "The guide version of this interview is not available."


@dataclass(frozen=True)
class ContactCategory:
    """The category a contact has, where it came from, and whether it can still change."""

    category: str | None
    source: CategorySource
    rule: str | None = None  # the guide's rule that decided a computed category
    settled: bool = False  # no fact still missing could change it (always, for an override)
    problem: str | None = None  # why there is none: a fact of the wrong type, or no guide


def contact_category(guide: Guide | None, contact: ContactFacts) -> ContactCategory:
    """An override wins (its reason is on record); otherwise the guide's first rule that holds."""
    if contact.category:
        return ContactCategory(contact.category, "override", settled=True)
    if guide is None:
        return ContactCategory(None, "unknown", problem=NO_GUIDE)
    try:
        found = categorise(guide, contact.category_facts(guide))
    except FactError as error:
        return ContactCategory(None, "unknown", problem=str(error))
    return ContactCategory(found.category, "computed", rule=found.rule, settled=found.settled)
