"""One assessment worded in each language says what scoring each language on its own says."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_guide_properties import GUIDES, ONSET, SETTINGS, interviews

import bco.guides.completeness as completeness_module
from bco.guides.categories import category_settled
from bco.guides.completeness import Completeness, MissingItem, assess, completeness
from bco.guides.conditions import on_answers
from bco.guides.model import Guide
from bco.guides.phrasing import default_needs, format_day, missing_text
from bco.guides.progress import (
    Progress,
    blocking_question,
    effective_dates,
    measure,
)
from bco.guides.state import InterviewState
from bco.guides.windows import exposure_windows
from bco.projections.completeness import evaluate

TODAY = ONSET + timedelta(days=1)
days_from_onset = st.one_of(st.integers(-3, 14), st.integers(-100, 20))
Scored = tuple[tuple[int, int], list[MissingItem]]


def scored_in(guide: Guide, state: InterviewState, today: date, language: str) -> Completeness:
    """Score and word every gap straight in `language` with exact fractions: weighted items
    done over weighted items required, per the definition in DOMAIN.md."""
    progress = measure(guide, state, today)

    def say(key: str, **values: object) -> str:
        return missing_text(key, language, **values)

    def dates() -> Scored:
        if progress.windows is not None:
            return (1, 1), []
        return (0, 1), [MissingItem("dates", guide.windows.onset_question or "dates",
                                    say("dates"))]

    def questions() -> Scored:
        required = [q for q in guide.questions.values()
                    if q.required and progress.questions[q.id] != "skipped"]
        items = []
        for q in required:
            status = progress.questions[q.id]
            if status in ("open", "waiting"):
                step = q.id
                if status == "waiting" and q.show_if is not None:
                    step = blocking_question(guide, q.show_if, state.answers,
                                             progress.applicable) or q.id
                phrase = "question_after" if step != q.id else "question"
                items.append(MissingItem(f"question:{q.id}", step,
                                         say(phrase, text=q.text.in_language(language))))
        met = sum(1 for q in required if progress.questions[q.id] == "answered")
        return (met, len(required)), items

    def days() -> Scored:
        if progress.windows is None:
            return ((0, 0), []) if guide.completeness.weight("dates") else dates()
        items = [MissingItem(f"day:{d}", f"day:{d}", say("day", day=format_day(d, language)))
                 for d in progress.due_days if d not in progress.walked_days]
        return (len(progress.walked_days), len(progress.due_days)), items

    def settings() -> Scored:
        items = [MissingItem(f"setting:{s.id}", f"setting:{s.id}",
                             say("setting", setting=s.label.in_language(language)))
                 for s in guide.settings if s.id not in progress.asked_settings]
        return (len(progress.asked_settings), len(guide.settings)), items

    def household() -> Scored:
        rule = guide.probing.household
        stated = progress.household_stated
        if rule is None or (progress.household == "settled" and stated is None):
            return (0, 0), []
        if stated is None:
            return (0, 1), [MissingItem("household", rule.size_question, say("household_size"))]
        if progress.household == "settled":
            return (max(stated, 1), max(stated, 1)), []
        recorded = progress.household_recorded
        return (min(recorded, stated), max(stated, 1) + 1), [MissingItem(
            "household", "household", say("household", stated=stated, recorded=recorded))]

    def consistency() -> Scored:
        met = total = 0
        items = []
        for rule in guide.probing.consistency:
            status = progress.consistency[rule.id]
            resolved = f"consistency:{rule.id}" in state.done or any(
                c.setting == rule.unless_contacts_in for c in state.contacts)
            if status == "settled":
                met, total = met + resolved, total + resolved
                continue
            total += 1
            step = f"consistency:{rule.id}"
            if status == "waiting":
                step = blocking_question(guide, rule.when, state.answers,
                                         progress.applicable) or step
            items.append(MissingItem(f"consistency:{rule.id}", step,
                                     say("consistency", text=rule.text.in_language(language))))
        return (met, total), items

    def contacts() -> Scored:
        fields = list(guide.completeness.contact_fields)
        question = guide.inform_question
        if question is not None and progress.questions[question] != "skipped":
            fields.append("informs")
        answer = state.answers.get(question) if question else None
        needs = guide.categories.needs or default_needs(guide.languages)
        met, items = 0, []
        for index, c in enumerate(state.contacts):
            key, label = c.id or str(index), c.name.strip() or f"#{index + 1}"
            present = {"name": bool(c.name.strip()), "reach": c.reachable(),
                       "day": c.day is not None,
                       "category": bool(c.category)
                       or category_settled(guide, c.category_facts(guide)),
                       "informs": bool(c.informs) or answer in ("index", "authority")}
            for name in fields:
                if present[name]:
                    met += 1
                else:
                    step = (question if name == "informs" and question and answer is None
                            else f"contact:{key}")
                    items.append(MissingItem(f"contact:{key}:{name}", step,
                                             say(f"contact_{name}", contact=label,
                                                 needs=needs.in_language(language))))
        return (met, len(fields) * len(state.contacts)), items

    def final() -> Scored:
        if progress.final_done:
            return (1, 1), []
        return (0, 1), [MissingItem("final", "final", say("final"))]

    measures: dict[str, Callable[[], Scored]] = {
        "dates": dates, "questions": questions, "days": days, "settings": settings,
        "household": household, "consistency": consistency, "contacts": contacts,
        "final": final,
    }
    earned = required = 0
    missing: list[MissingItem] = []
    for requirement, weight in guide.completeness.weights:
        (met, total), items = measures[requirement]()
        earned += weight * met
        required += weight * total
        missing.extend(items)
    if not missing:
        return Completeness(100, missing)
    return Completeness(min(99, math.floor(Fraction(100 * earned, required))), missing)


@pytest.mark.parametrize("guide", GUIDES, ids=[g.id for g in GUIDES])
@SETTINGS
@given(data=st.data())
def test_one_assessment_words_each_language_as_scoring_it_alone(guide: Guide,
                                                                 data: st.DataObject) -> None:
    state = data.draw(interviews(guide))
    today = ONSET + timedelta(days=data.draw(days_from_onset))
    assessment = assess(guide, state, today)
    score, stored = evaluate(guide, state, today)
    for language in guide.languages:
        expected = scored_in(guide, state, today, language)
        assert assessment.render(language) == expected
        assert completeness(guide, state, today, language) == expected
        assert stored[language] == [item.to_json() for item in expected.missing]
        assert score == expected.score
    first, *others = guide.languages
    for language in others:
        assert [(g.item, g.step) for g in assessment.render(language).missing] == [
            (g.item, g.step) for g in assessment.render(first).missing]
        if assessment.gaps:
            assert assessment.render(language) != assessment.render(first), "texts differ"


def counted(monkeypatch: pytest.MonkeyPatch) -> list[Progress]:
    """Count the engine's calls of `measure` from the completeness module."""
    results: list[Progress] = []

    def measuring(guide: Guide, state: InterviewState, today: date) -> Progress:
        results.append(measure(guide, state, today))
        return results[-1]

    monkeypatch.setattr(completeness_module, "measure", measuring)
    return results


def test_assess_measures_once_for_every_language(covid: Guide,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    calls = counted(monkeypatch)
    assessment = assess(covid, InterviewState(onset=ONSET), TODAY)
    rendered = [assessment.render(language) for language in covid.languages]
    assert len(calls) == 1
    assert len(rendered) == 2 and all(r.missing for r in rendered)


def test_the_projection_measures_once_for_every_language(covid: Guide,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    calls = counted(monkeypatch)
    score, missing = evaluate(covid, InterviewState(onset=ONSET), TODAY)
    assert len(calls) == 1
    assert sorted(missing) == ["en", "nl"] and missing["en"] and missing["nl"]
    assert 0 <= score < 100


def test_a_given_progress_is_not_measured_again(covid: Guide,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    state = InterviewState(onset=ONSET)
    progress = measure(covid, state, TODAY)
    calls = counted(monkeypatch)
    result = completeness(covid, state, TODAY, "nl", progress=progress)
    assert calls == []
    assert result == scored_in(covid, state, TODAY, "nl")


@pytest.mark.parametrize("guide", GUIDES, ids=[g.id for g in GUIDES])
@SETTINGS
@given(data=st.data())
def test_measure_follows_the_definitions_of_days_settings_and_follow_ups(
        guide: Guide, data: st.DataObject) -> None:
    state = data.draw(interviews(guide))
    today = ONSET + timedelta(days=data.draw(days_from_onset))
    progress = measure(guide, state, today)
    onset, test_date = effective_dates(guide, state)
    days: list[date] = []
    if onset is None and test_date is None:
        assert progress.windows is None
    else:
        assert progress.windows == exposure_windows(guide, onset, test_date)
        if guide.probing.days is not None:
            days = progress.windows.infectious.days()
    assert progress.due_days == tuple(d for d in days if d <= today)
    assert progress.later_days == tuple(d for d in days if d > today)
    marked = state.done | {c.prompt for c in state.contacts if c.prompt}
    assert progress.walked_days == {
        d for d in progress.due_days if f"day:{d.isoformat()}" in marked}
    assert progress.asked_settings == {s for s in guide.setting_ids if f"setting:{s}" in marked}
    for rule in guide.probing.consistency:
        resolved = f"consistency:{rule.id}" in state.done or any(
            c.setting == rule.unless_contacts_in for c in state.contacts)
        triggered = on_answers(rule.when, state.answers, progress.applicable)
        expected = ("settled" if resolved or triggered is False
                    else "waiting" if triggered is None else "open")
        assert progress.consistency[rule.id] == expected
