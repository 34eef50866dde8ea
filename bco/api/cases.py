"""`/api/cases`: the case list an authority pages through, and one case in full."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from flask import Response
from flask_smorest import Blueprint

from bco.api import auth, errors
from bco.api.schemas import (
    REFUSALS,
    CaseDetailArgs,
    CaseDetailSchema,
    CaseFileArgs,
    CaseListArgs,
    CaseListSchema,
    page_cursor,
    stored_moment,
)
from bco.audit.store import API_CASE, API_CASE_FILE, API_CASE_LIST
from bco.domain.case import Case
from bco.domain.interview import Contact, Interview
from bco.domain.reference import case_reference
from bco.guides.contact_category import contact_category
from bco.guides.model import Guide
from bco.guides.state import contact_facts
from bco.projections.case_index import CaseFilter, case_page
from bco.projections.readmodel import Row, parse_utc
from bco.reports.output import case_file_pdf
from bco.web.readmodels import views

blueprint = Blueprint("cases", __name__, url_prefix="/api/cases",
                      description="Cases: a list to page through, and one case in full.")
blueprint.before_request(auth.require_authority)
errors.init_blueprint(blueprint)


@blueprint.get("")
@blueprint.arguments(CaseListArgs(), location="query", as_kwargs=True)
@blueprint.response(200, CaseListSchema)
@blueprint.doc(responses=REFUSALS)
def list_cases(*, limit: int, cursor: tuple[str, str] | None = None,
               updated_since: datetime | None = None, **filters: str) -> dict[str, Any]:
    """Cases in the order they last changed, oldest change first; no personal data.

    A case that changes while you page through comes again on a later page, so a client
    that keeps the last `next_cursor` misses nothing.
    """
    chosen = CaseFilter(updated_since=stored_moment(updated_since) if updated_since else None,
                        **filters)
    with views() as db:
        rows = case_page(db, chosen, after=cursor, limit=limit + 1)
    page = rows[:limit]
    auth.record_read(API_CASE_LIST, records=len(page))
    more = len(rows) > limit
    return {"cases": [summary(row) for row in page],
            "next_cursor": page_cursor(page[-1]["updated_at"], page[-1]["case_id"])
            if more else None}


@blueprint.get("/<uuid:case_id>")
@blueprint.arguments(CaseDetailArgs(), location="query", as_kwargs=True)
@blueprint.response(200, CaseDetailSchema)
@blueprint.doc(responses={**REFUSALS, "404": "NOT_FOUND"})
def get_case(case_id: UUID, as_of: datetime | None = None) -> dict[str, Any]:
    """The case with the index's details, call attempts, interview answers and contacts;
    with `as_of`, exactly as it stood then (its events up to that moment replayed)."""
    app = auth.bco()
    if as_of is None:
        case = app.get_case(case_id)
        interview = None if case.interview_id is None else app.get_interview(case.interview_id)
    else:
        state = app.case_as_of(case_id, as_of)
        case, interview = state.case, state.interview
    auth.record_read(API_CASE, case_id,
                     detail=f"as of {as_of.isoformat(timespec='seconds')}" if as_of else "")
    return detail(case, interview, None if interview is None
                  else app.guide_for_interview(interview), as_of)


@blueprint.get("/<uuid:case_id>/casefile.pdf")
@blueprint.arguments(CaseFileArgs(), location="query", as_kwargs=True)
@blueprint.doc(responses={"200": {"description": "The printable case file",
                                  "content": {"application/pdf": {"schema": {
                                      "type": "string", "format": "binary"}}}},
                          **REFUSALS, "404": "NOT_FOUND"})
def case_file(case_id: UUID, language: str, as_of: datetime | None = None) -> Response:
    """The printable case file (PDF), now or as the case stood at `as_of`."""
    app = auth.bco()
    pdf = case_file_pdf(app, case_id, as_of=as_of, language=language)
    auth.record_read(API_CASE_FILE, case_id,
                     detail=f"as of {as_of.isoformat(timespec='seconds')}" if as_of else "")
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{case_reference(case_id)}.pdf"'})


def summary(row: Row) -> dict[str, Any]:
    return {**row, "reference": case_reference(UUID(row["case_id"])),
            "onset": _day(row["onset"]), "test_date": _day(row["test_date"]),
            "received_at": parse_utc(row["received_at"]),
            "updated_at": parse_utc(row["updated_at"])}


def detail(case: Case, interview: Interview | None, guide: Guide | None,
           as_of: datetime | None) -> dict[str, Any]:
    """The case as the API shows it, from the aggregates (as they stand, or as of a moment)."""
    person = case.person
    return {
        "id": case.id, "reference": case_reference(case.id), "status": case.status.value,
        "disease": case.disease, "source": case.source, "region": case.region,
        "onset": case.onset,
        "test_date": case.test_date, "received_at": case.received_at, "team": case.team,
        "tracer": case.tracer, "as_of": as_of,
        "person": {"name": person.name, "phone": person.phone, "email": person.email,
                   "birth_date": person.birth_date, "postcode": person.postcode,
                   "language": person.language},
        "call_attempts": [{"at": a.at, "actor": a.actor, "outcome": a.outcome}
                          for a in case.call_attempts],
        "interview": None if interview is None else {
            "id": interview.id, "status": interview.status.value,
            "guide_id": interview.guide_id, "guide_version": interview.guide_version,
            "guide_hash": interview.guide_hash, "completed_at": interview.completed_at,
            "answers": {key: _plain(value) for key, value in interview.answers.items()},
            "contacts": [_contact(c, guide) for c in interview.contacts.values()],
        },
    }


def _contact(contact: Contact, guide: Guide | None) -> dict[str, Any]:
    category, source = _category(contact, guide)
    return {"id": contact.contact_id, "name": contact.name, "phone": contact.phone,
            "email": contact.email, "relation": contact.relation, "day": contact.day,
            "setting": contact.setting, "household": contact.household,
            "category": category, "category_source": source, "informs": contact.informs,
            "inform_outcome": contact.inform_outcome, "informed_at": contact.informed_at,
            "removed": contact.removed}


def _category(contact: Contact, guide: Guide | None) -> tuple[str | None, str]:
    """The category every screen shows, and whether the tracer set it or the guide's rules."""
    found = contact_category(guide, contact_facts(contact))
    return found.category, found.source


def _plain(value: Any) -> Any:
    """Answers as JSON has them: dates as ISO text, lists and the rest as they are."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)
