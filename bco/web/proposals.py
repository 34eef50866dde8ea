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
from bco.guides.model import Guide
from bco.web.citizen import MAX_NUMBER, asked_facts
from bco.web.errors import translated

EDITABLE = ("name", "phone", "relation", "day", "setting")


def decide(app: BCOApplication, interview: Interview, link_id: UUID, contact_id: UUID,
           form: Mapping[str, str], *, actor: str) -> Recorded | dict[str, Any]:
    """Confirm (with the tracer's corrections when 'edit' was used) or reject with a reason.
    Returns what was recorded, or for a refusal what the screen shows beside the proposal,
    with what was typed."""
    action = form.get("action", "")
    guide = app.guide_for_interview(interview)
    named = (*EDITABLE, "household", "informs", "reason",
             *(f"fact_{fact.id}" for fact in asked_facts(guide)))
    # Only what this form sent: a refused rejection must not blank the correction form.
    typed = {name: form[name] for name in named if name in form}
    try:
        if action == "reject":
            recorded = app.reject_proposal(interview.id, link_id, contact_id,
                                           typed.get("reason", ""), actor=actor)
            message = _("Proposal rejected; the reason is kept in the case history.")
        elif action in ("confirm", "edit"):
            changes = _changes(typed, guide) if action == "edit" else {}
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


def _changes(typed: dict[str, str], guide: Guide) -> dict[str, Any]:
    """The tracer's corrections as the interview takes them, the guide's facts (how long, how
    close…) and who informs included; the interview refuses a day in the future or a phone
    number it cannot read."""
    if typed.get("setting", "") and typed.get("setting", "") not in guide.setting_ids:
        raise InvalidValueError(_t("Choose one of the places offered."), field="setting")
    day = typed.get("day", "").strip()
    try:
        parsed = date.fromisoformat(day) if day else None
    except ValueError:
        raise InvalidValueError(_t("Type the day as it is offered (year-month-day)."),
                                field="day") from None
    facts: dict[str, Any] = {}
    for fact in asked_facts(guide):
        raw = typed.get(f"fact_{fact.id}", "").strip().replace(",", ".")
        if fact.type == "boolean":
            if raw:
                facts[fact.id] = True
        elif raw:
            try:
                number = float(raw)
            except ValueError:
                number = -1.0
            if not 0 <= number <= MAX_NUMBER:  # also refuses nan and inf
                raise InvalidValueError(_t("Type a number from 0 to %(most)d, or leave it "
                                           "empty."), field=f"fact_{fact.id}", most=MAX_NUMBER)
            facts[fact.id] = int(number) if number.is_integer() else number
    return {"name": typed.get("name", ""), "phone": typed.get("phone") or None,
            "relation": typed.get("relation", ""), "day": parsed,
            "setting": typed.get("setting", "") or None, "household": bool(typed.get("household")),
            "facts": facts, "informs": "index" if typed.get("informs") else None}
