"""Contacts, completeness state, prompt yield and people rows as pure functions."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest

from bco.domain.case import Case, IndexPerson
from bco.domain.interview import Interview
from bco.guides.loader import load_guides
from bco.guides.model import Guide
from bco.projections import completeness, contacts, people, prompt_yield

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def guide() -> Guide:
    from bco.config import Settings
    guides = load_guides(Settings().guides_dir)
    return next(g for g in guides.values() if "duration_min" in g.fact_types
                and "distance_m" in g.fact_types)


def interview_events(guide: Guide, *steps: Any) -> list[Any]:
    interview = Interview.start(interview_id=uuid4(), case_id=uuid4(), guide_id=guide.id,
                                guide_version=str(guide.version),
                                guide_hash=guide.content_hash, now=NOW, actor="anna")
    for step in steps:
        step(interview)
    return list(interview.collect_events())


def report(name: str = "Piet Bakker", **details: Any) -> Any:
    def step(interview: Interview) -> None:
        interview.report_contact(uuid4(), {"name": name, **details}, region="NL", now=NOW,
                                 actor="anna")
    return step


def test_contact_category_comes_from_facts_or_the_override(guide: Guide) -> None:
    events = interview_events(guide, report(phone="06 31234567", facts={"duration_min": 20,
                                                                        "distance_m": 1}))
    interview_row = {"interview_id": "i", "case_id": "c", "guide_id": guide.id}
    row = contacts.on_reported(interview_row, events[1], guide)
    assert row["category_source"] == "computed" and row["category"] and row["category_rule"]
    assert row["has_phone"] == 1 and "Piet" not in repr(row) and "+31" not in repr(row)
    overridden = contacts.categorised({**row, "category_override": "3"}, guide)
    assert (overridden["category"], overridden["category_source"]) == ("3", "override")


def test_contact_with_a_mistyped_fact_has_no_category_but_says_why(guide: Guide) -> None:
    events = interview_events(guide, report(facts={"duration_min": "long"}))
    row = contacts.on_reported({"interview_id": "i", "case_id": "c", "guide_id": guide.id},
                               events[1], guide)
    assert row["category"] is None and "duration_min" in row["category_problem"]


def test_completeness_state_masks_free_text_and_names(guide: Guide) -> None:
    text_question = next(q.id for q in guide.questions.values() if q.type == "text")
    number_question = next(q.id for q in guide.questions.values() if q.type == "number")
    assert completeness.stored_answer(guide, text_question, "Bij Jan thuis") == "(given)"
    assert completeness.stored_answer(guide, number_question, 3) == 3
    events = interview_events(guide, report(phone="06 31234567", household=True))
    state = completeness.evolve_state(completeness.EMPTY_STATE, events[1], guide)
    assert "Piet" not in json.dumps(state) and "+31" not in json.dumps(state)
    engine_view = completeness.engine_state(state, {"onset": "2026-11-22", "test_date": None})
    (contact,) = engine_view.contacts
    assert contact.name == "#1" and contact.reachable() and contact.household
    assert engine_view.onset == date(2026, 11, 22)


def test_completeness_counts_a_removed_contact_no_more(guide: Guide) -> None:
    contact_id = uuid4()

    def remove(interview: Interview) -> None:
        interview.remove_contact(contact_id, "double", now=NOW, actor="anna")

    def add(interview: Interview) -> None:
        interview.report_contact(contact_id, {"name": "X"}, region="NL", now=NOW, actor="anna")
    state: dict[str, Any] = completeness.EMPTY_STATE
    for event in interview_events(guide, add, remove)[1:]:
        state = completeness.evolve_state(state, event, guide)
    assert completeness.engine_state(state, None).contacts == ()


def test_prompt_yield_groups_day_prompts() -> None:
    assert prompt_yield.prompt_key("day:2026-11-20") == "day"
    assert prompt_yield.prompt_key("setting:work") == "setting:work"
    assert prompt_yield.prompt_key(None) == "(unprompted)"


def test_people_rows_hold_what_search_needs() -> None:
    case = Case.register(
        case_id=uuid4(), person=IndexPerson(name="  Sanne  de Vries", phone="06 12345678",
                                            email="S@Example.org"),
        disease="covid-19", onset=date(2026, 11, 20), test_date=None, source="lab",
        received_at=NOW, region="NL", now=NOW, actor="lead")
    case.correct_details({"phone": "06 23456789"}, region="NL", now=NOW, actor="lead")
    registered, corrected = case.collect_events()
    row = people.on_case_event(people.on_case_event(None, registered), corrected)
    assert (row["name_key"], row["email"], row["phone"]) == ("sanne de vries",
                                                             "s@example.org", "+31623456789")
