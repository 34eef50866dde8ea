"""Turn schema-valid guide data into a Guide, catching what a schema cannot see."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

from bco.guides.categories import fact_fits
from bco.guides.conditions import NUMERIC_OPS
from bco.guides.errors import GuideError, Location, PathKey
from bco.guides.follow_ups import default_problems, unrecorded
from bco.guides.guide_checks import placement_problems, requirement_problems
from bco.guides.model import (
    AllOf,
    AnyOf,
    Bound,
    Categories,
    Category,
    CategoryRule,
    Compare,
    CompareOp,
    CompletenessRules,
    Condition,
    ConsistencyRule,
    Cues,
    DayProbing,
    Fact,
    Guide,
    HouseholdProbing,
    Option,
    Probing,
    Question,
    Script,
    Section,
    Setting,
    Text,
    WindowRule,
    WindowRules,
)


def build_guide(data: dict[str, Any], location: Location, content_hash: str, path: Path) -> Guide:
    """Build the Guide or raise GuideError with every semantic problem found."""
    builder = _Builder(data, location)
    guide = builder.build(content_hash, path)
    if builder.problems:
        raise GuideError([location.message(p, m) for p, m in builder.problems])
    return guide


class _Builder:
    """Collects semantic problems while converting plain data into model objects."""

    def __init__(self, data: dict[str, Any], location: Location) -> None:
        self.data = data
        self.location = location
        self.languages: tuple[str, ...] = tuple(data["languages"])
        self.problems: list[tuple[PathKey, str]] = []
        self.questions: dict[str, Question] = {}
        self.question_paths: dict[str, PathKey] = {}
        self.all_question_ids = {
            q["id"] for s in data["sections"] for q in s.get("questions", ())
        }
        self.setting_ids = {s["id"] for s in data["settings"]}
        self.facts = {f["id"]: f["type"] for f in data["facts"]}

    def problem(self, path: PathKey, message: str) -> None:
        """Record one problem at `path`."""
        self.problems.append((path, message))

    def build(self, content_hash: str, path: Path) -> Guide:
        """Convert every part, then run the checks that span several parts."""
        data = self.data
        self._unique(("sections",), data["sections"], "section")
        self._unique(("settings",), data["settings"], "setting")
        self._unique(("facts",), data["facts"], "fact")
        self._unique_ids(
            "script",
            [((*p, "script", i), s["id"]) for p, sec in self._sections() for i, s in
             enumerate(sec.get("script", ()))]
            + [(("empathy", i), s["id"]) for i, s in enumerate(data.get("empathy", ()))],
        )
        self._unique_ids(
            "question",
            [((*p, "questions", i), q["id"]) for p, sec in self._sections()
             for i, q in enumerate(sec.get("questions", ()))],
        )
        sections = tuple(self._section(("sections", i), s) for i, s in enumerate(data["sections"]))
        settings = tuple(self._setting(("settings", i), s) for i, s in enumerate(data["settings"]))
        facts = tuple(
            Fact(f["id"], f["type"], self._text(("facts", i, "label"), f["label"]), f.get("unit"),
                 f.get("quick_entry", False))
            for i, f in enumerate(data["facts"])
        )
        windows = self._windows(data["windows"])
        probing = self._probing(data["probing"])
        categories = self._categories(data["categories"])
        completeness = self._completeness(data["completeness"], probing, sections)
        self.problems.extend(placement_problems(sections, probing, bool(self.setting_ids)))
        self._follow_ups(probing)
        empathy = tuple(
            Script(s["id"], self._text(("empathy", i, "text"), s["text"]))
            for i, s in enumerate(data.get("empathy", ()))
        )
        return Guide(
            id=data["id"], version=data["version"], disease=data["disease"],
            title=self._text(("title",), data["title"]), languages=self.languages,
            content_hash=content_hash, path=path, windows=windows, sections=sections,
            settings=settings, facts=facts, categories=categories, probing=probing,
            completeness=completeness, empathy=empathy,
            inform_question=self._inform_question(data.get("inform_question")),
            regions=tuple(data.get("regions") or ()),
        )

    def _sections(self) -> Iterable[tuple[PathKey, dict[str, Any]]]:
        """Yield each section with its path."""
        for index, section in enumerate(self.data["sections"]):
            yield ("sections", index), section

    def _unique(self, path: PathKey, items: list[dict[str, Any]], kind: str) -> None:
        """Refuse two items of one list with the same id."""
        self._unique_ids(kind, [((*path, i), item["id"]) for i, item in enumerate(items)])

    def _unique_ids(self, kind: str, entries: list[tuple[PathKey, str]]) -> None:
        """Refuse an id that was already used for another item of the same kind."""
        first: dict[str, PathKey] = {}
        for path, item_id in entries:
            if item_id in first:
                where = self.location.format_path(first[item_id])
                self.problem((*path, "id"),
                             f"duplicate {kind} id {item_id!r}; first used at {where}")
            else:
                first[item_id] = path

    def _text(self, path: PathKey, value: dict[str, str]) -> Text:
        """Build a Text, requiring every language the guide declares."""
        for language in self.languages:
            if language not in value:
                self.problem(path, f"missing the {language!r} text; every text needs "
                                   f"{', '.join(self.languages)}")
        return Text(tuple((lang, value.get(lang, "")) for lang in self.languages))

    def _cues(self, path: PathKey, value: dict[str, list[str]] | None) -> Cues:
        """Build Cues, requiring every declared language when cues are given."""
        if value is None:
            return Cues()
        for language in self.languages:
            if language not in value:
                self.problem(path, f"missing the {language!r} cues")
        return Cues(tuple((lang, tuple(value.get(lang, ()))) for lang in self.languages))

    def _optional_text(self, path: PathKey, value: dict[str, str] | None) -> Text | None:
        """Build a Text when present."""
        return None if value is None else self._text(path, value)

    def _section(self, path: PathKey, data: dict[str, Any]) -> Section:
        """Build a section and its questions in order, so conditions can only look back."""
        scripts = tuple(
            Script(s["id"], self._text((*path, "script", i, "text"), s["text"]),
                   s.get("at", "start"))
            for i, s in enumerate(data.get("script", ()))
        )
        questions = []
        for index, item in enumerate(data.get("questions", ())):
            question = self._question((*path, "questions", index), item, data["id"])
            questions.append(question)
            self.questions[question.id] = question
            self.question_paths[question.id] = (*path, "questions", index)
        return Section(
            id=data["id"], title=self._text((*path, "title"), data["title"]),
            why=self._optional_text((*path, "why"), data.get("why")), scripts=scripts,
            questions=tuple(questions), probes=tuple(data.get("probes", ())),
        )

    def _question(self, path: PathKey, data: dict[str, Any], section: str) -> Question:
        """Build a question, checking its options, defaults and condition."""
        kind = data["type"]
        options = tuple(
            Option(o["value"], self._text((*path, "options", i, "label"), o["label"]))
            for i, o in enumerate(data.get("options", ()))
        )
        if kind in ("choice", "multichoice") and not options:
            self.problem((*path, "type"), f"a {kind} question needs 'options'")
        if kind not in ("choice", "multichoice") and options:
            self.problem((*path, "options"), f"only choice questions take options, not {kind}")
        self._unique_ids(
            "option", [((*path, "options", i), o.value) for i, o in enumerate(options)]
        )
        defaults = dict(data.get("contact_defaults", {}))
        if defaults and kind != "contacts":
            self.problem((*path, "contact_defaults"),
                         "only 'contacts' questions take contact_defaults")
        if "setting" in defaults and defaults["setting"] not in self.setting_ids:
            self.problem((*path, "contact_defaults", "setting"),
                         f"unknown setting {defaults['setting']!r}; expected one of: "
                         f"{', '.join(sorted(self.setting_ids))}")
        for key, message in default_problems(defaults, self.facts):
            self.problem((*path, "contact_defaults", key), message)
        if data.get("reveals_contacts") and kind != "yesno":
            self.problem((*path, "reveals_contacts"),
                         f"only yes/no questions take reveals_contacts, not {kind}")
        show_if = None
        if "show_if" in data:
            show_if = self._answer_condition((*path, "show_if"), data["show_if"], data["id"])
        return Question(
            id=data["id"], section=section, type=kind,
            text=self._text((*path, "text"), data["text"]), required=data.get("required", True),
            why=self._optional_text((*path, "why"), data.get("why")),
            help=self._optional_text((*path, "help"), data.get("help")), show_if=show_if,
            options=options, contact_defaults=MappingProxyType(defaults),
            reveals_contacts=data.get("reveals_contacts", False),
            checks_case_file=tuple(data.get("checks_case_file", ())),
        )

    def _answer_condition(self, path: PathKey, data: dict[str, Any],
                          asker: str | None) -> Condition:
        """Build a condition on earlier answers; `asker` is the question it guards, if any."""
        if "all" in data or "any" in data:
            key = "all" if "all" in data else "any"
            parts = tuple(
                self._answer_condition((*path, key, i), c, asker) for i, c in enumerate(data[key])
            )
            return AllOf(parts) if key == "all" else AnyOf(parts)
        subject = data["question"]
        op = next(k for k in data if k != "question")
        if subject not in self.all_question_ids:
            self.problem((*path, "question"), f"refers to unknown question {subject!r}")
        elif asker is not None and subject not in self.questions:
            self.problem((*path, "question"),
                         f"refers to question {subject!r}, which is asked later (or is this "
                         "question itself); a condition can only use earlier answers")
        else:
            self._check_answer_value(path, self.questions.get(subject), op, data[op])
        return Compare(subject, cast(CompareOp, op), data[op])

    def _check_answer_value(self, path: PathKey, question: Question | None, op: str,
                            value: object) -> None:
        """Refuse a condition value the referenced question can never give."""
        if question is None:
            return
        values = [o.value for o in question.options]
        if question.type == "yesno" and op == "equals" and not isinstance(value, bool):
            self.problem((*path, op), f"question {question.id!r} is yes/no; expected true or false")
        if question.type in ("choice", "multichoice") and op in ("equals", "in", "includes"):
            wanted = value if isinstance(value, list) else [value]
            for item in wanted:
                if item not in values:
                    self.problem((*path, op), f"{item!r} is not an option of {question.id!r}; "
                                              f"expected one of: {', '.join(values)}")
        if op in NUMERIC_OPS and question.type != "number":
            self.problem((*path, op),
                         f"{op} needs a number question, {question.id!r} is {question.type}")

    def _setting(self, path: PathKey, data: dict[str, Any]) -> Setting:
        """Build a setting with its probing prompt."""
        return Setting(
            id=data["id"], label=self._text((*path, "label"), data["label"]),
            prompt=self._text((*path, "prompt"), data["prompt"]),
            cues=self._cues((*path, "cues"), data.get("cues")),
        )

    def _inform_question(self, question_id: str | None) -> str | None:
        """Check the question asking who informs the contacts offers 'index' and 'authority'."""
        if question_id is None:
            return None
        question = self.questions.get(question_id)
        if question is None:
            self.problem(("inform_question",), f"unknown question {question_id!r}")
        elif question.type != "choice":
            self.problem(("inform_question",), f"question {question_id!r} is {question.type}; "
                         "expected a choice question")
        else:
            values = {option.value for option in question.options}
            missing = sorted({"index", "authority"} - values)
            if missing:
                self.problem(("inform_question",),
                             f"question {question_id!r} has no option {' or '.join(missing)}; "
                             "expected options index and authority (others mean: per contact)")
        return question_id

    def _windows(self, data: dict[str, Any]) -> WindowRules:
        """Build the exposure windows and check the onset question is a date question."""
        onset_question = data.get("onset_question")
        if onset_question is not None:
            question = self.questions.get(onset_question)
            if question is None:
                self.problem(("windows", "onset_question"), f"unknown question {onset_question!r}")
            elif question.type != "date":
                self.problem(("windows", "onset_question"),
                             f"question {onset_question!r} is {question.type}; "
                             "expected a date question")
        source = data.get("source")
        return WindowRules(
            onset_means=self._text(("windows", "onset_means"), data["onset_means"]),
            infectious=self._window(data["infectious"]),
            source=None if source is None else self._window(source),
            onset_question=onset_question,
        )

    @staticmethod
    def _window(data: dict[str, Any]) -> WindowRule:
        """Build one window rule."""
        def bound(raw: dict[str, Any]) -> Bound:
            return Bound(raw.get("days", 0), raw.get("months", 0), raw.get("from"))
        return WindowRule(bound(data["start"]), bound(data["end"]))

    def _probing(self, data: dict[str, Any]) -> Probing:
        """Build the probing prompts, checking what they refer to."""
        days = data.get("days")
        household = data.get("household")
        if household is not None:
            size = self.questions.get(household["size_question"])
            if size is None:
                self.problem(("probing", "household", "size_question"),
                             f"unknown question {household['size_question']!r}")
            elif size.type != "number":
                self.problem(("probing", "household", "size_question"),
                             f"question {size.id!r} is {size.type}; expected a number question")
        consistency = []
        for index, rule in enumerate(data.get("consistency", ())):
            path: PathKey = ("probing", "consistency", index)
            if rule["unless_contacts_in"] not in self.setting_ids:
                self.problem((*path, "unless_contacts_in"),
                             f"unknown setting {rule['unless_contacts_in']!r}")
            consistency.append(ConsistencyRule(
                id=rule["id"], when=self._answer_condition((*path, "when"), rule["when"], None),
                unless_contacts_in=rule["unless_contacts_in"],
                text=self._text((*path, "text"), rule["text"]),
                cues=self._cues((*path, "cues"), rule.get("cues")),
            ))
        self._unique(("probing", "consistency"), list(data.get("consistency", ())), "consistency")
        return Probing(
            days=None if days is None else DayProbing(
                self._text(("probing", "days", "text"), days["text"]),
                self._cues(("probing", "days", "cues"), days.get("cues")),
                days.get("order", "oldest_first"),
            ),
            household=None if household is None else HouseholdProbing(
                household["size_question"],
                self._text(("probing", "household", "text"), household["text"]),
            ),
            consistency=tuple(consistency),
            final=self._text(("probing", "final", "text"), data["final"]["text"]),
            final_cues=self._cues(("probing", "final", "cues"), data["final"].get("cues")),
        )

    def _categories(self, data: dict[str, Any]) -> Categories:
        """Build the category scheme, checking every rule uses declared facts and categories."""
        self._unique(("categories", "list"), data["list"], "category")
        known = {c["id"] for c in data["list"]}
        rules = []
        for index, rule in enumerate(data["rules"]):
            path: PathKey = ("categories", "rules", index)
            if rule["category"] not in known:
                self.problem((*path, "category"), f"unknown category {rule['category']!r}; "
                                                  f"expected one of: {', '.join(sorted(known))}")
            rules.append(CategoryRule(rule["id"], rule["category"],
                                      self._fact_condition((*path, "when"), rule["when"])))
        default = data["default"]
        if default["category"] not in known:
            self.problem(("categories", "default", "category"),
                         f"unknown category {default['category']!r}")
        self._unique_ids("rule", [(("categories", "rules", i), r["id"])
                                  for i, r in enumerate(data["rules"])]
                         + [(("categories", "default"), default["id"])])
        return Categories(
            scheme=self._text(("categories", "scheme"), data["scheme"]),
            categories=tuple(
                Category(c["id"], self._text(("categories", "list", i, "label"), c["label"]),
                         self._optional_text(("categories", "list", i, "advice"), c.get("advice")))
                for i, c in enumerate(data["list"])
            ),
            rules=tuple(rules), default=CategoryRule(default["id"], default["category"], None),
            needs=self._optional_text(("categories", "needs"), data.get("needs")),
        )

    def _fact_condition(self, path: PathKey, data: dict[str, Any]) -> Condition:
        """Build a condition on contact facts, checking the fact exists and fits the comparison."""
        if "all" in data or "any" in data:
            key = "all" if "all" in data else "any"
            parts = tuple(self._fact_condition((*path, key, i), c) for i, c in enumerate(data[key]))
            return AllOf(parts) if key == "all" else AnyOf(parts)
        fact = data["fact"]
        op = next(k for k in data if k != "fact")
        fact_type = self.facts.get(fact)
        if fact_type is None:
            self.problem((*path, "fact"), f"undeclared fact {fact!r}; declare it under 'facts' "
                                          f"(declared: {', '.join(sorted(self.facts)) or 'none'})")
        elif op in NUMERIC_OPS and fact_type != "number":
            self.problem((*path, op), f"{op} needs a number fact, {fact!r} is {fact_type}")
        else:
            wanted = data[op] if op == "in" else [data[op]] if op == "equals" else []
            for value in wanted:
                if not fact_fits(fact_type, value):
                    self.problem((*path, op), f"fact {fact!r} is {fact_type}; got {value!r}")
        return Compare(fact, cast(CompareOp, op), data[op])

    def _completeness(self, data: dict[str, Any], probing: Probing,
                      sections: tuple[Section, ...]) -> CompletenessRules:
        """Build the completeness weights, refusing requirements the guide cannot measure."""
        weights = cast(dict[str, int], data["weights"])
        self.problems.extend(requirement_problems(weights, probing, sections,
                                                  bool(self.setting_ids)))
        return CompletenessRules(
            weights=tuple((k, v) for k, v in weights.items()),  # type: ignore[misc]
            contact_fields=tuple(data["contact_fields"]),
        )

    def _follow_ups(self, probing: Probing) -> None:
        """Refuse a question that can reveal contacts when nothing records them on its yes."""
        for question in unrecorded(self.questions, probing):
            self.problem((*self.question_paths[question.id], "reveals_contacts"),
                         f"a yes can reveal contacts, but nothing records them; add a contacts "
                         f"question with show_if {{question: {question.id}, equals: true}}, or a "
                         f"consistency probe whose 'when' uses {question.id!r}")
