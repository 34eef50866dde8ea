"""Practice scenarios: an invented index's story, read and checked exactly as strictly as guides.

A scenario is data (YAML in `training/scenarios/`): the index, their answers, the true contacts
and the cue that makes the index remember each one. It is read with the guides' hardened YAML
reader (no aliases, tags, huge numbers; duplicate keys refused), checked against
`scenario.schema.json` and then against its guide, and every problem is `file:line: path: …`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import jsonschema

from bco.guides import prompt_ids
from bco.guides.categories import check_facts
from bco.guides.errors import FactError, GuideError, Location
from bco.guides.loader import _explain, _parse_yaml  # one reader for guides and scenarios
from bco.guides.model import Guide
from bco.guides.phrasing import WEEKDAYS, fill

SCHEMA_PATH = Path(__file__).with_name("scenario.schema.json")
SUFFIXES = (".yaml", ".yml")
Manner = Literal["worried", "hurried", "reluctant"]
UNPROMPTED = "unprompted"
WEEKDAY = "{weekday}"  # in a dated contact's words: that day's name on the day of practice
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


class ScenarioError(GuideError):
    """A scenario file is invalid; `messages` say where (file:line: path) and what is expected."""


def default_scenarios_dir() -> Path:
    """The shipped `training/scenarios` folder next to the `bco` package."""
    return Path(__file__).resolve().parents[2] / "training" / "scenarios"


@dataclass(frozen=True)
class Answer:
    """What the index answers to one question: the value recorded and the words they use."""

    value: object
    says: str | None = None


@dataclass(frozen=True)
class TrueContact:
    """Someone the index met, and the prompt (`cue`) that brings them to mind.

    `cue` is a prompt or question id, or "unprompted" for someone named at the start.
    """

    name: str
    cue: str
    category: str
    says: str
    day: int | None = None  # days from the onset (or test date)
    setting: str | None = None
    household: bool = False
    facts: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    aliases: tuple[str, ...] = ()  # what else the index calls them: "grandma", "Noa"

    @property
    def names(self) -> tuple[str, ...]:
        """Every name a tracer may write them down by: their name, then their aliases."""
        return (self.name, *self.aliases)

    @property
    def day_offset(self) -> int | None:
        """The day the index remembers them by, from the onset: their `day`, else a day cue's."""
        if self.day is not None:
            return self.day
        if self.cue.startswith("day:") and self.cue[4:].lstrip("-").isdigit():
            return int(self.cue[4:])
        return None


@dataclass(frozen=True)
class Scenario:
    """One practice interview: who the index is and what they can tell, given the right cue."""

    id: str
    guide_id: str
    language: str
    title: str
    summary: str
    manner: Manner
    index_name: str
    index_phone: str
    birth_date: date | None
    postcode: str | None
    onset_days_ago: int | None
    test_days_ago: int | None
    opening: str
    nobody: str | None
    answers: Mapping[str, Answer]
    contacts: tuple[TrueContact, ...]
    path: Path

    def key_date(self, today: date) -> date:
        """The onset (or, without one, the test date) of a practice started on `today`."""
        days = self.onset_days_ago if self.onset_days_ago is not None else self.test_days_ago
        return today - timedelta(days=days or 0)

    def dates(self, today: date) -> tuple[date | None, date | None]:
        """(onset, test date) for a practice started on `today`."""
        if self.onset_days_ago is not None:
            return today - timedelta(days=self.onset_days_ago), None
        return None, today - timedelta(days=self.test_days_ago or 0)

    def cue_prompt(self, contact: TrueContact, key_date: date) -> str | None:
        """The prompt id that brings `contact` back (a day cue as that day's prompt)."""
        if contact.cue == UNPROMPTED:
            return None
        if contact.cue.startswith("day:") and contact.cue[4:].lstrip("-").isdigit():
            return prompt_ids.for_day(key_date + timedelta(days=int(contact.cue[4:])))
        return contact.cue

    def contact_day(self, contact: TrueContact, key_date: date) -> date | None:
        return None if contact.day is None else key_date + timedelta(days=contact.day)

    def says(self, contact: TrueContact, key_date: date) -> str:
        """The contact's words as the index says them, `{weekday}` as their day's name.

        A practice's dates move with the day it is played, so a scenario never names a weekday
        itself: "that {weekday}" is "that Saturday" when the contact's day falls on one."""
        offset = contact.day_offset
        if offset is None:
            return contact.says
        day = key_date + timedelta(days=offset)
        weekdays = WEEKDAYS.get(self.language, WEEKDAYS["en"])
        return fill(contact.says, weekday=weekdays[day.weekday()])


def scenario_files(directory: Path) -> list[Path]:
    """The scenario files in `directory`, in a stable order."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES)


def load_scenarios(directory: Path, guides: Mapping[str, Guide]) -> dict[str, Scenario]:
    """Every scenario in `directory`, keyed by id; any invalid file refuses the whole set."""
    found: dict[str, Scenario] = {}
    messages: list[str] = []
    for path in scenario_files(directory):
        try:
            scenario = load_scenario(path, guides)
        except GuideError as error:
            messages.extend(error.messages)
            continue
        if scenario.id in found:
            messages.append(f"{_shown(path)}:1: id: scenario id {scenario.id!r} is also used "
                            f"by {_shown(found[scenario.id].path)}")
            continue
        found[scenario.id] = scenario
    if messages:
        raise ScenarioError(messages)
    return found


def load_scenario(path: Path, guides: Mapping[str, Guide]) -> Scenario:
    """Read, validate and check one scenario file against its guide."""
    shown = _shown(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise ScenarioError([f"{shown}:1: (scenario): cannot read the file: {error.strerror}"]
                            ) from error
    except UnicodeDecodeError as error:
        raise ScenarioError([f"{shown}:1: (scenario): expected UTF-8 text"]) from error
    return parse_scenario(text, shown, guides, path)


def parse_scenario(text: str, shown: str, guides: Mapping[str, Guide],
                   path: Path | None = None) -> Scenario:
    """Build a scenario from YAML text, or raise ScenarioError listing every problem."""
    try:
        data, lines = _parse_yaml(text, shown)
    except GuideError as error:
        raise ScenarioError([m.replace("(guide)", "(scenario)") for m in error.messages]
                            ) from error
    where = Location(shown, lines)
    problems = [where.message(p, m) for p, m in _schema_problems(data)]
    if problems:
        raise ScenarioError(problems)
    scenario = _build(data, path or Path(shown))
    problems = [where.message(p, m) for p, m in _guide_problems(data, scenario, guides)]
    if problems:
        raise ScenarioError(problems)
    return scenario


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _schema_problems(data: Any) -> list[tuple[tuple[str | int, ...], str]]:
    if not isinstance(data, dict):
        return [(("id",), "expected a scenario object (key: value lines)")]
    errors = sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    problems = [problem for error in errors for problem in _explain(error)]
    if "onset_days_ago" in data and "test_days_ago" in data:
        problems.append((("test_days_ago",), "give onset_days_ago or test_days_ago, not both"))
    elif "onset_days_ago" not in data and "test_days_ago" not in data:
        problems.append((("onset_days_ago",), "missing; give the days since the onset (or "
                                              "test_days_ago when there are no symptoms)"))
    return list(dict.fromkeys(problems))


def _cue(raw: object) -> str:
    """A cue as the prompt id it names; a day stays `day:<offset>` until a date is known."""
    if isinstance(raw, str):
        return raw
    assert isinstance(raw, dict)
    kind, value = next(iter(raw.items()))
    if kind == "day":
        return f"day:{value}"
    if kind == "setting":
        return prompt_ids.for_setting(str(value))
    if kind == "consistency":
        return prompt_ids.for_consistency(str(value))
    return str(value)  # a question id


def _build(data: dict[str, Any], path: Path) -> Scenario:
    index = data["index"]
    answers = {}
    for question_id, raw in (data.get("answers") or {}).items():
        value = f"day:{raw['day']}" if "day" in raw else raw.get("value")
        answers[question_id] = Answer(value=value, says=raw.get("says"))
    contacts = tuple(
        TrueContact(name=c["name"], cue=_cue(c["cue"]), category=str(c["category"]),
                    says=c["says"], day=c.get("day"), setting=c.get("setting"),
                    household=bool(c.get("household", False)),
                    facts=MappingProxyType(dict(c.get("facts") or {})),
                    aliases=tuple(c.get("aliases") or ()))
        for c in data["contacts"])
    birth = index.get("birth_date")
    return Scenario(
        id=data["id"], guide_id=data["guide"], language=data["language"], title=data["title"],
        summary=data.get("summary", ""), manner=data["manner"], index_name=index["name"],
        index_phone=index["phone"],
        birth_date=date.fromisoformat(birth) if birth else None,
        postcode=index.get("postcode"), onset_days_ago=data.get("onset_days_ago"),
        test_days_ago=data.get("test_days_ago"), opening=data.get("opening", ""),
        nobody=data.get("nobody"), answers=MappingProxyType(answers), contacts=contacts,
        path=path)


def _guide_problems(data: dict[str, Any], scenario: Scenario, guides: Mapping[str, Guide]
                    ) -> list[tuple[tuple[str | int, ...], str]]:
    """Everything the schema cannot see: ids the guide does not know, days outside the window."""
    guide = guides.get(scenario.guide_id)
    if guide is None:
        return [(("guide",), f"unknown guide {scenario.guide_id!r}; known: "
                             f"{', '.join(sorted(guides))}")]
    problems: list[tuple[tuple[str | int, ...], str]] = []
    if scenario.language not in guide.languages:
        problems.append((("language",), f"guide {guide.id} has no {scenario.language!r} text; "
                                        f"choose one of: {', '.join(guide.languages)}"))
    if scenario.birth_date is None and data["index"].get("birth_date"):
        problems.append((("index", "birth_date"), "not a date that exists"))
    for question_id, answer in scenario.answers.items():
        question = guide.questions.get(question_id)
        where: tuple[str | int, ...] = ("answers", question_id)
        if question is None:
            problems.append((where, f"unknown question {question_id!r} in guide {guide.id}"))
        elif question.type == "date" and not str(answer.value).startswith("day:"):
            problems.append((where, "a date question is answered with 'day: N' (days from the "
                                    "onset or test date)"))
        elif question.type != "date" and "day" in data["answers"][question_id]:
            problems.append((where, f"'day' answers a date question; {question_id} is "
                                    f"{question.type}: use 'value'"))
        elif question.type in ("choice",) and answer.value not in {
                o.value for o in question.options}:
            options = ", ".join(str(o.value) for o in question.options)
            problems.append(((*where, "value"), f"expected one of: {options}"))
        elif question.type == "yesno" and not isinstance(answer.value, bool):
            problems.append(((*where, "value"), "expected true or false"))
        elif question.type in ("number", "contacts") and (
                isinstance(answer.value, bool) or not isinstance(answer.value, int | float)):
            problems.append(((*where, "value"), "expected a number"))
    problems.extend(_contact_problems(scenario, guide))
    return problems


def _contact_problems(scenario: Scenario, guide: Guide
                      ) -> list[tuple[tuple[str | int, ...], str]]:
    problems: list[tuple[tuple[str | int, ...], str]] = []
    names: set[str] = set()
    latest = scenario.onset_days_ago if scenario.onset_days_ago is not None \
        else scenario.test_days_ago or 0
    consistency = {rule.id for rule in guide.probing.consistency}
    for index, contact in enumerate(scenario.contacts):
        where: tuple[str | int, ...] = ("contacts", index)
        if contact.name.casefold() in names:
            problems.append(((*where, "name"), f"{contact.name!r} is named twice; give every "
                                               "contact a name of their own"))
        names.add(contact.name.casefold())
        cue = contact.cue
        if cue.startswith("day:"):
            if guide.probing.days is None:
                problems.append(((*where, "cue"), f"guide {guide.id} walks no days; use a "
                                                  "setting, question or household cue"))
            elif int(cue[4:]) > latest:
                problems.append(((*where, "cue"), f"day {cue[4:]} is after the day of the "
                                                  f"call (at most {latest})"))
        elif cue.startswith("setting:") and cue[8:] not in guide.setting_ids:
            problems.append(((*where, "cue"), f"unknown setting {cue[8:]!r}; the guide has: "
                                              f"{', '.join(sorted(guide.setting_ids))}"))
        elif cue.startswith("consistency:") and cue[12:] not in consistency:
            problems.append(((*where, "cue"), f"unknown consistency probe {cue[12:]!r}; the "
                                              f"guide has: {', '.join(sorted(consistency))}"))
        elif cue == "household" and guide.probing.household is None:
            problems.append(((*where, "cue"), f"guide {guide.id} has no household check"))
        elif ":" not in cue and cue not in (UNPROMPTED, "household", "final"):
            question = guide.questions.get(cue)
            if question is None or question.type != "contacts":
                problems.append(((*where, "cue"), f"{cue!r} is not a contacts question of "
                                                  f"guide {guide.id}"))
        problems.extend(((*where, "says"), problem)
                        for problem in _says_problems(contact, scenario.language))
        if contact.day is not None and contact.day > latest:
            problems.append(((*where, "day"), f"day {contact.day} is after the day of the call "
                                              f"(at most {latest})"))
        if contact.setting is not None and contact.setting not in guide.setting_ids:
            problems.append(((*where, "setting"), f"unknown setting {contact.setting!r}"))
        if guide.category(contact.category) is None:
            known = ", ".join(c.id for c in guide.categories.categories)
            problems.append(((*where, "category"), f"unknown category {contact.category!r}; "
                                                   f"the guide has: {known}"))
        try:
            check_facts(guide, contact.facts)
        except FactError as error:
            problems.append(((*where, "facts", error.fact), str(error)))
    return problems


def _says_problems(contact: TrueContact, language: str) -> list[str]:
    """A contact's words may name their day only as {weekday}: the dates of a practice move
    with the day it is played, so "that Saturday" would be wrong on most days."""
    problems = [f"unknown placeholder {found}; the only one is {WEEKDAY}"
                for found in _PLACEHOLDER.findall(contact.says) if found != WEEKDAY]
    if WEEKDAY in contact.says and contact.day_offset is None:
        problems.append(f"{WEEKDAY} needs the contact's 'day' (or a day cue)")
    words = {w.casefold() for w in re.findall(r"\w+", contact.says)}
    if not any(name.split()[0].casefold() in words for name in contact.names if name.split()):
        problems.append(f"the index never says {contact.name!r} (nor an alias) here, so the "
                        "tracer cannot write them down; name them in 'says' or give 'aliases'")
    if contact.day_offset is not None:
        named = [d for d in WEEKDAYS.get(language, WEEKDAYS["en"]) if d.casefold() in words]
        if named:
            problems.append(f"names the weekday {named[0]!r}, but the contact's day falls on "
                            f"another weekday each day the scenario is played; write {WEEKDAY}")
    return problems
