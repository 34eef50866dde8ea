"""Property: the completeness read model hands the guide engine the state the interview screen
does (names and numbers masked), so a lead sees the score the tracer sees."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bco.config import Settings
from bco.domain.errors import DomainError
from bco.domain.interview import Interview
from bco.guides.completeness import assess
from bco.guides.loader import load_guides
from bco.guides.model import Guide
from bco.guides.state import InterviewState, build_state
from bco.projections import completeness

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
ONSET = date(2026, 11, 20)


@pytest.fixture(scope="module")
def guide() -> Guide:
    return load_guides(Settings().guides_dir)["covid-19"]


def commands(guide: Guide) -> st.SearchStrategy[list[tuple[str, Any]]]:
    questions = [q for q in guide.questions.values() if q.type != "contacts"]
    answer = st.sampled_from(questions).flatmap(lambda q: st.tuples(st.just(q.id), {
        "yesno": st.booleans(), "number": st.integers(0, 6),
        "date": st.just(ONSET), "choice": st.sampled_from([o.value for o in q.options] or ["x"]),
        "multichoice": st.lists(st.sampled_from([o.value for o in q.options] or ["x"]),
                                max_size=2, unique=True),
    }.get(q.type, st.sampled_from(["Bij Jan thuis", ""]))))
    details = st.fixed_dictionaries({}, optional={
        "phone": st.sampled_from(["06 31234567", ""]),
        "email": st.sampled_from(["piet@example.org", ""]),
        "unreachable_reason": st.sampled_from(["no phone, lives abroad", ""]),
        "day": st.sampled_from([ONSET + timedelta(days=n) for n in range(-2, 4)]),
        "setting": st.sampled_from(sorted(guide.setting_ids)),
        "prompt": st.sampled_from(["final", "household", "day:2026-11-21", "setting:work"]),
        "household": st.booleans(),
        "informs": st.sampled_from(["index", "authority", None]),
        "facts": st.fixed_dictionaries({}, optional={
            "duration_min": st.integers(0, 60), "distance_m": st.sampled_from([0.5, 1.5, 3]),
            "high_risk_exposure": st.booleans()}),
    })
    override = st.sampled_from([{"category_override": "3", "override_reason": "lead said so"},
                                {"category_override": None}])
    return st.lists(st.one_of(
        st.tuples(st.just("answer"), answer),
        st.tuples(st.just("contact"), st.tuples(st.sampled_from(["Piet", ""]), details)),
        st.tuples(st.just("update"), st.tuples(st.integers(0, 4), st.one_of(details, override))),
        st.tuples(st.just("remove"), st.integers(0, 4)),
        st.tuples(st.just("probe"), st.sampled_from(["day:2026-11-21", "household", "final",
                                                     "setting:work"])),
        # the end of retention, then perhaps more contacts (as after a reopen)
        st.tuples(st.just("erase"), st.sampled_from([["contacts"], ["index"],
                                                     ["index", "contacts"]])),
    ), max_size=20)


def run(interview: Interview, command: tuple[str, Any], now: datetime) -> None:
    kind, argument = command
    at = {"now": now, "actor": "anna"}
    contacts = [c.contact_id for c in interview.contacts.values()]
    if kind == "answer":
        interview.record_answer(*argument, **at)
    elif kind == "contact":
        name, details = argument
        interview.report_contact(uuid4(), {"name": name or "?", **details}, region="NL", **at)
    elif kind == "update" and contacts:
        index, changes = argument
        interview.update_contact(contacts[index % len(contacts)], changes, region="NL", **at)
    elif kind == "remove" and contacts:
        interview.remove_contact(contacts[argument % len(contacts)], "reported twice", **at)
    elif kind == "probe":
        interview.raise_follow_up(argument, **at)
        interview.answer_follow_up(argument, nobody=True, **at)
    elif kind == "erase":
        interview.erase_personal_data(argument, **at)


def seen_alike(real: InterviewState, masked: InterviewState, guide: Guide) -> None:
    assert masked.answers == {q: completeness.stored_answer(guide, q, v)
                              for q, v in real.answers.items()}
    assert (masked.done, masked.onset, masked.test_date) == (real.done, real.onset,
                                                              real.test_date)
    assert len(masked.contacts) == len(real.contacts)
    for number, (mine, theirs) in enumerate(zip(real.contacts, masked.contacts,
                                                strict=True), start=1):
        assert theirs.name == (f"#{number}" if mine.name.strip() else "")
        assert (theirs.id, theirs.day, theirs.setting, theirs.prompt, theirs.household,
                dict(theirs.facts), theirs.category, theirs.informs, theirs.erased) == (
            mine.id, mine.day, mine.setting, mine.prompt, mine.household, dict(mine.facts),
            mine.category, mine.informs, mine.erased)
        assert (bool(theirs.phone), bool(theirs.email), bool(theirs.unreachable_reason)) == (
            bool(mine.phone), bool(mine.email), bool(mine.unreachable_reason))
        assert theirs.reachable() == mine.reachable()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_read_model_state_is_the_screens_state_masked(guide: Guide, data: Any) -> None:
    interview = Interview.start(interview_id=uuid4(), case_id=uuid4(), guide_id=guide.id,
                                guide_version=str(guide.version),
                                guide_hash=guide.content_hash, now=NOW, actor="anna")
    stored: dict[str, Any] = completeness.EMPTY_STATE
    moment = NOW
    for command in data.draw(commands(guide)):
        moment += timedelta(minutes=1)
        try:
            run(interview, command, moment)
        except DomainError:
            continue
        for event in interview.collect_events():
            stored = json.loads(json.dumps(completeness.evolve_state(stored, event, guide)))
    interview.collect_events()
    case = {"onset": ONSET.isoformat(), "test_date": None}
    real = build_state(interview.answers, interview.live_contacts, interview.done_prompts,
                       ONSET, None)
    masked = completeness.engine_state(stored, case)
    seen_alike(real, masked, guide)
    today = ONSET + timedelta(days=5)
    found, expected = assess(guide, masked, today), assess(guide, real, today)
    assert found.score == expected.score
    assert [gap.item for gap in found.gaps] == [gap.item for gap in expected.gaps]


def test_a_reason_instead_of_a_phone_number_counts_in_both(guide: Guide) -> None:
    interview = Interview.start(interview_id=uuid4(), case_id=uuid4(), guide_id=guide.id,
                                guide_version=str(guide.version),
                                guide_hash=guide.content_hash, now=NOW, actor="anna")
    contact_id = uuid4()
    interview.report_contact(contact_id, {"name": "Piet"}, region="NL", now=NOW, actor="anna")
    interview.update_contact(contact_id, {"unreachable_reason": "lives abroad, no phone"},
                             region="NL", now=NOW, actor="anna")
    stored: dict[str, Any] = completeness.EMPTY_STATE
    for event in interview.collect_events():
        stored = completeness.evolve_state(stored, event, guide)
    (masked,) = completeness.engine_state(stored, None).contacts
    (real,) = build_state(interview.answers, interview.live_contacts, (), None, None).contacts
    assert masked.reachable() and real.reachable()
