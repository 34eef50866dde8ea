"""How sure we are the contact list is whole: a score and what is missing, while still on the phone.

The score is the share of required items that are done: each item weighs its requirement's
weight in the guide, and an item counts only once something was asked or recorded for it, so an
interview starts near 0 and recording a fact never lowers the score unless the fact opens new
required items (a new contact's details, a follow-up an answer triggers, the days an onset
adds) -- and every open item is listed as missing, so the tracer sees what the drop is for.

The assessment is the same in every language; only the wording of a gap differs, so `assess`
works once and `Assessment.render` words it per language (a projection stores every language).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from bco.domain.personal import REMOVED
from bco.guides import prompt_ids
from bco.guides.categories import category_settled
from bco.guides.model import Guide, Text
from bco.guides.phrasing import default_needs, format_day, missing_text, removed_words
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

    def in_language(self, language: str, quoted: str | None = None) -> MissingItem:
        """Return the gap as the missing item a tracer reading `language` sees; the guide's
        own texts it quotes (a question, a setting) in `quoted`, the language the screen
        reads them out in, so the item matches the question on screen."""
        return MissingItem(self.item, self.step,
                           _worded(self.phrase, self.values, language, quoted or language))

    def to_json(self, language: str) -> dict[str, str]:
        """Return `in_language(language).to_json()` without building the item on the way."""
        return {"item": self.item, "step": self.step,
                "text": _worded(self.phrase, self.values, language, language)}


@dataclass(frozen=True)
class Assessment:
    """The score and the gaps, which do not depend on the language they are read in."""

    score: int
    gaps: tuple[Gap, ...]

    def render(self, language: str, quoted: str | None = None) -> Completeness:
        """Word every gap in `language`, quoting guide texts in `quoted` (default the same)."""
        return Completeness(self.score, [gap.in_language(language, quoted)
                                         for gap in self.gaps])

    def opened_since(self, before: Assessment) -> tuple[Gap, ...]:
        """The gaps a fact opened: what explains a score that went down after recording it."""
        known = set(before.gaps)
        return tuple(gap for gap in self.gaps if gap not in known)


def completeness(guide: Guide, state: InterviewState, today: date, language: str = "en", *,
                 progress: Progress | None = None, quoted: str | None = None) -> Completeness:
    """Score the interview against the guide's requirements and list what is still missing.

    `progress` is `measure(guide, state, today)` when the caller has it already; `quoted` is
    the language the guide's texts are quoted in (the screen's script language).
    """
    return assess(guide, state, today, progress=progress).render(language, quoted)


def assess(guide: Guide, state: InterviewState, today: date, *,
           progress: Progress | None = None) -> Assessment:
    """Score the interview and find its gaps once, for wording in any language."""
    if progress is None:
        progress = measure(guide, state, today)
    earned = required = 0
    gaps: list[Gap] = []
    for requirement, weight in guide.completeness.weights:
        (done, items), found = _MEASURES[requirement](guide, state, progress)
        earned += weight * done
        required += weight * items
        gaps.extend(found)
    # 100 only when nothing is missing; every gap holds at least one open item
    score = 100 if not gaps else min(99, 100 * earned // max(required, 1))
    return Assessment(score=score, gaps=tuple(gaps))


@lru_cache(maxsize=8192)
def _worded(phrase: str, values: tuple[tuple[str, GapValue], ...], language: str,
            quoted: str) -> str:
    """Fill a phrase; cached, as the same guide texts and days are worded over and over."""
    return missing_text(phrase, language, **{name: _word(value, language, quoted)
                                             for name, value in values})


def _word(value: GapValue, language: str, quoted: str) -> str | int:
    """Put one value of a gap into `language`; the guide's own texts into `quoted`."""
    if isinstance(value, Text):
        return value.in_language(quoted)
    if isinstance(value, date):
        return format_day(value, language)
    if value == REMOVED:  # a contact's name erased after retention
        return removed_words(language)
    return value


Share = tuple[int, int]  # (items done, items required) of one requirement
Measured = tuple[Share, list[Gap]]
NOTHING: Share = (0, 0)
DONE: Share = (1, 1)
OPEN: Share = (0, 1)


def _dates(guide: Guide, state: InterviewState, progress: Progress) -> Measured:
    """The exposure window needs symptom onset or a test date."""
    if progress.windows is not None:
        return DONE, []
    return OPEN, [Gap("dates", guide.windows.onset_question or "dates", "dates")]


def _questions(guide: Guide, state: InterviewState, progress: Progress) -> Measured:
    """Required questions: done once answered; one whose condition fails is not required, one
    whose condition is undecided still is (answering can then only lift the score)."""
    done = 0
    items = 0
    gaps = []
    for question in guide.questions.values():
        if not question.required:
            continue
        status = progress.questions[question.id]
        if status == "skipped":
            continue
        items += 1
        if status == "answered":
            done += 1
            continue
        step = question.id
        if status == "waiting" and question.show_if is not None:
            step = blocking_question(guide, question.show_if, state.answers,
                                     progress.applicable) or question.id
        # a follow-up not shown yet says so; its link goes to the answer it waits for
        phrase = "question_after" if step != question.id else "question"
        gaps.append(Gap(f"question:{question.id}", step, phrase, (("text", question.text),)))
    return (done, items), gaps


def _days(guide: Guide, state: InterviewState, progress: Progress) -> Measured:
    """Every day of the infectious window up to today walked through, with contacts or 'nobody'."""
    if progress.windows is None:
        if guide.completeness.weight("dates"):
            return NOTHING, []
        return _dates(guide, state, progress)
    walked = progress.walked_days
    gaps = []
    for day in progress.due_days:
        if day not in walked:
            key = prompt_ids.for_day(day)
            gaps.append(Gap(key, key, "day", (("day", day),)))
    return (len(walked), len(progress.due_days)), gaps


def _settings(guide: Guide, state: InterviewState, progress: Progress) -> Measured:
    """Every setting of the guide asked about."""
    asked = progress.asked_settings
    gaps = [
        Gap(prompt_ids.for_setting(s.id), prompt_ids.for_setting(s.id), "setting",
            (("setting", s.label),))
        for s in guide.settings if s.id not in asked
    ]
    return (len(asked), len(guide.settings)), gaps


def _household(guide: Guide, state: InterviewState, progress: Progress) -> Measured:
    """One item per housemate stated (at least one, for asking the size), each done when
    recorded or when the household check settled it."""
    rule = guide.probing.household
    stated, recorded = progress.household_stated, progress.household_recorded
    if rule is None or (progress.household == "settled" and stated is None):
        return NOTHING, []
    if stated is None:
        return OPEN, [Gap(prompt_ids.HOUSEHOLD, rule.size_question, "household_size")]
    items = max(stated, 1)
    if progress.household == "settled":
        return (items, items), []
    # each housemate stated, plus the check itself: counts that match are not yet an answer
    return (min(recorded, stated), items + 1), [
        Gap(prompt_ids.HOUSEHOLD, prompt_ids.HOUSEHOLD, "household",
            (("stated", stated), ("recorded", recorded))),
    ]


def _consistency(guide: Guide, state: InterviewState, progress: Progress) -> Measured:
    """Every follow-up an answer triggered (or may yet trigger) asked; one that cannot fire
    is not required, one already resolved is done."""
    done = 0
    items = 0
    gaps = []
    for rule in guide.probing.consistency:
        status = progress.consistency[rule.id]
        key = prompt_ids.for_consistency(rule.id)
        if status == "settled":
            resolved = key in state.done or any(
                c.setting == rule.unless_contacts_in for c in state.contacts)
            done += resolved
            items += resolved
            continue
        items += 1
        step = key
        if status == "waiting":
            step = blocking_question(guide, rule.when, state.answers, progress.applicable) or step
        gaps.append(Gap(key, step, "consistency", (("text", rule.text),)))
    return (done, items), gaps


def _contacts(guide: Guide, state: InterviewState, progress: Progress) -> Measured:
    """Every contact has the details the guide requires and someone to inform them: a new
    contact adds its own items, listed as missing until filled. Of a contact whose details
    were erased after retention only what was recorded counts: nobody can ask for the rest."""
    fields: tuple[str, ...] = guide.completeness.contact_fields
    asks_informer = (guide.inform_question is not None
                     and progress.questions.get(guide.inform_question) != "skipped")
    if asks_informer:
        fields = (*fields, "informs")
    answer = state.answers.get(guide.inform_question) if guide.inform_question else None
    needs = guide.categories.needs or default_needs(guide.languages)  # worded per guide
    done = required = 0
    gaps: list[Gap] = []
    for index, contact in enumerate(state.contacts):
        key = contact.id or str(index)
        label = contact.name.strip() or f"#{index + 1}"
        for name in fields:
            if _has_field(guide, contact, name, answer):
                done += 1
                required += 1
                continue
            if contact.erased:
                continue
            required += 1
            step = f"contact:{key}"
            if name == "informs" and guide.inform_question and answer is None:
                step = guide.inform_question  # asking the index may settle it for everyone
            values: tuple[tuple[str, GapValue], ...] = (("contact", label),)
            if name == "category":
                values += (("needs", needs),)
            gaps.append(Gap(f"contact:{key}:{name}", step, f"contact_{name}", values))
    return (done, required), gaps


def _has_field(guide: Guide, contact: ContactFacts, name: str, inform_answer: object) -> bool:
    """Tell whether one required contact detail is present."""
    if name == "name":
        return bool(contact.name.strip())
    if name == "reach":
        return contact.reachable()
    if name == "day":
        return contact.day is not None
    if name == "informs":
        return bool(contact.informs) or inform_answer in INFORMERS
    return bool(contact.category) or category_settled(guide, contact.category_facts(guide))


INFORMERS = ("index", "authority")
"""Answers to the inform question that settle it for every contact; any other means per contact."""


def _final(guide: Guide, state: InterviewState, progress: Progress) -> Measured:
    """The closing 'anyone else?' pass has been done."""
    if progress.final_done:
        return DONE, []
    return OPEN, [Gap(prompt_ids.FINAL, prompt_ids.FINAL, "final")]


_MEASURES = {
    "dates": _dates, "questions": _questions, "days": _days, "settings": _settings,
    "household": _household, "consistency": _consistency, "contacts": _contacts, "final": _final,
}
