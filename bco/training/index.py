"""The simulated index: answers a question from the scenario, and names a contact only when the
prompt that brings them to mind is put. Pure: the screen and `bco training play` share it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bco.guides.model import Guide, Question
from bco.guides.phrasing import yes_no
from bco.training.scenarios import Scenario, TrueContact

PLACEHOLDER_PHONE = "+31600000000"  # a practice contact's number: never anyone's


@dataclass(frozen=True)
class Reply:
    """What the index says to one prompt: their words (None: nothing scripted, the screen says
    it in the index's manner) and whom they name. `about_people` tells the screen which of
    its unscripted lines fits: "nobody" to a prompt for people, "nothing" to a question."""

    prompt: str | None
    text: str | None
    named: tuple[TrueContact, ...]
    about_people: bool = True


def opening(scenario: Scenario, key_date: date) -> Reply:
    """What the index says as the call starts, with the people they name unprompted."""
    named = tuple(c for c in scenario.contacts if c.cue == "unprompted")
    words = [scenario.opening] if scenario.opening else []
    words += [scenario.says(c, key_date) for c in named]
    return Reply(None, " ".join(words) or None, named)


def reply(scenario: Scenario, guide: Guide, prompt: str, key_date: date) -> Reply:
    """The index's reply when the tracer puts `prompt` (a question, probe or line id)."""
    named = tuple(c for c in scenario.contacts if scenario.cue_prompt(c, key_date) == prompt)
    words = [scenario.says(c, key_date) for c in named]
    question = guide.questions.get(prompt)
    about_people = question is None or question.type == "contacts"
    if not about_people:
        assert question is not None
        said = answer_words(scenario, question, key_date)
        if said is None and question.type == "yesno":  # not in the story: a plain no
            said = yes_no(scenario.language)[1] + "."
        if said:
            words.insert(0, said)
    if not words and about_people and not prompt.startswith("script:") and scenario.nobody:
        words = [scenario.nobody]  # "nobody" answers a prompt for people, not a question
    return Reply(prompt, " ".join(words) or None, named, about_people)


def answer_value(scenario: Scenario, question: Question, key_date: date) -> object:
    """The value the tracer records for `question`: the scenario's, or a plain no / none."""
    answer = scenario.answers.get(question.id)
    if answer is not None:
        if isinstance(answer.value, str) and answer.value.startswith("day:"):
            return (key_date + timedelta(days=int(answer.value[4:]))).isoformat()
        return answer.value
    defaults: dict[str, object] = {"yesno": False, "number": 0, "date": key_date.isoformat(),
                                   "text": "-", "multichoice": [], "phone": scenario.index_phone}
    if question.type == "choice":
        return question.options[0].value
    return defaults.get(question.type, 0)


def answer_words(scenario: Scenario, question: Question, key_date: date) -> str | None:
    """What the index says to a question: the scenario's words, else the value plainly."""
    answer = scenario.answers.get(question.id)
    if answer is not None and answer.says:
        return answer.says
    if answer is None:
        return None
    value = answer_value(scenario, question, key_date)
    if isinstance(value, bool):
        return yes_no(scenario.language)[0 if value else 1] + "."
    if question.type == "date" and isinstance(value, str):
        return date.fromisoformat(value).strftime("%d-%m-%Y") + "."
    labels = {o.value: o.label.in_language(scenario.language) for o in question.options}
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value) + "."
    return f"{labels.get(str(value), value)}."
