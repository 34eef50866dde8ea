"""What the engine knows about one interview: answers, contacts and the probes already done."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any, Protocol

from bco.guides import prompt_ids
from bco.guides.categories import check_facts
from bco.guides.errors import FactError
from bco.guides.model import Guide

CONTACT_KEYS = frozenset(
    {"id", "name", "day", "setting", "prompt", "household", "category", "phone", "email",
     "unreachable_reason", "informs"}
)


class StateError(ValueError):
    """An interview state is malformed or names ids the guide does not know."""


def _frozen(mapping: Mapping[str, object] | None = None) -> Mapping[str, object]:
    """Wrap a mapping read-only so a state cannot change under the engine."""
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class ContactFacts:
    """A reported contact; `prompt` is the probe it surfaced under, to count each probe's yield."""

    name: str
    day: date | None = None
    setting: str | None = None
    prompt: str | None = None
    household: bool = False
    facts: Mapping[str, object] = field(default_factory=_frozen)
    category: str | None = None
    phone: str | None = None
    email: str | None = None
    unreachable_reason: str | None = None
    id: str | None = None
    informs: str | None = None  # the contact's own choice of who informs them, if any
    erased: bool = False  # details erased after retention: nobody can fill what they lack

    def category_facts(self, guide: Guide) -> dict[str, object]:
        """Return the facts for categorising, with `household` taken from the contact itself
        and any fact the question it was named under implies (in_bubble) unless recorded."""
        question = guide.questions.get(self.prompt) if self.prompt else None
        facts = {} if question is None else question.fact_defaults()
        facts.update({k: v for k, v in self.facts.items() if v is not None or k not in facts})
        if "household" in guide.fact_types and facts.get("household") is None:
            facts["household"] = self.household
        return facts

    def reachable(self) -> bool:
        """Tell whether there is a way to reach this contact, or a reason why there is none."""
        return any(bool(v and v.strip()) for v in (self.phone, self.email, self.unreachable_reason))


@dataclass(frozen=True)
class InterviewState:
    """An interview as the engine sees it; `build_state` makes it from an interview."""

    answers: Mapping[str, object] = field(default_factory=_frozen)
    contacts: tuple[ContactFacts, ...] = ()
    done: frozenset[str] = frozenset()
    onset: date | None = None
    test_date: date | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any], onset: date | None = None,
                  test_date: date | None = None) -> InterviewState:
        """Read the state file shape {answers: {}, contacts: [], done: []}; every key optional."""
        if not isinstance(data, Mapping):
            raise StateError("expected a JSON object with 'answers', 'contacts' and 'done'")
        unknown = sorted(set(data) - {"answers", "contacts", "done"})
        if unknown:
            raise StateError(f"unknown keys {', '.join(unknown)}; expected answers, contacts, done")
        answers = data.get("answers", {})
        if not isinstance(answers, Mapping):
            raise StateError("answers: expected an object {question id: value}")
        done = data.get("done", [])
        if not isinstance(done, list) or not all(isinstance(d, str) for d in done):
            raise StateError("done: expected a list of probe ids")
        contacts = data.get("contacts", [])
        if not isinstance(contacts, list):
            raise StateError("contacts: expected a list of objects")
        return cls(
            answers=_frozen(answers),
            contacts=tuple(_contact(i, c) for i, c in enumerate(contacts)),
            done=frozenset(done),
            onset=onset,
            test_date=test_date,
        )


class ReportedContact(Protocol):
    """A live contact as an interview recorded it: the aggregate's, or a read model's copy."""

    @property
    def contact_id(self) -> object: ...
    @property
    def name(self) -> str: ...
    @property
    def day(self) -> date | None: ...
    @property
    def setting(self) -> str | None: ...
    @property
    def prompt(self) -> str | None: ...
    @property
    def household(self) -> bool: ...
    @property
    def facts(self) -> Mapping[str, object]: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...
    @property
    def unreachable_reason(self) -> str | None: ...
    @property
    def category_override(self) -> str | None: ...
    @property
    def informs(self) -> str | None: ...
    @property
    def erased(self) -> bool: ...


def contact_facts(contact: ReportedContact) -> ContactFacts:
    """What the engine knows of a contact; the tracer's override stands as its category."""
    return ContactFacts(
        name=contact.name, day=contact.day, setting=contact.setting, prompt=contact.prompt,
        household=contact.household, facts=dict(contact.facts), phone=contact.phone,
        email=contact.email, unreachable_reason=contact.unreachable_reason,
        category=contact.category_override, id=str(contact.contact_id),
        informs=contact.informs, erased=contact.erased,
    )


def build_state(answers: Mapping[str, object], contacts: Iterable[ReportedContact],
                done: Iterable[str], onset: date | None, test_date: date | None
                ) -> InterviewState:
    """The engine's view of an interview from its answers, live contacts and prompts done:
    one way to build it, for the interview screen and the completeness read model alike."""
    return InterviewState(
        answers=dict(answers), contacts=tuple(contact_facts(c) for c in contacts),
        done=frozenset(done), onset=onset, test_date=test_date,
    )


def _contact(index: int, data: object) -> ContactFacts:
    """Read one contact object; keys beyond the known ones are facts for categorising."""
    where = f"contacts[{index}]"
    if not isinstance(data, Mapping):
        raise StateError(f"{where}: expected an object with at least 'name'")
    name = data.get("name")
    if not isinstance(name, str):
        raise StateError(f"{where}.name: expected text")
    for key in ("setting", "prompt", "category", "phone", "email", "unreachable_reason", "id",
                "informs"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise StateError(f"{where}.{key}: expected text")
    household = data.get("household", False)
    if not isinstance(household, bool):
        raise StateError(f"{where}.household: expected true or false")
    return ContactFacts(
        name=name,
        day=_iso_day(data.get("day"), f"{where}.day"),
        setting=data.get("setting"),
        prompt=data.get("prompt"),
        household=household,
        facts=_frozen({k: v for k, v in data.items() if k not in CONTACT_KEYS}),
        category=data.get("category"),
        phone=data.get("phone"),
        email=data.get("email"),
        unreachable_reason=data.get("unreachable_reason"),
        id=data.get("id"),
        informs=data.get("informs"),
    )


def _iso_day(value: object, where: str) -> date | None:
    """Parse an optional YYYY-MM-DD day."""
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise StateError(f"{where}: expected a date as YYYY-MM-DD, got {value!r}") from None


def known_step_ids(guide: Guide) -> set[str]:
    """Return the probe and script ids a guide can mark done, apart from day probes."""
    ids = {prompt_ids.for_setting(s) for s in guide.setting_ids} | {prompt_ids.FINAL}
    ids |= {prompt_ids.for_consistency(rule.id) for rule in guide.probing.consistency}
    ids |= {prompt_ids.for_script(script.id) for section in guide.sections
            for script in section.scripts}
    if guide.probing.household is not None:
        ids.add(prompt_ids.HOUSEHOLD)
    return ids


def probe_id_known(guide: Guide, probe_id: str) -> bool:
    """Tell whether `probe_id` names a probe or script of this guide (day probes by date)."""
    parsed = prompt_ids.parse(probe_id)
    if parsed is not None and parsed.kind == "day":
        return parsed.day is not None and guide.probing.days is not None
    return probe_id in known_step_ids(guide)


def state_problems(guide: Guide, state: InterviewState) -> list[str]:
    """List every id in `state` the guide does not know, and every mistyped fact."""
    problems = [f"answers.{q}: unknown question" for q in state.answers if q not in guide.questions]
    problems += [f"done: unknown probe {p!r}" for p in sorted(state.done)
                 if not probe_id_known(guide, p)]
    for index, contact in enumerate(state.contacts):
        where = f"contacts[{index}]"
        if contact.setting is not None and contact.setting not in guide.setting_ids:
            problems.append(f"{where}.setting: unknown setting {contact.setting!r}")
        if contact.prompt is not None and not (
            probe_id_known(guide, contact.prompt) or contact.prompt in guide.questions
        ):
            problems.append(f"{where}.prompt: unknown probe {contact.prompt!r}")
        if contact.category is not None and guide.category(contact.category) is None:
            problems.append(f"{where}.category: unknown category {contact.category!r}")
        try:
            check_facts(guide, contact.facts)
        except FactError as error:
            problems.append(f"{where}.{error.fact}: {error}")
    return problems
