"""The index's self-reported contacts in the interview: confirm, edit then confirm, or reject.

A confirmed proposal becomes a contact of the interview with provenance "self-reported" and
the time the index entered it; a rejected one stays on the link with the tracer's reason.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from bco.domain.account import Role
from bco.domain.errors import DomainError, InvalidValueError
from bco.domain.errors import translatable as _t
from bco.web.auth import role_required
from bco.web.errors import translated
from bco.web.interview import render_screen, workable
from bco.web.readmodels import read_your_writes

blueprint = Blueprint("proposals", __name__)
WORKERS = (Role.TRACER, Role.TEAM_LEAD)
EDITABLE = ("name", "phone", "relation", "day", "setting")


@blueprint.post("/interviews/<uuid:interview_id>/proposals/<uuid:link_id>/<uuid:contact_id>")
@role_required(*WORKERS)
def decide(interview_id: UUID, link_id: UUID, contact_id: UUID) -> Any:
    """Confirm (with the tracer's corrections when 'edit' was used) or reject with a reason;
    a refusal comes back on the screen beside the proposal, with what was typed."""
    app, interview, case = workable(interview_id)
    form = request.form
    action = form.get("action", "")
    typed = {name: form.get(name, "") for name in (*EDITABLE, "household", "reason")}
    try:
        if action == "reject":
            recorded = app.reject_proposal(interview_id, link_id, contact_id,
                                           typed["reason"], actor=current_user.name)
            message = _("Proposal rejected; the reason is kept in the case history.")
        elif action in ("confirm", "edit"):
            changes = (_changes(typed, app.guide_for_interview(interview).setting_ids)
                       if action == "edit" else {})
            recorded = app.confirm_proposal(interview_id, link_id, contact_id, changes,
                                            actor=current_user.name)
            message = _("Added to the contacts, marked as self-reported.")
        else:
            raise ValueError(action)
    except (DomainError, ValueError) as exc:
        problem = translated(exc) if isinstance(exc, DomainError) else _(
            "Choose confirm, edit or reject.")
        field = exc.field if isinstance(exc, DomainError) else None
        return render_screen(app, app.get_interview(interview.id), app.get_case(case.id),
                             status=422, proposal_problem=(str(contact_id), field, problem),
                             proposal_typed={str(contact_id): typed})
    read_your_writes(recorded)
    flash(message, "info")
    return redirect(url_for("interview.screen", interview_id=interview_id) + "#proposals")


def _changes(typed: dict[str, str], settings: frozenset[str]) -> dict[str, Any]:
    """The tracer's corrections as the interview takes them; the interview refuses a day in
    the future or a phone number it cannot read."""
    if typed["setting"] and typed["setting"] not in settings:
        raise InvalidValueError(_t("Choose one of the places offered."), field="setting")
    day = typed["day"].strip()
    try:
        parsed = date.fromisoformat(day) if day else None
    except ValueError:
        raise InvalidValueError(_t("Type the day as it is offered (year-month-day)."),
                                field="day") from None
    return {"name": typed["name"], "phone": typed["phone"] or None,
            "relation": typed["relation"], "day": parsed,
            "setting": typed["setting"] or None, "household": bool(typed["household"])}
