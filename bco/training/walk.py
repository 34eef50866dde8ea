"""A scenario's index played against the guide engine's full walk: a tracer who always takes
the first open step. Every true contact must surface at its own cue, with the category the
scenario says, or the scenario (or the guide) is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType
from typing import Any

from bco.guides import prompt_ids
from bco.guides.completeness import completeness
from bco.guides.contact_category import contact_category
from bco.guides.engine import Step, next_steps
from bco.guides.model import Guide
from bco.guides.state import ContactFacts, InterviewState
from bco.training.index import PLACEHOLDER_PHONE, answer_value, opening, reply
from bco.training.scenarios import Scenario, TrueContact

MAX_TURNS = 500


@dataclass
class Walk:
    """What happened: the prompts put in order, where each contact surfaced, what went wrong."""

    scenario: str
    guide: str
    asked: list[str] = field(default_factory=list)
    surfaced: dict[str, str | None] = field(default_factory=dict)  # name -> prompt
    problems: list[str] = field(default_factory=list)
    score: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "guide": self.guide, "ok": self.ok,
                "contacts": [{"name": n, "surfaced_at": p or "unprompted"}
                             for n, p in self.surfaced.items()],
                "asked": self.asked, "score": self.score, "problems": self.problems}


def play(scenario: Scenario, guide: Guide, today: date) -> Walk:
    """Walk the whole guide with the scenario's index on the line."""
    key = scenario.key_date(today)
    onset, test_date = scenario.dates(today)
    walk = Walk(scenario.id, guide.id)
    told = opening(scenario, key).named
    state = InterviewState(contacts=tuple(_recorded(guide, scenario, c, None, key) for c in told),
                           onset=onset, test_date=test_date)
    walk.surfaced.update({c.name: None for c in told})
    for _turn in range(MAX_TURNS):
        steps = next_steps(guide, state, today, scenario.language)
        if not steps:
            break
        step = steps[0]
        walk.asked.append(step.id)
        state = _take(guide, scenario, state, step, walk, key)
    else:
        walk.problems.append(f"the walk did not end within {MAX_TURNS} steps; last: "
                             f"{', '.join(walk.asked[-5:])}")
    measured = completeness(guide, state, today, scenario.language)
    walk.score = measured.score
    if measured.score < 100:
        walk.problems.append(f"the walk ends at {measured.score}, not 100: "
                             + "; ".join(item.text for item in measured.missing[:3]))
    _check(guide, scenario, state, walk, key)
    return walk


def _take(guide: Guide, scenario: Scenario, state: InterviewState, step: Step, walk: Walk,
          key: date) -> InterviewState:
    """Put one step to the index and record what they say, as a tracer would."""
    heard = reply(scenario, guide, step.id, key)
    recalled = [c for c in heard.named if c.name not in walk.surfaced]
    for contact in recalled:
        walk.surfaced[contact.name] = step.id
    contacts = state.contacts + tuple(_recorded(guide, scenario, c, step, key) for c in recalled)
    if step.kind == "question":
        question = guide.questions[step.id]
        if question.type == "contacts":
            value: object = (sum(1 for c in contacts if c.household)
                             if question.contact_defaults.get("household") is True
                             else sum(1 for c in contacts if c.prompt == question.id))
        else:
            value = answer_value(scenario, question, key)
        return replace(state, contacts=contacts, answers={**state.answers, step.id: value})
    if recalled:  # someone came back: the prompt stays open for "anyone else?" when it must
        return replace(state, contacts=contacts)
    return replace(state, done=state.done | {step.id})


def _recorded(guide: Guide, scenario: Scenario, contact: TrueContact, step: Step | None,
              key: date) -> ContactFacts:
    """The contact as the tracer types it in under the prompt that brought it back."""
    question = guide.questions.get(step.id) if step is not None else None
    defaults = dict(question.contact_defaults) if question is not None else {}
    setting = contact.setting or (step.setting if step else None) or defaults.get("setting")
    household = (contact.household or defaults.get("household") is True
                 or (step is not None and step.id == prompt_ids.HOUSEHOLD))
    return ContactFacts(
        name=contact.name, day=scenario.contact_day(contact, key) or (step.day if step else None),
        setting=setting if isinstance(setting, str) else None,
        prompt=step.id if step is not None else None, household=household,
        facts=MappingProxyType(dict(contact.facts)), phone=PLACEHOLDER_PHONE)


def _check(guide: Guide, scenario: Scenario, state: InterviewState, walk: Walk,
           key: date) -> None:
    """Each contact surfaced at its own cue, with the category the scenario gives it."""
    for contact in scenario.contacts:
        cue = scenario.cue_prompt(contact, key)
        if contact.name not in walk.surfaced:
            walk.problems.append(f"{contact.name}: never named; the walk never put their cue "
                                 f"{cue or 'unprompted'}")
        elif walk.surfaced[contact.name] != cue:
            walk.problems.append(f"{contact.name}: named at {walk.surfaced[contact.name]}, "
                                 f"not at the cue {cue}")
    for recorded in state.contacts:
        truth = next((c for c in scenario.contacts if c.name == recorded.name), None)
        if truth is None:
            continue
        found = contact_category(guide, recorded).category
        if found != truth.category:
            walk.problems.append(f"{truth.name}: the guide's rules give category {found}, the "
                                 f"scenario says {truth.category}")
