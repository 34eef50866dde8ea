"""Informing contacts after the interview: who the health service must call, what to say, and
how it went. Which contacts is read from the read models; names and numbers come from the
interview aggregate, because read models hold no personal data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp

from bco.application import BCOApplication
from bco.domain.account import Role
from bco.domain.case import Case
from bco.domain.errors import DomainError
from bco.domain.interview import Contact, Informer, InformOutcome, Interview, informer_for
from bco.guides.contact_category import contact_category
from bco.guides.model import Guide
from bco.guides.state import contact_facts
from bco.projections import contacts as contacts_model
from bco.web import access
from bco.web.access_log import record_read
from bco.web.auth import bco, role_required
from bco.web.errors import translated
from bco.web.readmodels import read_your_writes, views

INFORMERS = (Role.TRACER, Role.TEAM_LEAD, Role.AUTHORITY)
LIST_LIMIT = 200

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


@dataclass(frozen=True)
class ContactToInform:
    interview_id: UUID
    case_reference: str
    disease: str
    contact: Contact
    category: str | None
    category_label: str | None
    advice: str | None


def may_inform(app: BCOApplication, person: Any, case: Case) -> bool:
    """The health authority informs for every case; tracers and leads for the cases they work."""
    return person.role == Role.AUTHORITY or access.may_work(app, person, case)


def _pending(person: Any) -> list[contacts_model.InterviewToInform]:
    """Interviews finished but not closed, with contacts the authority still has to inform:
    a tracer's own, a lead's own and their team's, and every one for the authority."""
    with views() as db:
        if person.role == Role.TRACER:
            return contacts_model.pending_for_authority(db, tracer=person.name,
                                                        limit=LIST_LIMIT)
        if person.role == Role.TEAM_LEAD:
            return contacts_model.pending_for_authority(db, tracer=person.name,
                                                        team=person.team, limit=LIST_LIMIT)
        return contacts_model.pending_for_authority(db, limit=LIST_LIMIT)


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


def _to_inform(app: BCOApplication, interview: Interview, reference: str,
               disease: str) -> list[ContactToInform]:
    guide = app.guide_for_interview(interview)
    for_all = interview.answers.get(guide.inform_question) if guide.inform_question else None
    found = []
    for contact in interview.live_contacts:
        if (informer_for(contact.informs, for_all) != Informer.AUTHORITY
                or contact.inform_outcome not in contacts_model.STILL_TO_INFORM):
            continue
        category, label, advice = _category(guide, contact, current_user.language)
        found.append(ContactToInform(
            interview_id=interview.id, case_reference=reference, disease=disease,
            contact=contact, category=category, category_label=label, advice=advice))
    return found


@role_required(*INFORMERS)
def inform_list() -> Any:
    """Contacts to call after the interview, oldest interview first, with the words to use."""
    app = bco()
    pending: list[ContactToInform] = []
    for found in _pending(current_user):
        interview = app.get_interview(found.interview_id)
        if not may_inform(app, current_user, app.get_case(interview.case_id)):
            continue
        record_read("interview", interview.id)
        pending.extend(_to_inform(app, interview, access.case_reference(interview.case_id),
                                  found.disease))
    return render_template("tracer/inform.html", pending=pending, outcome_labels=INFORM_LABELS)


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
