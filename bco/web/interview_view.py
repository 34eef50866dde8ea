"""What the interview screen shows, built from the aggregate and the guide engine (always fresh)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from flask_babel import lazy_gettext as _l

from bco.application import BCOApplication
from bco.domain.case import Case
from bco.domain.interview import Contact, Interview, InterviewStatus, informer_for
from bco.domain.invitation import Invitation, Proposal
from bco.guides import prompt_ids
from bco.guides.completeness import Assessment, assess
from bco.guides.contact_category import contact_category
from bco.guides.engine import (
    Completeness,
    SectionView,
    Step,
    StepView,
    Windows,
    all_steps,
    exposure_windows,
    resume_point,
)
from bco.guides.model import Guide
from bco.guides.phrasing import format_day
from bco.guides.progress import Progress, effective_dates, measure
from bco.guides.state import ContactFacts, InterviewState
from bco.web.display import field_label

# The field of a contact's card that fills each of its completeness items.
CONTACT_ITEM_FIELDS = {"name": "name", "reach": "phone", "day": "day", "informs": "informs",
                       "category": "override"}
INFORMER_LABELS = {"index": _l("the index"), "authority": _l("health service")}


def step_anchor(step_id: str) -> str:
    """An HTML id for a step, so completeness links and htmx swaps can find it."""
    return "step-" + re.sub(r"[^A-Za-z0-9_-]+", "-", step_id)


@dataclass(frozen=True)
class ContactRow:
    """A contact as the roster shows it: the category the guide computes, or the override."""

    contact: Contact
    category: str | None
    category_label: str
    settled: bool
    overridden: bool
    prompt_label: str
    setting_label: str

    @property
    def category_badge(self) -> str:
        """The category as its badge names it: the label's head ('Categorie 2a' of
        'Categorie 2a: nauw contact, ...'), or the whole label; never the guide's id."""
        head, colon, _rest = self.category_label.partition(":")
        return head.strip() if colon else self.category_label


@dataclass(frozen=True)
class DayRow:
    """One day of the infectious window with the contacts seen that day."""

    day: date
    label: str
    status: str
    anchor: str
    contacts: tuple[Contact, ...]


@dataclass(frozen=True)
class Fold:
    """A finished section shown as one line: what was done in it, opened on demand."""

    answered: int
    said: int
    probed: int
    contacts: int
    left_open: int  # optional questions and lines not marked as said, passed over


@dataclass
class Screen:
    """Everything the interview screen needs, computed once per request.

    The guide's steps are worked out up front (every response needs them); the completeness
    meter, the exposure windows, the day list and the contact rows only when a template asks,
    since an answer's response shows none of them.
    """

    interview: Interview
    case: Case
    guide: Guide
    language: str
    today: date
    state: InterviewState
    progress: Progress
    sections: list[SectionView]
    current: Step | None  # the first open required item (or the lines leading into it)
    statuses: dict[str, str] = field(default_factory=dict)
    script_language: str = ""  # what the tracer reads out: the index's language if the guide has it
    opened: frozenset[str] = frozenset()  # missing items the last save opened (mark_opened)
    # What the index entered through a self-report link and nobody decided on yet, and per day
    # of the window what the index said about it there (entries made, or went through it), and
    # how many entries name each setting.
    proposals: tuple[tuple[Invitation, Proposal], ...] = ()
    self_days: Mapping[date, int] = field(default_factory=dict)
    walked_days: frozenset[date] = frozenset()
    self_settings: Mapping[str, int] = field(default_factory=dict)

    @cached_property
    def windows(self) -> Windows | None:
        onset, test_date = effective_dates(self.guide, self.state)
        if onset is None and test_date is None:
            return None
        return exposure_windows(self.guide, onset, test_date)

    @cached_property
    def contacts(self) -> list[ContactRow]:
        return [_contact_row(self.guide, self.language, contact, facts)
                for contact, facts in zip(self.interview.live_contacts, self.state.contacts,
                                          strict=True)]

    @cached_property
    def days(self) -> list[DayRow]:
        """The infectious window day by day, with its day probe's status and its contacts."""
        if self.windows is None:
            return []
        day_status = {view.step.day: view.status for section in self.sections
                      for view in section.steps
                      if view.step.trigger == "day" and view.step.day is not None}
        live = self.interview.live_contacts
        return [DayRow(day, format_day(day, self.language),
                       day_status.get(day, "later" if day > self.today else "open"),
                       step_anchor(prompt_ids.for_day(day)),
                       tuple(c for c in live if c.day == day))
                for day in self.windows.infectious.days()]

    @cached_property
    def assessment(self) -> Assessment:
        return assess(self.guide, self.state, self.today, progress=self.progress)

    @cached_property
    def completeness(self) -> Completeness:
        return self.assessment.render(self.language, self.script_language)

    def mark_opened(self, before: InterviewState, progress: Progress | None = None) -> None:
        """Note the missing items a save opened (a new contact's details, a follow-up its
        answer shows), so the screen can point at what made the score go down."""
        earlier = assess(self.guide, before, self.today, progress=progress)
        self.opened = frozenset(gap.item for gap in self.assessment.opened_since(earlier))

    def contact_opened(self, anchor: str) -> bool:
        """Whether the last save opened items of the contact with this card anchor."""
        return any(item.startswith("contact:") and
                   step_anchor("contact:" + item.split(":")[1]) == anchor
                   for item in self.opened)

    @cached_property
    def contacts_to_fill(self) -> list[tuple[str, str, list[str]]]:
        """Per contact with open items: name, card anchor and which details are open, so a
        score that dropped on a new contact says why ('Noor: 2 items to fill')."""
        open_fields: dict[str, list[str]] = {}
        for item in self.completeness.missing:
            kind, _, rest = item.item.partition(":")
            if kind == "contact":
                key, _, name = rest.rpartition(":")
                open_fields.setdefault(key, []).append(name)
        return [(c.name.strip() or f"#{n}", step_anchor(f"contact:{c.id}"), open_fields[c.id])
                for n, c in enumerate(self.state.contacts, start=1)
                if c.id is not None and c.id in open_fields]

    def missing_anchor(self, item: str, step: str) -> str:
        """Where a missing item's link goes: for a contact's detail, that detail's own field
        in the contact's card (the day of last contact, not the name), else the step."""
        kind, _, rest = item.partition(":")
        key, _, name = rest.rpartition(":")
        if kind != "contact" or step != f"contact:{key}" or name not in CONTACT_ITEM_FIELDS:
            return step_anchor(step)
        field = CONTACT_ITEM_FIELDS[name]
        if name == "category":
            fact = next((f.id for f in self.guide.facts if f.id != "household"), None)
            field = f"fact-{fact}" if fact else "override"
        return f"c-{key}-{field}"

    def fold(self, section: SectionView) -> Fold | None:
        """A section the tracer is done with folds to one line so the page fits a call: nothing
        required open in it, and either nothing open at all or the guide already past it (an
        optional question or a line left unmarked does not keep it open). None for a section
        still in use, the one the tracer is in included."""
        shown = [view for view in section.steps if view.status in ("open", "answered", "done")]
        if not shown or (self.current is not None and self.current.section == section.id):
            return None
        left = [view for view in shown if view.status == "open"]
        if any(view.step.kind == "probe" or view.step.required for view in left
               if view.step.kind != "script"):
            return None
        order = [s.id for s in self.sections]
        passed = self.current is None or order.index(section.id) < order.index(
            self.current.section)
        if left and not passed:
            return None
        ids = {view.step.id for view in shown}
        return Fold(
            answered=sum(1 for v in shown if v.step.kind == "question" and v.status == "answered"
                         and v.step.type != "contacts"),
            said=sum(1 for v in shown if v.step.kind == "script" and v.status == "done"),
            probed=sum(1 for v in shown if v.step.kind == "probe"
                       or v.step.type == "contacts"),
            contacts=sum(1 for c in self.interview.live_contacts if c.prompt in ids),
            left_open=len(left))

    @cached_property
    def next_contact(self) -> tuple[str, str, list[str]] | None:
        """With no required step open, the first contact whose details are still missing."""
        if self.current is not None:
            return None
        return next(iter(self.contacts_to_fill), None)

    @cached_property
    def leftover(self) -> Step | None:
        """With nothing required left, the first step still open: an optional question, a
        line to say at the end of a section."""
        if self.current is not None or self.next_contact is not None:
            return None
        return next((view.step for section in self.sections for view in section.steps
                     if view.status == "open"), None)

    @property
    def next_anchor(self) -> str | None:
        """Where "Next" and a resume go: the current step, else a contact to fill in, else
        what is left to say or ask."""
        if self.current is not None:
            return step_anchor(self.current.id)
        if self.next_contact is not None:
            return self.next_contact[1]
        return step_anchor(self.leftover.id) if self.leftover is not None else None

    def open_fields(self, contact_id: str) -> list[str]:
        """The details still missing for one contact (name, reach, day, category, informs)."""
        return next((fields for _name, anchor, fields in self.contacts_to_fill
                     if anchor == step_anchor(f"contact:{contact_id}")), [])

    @property
    def editable(self) -> bool:
        return self.interview.status == InterviewStatus.IN_PROGRESS

    @property
    def paused(self) -> bool:
        return self.interview.status == InterviewStatus.PAUSED

    @property
    def completed(self) -> bool:
        return self.interview.status == InterviewStatus.COMPLETED

    @property
    def step_ids(self) -> list[str]:
        return [view.step.id for section in self.sections for view in section.steps]

    def contacts_under(self, prompt: str) -> list[Contact]:
        """The live contacts reported under one prompt or contacts question."""
        return [c for c in self.interview.live_contacts if c.prompt == prompt]

    def contacts_for_question(self, question_id: str) -> list[Contact]:
        return contacts_for_question(self.guide, self.interview.live_contacts, question_id)

    def informer(self, contact: Contact) -> str | None:
        """Who informs this contact: its own choice, else the index's answer for everyone."""
        question = self.guide.inform_question
        return informer_for(contact.informs,
                            self.interview.answers.get(question) if question else None)

    def case_hint(self, question_id: str) -> tuple[str, str] | None:
        """What the case file already says for the onset question, so the tracer can check it."""
        if question_id != self.guide.windows.onset_question:
            return None
        if self.case.onset is not None:
            return "onset", self.case.onset.strftime("%d-%m-%Y")
        if self.case.test_date is not None:  # named as such: a test date is no onset
            return "test_date", self.case.test_date.strftime("%d-%m-%Y")
        return None

    def case_file_checks(self, question_id: str) -> list[tuple[str, str | None]]:
        """What the case file says for a question that checks it (the identity check): each
        field the guide names with its value, None where the case file does not have it."""
        question = self.guide.questions.get(question_id)
        if question is None:
            return []
        person = self.case.person
        values = {"birth_date": person.birth_date.strftime("%d-%m-%Y")
                  if person.birth_date else None,
                  "postcode": person.postcode or None}
        return [(name, values.get(name)) for name in question.checks_case_file]

    def prompt_label(self, prompt: str | None) -> str:
        return prompt_label(self.guide, self.language, prompt)

    def prompt_defaults(self, prompt: str | None) -> dict[str, Any]:
        return prompt_defaults(self.guide, prompt)

    def setting_label(self, setting: str | None) -> str:
        found = self.guide.setting(setting) if setting else None
        return found.label.in_language(self.language) if found else ""

    def category_label(self, category: str | None) -> str:
        found = self.guide.category(category) if category else None
        return found.label.in_language(self.language) if found else ""

    def day_bounds(self) -> tuple[date | None, date]:
        """The earliest sensible exposure day (source window start) and today."""
        if self.windows is None:
            return None, self.today
        start = self.windows.source.start if self.windows.source else self.windows.infectious.start
        return start, self.today


def contact_field_label(guide: Guide, language: str, field: str) -> str:
    """A contact form field as its label names it: a fact by the guide's label, the rest by
    the form's own; empty for a field with no label (the message then says it all)."""
    if field.startswith("fact_"):
        fact = next((f for f in guide.facts if f.id == field.removeprefix("fact_")), None)
        return fact.label.in_language(language) if fact else ""
    return field_label(field)


def contact_changes(guide: Guide, language: str,
                    changed: dict[str, Any]) -> list[tuple[str, str]]:
    """A colleague's contact change as the tracer reads it: (label, value) per field, values
    in words (a setting's or category's label, 'health service'), never internal ids."""
    lines: list[tuple[str, str]] = []
    for key, value in changed.items():
        if key == "facts" and isinstance(value, dict):
            lines.extend((contact_field_label(guide, language, f"fact_{fact}"),
                          _fact_value(known)) for fact, known in value.items()
                         if contact_field_label(guide, language, f"fact_{fact}"))
            continue
        label = contact_field_label(guide, language, key)
        if label:
            lines.append((label, _change_value(guide, language, key, value)))
    return lines


def _change_value(guide: Guide, language: str, key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if key == "setting":
        found = guide.setting(str(value))
        return found.label.in_language(language) if found else "—"
    if key == "category_override":
        category = guide.category(str(value))
        return category.label.in_language(language) if category else "—"
    if key == "informs":
        return str(INFORMER_LABELS.get(str(value), "—"))
    if key == "day" and isinstance(value, date):
        return format_day(value, language)
    return _fact_value(value)


def _fact_value(value: Any) -> str:
    if value is None:
        return str(_l("not known"))
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    return str(value)


def contacts_for_question(guide: Guide, contacts: Sequence[Contact],
                          question_id: str) -> list[Contact]:
    """Who a contacts question is about: those named under it, or all it describes
    (every household member for a 'who lives with you' question)."""
    question = guide.questions.get(question_id)
    household = bool(question and question.contact_defaults.get("household"))
    return [c for c in contacts
            if c.prompt == question_id or (household and c.household)]


def guide_language(guide: Guide, wanted: str) -> str:
    """The account's language when the guide has it, else the guide's first language."""
    return wanted if wanted in guide.languages else guide.languages[0]


def script_language(guide: Guide, case: Case, tracer_language: str) -> str:
    """The steps (questions, lines to say, probes) are read out to the index: in the language
    the index speaks when the guide has it, else in the tracer's. The rest of the screen (the
    completeness list, labels, buttons) stays in the tracer's language."""
    spoken = case.person.language
    return spoken if spoken in guide.languages else tracer_language


def build_screen(app: BCOApplication, interview: Interview, case: Case, language: str,
                 today: date) -> Screen:
    """Run the engine over the interview's current state and shape the result for templates."""
    guide = app.guide_for_interview(interview)
    language = guide_language(guide, language)
    script = script_language(guide, case, language)
    state = app.interview_state(interview, case)
    progress = measure(guide, state, today)
    sections = all_steps(guide, state, today, script, progress=progress)
    views = [view for section in sections for view in section.steps]
    invitations = app.case_invitations(case) if case.invitations else []
    self_days: dict[date, int] = {}
    self_settings: dict[str, int] = {}
    walked: set[date] = set()
    for invitation in invitations:
        walked |= invitation.walked_days
        for day in invitation.walked_days:
            self_days.setdefault(day, 0)
        for proposal in invitation.entered:
            if proposal.contact.day is not None:
                self_days[proposal.contact.day] = self_days.get(proposal.contact.day, 0) + 1
            if proposal.contact.setting is not None:
                setting = proposal.contact.setting
                self_settings[setting] = self_settings.get(setting, 0) + 1
    return Screen(
        interview=interview, case=case, guide=guide, language=language, today=today,
        script_language=script,
        proposals=tuple((i, p) for i in invitations for p in i.pending), self_days=self_days,
        walked_days=frozenset(walked), self_settings=self_settings,
        state=state, progress=progress, sections=sections,
        current=resume_point(guide, state, progress, sections),
        statuses={view.step.id: view.status for view in views if view.step.kind == "question"},
    )


def _contact_row(guide: Guide, language: str, contact: Contact,
                 facts: ContactFacts) -> ContactRow:
    """Categorise one contact; an override wins."""
    effective = contact_category(guide, facts)
    category = effective.category
    found = guide.category(category) if category else None
    setting = guide.setting(contact.setting) if contact.setting else None
    return ContactRow(
        contact=contact, category=category,
        category_label=found.label.in_language(language) if found else "",
        settled=effective.settled, overridden=effective.source == "override",
        prompt_label=prompt_label(guide, language, contact.prompt),
        setting_label=setting.label.in_language(language) if setting else "",
    )


def prompt_label(guide: Guide, language: str, prompt: str | None) -> str:
    """A short name for a prompt, shown next to the contacts it surfaced."""
    if not prompt:
        return ""
    kind, rest, day = _parts(prompt)
    if kind == "day" and rest:
        return format_day(day, language) if day else prompt
    if kind == "setting":
        setting = guide.setting(rest)
        return setting.label.in_language(language) if setting else prompt
    if kind == "consistency":
        rule = next((r for r in guide.probing.consistency if r.id == rest), None)
        setting = guide.setting(rule.unless_contacts_in) if rule else None
        return setting.label.in_language(language) if setting else prompt
    question = guide.questions.get(prompt)
    if question is not None:
        text = question.text.in_language(language)
        return text if len(text) <= 60 else text[:57].rstrip() + "…"
    return {prompt_ids.HOUSEHOLD: {"nl": "Huisgenoten", "en": "Household"},
            prompt_ids.FINAL: {"nl": "Nog iemand anders?", "en": "Anyone else?"}}.get(
                prompt, {}).get(language, prompt)


def prompt_defaults(guide: Guide, prompt: str | None) -> dict[str, Any]:
    """What a contact entered under this prompt is known to be: its day, setting, bubble."""
    if not prompt:
        return {}
    kind, rest, day = _parts(prompt)
    if kind == "day":
        return {"day": day} if day else {}
    if kind == "setting" and rest in guide.setting_ids:
        return {"setting": rest}
    if kind == "consistency":
        rule = next((r for r in guide.probing.consistency if r.id == rest), None)
        if rule and rule.unless_contacts_in in guide.setting_ids:
            return {"setting": rule.unless_contacts_in}
        return {}
    if prompt == prompt_ids.HOUSEHOLD:
        return {"household": True, **({"setting": "home"} if "home" in guide.setting_ids
                                      else {})}
    question = guide.questions.get(prompt)
    if question is not None:
        return dict(question.contact_defaults)
    return {}


def _parts(prompt: str) -> tuple[str | None, str, date | None]:
    """A prompt id's kind, the id it names and its day; no kind for a question id."""
    parsed = prompt_ids.parse(prompt)
    return (parsed.kind, parsed.ref, parsed.day) if parsed else (None, "", None)


def view_of(screen: Screen, step_id: str) -> StepView | None:
    """Find one step of the screen by id."""
    for section in screen.sections:
        for view in section.steps:
            if view.step.id == step_id:
                return view
    return None
