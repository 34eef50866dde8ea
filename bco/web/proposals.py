"""The index's self-reported contacts in the interview: confirm, edit then confirm, or reject.

A confirmed proposal becomes a contact of the interview with provenance "self-reported" and
the time the index entered it; a rejected one stays on the link with the tracer's reason. The
route is the interview screen's (bco.web.interview.decide_proposal); this module reads the
form and gives the command.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

from flask import flash
from flask_babel import gettext as _

from bco.application import BCOApplication, Recorded
from bco.domain.errors import DomainError, InvalidValueError
from bco.domain.errors import translatable as _t
from bco.domain.interview import Interview
from bco.web.errors import translated

EDITABLE = ("name", "phone", "relation", "day", "setting")


def decide(app: BCOApplication, interview: Interview, link_id: UUID, contact_id: UUID,
           form: Mapping[str, str], *, actor: str) -> Recorded | dict[str, Any]:
    """Confirm (with the tracer's corrections when 'edit' was used) or reject with a reason.
    Returns what was recorded, or for a refusal what the screen shows beside the proposal,
    with what was typed."""
    action = form.get("action", "")
    typed = {name: form.get(name, "") for name in (*EDITABLE, "household", "reason")}
    try:
        if action == "reject":
            recorded = app.reject_proposal(interview.id, link_id, contact_id,
                                           typed["reason"], actor=actor)
            message = _("Proposal rejected; the reason is kept in the case history.")
        elif action in ("confirm", "edit"):
            guide = app.guide_for_interview(interview)
            changes = _changes(typed, guide.setting_ids) if action == "edit" else {}
            recorded = app.confirm_proposal(interview.id, link_id, contact_id, changes,
                                            actor=actor)
            message = _("Added to the contacts, marked as self-reported.")
        else:
            raise ValueError(action)
    except (DomainError, ValueError) as exc:
        problem = translated(exc) if isinstance(exc, DomainError) else _(
            "Choose confirm, edit or reject.")
        field = exc.field if isinstance(exc, DomainError) else None
        return {"proposal_problem": (str(contact_id), field, problem),
                "proposal_typed": {str(contact_id): typed}}
    flash(message, "info")
    return recorded


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
