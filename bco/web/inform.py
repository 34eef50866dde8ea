"""Informing contacts after the interview: who the health service must call, what to say, and
how it went. Which contacts is read from the read models; names and numbers come from the
interview aggregate, because read models hold no personal data."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp

from bco.application import BCOApplication
from bco.audit import store as audit
from bco.domain.account import Role
from bco.domain.case import Case
from bco.domain.errors import DomainError
from bco.domain.interview import Contact, InformOutcome, Interview
from bco.guides.contact_category import contact_category
from bco.guides.model import Guide
from bco.guides.state import contact_facts
from bco.projections import contacts as contacts_model
from bco.projections.readmodel import parse_utc
from bco.web import access
from bco.web.access_log import record_read
from bco.web.auth import bco, role_required
from bco.web.clocks import duration_words
from bco.web.errors import translated
from bco.web.readmodels import read_your_writes, views

INFORMERS = (Role.TRACER, Role.TEAM_LEAD, Role.AUTHORITY)

INFORM_LABELS = {
    InformOutcome.INFORMED.value: _l("Informed — advice given"),
    InformOutcome.UNREACHABLE.value: _l("Not reached — try again later"),
    InformOutcome.REFUSED.value: _l("Refused the advice"),
}


class InformForm(FlaskForm):
    command_id = HiddenField(validators=[Optional(), Regexp(r"^[A-Za-z0-9-]{1,64}$")])
    outcome = StringField(_l("Outcome"), validators=[
        DataRequired(_l("Choose how informing went.")),
        AnyOf(list(INFORM_LABELS), message=_l("Choose how informing went."))])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])


PAGE_SIZE = 20
OUTCOME_FILTERS = {
    "new": _l("Not tried yet"),
    "unreachable": _l("Tried, not reached"),
}
CATEGORY_VALUE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


@dataclass(frozen=True)
class ContactToInform:
    interview_id: UUID
    case_reference: str
    disease: str
    contact: Contact
    category: str | None
    category_label: str | None
    advice: str | None
    informer_chosen: bool = True
    completed_at: datetime | None = None
    waiting: str | None = None  # since the interview was completed, in words


@dataclass(frozen=True)
class Choices:
    """The filters as given in the query string, checked; anything unreadable is dropped."""

    category: str | None
    day: date | None
    outcome: str | None
    page: int

    def query(self, **changes: Any) -> dict[str, Any]:
        """Query-string values for a link to this list with some filters changed."""
        values = {"category": self.category, "day": self.day.isoformat() if self.day else None,
                  "outcome": self.outcome, "page": self.page if self.page > 1 else None}
        values.update(changes)
        return {key: value for key, value in values.items() if value not in (None, "")}


def choices(args: Any) -> Choices:
    """Filters and page from the query string (no personal data: categories, a day, an
    outcome); what cannot be read is ignored rather than refused."""
    category = (args.get("category") or "").strip()
    try:
        day: date | None = date.fromisoformat((args.get("day") or "").strip())
    except ValueError:
        day = None
    outcome = args.get("outcome") or ""
    try:
        page = max(1, min(int(args.get("page") or 1), 100_000))
    except ValueError:
        page = 1
    return Choices(category=category if CATEGORY_VALUE.match(category) else None, day=day,
                   outcome=outcome if outcome in OUTCOME_FILTERS else None, page=page)


def may_inform(app: BCOApplication, person: Any, case: Case) -> bool:
    """The health authority informs for every case; tracers and leads for the cases they work."""
    return person.role == Role.AUTHORITY or access.may_work(app, person, case)


def inform_filter(person: Any, chosen: Choices) -> contacts_model.InformFilter:
    """Whose contacts: a tracer's own cases, a lead's own and their team's, and every case for
    the authority; narrowed by the chosen filters."""
    scope: dict[str, Any] = {}
    if person.role in (Role.TRACER, Role.TEAM_LEAD):
        scope["tracer"] = person.name
    if person.role == Role.TEAM_LEAD:
        scope["team"] = person.team
    return contacts_model.InformFilter(
        **scope, category=chosen.category, outcome=chosen.outcome,
        day=chosen.day.isoformat() if chosen.day else None)


def _text(text: Any, language: str) -> str | None:
    if text is None:
        return None
    try:
        return str(text.in_language(language))
    except ValueError:
        return None


def _category(guide: Guide, contact: Contact, language: str) -> tuple[str | None, str | None,
                                                                        str | None]:
    """(category id, its label, its advice) in the reader's language, when the guide knows."""
    category_id = contact_category(guide, contact_facts(contact)).category
    if category_id is None:
        return None, None, None
    category = guide.category(category_id)
    if category is None:
        return category_id, category_id, None
    return category_id, _text(category.label, language), _text(category.advice, language)


def to_call(app: BCOApplication, found: list[contacts_model.ContactToCall],
            action: str = audit.INFORM_LIST) -> list[ContactToInform]:
    """The listed contacts with their names and numbers from the interviews (read models hold
    none), each interview checked and its reading logged once."""
    interviews: dict[UUID, Interview | None] = {}
    result = []
    now = app.clock()
    for row in found:
        if row.interview_id not in interviews:
            interview = app.get_interview(row.interview_id)
            case = app.get_case(interview.case_id)
            allowed = may_inform(app, current_user, case)
            interviews[row.interview_id] = interview if allowed else None
            if allowed:
                record_read(action, case)
        known = interviews[row.interview_id]
        contact = known.contacts.get(str(row.contact_id)) if known else None
        if known is None or contact is None or contact.removed or (
                contact.inform_outcome not in contacts_model.STILL_TO_INFORM):
            continue
        category, label, advice = _category(app.guide_for_interview(known), contact,
                                             current_user.language)
        completed = parse_utc(row.completed_at)
        result.append(ContactToInform(
            interview_id=known.id, case_reference=access.case_reference(row.case_id),
            disease=row.disease, contact=contact, category=category, category_label=label,
            advice=advice, informer_chosen=row.informs is not None,
            completed_at=completed, waiting=duration_words(now - completed) if completed else None))
    return result


def category_choices(app: BCOApplication,
                     pairs: list[tuple[str, str | None]]) -> list[tuple[str, str]]:
    """(value, label) for the category filter, most urgent first, labels from the guides."""
    found: dict[str, str] = {}
    for guide_id, category_id in pairs:
        if category_id is None:
            found.setdefault("unknown", _("Category not decided yet"))
            continue
        guide = app.catalog.guides.get(guide_id)
        category = guide.category(category_id) if guide else None
        label = _text(category.label, current_user.language) if category else None
        found.setdefault(category_id, label or category_id)
    return list(found.items())


@role_required(*INFORMERS)
def inform_list() -> Any:
    """Contacts to call after the interview, most urgent first, a page at a time, with the
    words to use."""
    app = bco()
    chosen = choices(request.args)
    wanted = inform_filter(current_user, chosen)
    with views() as db:
        total = contacts_model.count_to_inform(db, wanted)
        pages = max(1, -(-total // PAGE_SIZE))
        if chosen.page > pages:
            chosen = replace(chosen, page=pages)
        found = contacts_model.to_inform(db, wanted, offset=(chosen.page - 1) * PAGE_SIZE,
                                         limit=PAGE_SIZE)
        categories = contacts_model.categories_to_inform(db, wanted)
    return render_template(
        "tracer/inform.html", pending=to_call(app, found), outcome_labels=INFORM_LABELS,
        total=total, pages=pages, chosen=chosen, outcome_filters=OUTCOME_FILTERS,
        category_choices=category_choices(app, categories), page_size=PAGE_SIZE)


@role_required(*INFORMERS)
def log_inform(interview_id: UUID, contact_id: UUID) -> Response:
    """Record how informing one contact went; a refusal shows why and keeps the list."""
    app = bco()
    interview = app.get_interview(interview_id)
    if not may_inform(app, current_user, app.get_case(interview.case_id)):
        abort(403, _("These contacts belong to a case that is not yours or your team's."))
    form = InformForm()
    if not form.validate_on_submit():
        flash(_("Choose how informing went, then save again."), "error")
        return redirect(url_for("tracer.inform_list", _anchor=f"contact-{contact_id}"))
    try:
        recorded = app.log_inform_outcome(interview_id, contact_id, form.outcome.data or "",
                                          form.note.data or "", actor=current_user.name,
                                          command_id=form.command_id.data or None)
    except DomainError as exc:
        flash(translated(exc), "error")
        return redirect(url_for("tracer.inform_list"))
    read_your_writes(recorded)
    flash(_("Saved: %(outcome)s.", outcome=str(INFORM_LABELS[form.outcome.data or ""])), "info")
    return redirect(url_for("tracer.inform_list"))
