"""A contact's category, as the interview screen, the inform list and the contacts read model
all show it: the override, else the guide's rules."""

from __future__ import annotations

from bco.guides.contact_category import NO_GUIDE, ContactCategory, contact_category
from bco.guides.model import Guide
from bco.guides.state import ContactFacts


def test_an_override_wins_and_is_final(covid: Guide) -> None:
    contact = ContactFacts(name="Piet", household=True, category="3")
    assert contact_category(covid, contact) == ContactCategory("3", "override", settled=True)
    assert contact_category(None, contact).category == "3"


def test_computed_by_the_first_rule_that_holds(covid: Guide) -> None:
    contact = ContactFacts(name="Piet", facts={"duration_min": 20, "distance_m": 1.0})
    found = contact_category(covid, contact)
    assert (found.category, found.source, found.rule) == ("2a", "computed", "close-15-min")
    assert found.settled  # no earlier rule can still hold: Piet does not live with the index


def test_a_category_a_missing_fact_could_change_is_not_settled(covid: Guide) -> None:
    found = contact_category(covid, ContactFacts(name="Piet", facts={"duration_min": 5,
                                                                     "distance_m": 1.0}))
    assert (found.category, found.settled) == ("3", False)  # a high-risk exposure is unknown


def test_the_contacts_own_household_flag_counts_as_a_fact(covid: Guide) -> None:
    found = contact_category(covid, ContactFacts(name="Piet", household=True))
    assert (found.category, found.settled) == ("1", True)


def test_a_mistyped_fact_gives_no_category_but_says_why(covid: Guide) -> None:
    found = contact_category(covid, ContactFacts(name="Piet", facts={"duration_min": "long"}))
    assert (found.category, found.source, found.settled) == (None, "unknown", False)
    assert found.problem is not None and "duration_min" in found.problem


def test_without_the_guide_version_there_is_no_computed_category() -> None:
    found = contact_category(None, ContactFacts(name="Piet", facts={"duration_min": 20}))
    assert found == ContactCategory(None, "unknown", problem=NO_GUIDE)
