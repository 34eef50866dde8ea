"""One evaluator for every guide condition: on answers (show_if, consistency) and on facts
(category rules), with every operator either kind of condition may use."""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

import pytest
from conftest import example_guide_text
from hypothesis import given
from hypothesis import strategies as st

from bco.guides.categories import categorise, category_settled
from bco.guides.conditions import (
    ANSWER_OPS,
    FACT_OPS,
    NUMERIC_OPS,
    Missing,
    compare,
    evaluate,
    on_answers,
    on_facts,
)
from bco.guides.loader import SCHEMA_PATH, GuideError, load_guide
from bco.guides.model import AllOf, AnyOf, Compare, CompareOp, Condition, Guide


@pytest.mark.parametrize(("op", "expected", "value", "holds"), [
    ("equals", True, True, True),
    ("equals", True, 1, False),  # a yes is not the number one
    ("equals", 15, 15.0, True),
    ("equals", "work", "school", False),
    ("in", ["work", "school"], "school", True),
    ("in", ["work", "school"], "home", False),
    ("in", [15, 20], 20.0, True),
    ("in", "work", "work", False),  # 'in' needs a list to look in
    ("includes", "work", ["work", "sport"], True),
    ("includes", "work", "work", False),  # a single answer is no list
    ("at_least", 15, 15, True),
    ("at_least", 15, 14.9, False),
    ("at_most", 1.5, 1.5, True),
    ("at_most", 1.5, 1.51, False),
    ("less_than", 15, 14.9, True),
    ("less_than", 15, 15, False),
    ("more_than", 1.5, 1.51, True),
    ("more_than", 1.5, 1.5, False),
    ("at_least", 1, True, False),  # a bool is not a number
    ("more_than", 1, "2", False),  # nor is text
    ("answered", True, "", True),
])
def test_each_operator(op: str, expected: object, value: object, holds: bool) -> None:
    assert compare(Compare("x", op, expected), value) is holds  # type: ignore[arg-type]


def test_three_valued_all_and_any() -> None:
    yes, no, unknown = Compare("a", "equals", 1), Compare("b", "equals", 1), Compare("c",
                                                                                     "equals", 1)
    values = {"a": 1, "b": 2}

    def value_of(subject: str) -> object:
        return values.get(subject, Missing.UNKNOWN)
    assert evaluate(AllOf((yes, unknown)), value_of) is None
    assert evaluate(AllOf((no, unknown)), value_of) is False
    assert evaluate(AnyOf((yes, unknown)), value_of) is True
    assert evaluate(AnyOf((no, unknown)), value_of) is None
    assert evaluate(AnyOf((no, AllOf((yes, yes)))), value_of) is True


def test_answers_a_question_not_asked_fails_one_not_answered_waits() -> None:
    condition = Compare("went_to_work", "equals", True)
    assert on_answers(condition, {}, {"went_to_work": False}) is False
    assert on_answers(condition, {"went_to_work": True}, {"went_to_work": None}) is None
    assert on_answers(condition, {}, {"went_to_work": True}) is None
    assert on_answers(condition, {"went_to_work": True}, {"went_to_work": True}) is True


def test_facts_an_unknown_fact_waits() -> None:
    condition = Compare("duration_min", "at_least", 15)
    assert on_facts(condition, {}) is None
    assert on_facts(condition, {"duration_min": None}) is None
    assert on_facts(condition, {"duration_min": 20}) is True


numbers = st.one_of(st.integers(-50, 50), st.floats(-50, 50, allow_nan=False))


@given(op=st.sampled_from(NUMERIC_OPS), limit=numbers, value=numbers)
def test_answers_and_facts_compare_alike(op: str, limit: float, value: float) -> None:
    """The same comparison gives the same outcome whether its subject is an answer or a fact."""
    condition = Compare("n", op, limit)  # type: ignore[arg-type]
    assert on_answers(condition, {"n": value}, {"n": True}) is on_facts(condition, {"n": value})


def schema_ops(definition: str, subject: str) -> set[str]:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    compared = schema["$defs"][definition]["oneOf"][0]["properties"]
    return set(compared) - {subject}


def test_the_schema_allows_exactly_the_operators_the_evaluator_knows() -> None:
    assert schema_ops("condition", "question") == set(ANSWER_OPS)
    assert schema_ops("fact_condition", "fact") == set(FACT_OPS)
    assert set(ANSWER_OPS) | set(FACT_OPS) == set(get_args(CompareOp))


def load_text(tmp_path: Path, text: str) -> Guide:
    path = tmp_path / "example.yaml"
    path.write_text(text, encoding="utf-8")
    return load_guide(path)


def test_answer_conditions_may_compare_strictly(tmp_path: Path) -> None:
    guide = load_text(tmp_path, example_guide_text().replace(
        "when: {question: went_to_work, equals: true}",
        "when: {question: household_size, more_than: 2}", 1).replace(
        "        reveals_contacts: true\n", ""))
    (rule,) = guide.probing.consistency
    assert on_answers(rule.when, {"household_size": 3}, {"household_size": True}) is True
    assert on_answers(rule.when, {"household_size": 2}, {"household_size": True}) is False


def test_a_numeric_comparison_on_a_yes_no_question_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GuideError) as raised:
        load_text(tmp_path, example_guide_text().replace(
            "when: {question: went_to_work, equals: true}",
            "when: {question: went_to_work, less_than: 1}", 1))
    assert any("less_than needs a number question" in m for m in raised.value.messages)


def test_fact_rules_may_list_values(tmp_path: Path) -> None:
    guide = load_text(tmp_path, example_guide_text().replace(
        "when: {fact: duration_min, at_least: 15}", "when: {fact: duration_min, in: [15, 30]}",
        1))
    assert categorise(guide, {"duration_min": 30}).rule == "long-contact"
    assert categorise(guide, {"duration_min": 20}).rule == "other"
    assert not category_settled(guide, {"duration_min": 20})  # household may still decide
    assert category_settled(guide, {"household": False, "duration_min": 20})


def test_listed_fact_values_of_the_wrong_type_are_refused(tmp_path: Path) -> None:
    with pytest.raises(GuideError) as raised:
        load_text(tmp_path, example_guide_text().replace(
            "when: {fact: household, equals: true}", "when: {fact: household, in: [true, 'yes']}",
            1))
    assert any("fact 'household' is boolean; got 'yes'" in m for m in raised.value.messages)


def test_shipped_guides_use_only_known_operators(shipped: dict[str, Guide]) -> None:
    def ops(condition: Condition | None) -> set[str]:
        if condition is None:
            return set()
        if isinstance(condition, AllOf | AnyOf):
            return set().union(*(ops(part) for part in condition.conditions))
        return {condition.op}
    for guide in shipped.values():
        for question in guide.questions.values():
            assert ops(question.show_if) <= set(ANSWER_OPS)
        for consistency in guide.probing.consistency:
            assert ops(consistency.when) <= set(ANSWER_OPS)
        for rule in guide.categories.rules:
            assert ops(rule.when) <= set(FACT_OPS)
