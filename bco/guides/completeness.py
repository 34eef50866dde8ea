"""How sure we are the contact list is whole: a score and what is missing, while still on the phone.

Every requirement is a fixed set of units whose count does not depend on the answers, and a unit
only moves from missing to met when something is added; so the score never drops when a tracer
answers, probes or records a contact with its details. The one exception is meant: an onset
date from the index that moves the infectious window opens the days it adds.

The assessment is the same in every language; only the wording of a gap differs, so `assess`
works once and `Assessment.render` words it per language (a projection stores every language).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from bco.guides import prompt_ids
from bco.guides.categories import category_settled
from bco.guides.model import ContactField, Guide, Requirement, Text
from bco.guides.phrasing import default_needs, format_day, missing_text
from bco.guides.progress import Progress, blocking_question, measure
from bco.guides.state import ContactFacts, InterviewState

GapValue = Text | date | int | str
"""What a gap fills into its phrase: guide text and days are worded per language, the rest as is."""


@dataclass(frozen=True)
class MissingItem:
    """One gap: a stable key, the step id that fixes it, and a line for the tracer."""

    item: str
    step: str
    text: str

    def to_json(self) -> dict[str, str]:
        """Return the CLI/API shape."""
        return {"item": self.item, "step": self.step, "text": self.text}


@dataclass(frozen=True)
class Completeness:
    """A score from 0 to 100 (100 only when nothing is missing) and the missing items."""

    score: int
    missing: list[MissingItem]

    def to_json(self) -> dict[str, Any]:
        """Return the CLI/API shape."""
        return {"score": self.score, "missing": [m.to_json() for m in self.missing]}


class Gap(NamedTuple):
    """A missing item before it is worded: the phrase key and the values to fill into it."""

    item: str
    step: str
    phrase: str
    values: tuple[tuple[str, GapValue], ...] = ()

    def in_language(self, language: str) -> MissingItem:
        """Return the gap as the missing item a tracer reading `language` sees."""
        return MissingItem(self.item, self.step, _worded(self.phrase, self.values, language))

    def to_json(self, language: str) -> dict[str, str]:
        """Return `in_language(language).to_json()` without building the item on the way."""
        return {"item": self.item, "step": self.step,
                "text": _worded(self.phrase, self.values, language)}


@dataclass(frozen=True)
class Assessment:
    """The score and the gaps, which do not depend on the language they are read in."""

    score: int
    gaps: tuple[Gap, ...]

    def render(self, language: str) -> Completeness:
        """Word every gap in `language`."""
        return Completeness(self.score, [gap.in_language(language) for gap in self.gaps])


def completeness(guide: Guide, state: InterviewState, today: date, language: str = "en", *,
                 progress: Progress | None = None) -> Completeness:
    """Score the interview against the guide's requirements and list what is still missing.

    `progress` is `measure(guide, state, today)` when the caller has it already.
    """
    return assess(guide, state, today, progress=progress).render(language)


def assess(guide: Guide, state: InterviewState, today: date, *,
           progress: Progress | None = None) -> Assessment:
    """Score the interview and find its gaps once, for wording in any language."""
    if progress is None:
        progress = measure(guide, state, today)
    # shares as exact (met, total) integer pairs: the score is floor(100 * earned / total
    # weight) of exact rationals, done with integers because Fraction costs most of a call
    shares: dict[Requirement, Share] = {}
    gaps: list[Gap] = []
    for requirement, _weight in guide.completeness.weights:
        share, found = _MEASURES[requirement](guide, state, progress)
        shares[requirement] = share
        gaps.extend(found)
    total = 0
    earned, denominator = 0, 1
    for requirement, weight in guide.completeness.weights:
        met, units = shares[requirement]
        total += weight
        earned, denominator = earned * units + weight * met * denominator, denominator * units
    if all(met == units for met, units in shares.values()):
        score = 100
    else:
        score = min(99, (100 * earned) // (denominator * total))
    return Assessment(score=score, gaps=tuple(gaps))


@lru_cache(maxsize=8192)
def _worded(phrase: str, values: tuple[tuple[str, GapValue], ...], language: str) -> str:
    """Fill a phrase; cached, as the same guide texts and days are worded over and over."""
    return missing_text(phrase, language, **{name: _word(value, language)
                                             for name, value in values})


def _word(value: GapValue, language: str) -> str | int:
    """Put one value of a gap into `language`."""
    if isinstance(value, Text):
        return value.in_language(language)
    if isinstance(value, date):
        return format_day(value, language)
    return value


Share = tuple[int, int]
Measured = tuple[Share, list[Gap]]
FULL: Share = (1, 1)
NONE: Share = (0, 1)


def _share(met: int, total: int) -> Share:
    """Return met out of total, counting an empty requirement as fully met."""
    return (met, total) if total else FULL


def _dates(guide: Guide, state: InterviewState, progress: Progress) -> Measured:
    """The exposure window needs symptom onset or a test date."""
    if progress.windows is not None:
        return FULL, []
    return NONE, [Gap("dates", guide.windows.onset_question or "dates", "dates")]


def _questions(guide: Guide, state: InterviewState, progress: Progress) -> Measured:
    """Required questions count as met once answered or once their condition cannot hold."""
    met = 0
    units = 0
    gaps = []
    for question in guide.questions.values():
        if not question.required:
            continue
        units += 1
        status = progress.questions[question.id]
        if status not in ("open", "waiting"):
            met += status in ("answered", "skipped")
            continue
        step = question.id
        if status == "waiting" and question.show_if is not None:
            step = blocking_question(guide, question.show_if, state.answers,
                                     progress.applicable) or question.id
        # a follow-up not shown yet says so; its link goes to the answer it waits for
        phrase = "question_after" if step != question.id else "question"
        gaps.append(Gap(f"question:{question.id}", step, phrase, (("text", question.text),)))
    return _share(met, units), gaps


def _days(guide: Guide, state: InterviewState, progress: Progress) -> Measured:
    """Every day of the infectious window up to today walked through, with contacts or 'nobody'."""
    if progress.windows is None:
        if guide.completeness.weight("dates"):
            return NONE, []
        return _dates(guide, state, progress)
    walked = progress.walked_days
    gaps = []
    for day in progress.due_days:
        if day not in walked:
            key = prompt_ids.for_day(day)
            gaps.append(Gap(key, key, "day", (("day", day),)))
    return _share(len(walked), len(progress.due_days)), gaps


def _settings(guide: Guide, state: InterviewState, progress: Progress) -> Measured:
    """Every setting of the guide asked about."""
    asked = progress.asked_settings
    gaps = [
        Gap(prompt_ids.for_setting(s.id), prompt_ids.for_setting(s.id), "setting",
            (("setting", s.label),))
        for s in guide.settings if s.id not in asked
    ]
    return _share(len(asked), len(guide.settings)), gaps


def _household(guide: Guide, state: InterviewState, progress: Progress) -> Measured:
    """Household size asked, and as many housemates recorded (or the follow-up answered)."""
    rule = guide.probing.household
    if rule is None or progress.household == "settled":
        return FULL, []
    if progress.household_stated is None:
        return NONE, [Gap(prompt_ids.HOUSEHOLD, rule.size_question, "household_size")]
    stated, recorded = progress.household_stated, progress.household_recorded
    # each housemate stated, plus the check itself: counts that match are not yet an answer
    return (min(recorded, stated), stated + 1), [
        Gap(prompt_ids.HOUSEHOLD, prompt_ids.HOUSEHOLD, "household",
            (("stated", stated), ("recorded", recorded))),
    ]


def _consistency(guide: Guide, state: InterviewState, progress: Progress) -> Measured:
    """Every follow-up that an answer triggered has been asked."""
    rules = guide.probing.consistency
    met = 0
    gaps = []
    for rule in rules:
        status = progress.consistency[rule.id]
        if status == "settled":
            met += 1
            continue
        step = prompt_ids.for_consistency(rule.id)
        if status == "waiting":
            step = blocking_question(guide, rule.when, state.answers, progress.applicable) or step
        gaps.append(Gap(prompt_ids.for_consistency(rule.id), step, "consistency",
                        (("text", rule.text),)))
    return _share(met, len(rules)), gaps


def _contacts(guide: Guide, state: InterviewState, progress: Progress) -> Measured:
    """Every contact has the details the guide requires."""
    fields = guide.completeness.contact_fields
    needs = guide.categories.needs or default_needs(guide.languages)  # worded per guide
    met = 0
    gaps: list[Gap] = []
    for index, contact in enumerate(state.contacts):
        key = contact.id or str(index)
        label = contact.name.strip() or f"#{index + 1}"
        for name in fields:
            if _has_field(guide, contact, name):
                met += 1
            else:
                values: tuple[tuple[str, GapValue], ...] = (("contact", label),)
                if name == "category":
                    values += (("needs", needs),)
                gaps.append(Gap(f"contact:{key}:{name}", f"contact:{key}", f"contact_{name}",
                                values))
    return _share(met, len(fields) * len(state.contacts)), gaps


def _has_field(guide: Guide, contact: ContactFacts, name: ContactField) -> bool:
    """Tell whether one required contact detail is present."""
    if name == "name":
        return bool(contact.name.strip())
    if name == "reach":
        return contact.reachable()
    if name == "day":
        return contact.day is not None
    return bool(contact.category) or category_settled(guide, contact.category_facts(guide))


def _final(guide: Guide, state: InterviewState, progress: Progress) -> Measured:
    """The closing 'anyone else?' pass has been done."""
    if progress.final_done:
        return FULL, []
    return NONE, [Gap(prompt_ids.FINAL, prompt_ids.FINAL, "final")]


_MEASURES = {
    "dates": _dates, "questions": _questions, "days": _days, "settings": _settings,
    "household": _household, "consistency": _consistency, "contacts": _contacts, "final": _final,
}
