"""How sure we are the contact list is whole: a score and what is missing, while still on the phone.

Every requirement is a fixed set of units whose count does not depend on the answers, and a unit
only moves from missing to met when something is added; so the score never drops when a tracer
answers, probes or records a contact with its details.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from bco.guides.categories import category_settled
from bco.guides.model import ContactField, Guide, Requirement
from bco.guides.phrasing import format_day, missing_text
from bco.guides.progress import Progress, blocking_question, measure
from bco.guides.state import ContactFacts, InterviewState


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


def completeness(guide: Guide, state: InterviewState, today: date, language: str = "en", *,
                 progress: Progress | None = None) -> Completeness:
    """Score the interview against the guide's requirements and list what is still missing.

    `progress` is `measure(guide, state, today)` when the caller has it already.
    """
    if progress is None:
        progress = measure(guide, state, today)
    shares: dict[Requirement, Fraction] = {}
    missing: list[MissingItem] = []
    for requirement, _weight in guide.completeness.weights:
        share, gaps = _MEASURES[requirement](guide, state, progress, language)
        shares[requirement] = share
        missing.extend(gaps)
    total = sum(weight for _, weight in guide.completeness.weights)
    earned = sum(shares[r] * weight for r, weight in guide.completeness.weights)
    perfect = all(share == 1 for share in shares.values())
    score = 100 if perfect else min(99, math.floor(Fraction(100) * earned / total))
    return Completeness(score=score, missing=missing)


Measured = tuple[Fraction, list[MissingItem]]


def _share(met: int, total: int) -> Fraction:
    """Return met/total, counting an empty requirement as fully met."""
    return Fraction(met, total) if total else Fraction(1)


def _dates(guide: Guide, state: InterviewState, progress: Progress, language: str) -> Measured:
    """The exposure window needs symptom onset or a test date."""
    if progress.windows is not None:
        return Fraction(1), []
    step = guide.windows.onset_question or "dates"
    return Fraction(0), [MissingItem("dates", step, missing_text("dates", language))]


def _questions(guide: Guide, state: InterviewState, progress: Progress,
               language: str) -> Measured:
    """Required questions count as met once answered or once their condition cannot hold."""
    required = [q for q in guide.questions.values() if q.required]
    met = sum(1 for q in required if progress.question_settled(q.id))
    gaps = []
    for question in required:
        status = progress.questions[question.id]
        if status not in ("open", "waiting"):
            continue
        step = question.id
        if status == "waiting" and question.show_if is not None:
            step = blocking_question(guide, question.show_if, state.answers,
                                     progress.applicable) or question.id
        gaps.append(MissingItem(
            f"question:{question.id}", step,
            missing_text("question", language, text=question.text.in_language(language)),
        ))
    return _share(met, len(required)), gaps


def _days(guide: Guide, state: InterviewState, progress: Progress, language: str) -> Measured:
    """Every day of the infectious window up to today walked through, with contacts or 'nobody'."""
    if progress.windows is None:
        if guide.completeness.weight("dates"):
            return Fraction(0), []
        return _dates(guide, state, progress, language)
    gaps = [
        MissingItem(f"day:{d.isoformat()}", f"day:{d.isoformat()}",
                    missing_text("day", language, day=format_day(d, language)))
        for d in progress.due_days if d not in progress.walked_days
    ]
    return _share(len(progress.walked_days), len(progress.due_days)), gaps


def _settings(guide: Guide, state: InterviewState, progress: Progress,
              language: str) -> Measured:
    """Every setting of the guide asked about."""
    gaps = [
        MissingItem(f"setting:{s.id}", f"setting:{s.id}",
                    missing_text("setting", language, setting=s.label.in_language(language)))
        for s in guide.settings if s.id not in progress.asked_settings
    ]
    return _share(len(progress.asked_settings), len(guide.settings)), gaps


def _household(guide: Guide, state: InterviewState, progress: Progress,
               language: str) -> Measured:
    """Household size asked, and as many housemates recorded (or the follow-up answered)."""
    rule = guide.probing.household
    if rule is None or progress.household == "settled":
        return Fraction(1), []
    if progress.household_stated is None:
        return Fraction(0), [MissingItem("household", rule.size_question,
                                         missing_text("household_size", language))]
    stated, recorded = progress.household_stated, progress.household_recorded
    return Fraction(recorded, stated), [MissingItem(
        "household", "household",
        missing_text("household", language, stated=stated, recorded=recorded),
    )]


def _consistency(guide: Guide, state: InterviewState, progress: Progress,
                 language: str) -> Measured:
    """Every follow-up that an answer triggered has been asked."""
    rules = guide.probing.consistency
    met = sum(1 for r in rules if progress.consistency[r.id] == "settled")
    gaps = []
    for rule in rules:
        status = progress.consistency[rule.id]
        if status == "settled":
            continue
        step = f"consistency:{rule.id}"
        if status == "waiting":
            step = blocking_question(guide, rule.when, state.answers, progress.applicable) or step
        gaps.append(MissingItem(
            f"consistency:{rule.id}", step,
            missing_text("consistency", language, text=rule.text.in_language(language)),
        ))
    return _share(met, len(rules)), gaps


def _contacts(guide: Guide, state: InterviewState, progress: Progress,
              language: str) -> Measured:
    """Every contact has the details the guide requires."""
    fields = guide.completeness.contact_fields
    met = 0
    gaps: list[MissingItem] = []
    for index, contact in enumerate(state.contacts):
        key = contact.id or str(index)
        label = contact.name.strip() or f"#{index + 1}"
        for name in fields:
            if _has_field(guide, contact, name):
                met += 1
            else:
                gaps.append(MissingItem(f"contact:{key}:{name}", f"contact:{key}",
                                        missing_text(f"contact_{name}", language, contact=label)))
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


def _final(guide: Guide, state: InterviewState, progress: Progress, language: str) -> Measured:
    """The closing 'anyone else?' pass has been done."""
    if progress.final_done:
        return Fraction(1), []
    return Fraction(0), [MissingItem("final", "final", missing_text("final", language))]


_MEASURES = {
    "dates": _dates, "questions": _questions, "days": _days, "settings": _settings,
    "household": _household, "consistency": _consistency, "contacts": _contacts, "final": _final,
}
