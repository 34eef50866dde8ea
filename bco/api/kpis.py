"""`/api/kpis`: the contact-tracing KPIs for a period, team and disease, for a health
authority's token or a signed-in team lead (their own team) or administrator."""

from __future__ import annotations

from datetime import date
from typing import Any

import marshmallow as ma
from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields, validate
from werkzeug.exceptions import Forbidden, UnprocessableEntity

from bco.api import auth, errors
from bco.api.schemas import REFUSALS
from bco.audit.store import API_KPIS
from bco.config import Settings
from bco.domain.account import Role
from bco.projections.accounts import colleagues
from bco.projections.kpis import (
    FIRST_DAY,
    LAST_DAY,
    Period,
    Scope,
    compute_kpis,
    known_diseases,
    known_teams,
)
from bco.web import access_log
from bco.web.readmodels import views

LONGEST_PERIOD_DAYS = 366
SESSION_ROLES = frozenset({Role.TEAM_LEAD.value, Role.ADMIN.value})

blueprint = Blueprint("kpis", __name__, url_prefix="/api/kpis",
                      description="KPIs: ECDC's contact-tracing indicators for a period.")
errors.init_blueprint(blueprint)


@blueprint.before_request
def require_reader() -> None:
    """A health authority's token, or the session of a team lead or administrator."""
    if auth.bearer() is not None or not current_user.is_authenticated:
        auth.require_authority()
    elif current_user.role not in SESSION_ROLES:
        raise Forbidden()


class KpiArgs(ma.Schema):
    start = fields.Date(required=True, data_key="from", metadata={
        "description": "first day of the period (local date in BCO_TIMEZONE), YYYY-MM-DD"})
    end = fields.Date(required=True, data_key="to", metadata={
        "description": "last day of the period, included"})
    team = fields.String(validate=validate.Length(min=1, max=100),
                         metadata={"description": "only this team's cases"})
    disease = fields.String(validate=validate.Length(min=1, max=100),
                            metadata={"description": "only cases of this disease"})

    @ma.validates_schema
    def period_in_order(self, data: dict[str, Any], **_kwargs: Any) -> None:
        start, end = data.get("start"), data.get("end")
        for name, day in (("from", start), ("to", end)):
            if day and not FIRST_DAY <= day <= LAST_DAY:
                raise ma.ValidationError(
                    f"Give a day from {FIRST_DAY} to {LAST_DAY}.", name)
        if start and end and start > end:
            raise ma.ValidationError("The period starts after it ends.", "from")
        if start and end and (end - start).days >= LONGEST_PERIOD_DAYS:
            raise ma.ValidationError(f"A period is at most {LONGEST_PERIOD_DAYS} days.", "to")


def share_field(description: str) -> fields.Float:
    return fields.Float(required=True, allow_none=True, validate=validate.Range(0, 1),
                        metadata={"description": description + "; null when nothing counts"})


class KpiSchema(ma.Schema):
    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to")
    team = fields.String(required=True, allow_none=True)
    disease = fields.String(required=True, allow_none=True)
    cases = fields.Integer(required=True, metadata={"description": "cases received"})
    cases_past_24h = fields.Integer(required=True, metadata={
        "description": "of those, cases received more than 24 h ago (the 24 h shares' base)"})
    interviews_completed = fields.Integer(required=True)
    contacts_to_inform = fields.Integer(required=True, metadata={
        "description": "contacts the health service informs, of interviews completed"})
    reached_within_24h = share_field("share of cases reached within 24 h of notification")
    interviewed_within_24h = share_field("share of cases interviewed within 24 h")
    first_call_hours_median = fields.Float(required=True, allow_none=True, metadata={
        "description": "median hours from notification to first call attempt"})
    contacts_per_case_median = fields.Float(required=True, allow_none=True, metadata={
        "description": "median contacts of interviews completed in the period"})
    cases_without_contacts = share_field("share of completed interviews without contacts")
    contacts_informed_within_24h = share_field(
        "share of contacts informed within 24 h of the interview")
    handovers_per_interview = fields.Float(required=True, allow_none=True)
    known_contacts_among_new_cases = share_field(
        "share of cases received in the period whose phone number was already listed on a "
        "contact in an earlier interview")


def refuse(name: str, message: str) -> UnprocessableEntity:
    """422 in the API's shape, naming the query parameter."""
    refusal = UnprocessableEntity(description=f"{name}: {message}")
    refusal.data = {"messages": {"query": {name: [message]}}}  # type: ignore[attr-defined]
    return refusal


@blueprint.get("")
@blueprint.arguments(KpiArgs(), location="query", as_kwargs=True)
@blueprint.response(200, KpiSchema)
@blueprint.doc(responses={**REFUSALS, "422": "UNPROCESSABLE_ENTITY"})
def get_kpis(*, start: date, end: date, team: str | None = None,
             disease: str | None = None) -> dict[str, Any]:
    """Reached and interviewed within 24 h, median hours to first call, median contacts per
    case, cases without contacts, contacts informed within 24 h (as DOMAIN.md defines them)."""
    settings: Settings = current_app.extensions["bco_settings"]
    app = auth.bco()
    with views() as db:
        teams = set(known_teams(db)) | {c.team for c in colleagues(db) if c.team}
        if team is not None and team not in teams:
            raise refuse("team", f"There is no team called '{team}'.")
        if disease is not None and disease not in (set(app.catalog.known_diseases)
                                                   | set(known_diseases(db))):
            raise refuse("disease", f"There is no disease '{disease}'.")
        if auth.bearer() is None and current_user.role == Role.TEAM_LEAD:
            if team is not None and team != current_user.team:
                raise Forbidden("A team lead reads the KPIs of their own team.")
            team = current_user.team or ""
        found = compute_kpis(db, Period(start, end, settings.zone), now=app.clock(),
                             scope=Scope(team=team, disease=disease))
    holder = auth.bearer()
    access_log.record_role_read(holder.name if holder else current_user.name,
                                str(holder.role) if holder else current_user.role,
                                API_KPIS, detail=f"{start}..{end}")
    return {**found, "start": start, "end": end, "team": team or None, "disease": disease}
