"""Engine properties over random interviews: never raises, never re-asks, never regresses, and
says what changed exactly as two full layouts would."""

from __future__ import annotations

import dataclasses
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import example_guide_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bco.domain.errors import DomainError
from bco.guides.answers import checked_answer
from bco.guides.completeness import assess, completeness
from bco.guides.engine import all_steps, changes, next_steps
from bco.guides.loader import default_guides_dir, load_guide, load_guides
from bco.guides.model import Guide
from bco.guides.progress import measure
from bco.guides.state import ContactFacts, InterviewState, known_step_ids


def _guides() -> list[Guide]:
    """The shipped guides plus the docs example."""
    guides = list(load_guides(default_guides_dir()).values())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "example.yaml"
        path.write_text(example_guide_text(), encoding="utf-8")
        guides.append(load_guide(path))
    return guides


GUIDES = _guides()
ONSET = date(2026, 11, 20)
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

answer_values = st.one_of(
    st.booleans(), st.integers(-3, 12), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8), st.none(), st.lists(st.sampled_from(["fever", "cough", "x"])),
    st.dates(date(2026, 8, 1), date(2026, 12, 31)).map(date.isoformat),
)


def probe_ids(guide: Guide) -> list[str]:
    """Every id a tracer can mark done, including the days around the onset."""
    days = [f"day:{(ONSET + timedelta(days=n)).isoformat()}" for n in range(-5, 12)]
    return sorted(known_step_ids(guide)) + days


def as_stored(guide: Guide, answers: dict[str, object], today: date | None) -> dict[str, object]:
    """The answers the domain would store on `today` (None: any value, as a damaged or old
    store could hold): each checked as the interview checks it, refused ones left out."""
    if today is None:
        return answers
    stored = {}
    for question, value in answers.items():
        try:
            stored[question] = checked_answer(guide, question, value, today=today, region="NL")
        except DomainError:
            continue
    return stored


@st.composite
def interviews(draw: st.DrawFn, guide: Guide, today: date | None = None) -> InterviewState:
    """A random interview state: any answers (or those the domain accepts on `today`), probes
    done and contacts, dates or not."""
    questions = sorted(guide.questions)
    answers = as_stored(guide, draw(st.dictionaries(st.sampled_from(questions), answer_values,
                                                    max_size=12)), today)
    done = draw(st.frozensets(st.sampled_from(probe_ids(guide)), max_size=10))
    contacts = draw(st.lists(contacts_of(guide), max_size=4))
    onset = draw(st.sampled_from([ONSET, None]))
    test_date = draw(st.sampled_from([None, ONSET + timedelta(days=1)]))
    return InterviewState(answers=answers, contacts=tuple(contacts), done=done, onset=onset,
                          test_date=test_date)


@st.composite
def contacts_of(draw: st.DrawFn, guide: Guide, complete: bool = False) -> ContactFacts:
    """A contact; a complete one has every detail the guide requires."""
    day = draw(st.dates(ONSET - timedelta(days=5), ONSET + timedelta(days=10)))
    category = draw(st.sampled_from([c.id for c in guide.categories.categories]))
    return ContactFacts(
        name=draw(st.sampled_from(["Sam", "Noor"]) if complete else st.text(max_size=5)),
        day=day if complete else draw(st.sampled_from([day, None])),
        setting=draw(st.sampled_from([None, *sorted(guide.setting_ids)])),
        prompt=draw(st.sampled_from([None, *probe_ids(guide)])),
        household=draw(st.booleans()),
        phone="+31612345678" if complete else draw(st.sampled_from([None, "+31612345678"])),
        category=category if complete else draw(st.sampled_from([None, category])),
    )


@pytest.mark.parametrize("guide", GUIDES, ids=[g.id for g in GUIDES])
@SETTINGS
@given(data=st.data())
def test_engine_never_raises_and_never_asks_twice(guide: Guide, data: st.DataObject) -> None:
    state = data.draw(interviews(guide))
    today = ONSET + timedelta(days=data.draw(st.integers(-3, 14)))
    for language in guide.languages:
        steps = next_steps(guide, state, today, language)
        asked = {s.id for s in steps if s.kind == "question"}
        assert not asked & set(state.answers)
        assert not {s.id for s in steps if s.kind == "probe"} & state.done
        assert all(s.day is None or s.day <= today for s in steps)
        sections = all_steps(guide, state, today, language)
        assert len(sections) == len(guide.sections)
        result = completeness(guide, state, today, language)
        assert 0 <= result.score <= 100
        assert (result.score == 100) == (not result.missing)


@st.composite
def additions(draw: st.DrawFn, guide: Guide, state: InterviewState,
              today: date) -> InterviewState:
    """Record one fact: an answer the domain accepts on `today`, a probe done, a contact, a
    missing contact detail, or who informs a contact."""
    kind = draw(st.sampled_from(["answer", "done", "contact", "detail", "informs"]))
    if kind == "answer":
        open_questions = sorted(set(guide.questions) - set(state.answers))
        if open_questions:
            question = draw(st.sampled_from(open_questions))
            value = (draw(st.sampled_from(["index", "authority", "mixed"]))
                     if question == guide.inform_question else draw(answer_values))
            given_answer = as_stored(guide, {question: value}, today)
            return dataclasses.replace(state, answers={**state.answers, **given_answer})
    if kind == "done":
        return dataclasses.replace(
            state, done=state.done | {draw(st.sampled_from(probe_ids(guide)))})
    if kind in ("detail", "informs") and state.contacts:
        index = draw(st.integers(0, len(state.contacts) - 1))
        contact = state.contacts[index]
        if kind == "informs":
            filled = dataclasses.replace(
                contact, informs=draw(st.sampled_from(["index", "authority"])))
        else:
            filled = dataclasses.replace(
                contact,
                name=contact.name or "Sam",
                phone=contact.phone or "+31612345678",
                day=contact.day or ONSET,
                category=contact.category or guide.categories.categories[0].id,
            )
        contacts = list(state.contacts)
        contacts[index] = filled
        return dataclasses.replace(state, contacts=tuple(contacts))
    complete = draw(st.booleans())
    return dataclasses.replace(
        state, contacts=(*state.contacts, draw(contacts_of(guide, complete=complete))))


@pytest.mark.parametrize("guide", GUIDES, ids=[g.id for g in GUIDES])
@SETTINGS
@given(data=st.data())
def test_a_fact_lowers_the_score_only_by_opening_items_it_names(guide: Guide,
                                                                 data: st.DataObject) -> None:
    state = InterviewState(onset=data.draw(st.sampled_from([ONSET, None])))
    today = ONSET + timedelta(days=data.draw(st.integers(0, 12)))
    assessment = assess(guide, state, today)
    for _ in range(data.draw(st.integers(1, 40))):
        state = data.draw(additions(guide, state, today))
        after = assess(guide, state, today)
        opened = after.opened_since(assessment)
        if after.score < assessment.score:
            assert opened, state
            worded = {m.item for m in after.render("en").missing}
            assert {gap.item for gap in opened} <= worded
        assessment = after


@st.composite
def one_answer_more(draw: st.DrawFn, guide: Guide, state: InterviewState,
                    today: date) -> InterviewState:
    """The same interview with one answer given, changed or (rarely) taken back; a value the
    domain refuses on `today` changes nothing."""
    answered = sorted(set(state.answers) & set(guide.questions))
    question = draw(st.sampled_from(answered) if answered and draw(st.booleans())
                    else st.sampled_from(sorted(guide.questions)))
    answers = {**state.answers, **as_stored(guide, {question: draw(answer_values)}, today)}
    if draw(st.integers(0, 9)) == 0 and question in answers:
        del answers[question]
    return dataclasses.replace(state, answers=answers)


@pytest.mark.parametrize("guide", GUIDES, ids=[g.id for g in GUIDES])
@SETTINGS
@given(data=st.data())
def test_changes_are_what_two_full_layouts_show(guide: Guide, data: st.DataObject) -> None:
    """The screen redraws from one engine run what it redrew from two: the steps shown
    differently, whether steps came or went, and whether the score could have moved."""
    today = ONSET + timedelta(days=data.draw(st.integers(-3, 14)))
    before = data.draw(interviews(guide, today))
    after = data.draw(st.one_of(one_answer_more(guide, before, today),
                                interviews(guide, today)))
    language = data.draw(st.sampled_from(guide.languages))
    progress = measure(guide, after, today)
    shown = all_steps(guide, after, today, language, progress=progress)
    found = changes(guide, before, after, today, language, progress=progress, sections=shown)
    earlier = {view.step.id: view
               for section in all_steps(guide, before, today, language)
               for view in section.steps}
    views = [view for section in shown for view in section.steps]
    assert found.steps == {view.step.id for view in views if earlier.get(view.step.id) != view}
    assert found.layout == (list(earlier) != [view.step.id for view in views])
    inform = guide.inform_question
    assert found.measured == (measure(guide, before, today) != progress
                              or before.contacts != after.contacts
                              or (inform is not None
                                  and before.answers.get(inform) != after.answers.get(inform)))
    if not found.measured:  # then the side panels need no redraw
        assert completeness(guide, before, today, language) == completeness(
            guide, after, today, language)



@pytest.mark.parametrize("guide", GUIDES, ids=[g.id for g in GUIDES])
def test_nothing_asked_scores_nothing(guide: Guide) -> None:
    assert completeness(guide, InterviewState(), ONSET).score == 0
