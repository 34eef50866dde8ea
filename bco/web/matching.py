"""The case page's "same person?" card: proposals from the matches read model, each to be
linked or set aside as not the same person (with a reason), and the links either way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp

from bco.application import BCOApplication
from bco.domain.case import Case
from bco.domain.errors import DomainError
from bco.domain.reference import case_reference
from bco.projections import matches
from bco.web import access
from bco.web.auth import bco
from bco.web.case_forms import CommandForm
from bco.web.errors import translated
from bco.web.readmodels import read_your_writes, views

UUID_TEXT = Regexp(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class MatchForm(CommandForm):
    other_case_id = HiddenField(validators=[DataRequired(), UUID_TEXT])
    contact_id = HiddenField(validators=[Optional(), UUID_TEXT])
    decision = HiddenField(validators=[AnyOf(["same", "different"])])
    reason = StringField(_l("Why not the same person?"), validators=[Optional(),
                                                                      Length(max=500)])


@dataclass(frozen=True)
class Match:
    """One line of the card, in words the tracer acts on; no other person's name."""

    other_case_id: str
    contact_id: str
    other_reference: str
    on: str  # what matched, in words
    as_contact: bool  # the other record is a contact named in that case's interview
    decision: str | None


@dataclass(frozen=True)
class LinkedFrom:
    """A later case linked to this one: its index again, or one of its contacts."""

    case_id: str
    reference: str
    contact_name: str | None


def matches_for(app: BCOApplication, case: Case) -> tuple[list[Match], list[LinkedFrom]]:
    """The proposals and decisions on this case, and the later cases linked to it."""
    with views() as db:
        rows = matches.proposals(db, str(case.id))
        later = matches.linked_from(db, str(case.id))
    found = [Match(r["other_case_id"], r["contact_id"],
                   case_reference(UUID(r["other_case_id"])), _matched_on(r),
                   bool(r["contact_id"]), r["decision"]) for r in rows]
    contacts = (app.get_interview(case.interview_id).contacts
                if later and case.interview_id is not None else {})
    linked = [LinkedFrom(r["case_id"], case_reference(UUID(r["case_id"])),
                         contacts[r["contact_id"]].name if r["contact_id"] in contacts
                         else None) for r in later]
    return found, linked


def _matched_on(row: dict[str, Any]) -> str:
    if row["on_phone"] and row["on_name_birth"]:
        return _("the same phone number, name and date of birth")
    if row["on_phone"]:
        return _("the same phone number")
    if row["on_name_birth"]:
        return _("the same name and date of birth")
    return _("a link made by hand")


def decide(case_id: UUID) -> Response:
    """Link the case to the proposed person, or record that it is not the same person."""
    app = bco()
    case = access.visible_case(app, current_user, case_id)
    page = url_for("tracer.case_page", case_id=case_id, _anchor="matches")
    if not access.may_work(app, current_user, case):
        flash(_("Take the case first: only its tracer (or their team lead) can decide who "
                "the index is."), "error")
        return redirect(page)
    form = MatchForm()
    if not form.validate_on_submit():
        flash(_("The decision was not recorded: the form was incomplete or too long. Reload "
                "the page and try again."), "error")
        return redirect(page)
    same = form.decision.data == "same"
    try:
        recorded = app.decide_match(
            case_id, UUID(form.other_case_id.data), UUID(form.contact_id.data)
            if form.contact_id.data else None, same=same, reason=form.reason.data or "",
            actor=current_user.name, command_id=form.command_id.data or None)
    except DomainError as exc:
        flash(translated(exc), "error")
        return redirect(page)
    read_your_writes(recorded)
    other = case_reference(UUID(form.other_case_id.data))
    flash(_("Linked with %(ref)s; both cases keep everything they hold.", ref=other) if same
          else _("Recorded: not the same person as in %(ref)s.", ref=other), "info")
    return redirect(page)
