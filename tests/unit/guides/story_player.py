"""A scripted index played against the guide engine: they name some people unprompted and
remember others only when a given prompt is put to them, as real people do."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType

from bco.guides import prompt_ids
from bco.guides.completeness import completeness
from bco.guides.engine import Step, next_steps
from bco.guides.model import Guide, Question
from bco.guides.state import ContactFacts, InterviewState

PHONE = "+31612345678"
MAX_TURNS = 400


@dataclass(frozen=True)
class Memory:
    """Someone the index only recalls when `cue` (a probe or question id) is put to them."""

    cue: str
    name: str
    day: date | None = None
    setting: str | None = None
    household: bool = False
    category: str | None = None
    facts: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Story:
    """An index's interview: what they say unprompted, their answers, and what prompts recall."""

    onset: date
    today: date
    told: tuple[ContactFacts, ...]
    answers: Mapping[str, object]
    memories: tuple[Memory, ...]
    language: str = "nl"


@dataclass
class Transcript:
    """What happened: every step put to the index, where each memory surfaced, the scores."""

    asked: list[str] = field(default_factory=list)
    surfaced: dict[str, str] = field(default_factory=dict)  # contact name -> prompt
    scores_while_missing: list[tuple[str, int]] = field(default_factory=list)
    final_score: int = 0
    state: InterviewState = field(default_factory=InterviewState)


def play(guide: Guide, story: Story) -> Transcript:
    """Let the engine lead the interview: the tracer always takes the first open step."""
    state = InterviewState(contacts=story.told, onset=story.onset)
    transcript = Transcript()
    for _turn in range(MAX_TURNS):
        steps = next_steps(guide, state, story.today, story.language)
        score = completeness(guide, state, story.today, story.language).score
        missing = [m.name for m in story.memories if m.name not in transcript.surfaced]
        if missing:
            transcript.scores_while_missing.append((",".join(missing), score))
        if not steps:
            break
        step = steps[0]
        transcript.asked.append(step.id)
        state = _take(guide, story, state, step, transcript)
    else:
        raise AssertionError(f"the interview never ended; last steps {transcript.asked[-5:]}")
    transcript.final_score = completeness(guide, state, story.today, story.language).score
    transcript.state = state
    return transcript


def _take(guide: Guide, story: Story, state: InterviewState, step: Step,
          transcript: Transcript) -> InterviewState:
    """Put one step to the index and record what they say."""
    recalled = [m for m in story.memories
                if m.cue == step.id and m.name not in transcript.surfaced]
    added = tuple(_contact(guide, m, step) for m in recalled)
    for memory in recalled:
        transcript.surfaced[memory.name] = step.id
    contacts = state.contacts + added
    if step.kind == "question":
        question = guide.questions[step.id]
        answer = (_listed(question, contacts) if question.type == "contacts"
                  else story.answers.get(step.id, _default(question, story)))
        return replace(state, contacts=contacts, answers={**state.answers, step.id: answer})
    if added:  # the prompt brought someone back: it stays for 'anyone else?' when it must
        return replace(state, contacts=contacts)
    return replace(state, done=state.done | {step.id})  # 'nobody (else)' or a line said


def _contact(guide: Guide, memory: Memory, step: Step) -> ContactFacts:
    """The contact as the tracer records it under the prompt that brought it back."""
    question = guide.questions.get(step.id)
    defaults = dict(question.contact_defaults) if question is not None else {}
    setting = memory.setting or step.setting or defaults.get("setting")
    household = memory.household or defaults.get("household") is True
    if step.id == prompt_ids.HOUSEHOLD:
        household = True
    return ContactFacts(
        name=memory.name, day=memory.day or step.day, setting=setting if isinstance(
            setting, str) else None, prompt=step.id, household=household,
        facts=MappingProxyType(dict(memory.facts)), phone=PHONE, category=memory.category,
    )


def _listed(question: Question, contacts: tuple[ContactFacts, ...]) -> int:
    """A contacts question's answer: how many it lists (all housemates for a household one)."""
    if question.contact_defaults.get("household") is True:
        return sum(1 for c in contacts if c.household)
    return sum(1 for c in contacts if c.prompt == question.id)


def _default(question: Question, story: Story) -> object:
    """What the index says to a question the story does not script: no, none, the first option."""
    defaults: dict[str, object] = {
        "yesno": False, "number": 0, "date": story.onset.isoformat(), "text": "-",
        "multichoice": [], "phone": PHONE,
    }
    if question.type == "choice":
        return question.options[0].value
    return defaults[question.type]
