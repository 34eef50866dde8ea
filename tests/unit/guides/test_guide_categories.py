"""Contact categories from facts, at the rule boundaries."""

from __future__ import annotations

import pytest

from bco.guides.categories import categorise, category_settled
from bco.guides.errors import FactError
from bco.guides.model import Guide


@pytest.mark.parametrize(
    ("facts", "category"),
    [
        ({"household": True}, "1"),
        ({"household": True, "duration_min": 1, "distance_m": 5}, "1"),
        ({"duration_min": 20, "distance_m": 1.0}, "2a"),
        ({"duration_min": 15, "distance_m": 1.5}, "2a"),
        ({"duration_min": 14.9, "distance_m": 1.5}, "3"),
        ({"duration_min": 15, "distance_m": 1.51}, "3"),
        ({"duration_min": 5, "distance_m": 1.0, "high_risk_exposure": True}, "2b"),
        ({"duration_min": 20, "distance_m": 1.0, "high_risk_exposure": True}, "2a"),
        ({"duration_min": 5, "distance_m": 1.0}, "3"),
        ({"duration_min": 60, "distance_m": 3}, "3"),
        ({}, "3"),
    ],
)
def test_dutch_covid_categories(covid: Guide, facts: dict[str, object], category: str) -> None:
    assert categorise(covid, facts).category == category


def test_result_names_the_rule(covid: Guide) -> None:
    result = categorise(covid, {"duration_min": 15, "distance_m": 1.5})
    assert result.to_json() == {"category": "2a", "rule": "close-15-min"}


@pytest.mark.parametrize(
    ("facts", "category"),
    [
        ({"household": True}, "high-risk-in-bubble"),
        ({"in_bubble": True, "high_risk_exposure": True}, "high-risk-in-bubble"),
        ({"high_risk_exposure": True}, "high-risk-outside-bubble"),
        ({"duration_min": 15, "distance_m": 1.5}, "high-risk-outside-bubble"),
        ({"duration_min": 15, "distance_m": 1.5, "in_bubble": False, "masked": True},
         "low-risk-outside-bubble"),
        ({"in_bubble": True, "duration_min": 20, "distance_m": 1}, "high-risk-in-bubble"),
        ({"in_bubble": True, "duration_min": 5, "distance_m": 1}, "low-risk-in-bubble"),
        ({"duration_min": 5, "distance_m": 1}, "low-risk-outside-bubble"),
    ],
)
def test_flemish_categories(shipped: dict[str, Guide], facts: dict[str, object],
                            category: str) -> None:
    assert categorise(shipped["covid-19-vl"], facts).category == category


@pytest.mark.parametrize(
    ("guide_id", "facts", "category"),
    [
        ("measles", {"vulnerable": True, "same_room": True, "immune": True}, "vulnerable"),
        ("measles", {"immune": True, "household": True}, "protected"),
        ("measles", {"household": True}, "household"),
        ("measles", {"same_room": True}, "close"),
        ("tuberculosis", {"household": True}, "ring-1"),
        ("tuberculosis", {"enclosed_space": True, "hours_total": 8}, "ring-1"),
        ("tuberculosis", {"enclosed_space": True, "hours_total": 7.5}, "ring-2"),
        ("tuberculosis", {"enclosed_space": True, "vulnerable": True, "hours_total": 1}, "ring-1"),
        ("tuberculosis", {"enclosed_space": False, "hours_total": 20}, "ring-3"),
    ],
)
def test_other_schemes(shipped: dict[str, Guide], guide_id: str, facts: dict[str, object],
                       category: str) -> None:
    assert categorise(shipped[guide_id], facts).category == category


@pytest.mark.parametrize(
    ("facts", "fact"),
    [
        ({"duration": 5}, "duration"),
        ({"duration_min": "5"}, "duration_min"),
        ({"household": 1}, "household"),
        ({"distance_m": True}, "distance_m"),
    ],
)
def test_unknown_or_mistyped_facts_are_named(covid: Guide, facts: dict[str, object],
                                            fact: str) -> None:
    with pytest.raises(FactError) as raised:
        categorise(covid, facts)
    assert raised.value.fact == fact
    assert repr(fact) in str(raised.value)


@pytest.mark.parametrize(
    ("facts", "settled"),
    [
        ({}, False),
        ({"household": True}, True),
        ({"duration_min": 20, "distance_m": 1}, False),
        ({"household": False, "duration_min": 20, "distance_m": 1}, True),
        ({"household": False, "duration_min": 5, "distance_m": 1}, False),
        ({"household": False, "duration_min": 5, "distance_m": 1, "high_risk_exposure": False},
         True),
    ],
)
def test_category_is_settled_only_when_no_fact_could_change_it(
    covid: Guide, facts: dict[str, object], settled: bool
) -> None:
    assert category_settled(covid, facts) is settled
