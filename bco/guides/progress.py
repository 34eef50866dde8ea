"""Where an interview stands against its guide: which questions and probes are open or settled."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

from bco.guides import prompt_ids
from bco.guides.conditions import as_number, on_answers
from bco.guides.model import AllOf, AnyOf, Condition, Guide
from bco.guides.state import InterviewState
from bco.guides.windows import Windows, exposure_windows

QuestionStatus = Literal["answered", "open", "waiting", "skipped"]
TriggerStatus = Literal["waiting", "open", "settled"]


@dataclass(frozen=True)
class Progress:
    """Every status the engine and the completeness score need, computed once per call."""

    applicable: Mapping[str, bool | None]
    questions: Mapping[str, QuestionStatus]
    windows: Windows | None
    due_days: tuple[date, ...]
    later_days: tuple[date, ...]
    walked_days: frozenset[date]
    asked_settings: frozenset[str]
    household_stated: int | None
    household_recorded: int
    household: TriggerStatus
    consistency: Mapping[str, TriggerStatus]
    final_done: bool

    def question_settled(self, question_id: str) -> bool:
        """A question is settled once answered or once its condition can no longer hold."""
        return self.questions[question_id] in ("answered", "skipped")


def measure(guide: Guide, state: InterviewState, today: date) -> Progress:
    """Work out the status of every question and probe of `guide` for `state` on `today`."""
    applicable: dict[str, bool | None] = {}
    statuses: dict[str, QuestionStatus] = {}
    for question_id, question in guide.questions.items():
        applies = True if question.show_if is None else on_answers(
            question.show_if, state.answers, applicable
        )
        applicable[question_id] = applies
        if question_id in state.answers:
            statuses[question_id] = "answered"
        else:
            statuses[question_id] = (
                "open" if applies else "waiting" if applies is None else "skipped"
            )

    windows, days = _placed(guide, *effective_dates(guide, state))
    cut = bisect_right(days, today)
    due, later = days[:cut], days[cut:]
    # a day or setting is done once its prompt was put and answered: a contact surfaced under
    # it or an explicit 'nobody'. A contact named elsewhere whose date falls on that day does
    # not count: asking about the day is what brings back the people the index forgot.
    marked = {c.prompt for c in state.contacts if c.prompt}
    marked.update(state.done)
    walked = frozenset(d for d in due if prompt_ids.for_day(d) in marked)
    asked = frozenset(s for s in guide.setting_ids if prompt_ids.for_setting(s) in marked)
    stated, household = _household(guide, state, applicable)
    return Progress(
        applicable=applicable,
        questions=statuses,
        windows=windows,
        due_days=due,
        later_days=later,
        walked_days=walked,
        asked_settings=asked,
        household_stated=stated,
        household_recorded=sum(1 for c in state.contacts if c.household),
        household=household,
        consistency=_consistency(guide, state, applicable),
        final_done=prompt_ids.FINAL in state.done,
    )


@lru_cache(maxsize=64)
def values_read(guide: Guide) -> frozenset[str]:
    """The questions whose answer `measure` reads, not only whether there is one: the subjects
    of conditions, the household size and the onset. Changing any other answer moves nothing."""
    subjects: set[str] = set()

    def walk(condition: Condition) -> None:
        if isinstance(condition, AllOf | AnyOf):
            for part in condition.conditions:
                walk(part)
        else:
            subjects.add(condition.subject)

    for question in guide.questions.values():
        if question.show_if is not None:
            walk(question.show_if)
    for rule in guide.probing.consistency:
        walk(rule.when)
    if guide.probing.household is not None:
        subjects.add(guide.probing.household.size_question)
    if guide.windows.onset_question is not None:
        subjects.add(guide.windows.onset_question)
    if guide.inform_question is not None:
        subjects.add(guide.inform_question)  # decides which contacts still need an informer
    return frozenset(subjects)


def answer_date(value: object) -> date | None:
    """Read a date answer given as a date or as YYYY-MM-DD text."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def effective_dates(guide: Guide, state: InterviewState) -> tuple[date | None, date | None]:
    """Onset as the index gives it in the interview, else as the case was notified; the test
    date from the case. The answer wins: it is what the tracer has just asked and checked
    ("even if the symptoms were very mild"), and a case often arrives with a test date only.
    """
    question = guide.windows.onset_question
    answered = answer_date(state.answers.get(question)) if question is not None else None
    return answered or state.onset, state.test_date


@lru_cache(maxsize=1024)
def _placed(guide: Guide, onset: date | None, test_date: date | None
            ) -> tuple[Windows | None, tuple[date, ...]]:
    """Place the windows when a date is known, and list the days to walk in order.

    Cached: an interview keeps its dates while it is re-scored after every answer.
    """
    if onset is None and test_date is None:
        return None, ()
    windows = exposure_windows(guide, onset, test_date)
    if guide.probing.days is None:
        return windows, ()
    return windows, tuple(windows.infectious.days())


def _household(guide: Guide, state: InterviewState,
               applicable: Mapping[str, bool | None]) -> tuple[int | None, TriggerStatus]:
    """Compare the stated household size with the housemates recorded."""
    rule = guide.probing.household
    if rule is None:
        return None, "settled"
    if applicable.get(rule.size_question) is False:
        return None, "settled"
    if rule.size_question not in state.answers:
        return None, "waiting"
    number = as_number(state.answers[rule.size_question])
    stated = max(0, int(number)) if number is not None else 0
    if stated == 0 or prompt_ids.HOUSEHOLD in state.done:
        return stated, "settled"
    # Only housemates named when the household was asked about settle the check by count;
    # housemates who came up in free recall leave "who else lives or sleeps there?" to ask.
    asked = _household_prompts(guide)
    named = sum(1 for c in state.contacts if c.household and c.prompt in asked)
    return stated, "settled" if named >= stated else "open"


def _household_prompts(guide: Guide) -> frozenset[str]:
    """The prompts that ask who lives with the index: the household probe, the size question
    and any contacts question whose contacts are housemates."""
    rule = guide.probing.household
    size = {rule.size_question} if rule is not None else set()
    return frozenset({prompt_ids.HOUSEHOLD} | size | {
        q.id for q in guide.questions.values()
        if q.type == "contacts" and q.contact_defaults.get("household") is True})


def _consistency(guide: Guide, state: InterviewState,
                 applicable: Mapping[str, bool | None]) -> dict[str, TriggerStatus]:
    """Decide which consistency checks are triggered by the answers and not yet resolved."""
    statuses: dict[str, TriggerStatus] = {}
    settings = {c.setting for c in state.contacts}
    for rule in guide.probing.consistency:
        triggered = on_answers(rule.when, state.answers, applicable)
        resolved = (prompt_ids.for_consistency(rule.id) in state.done
                    or rule.unless_contacts_in in settings)
        if resolved or triggered is False:
            statuses[rule.id] = "settled"
        else:
            statuses[rule.id] = "waiting" if triggered is None else "open"
    return statuses


def blocking_question(guide: Guide, condition: Condition, answers: Mapping[str, object],
                      applicable: Mapping[str, bool | None]) -> str | None:
    """Find the earliest question whose answer is still needed to decide `condition`."""
    if isinstance(condition, AllOf | AnyOf):
        for part in condition.conditions:
            found = blocking_question(guide, part, answers, applicable)
            if found is not None:
                return found
        return None
    subject = condition.subject
    question = guide.questions.get(subject)
    if applicable.get(subject) is None and question is not None and question.show_if is not None:
        earlier = blocking_question(guide, question.show_if, answers, applicable)
        if earlier is not None:
            return earlier
    if subject not in answers and applicable.get(subject) is not False:
        return subject
    return None
