"""What a printed case file says, gathered from the aggregates as they stood at one moment.

Personal data, answers and free text come from the case's and interview's events (replayed to
`as_of`), never from the read models: those hold no personal data, and they only know today.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from bco.application import BCOApplication, CaseAsOf
from bco.domain.case import Case
from bco.domain.interview import Contact, Interview, informer_for
from bco.domain.reference import case_reference
from bco.guides import prompt_ids
from bco.guides.contact_category import contact_category
from bco.guides.engine import Completeness, completeness
from bco.guides.model import Guide, Question
from bco.guides.phrasing import format_day, yes_no
from bco.guides.state import InterviewState
from bco.projections import matches
from bco.projections.readmodel import Row, parse_utc
from bco.projections.runner import open_views
from bco.projections.viewsdb import views_key
from bco.reports.timeline import TimelineEntry, timeline

LANGUAGES = ("nl", "en")


@dataclass(frozen=True)
class AnswerRow:
    """One answered question, worded for the reader."""

    question: str
    answer: str


@dataclass(frozen=True)
class SectionAnswers:
    """The answers given in one section of the guide, in the guide's order."""

    title: str
    answers: list[AnswerRow]


@dataclass(frozen=True)
class ContactRow:
    """A contact as the case file lists it: category (or override and why), and informing."""

    contact: Contact
    category_label: str
    computed_label: str  # what the guide's rules give, shown when the tracer chose otherwise
    overridden: bool
    setting_label: str
    informer: str | None


@dataclass(frozen=True)
class FollowUpRow:
    """A probing prompt put to the index and what they said."""

    prompt: str
    answer: str | None
    nobody: bool


@dataclass(frozen=True)
class LinkRow:
    """A link a tracer made between this case and another: `named_by` (this index was that
    case's contact), `same_as` (that case's index), `became_case` (this case's contact became
    that case) or `again` (this index became that case again)."""

    kind: str
    reference: str
    contact_name: str = ""


@dataclass(frozen=True)
class CaseFile:
    """Everything the case file template shows; built once, rendered in one language."""

    reference: str
    case: Case
    interview: Interview | None
    guide: Guide | None
    language: str
    guide_language: str
    disease_name: str
    as_of: datetime
    generated_at: datetime
    timeline: list[TimelineEntry]
    sections: list[SectionAnswers]
    follow_ups: list[FollowUpRow]
    contacts: list[ContactRow]
    completeness: Completeness | None
    links: list[LinkRow] = field(default_factory=list)


def build_case_file(app: BCOApplication, case_id: UUID, *, as_of: datetime | None = None,
                    language: str = "nl") -> CaseFile:
    """Replay the case to `as_of` (default: now) and shape it for the reader's language."""
    generated_at = app.clock()
    moment = as_of or generated_at
    state = app.case_as_of(case_id, moment)
    later = later_links(app, case_id, state.as_of)
    return case_file_from(app, state, language=language, generated_at=generated_at,
                          later=later)


def later_links(app: BCOApplication, case_id: UUID, as_of: datetime) -> list[Row]:
    """Later cases a tracer linked to this one by `as_of`, from the matches read model (ids
    only): this case's own events cannot know them."""
    if not app.settings.views_path.exists():
        return []
    with open_views(app.settings.views_path, views_key(app.settings)) as db:
        rows = matches.linked_from(db, str(case_id))
    return [row for row in rows if (parse_utc(row["decided_at"]) or as_of) <= as_of]


def link_rows(case: Case, interview: Interview | None, later: list[Row]) -> list[LinkRow]:
    """The case's own links (its decisions as of the moment shown) and those made to it."""
    own = [LinkRow("named_by" if contact else "same_as", case_reference(UUID(other)))
           for other, contact in (key.split(":") for key, same in case.matches.items()
                                  if same)]
    names = {str(c.contact_id): c.name for c in interview.contacts.values()} \
        if interview is not None else {}
    made_to = [LinkRow("became_case" if row["contact_id"] else "again",
                       case_reference(UUID(row["case_id"])),
                       names.get(row["contact_id"], "")) for row in later]
    return own + made_to


def case_file_from(app: BCOApplication, state: CaseAsOf, *, language: str,
                   generated_at: datetime, later: list[Row] | None = None) -> CaseFile:
    """Word a replayed case with the guide its interview started under, as the screen does."""
    case, interview = state.case, state.interview
    guide = app.guide_for_interview(interview) if interview is not None else None
    wording = language if guide is None or language in guide.languages else guide.languages[0]
    sections: list[SectionAnswers] = []
    follow_ups: list[FollowUpRow] = []
    contacts: list[ContactRow] = []
    measured = None
    if interview is not None and guide is not None:
        sections = answers_by_section(guide, interview, wording)
        follow_ups = [FollowUpRow(prompt_label(guide, wording, f.prompt_id), f.answer, f.nobody)
                      for f in interview.follow_ups.values() if f.answered]
        engine_state = app.interview_state(interview, case)
        contacts = contact_rows(guide, interview, engine_state, wording)
        today = state.as_of.astimezone(app.settings.zone).date()
        measured = completeness(guide, engine_state, today, wording)
    return CaseFile(
        reference=case_reference(case.id), case=case, interview=interview, guide=guide,
        language=language, guide_language=wording,
        disease_name=app.catalog.disease_name(case.disease), as_of=state.as_of,
        generated_at=generated_at, timeline=timeline(state.events, interview), sections=sections,
        follow_ups=follow_ups, contacts=contacts, completeness=measured,
        links=link_rows(case, interview, later or []))


def answers_by_section(guide: Guide, interview: Interview, language: str
                       ) -> list[SectionAnswers]:
    """Every answered question under its section's title; sections without answers left out."""
    found = []
    for section in guide.sections:
        rows = [AnswerRow(q.text.in_language(language),
                          answer_text(q, interview.answers[q.id], language))
                for q in section.questions
                if q.id in interview.answers and q.type != "contacts"]
        if rows:
            found.append(SectionAnswers(section.title.in_language(language), rows))
    known = set(guide.questions)
    stray = [AnswerRow(qid, answer_text(None, value, language))
             for qid, value in interview.answers.items() if qid not in known]
    if stray:
        found.append(SectionAnswers("", stray))  # the template names it "Other answers"
    return found


def answer_text(question: Question | None, value: Any, language: str) -> str:
    """An answer as a reader understands it: option labels, yes/no words, dates as dates."""
    if value is None or value == "" or value == []:
        return "—"
    if question is None:
        return str(value)
    if question.type == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d-%m-%Y")
        except ValueError:
            return value
    if isinstance(value, bool):
        return yes_no(language)[0 if value else 1]
    labels = {o.value: o.label.in_language(language) for o in question.options}
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    return labels.get(str(value), str(value))


def contact_rows(guide: Guide, interview: Interview, state: InterviewState, language: str
                 ) -> list[ContactRow]:
    """The live contacts with the category the guide computes, or the tracer's override."""
    question = guide.inform_question
    for_all = interview.answers.get(question) if question else None
    rows = []
    for contact, facts in zip(interview.live_contacts, state.contacts, strict=True):
        effective = contact_category(guide, facts)
        computed = (contact_category(guide, replace(facts, category=None)).category
                    if effective.source == "override" else effective.category)
        setting = guide.setting(contact.setting) if contact.setting else None
        rows.append(ContactRow(
            contact=contact, category_label=category_label(guide, effective.category, language),
            computed_label=(category_label(guide, computed, language)
                            if computed != effective.category else ""),
            overridden=effective.source == "override",
            setting_label=setting.label.in_language(language) if setting else "",
            informer=informer_for(contact.informs, for_all)))
    return rows


def category_label(guide: Guide, category: str | None, language: str) -> str:
    found = guide.category(category) if category else None
    return found.label.in_language(language) if found else (category or "")


def prompt_label(guide: Guide, language: str, prompt: str) -> str:
    """A probing prompt named as the reader knows it: a day, a setting, a question."""
    parsed = prompt_ids.parse(prompt)
    if parsed is not None and parsed.kind == "day":
        return format_day(parsed.day, language) if parsed.day else prompt
    if parsed is not None and parsed.kind == "setting":
        setting = guide.setting(parsed.ref)
        if setting is not None:
            return setting.label.in_language(language)
    question = guide.questions.get(prompt)
    if question is not None:
        return question.text.in_language(language)
    return prompt
