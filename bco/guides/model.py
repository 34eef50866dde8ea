"""A loaded interview guide as immutable values, so the engine can share one copy everywhere."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal

QuestionType = Literal[
    "text", "date", "choice", "multichoice", "yesno", "number", "phone", "contacts"
]
CompareOp = Literal[
    "equals", "in", "includes", "at_least", "at_most", "less_than", "more_than", "answered"
]
FactType = Literal["boolean", "number", "text"]
ProbeKind = Literal["days", "settings", "household", "consistency", "final"]
Requirement = Literal[
    "dates", "questions", "days", "settings", "household", "consistency", "contacts", "final"
]
ContactField = Literal["name", "reach", "day", "category"]

QUESTION_TYPES: tuple[QuestionType, ...] = (
    "text", "date", "choice", "multichoice", "yesno", "number", "phone", "contacts",
)
PROBE_KINDS: tuple[ProbeKind, ...] = ("days", "settings", "household", "consistency", "final")
REQUIREMENTS: tuple[Requirement, ...] = (
    "dates", "questions", "days", "settings", "household", "consistency", "contacts", "final",
)
CONTACT_FIELDS: tuple[ContactField, ...] = ("name", "reach", "day", "category")


@dataclass(frozen=True)
class Text:
    """One phrase in every language of the guide, so a tracer reads it in their own language."""

    translations: tuple[tuple[str, str], ...]

    def in_language(self, language: str) -> str:
        """Return the phrase in `language`; the loader guarantees every guide language exists."""
        for code, value in self.translations:
            if code == language:
                return value
        raise ValueError(f"no text in language {language!r}")


@dataclass(frozen=True)
class Cues:
    """Memory cues per language that help the index recall people they would otherwise skip."""

    translations: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def in_language(self, language: str) -> tuple[str, ...]:
        """Return the cues in `language`, or none when the guide gives none."""
        for code, values in self.translations:
            if code == language:
                return values
        return ()


@dataclass(frozen=True)
class Compare:
    """A test on one answer or fact; `subject` is a question id or a fact name."""

    subject: str
    op: CompareOp
    value: object


@dataclass(frozen=True)
class AllOf:
    """True when every part holds."""

    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    """True when at least one part holds."""

    conditions: tuple[Condition, ...]


Condition = Compare | AllOf | AnyOf


@dataclass(frozen=True)
class Script:
    """A line the tracer says; `at` places it before or after the section's questions."""

    id: str
    text: Text
    at: Literal["start", "end"] = "start"


@dataclass(frozen=True)
class Option:
    """One answer a choice question offers."""

    value: str
    label: Text


@dataclass(frozen=True)
class Question:
    """A question the tracer asks, with why it matters so they can explain it."""

    id: str
    section: str
    type: QuestionType
    text: Text
    required: bool = True
    why: Text | None = None
    help: Text | None = None
    show_if: Condition | None = None
    options: tuple[Option, ...] = ()
    contact_defaults: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    reveals_contacts: bool = False  # a yes means there are contacts: a follow-up records them
    checks_case_file: tuple[str, ...] = ()  # what the case file says is shown beside it

    def fact_defaults(self) -> dict[str, object]:
        """The contact facts this question implies for everyone named under it (in_bubble…)."""
        return {k: v for k, v in self.contact_defaults.items()
                if k not in ("household", "setting")}


@dataclass(frozen=True)
class Section:
    """A part of the conversation; its probes say where in the flow probing happens."""

    id: str
    title: Text
    why: Text | None
    scripts: tuple[Script, ...]
    questions: tuple[Question, ...]
    probes: tuple[ProbeKind, ...]


@dataclass(frozen=True)
class Setting:
    """A kind of place or activity (work, sport, car-pool…) the tracer walks through."""

    id: str
    label: Text
    prompt: Text
    cues: Cues


@dataclass(frozen=True)
class Fact:
    """Something known about a contact that the category rules look at."""

    id: str
    type: FactType
    label: Text
    unit: str | None = None
    quick_entry: bool = False  # asked on the quick-entry line too (the script asks it of all)


@dataclass(frozen=True)
class Category:
    """A contact category with the advice that goes with it."""

    id: str
    label: Text
    advice: Text | None = None


@dataclass(frozen=True)
class CategoryRule:
    """The first rule whose condition holds decides the category; `when=None` always holds."""

    id: str
    category: str
    when: Condition | None


@dataclass(frozen=True)
class Categories:
    """The guide's versioned category scheme."""

    scheme: Text
    categories: tuple[Category, ...]
    rules: tuple[CategoryRule, ...]
    default: CategoryRule
    needs: Text | None = None  # what to ask so a category can be decided; phrasing has a default


@dataclass(frozen=True)
class Bound:
    """A window edge: an offset from the anchor date, optionally from a preferred date."""

    days: int = 0
    months: int = 0
    origin: Literal["onset", "test_date"] | None = None


@dataclass(frozen=True)
class WindowRule:
    """Start and end of one exposure window relative to symptom onset or test date."""

    start: Bound
    end: Bound


@dataclass(frozen=True)
class WindowRules:
    """How the guide derives its exposure windows, and what 'onset' means for this disease."""

    onset_means: Text
    infectious: WindowRule
    source: WindowRule | None = None
    onset_question: str | None = None


@dataclass(frozen=True)
class DayProbing:
    """The day-by-day walk through the infectious window."""

    text: Text
    cues: Cues
    order: Literal["oldest_first", "newest_first"] = "oldest_first"


@dataclass(frozen=True)
class HouseholdProbing:
    """The follow-up when fewer housemates are recorded than the index said live there."""

    size_question: str
    text: Text


@dataclass(frozen=True)
class ConsistencyRule:
    """A follow-up for an answer that contradicts the contact list (went to work, no colleagues)."""

    id: str
    when: Condition
    unless_contacts_in: str
    text: Text
    cues: Cues


@dataclass(frozen=True)
class Probing:
    """Every probing prompt the guide defines."""

    days: DayProbing | None
    household: HouseholdProbing | None
    consistency: tuple[ConsistencyRule, ...]
    final: Text
    final_cues: Cues


@dataclass(frozen=True)
class CompletenessRules:
    """Which requirements count towards the score, and how heavily."""

    weights: tuple[tuple[Requirement, int], ...]
    contact_fields: tuple[ContactField, ...]

    def weight(self, requirement: Requirement) -> int:
        """Return the weight of `requirement`, 0 when the guide does not require it."""
        return dict(self.weights).get(requirement, 0)


@dataclass(frozen=True, eq=False)
class Guide:
    """A validated guide plus lookup tables built once, so the engine never re-parses."""

    id: str
    version: int
    disease: str
    title: Text
    languages: tuple[str, ...]
    content_hash: str
    path: Path
    windows: WindowRules
    sections: tuple[Section, ...]
    settings: tuple[Setting, ...]
    facts: tuple[Fact, ...]
    categories: Categories
    probing: Probing
    completeness: CompletenessRules
    empathy: tuple[Script, ...]
    inform_question: str | None = None  # who informs the contacts: index, authority or mixed
    regions: tuple[str, ...] = ()  # countries whose cases get this guide by default
    questions: Mapping[str, Question] = field(init=False, repr=False)
    question_order: Mapping[str, int] = field(init=False, repr=False)
    setting_ids: frozenset[str] = field(init=False, repr=False)
    fact_types: Mapping[str, FactType] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Index questions, settings and facts so every engine call is a dictionary lookup."""
        ordered = [q for section in self.sections for q in section.questions]
        object.__setattr__(self, "questions", MappingProxyType({q.id: q for q in ordered}))
        object.__setattr__(
            self, "question_order", MappingProxyType({q.id: i for i, q in enumerate(ordered)})
        )
        object.__setattr__(self, "setting_ids", frozenset(s.id for s in self.settings))
        object.__setattr__(
            self, "fact_types", MappingProxyType({f.id: f.type for f in self.facts})
        )

    def setting(self, setting_id: str) -> Setting | None:
        """Return the setting with this id, if the guide has it."""
        return next((s for s in self.settings if s.id == setting_id), None)

    def category(self, category_id: str) -> Category | None:
        """Return the category with this id, if the guide has it."""
        return next((c for c in self.categories.categories if c.id == category_id), None)
