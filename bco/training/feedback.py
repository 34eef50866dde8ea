"""Feedback on a practice interview: the contacts found against the scenario's true contacts,
the prompt that would have brought back each one missed, lines skipped, categories right or
wrong. Pure: given the interview's state as the engine sees it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bco.guides.contact_category import contact_category
from bco.guides.engine import all_steps
from bco.guides.model import Guide
from bco.guides.state import ContactFacts, InterviewState
from bco.training.scenarios import Scenario, TrueContact


@dataclass(frozen=True)
class Missed:
    """A true contact not on the list, and the prompt that would have surfaced them."""

    name: str
    prompt: str | None  # None: the index named them unprompted at the start
    prompt_text: str | None
    asked: bool = False  # the prompt was put, the index named them, and nobody wrote it down


@dataclass(frozen=True)
class CategoryCheck:
    """The category a recorded contact got against the right one, and, when they differ, what
    was recorded otherwise than the index told it: fact ids, and "household"."""

    name: str
    given: str | None
    expected: str
    differs: tuple[str, ...] = ()

    @property
    def right(self) -> bool:
        return self.given == self.expected


@dataclass(frozen=True)
class Feedback:
    found: tuple[str, ...]
    true_count: int
    missed: tuple[Missed, ...]
    skipped_lines: tuple[tuple[str, str], ...]  # (line id, text)
    skipped_prompts: tuple[tuple[str, str], ...]  # (prompt id, text)
    categories: tuple[CategoryCheck, ...]
    seconds: int

    def to_result(self) -> dict[str, Any]:
        """The feedback as plain data, for the event that keeps it."""
        return {
            "found": list(self.found), "true_count": self.true_count,
            "missed": [{"name": m.name, "prompt": m.prompt, "prompt_text": m.prompt_text,
                        "asked": m.asked} for m in self.missed],
            "skipped_lines": [list(pair) for pair in self.skipped_lines],
            "skipped_prompts": [list(pair) for pair in self.skipped_prompts],
            "categories": [{"name": c.name, "given": c.given, "expected": c.expected,
                            "differs": list(c.differs)} for c in self.categories],
            "categories_right": sum(1 for c in self.categories if c.right),
            "seconds": self.seconds,
        }


def _tokens(name: str) -> list[str]:
    return name.casefold().split()


def matches(typed: str, true: TrueContact) -> bool:
    """A contact as typed is the true one when the names agree, or the first names do (the
    index says "Karin"; the scenario knows "Karin Bakker"), by their name or an alias the
    index uses ("grandma" for "Oma Bakri")."""
    said = _tokens(typed)
    if not said:
        return False
    return any(said == known or said[0] == known[0]
               for known in map(_tokens, true.names) if known)


def pair_up(scenario: Scenario, contacts: tuple[ContactFacts, ...]
            ) -> list[tuple[TrueContact, ContactFacts | None]]:
    """Each true contact with the recorded contact that is them, if any (each used once)."""
    free = list(contacts)
    pairs: list[tuple[TrueContact, ContactFacts | None]] = []
    for true in scenario.contacts:
        exact = next((c for c in free if _tokens(c.name) in map(_tokens, true.names)), None)
        found = exact or next((c for c in free if matches(c.name, true)), None)
        if found is not None:
            free.remove(found)
        pairs.append((true, found))
    return pairs


def assess(scenario: Scenario, guide: Guide, state: InterviewState, today: date,
           language: str, seconds: int, asked: frozenset[str] = frozenset()) -> Feedback:
    """Score a practice interview as it stands.

    `asked` are the prompts the trainee put to the simulated index: a prompt put there counts
    as asked even when the interview does not mark it done, and a contact missed at a prompt
    that was put was named by the index but not written down.
    """
    key = scenario.key_date(today)
    sections = all_steps(guide, state, today, language)
    steps = {view.step.id: view for section in sections for view in section.steps}
    pairs = pair_up(scenario, state.contacts)
    missed = []
    for true, found in pairs:
        if found is None:
            prompt = scenario.cue_prompt(true, key)
            view = steps.get(prompt) if prompt else None
            put = prompt is None or prompt in asked
            missed.append(Missed(true.name, prompt, view.step.text if view else None, put))
    categories = tuple(_category_check(guide, true, found) for true, found in pairs
                       if found is not None)
    skipped_lines = tuple((view.step.id, view.step.text) for view in steps.values()
                          if view.step.kind == "script" and view.step.id not in state.done)
    skipped_prompts = tuple((view.step.id, view.step.text) for view in steps.values()
                            if view.step.kind == "probe" and view.status == "open"
                            and view.step.id not in asked)
    return Feedback(
        found=tuple(true.name for true, found in pairs if found is not None),
        true_count=len(scenario.contacts), missed=tuple(missed), skipped_lines=skipped_lines,
        skipped_prompts=skipped_prompts, categories=categories, seconds=max(0, seconds))


def _category_check(guide: Guide, true: TrueContact, found: ContactFacts) -> CategoryCheck:
    given = contact_category(guide, found).category
    if given == true.category:
        return CategoryCheck(true.name, given, true.category)
    differs = [fact for fact, value in true.facts.items() if found.facts.get(fact) != value]
    if true.household != found.household:
        differs.insert(0, "household")
    return CategoryCheck(true.name, given, true.category, tuple(differs))
