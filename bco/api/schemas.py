"""The API's boundary: what a client may send and what it gets back, as marshmallow schemas."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import marshmallow as ma
from marshmallow import fields, validate

from bco.domain.case import CallOutcome, CaseStatus
from bco.domain.interview import InformOutcome, InterviewStatus
from bco.projections.readmodel import utc_text

MAX_PAGE = 500
# flask-smorest's response components by status, in the API's error shape (bco.api.errors).
REFUSALS = {"401": "UNAUTHORIZED", "403": "FORBIDDEN", "429": "TOO_MANY_REQUESTS"}


def page_cursor(updated_at: str, case_id: str) -> str:
    """Where the next page starts, opaque to the client."""
    return base64.urlsafe_b64encode(f"{updated_at}|{case_id}".encode()).decode().rstrip("=")


class PageCursor(fields.String):
    """A cursor from a previous page's `next_cursor`, read back into (updated_at, case_id)."""

    def _deserialize(  # type: ignore[override]  # documented as a string, read as a pair
            self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple[str, str]:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            moment, case_id = raw.split("|")
            datetime.fromisoformat(moment)
            UUID(case_id)
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ma.ValidationError(
                "Not a cursor of this API; pass next_cursor from the previous page as it is."
            ) from None
        return moment, case_id


class UtcDateTime(fields.AwareDateTime):
    """An ISO 8601 moment; one without a zone is taken as UTC."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_timezone=UTC, **kwargs)


class CaseListArgs(ma.Schema):
    status = fields.String(validate=validate.OneOf([s.value for s in CaseStatus]),
                           metadata={"description": "only cases in this status"})
    disease = fields.String(validate=validate.Length(min=1, max=100),
                            metadata={"description": "only cases of this disease"})
    team = fields.String(validate=validate.Length(min=1, max=100),
                         metadata={"description": "only cases assigned to this team"})
    updated_since = UtcDateTime(metadata={
        "description": "only cases with an event at or after this moment (ISO 8601; UTC "
                       "when no zone is given)"})
    cursor = PageCursor(metadata={"description": "next_cursor of the previous page"})
    # Not strict: a query string is text; "2.5" is still refused, as int() refuses it.
    limit = fields.Integer(load_default=100,
                           validate=validate.Range(min=1, max=MAX_PAGE),
                           metadata={"description": f"cases per page, 1 to {MAX_PAGE}"})


class CaseSummarySchema(ma.Schema):
    id = fields.UUID(required=True, attribute="case_id")
    reference = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in CaseStatus]))
    disease = fields.String(required=True)
    team = fields.String(required=True, allow_none=True)
    tracer = fields.String(required=True, allow_none=True)
    onset = fields.Date(required=True, allow_none=True)
    test_date = fields.Date(required=True, allow_none=True)
    received_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    interview_id = fields.UUID(required=True, allow_none=True)


class CaseListSchema(ma.Schema):
    cases = fields.List(fields.Nested(CaseSummarySchema), required=True)
    next_cursor = fields.String(required=True, allow_none=True, metadata={
        "description": "pass as `cursor` for the next page; null on the last page"})


class CaseDetailArgs(ma.Schema):
    as_of = UtcDateTime(metadata={
        "description": "the case exactly as it stood at this moment (ISO 8601; UTC when no "
                       "zone is given)"})


class CaseFileArgs(CaseDetailArgs):
    language = fields.String(load_default="nl", validate=validate.OneOf(["nl", "en"]),
                             metadata={"description": "language of the case file"})


class PersonSchema(ma.Schema):
    name = fields.String(required=True)
    phone = fields.String(required=True)
    email = fields.String(required=True, allow_none=True)
    birth_date = fields.Date(required=True, allow_none=True)
    postcode = fields.String(required=True, allow_none=True)
    language = fields.String(required=True)


class CallAttemptSchema(ma.Schema):
    at = fields.DateTime(required=True)
    actor = fields.String(required=True)
    outcome = fields.String(required=True,
                            validate=validate.OneOf([o.value for o in CallOutcome]))


class ContactSchema(ma.Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    phone = fields.String(required=True, allow_none=True)
    email = fields.String(required=True, allow_none=True)
    relation = fields.String(required=True)
    day = fields.Date(required=True, allow_none=True)
    setting = fields.String(required=True, allow_none=True)
    household = fields.Boolean(required=True)
    category = fields.String(required=True, allow_none=True)
    category_source = fields.String(
        required=True, validate=validate.OneOf(["override", "computed", "unknown"]))
    informs = fields.String(required=True, allow_none=True)
    inform_outcome = fields.String(
        required=True, allow_none=True,
        validate=validate.OneOf([o.value for o in InformOutcome]))
    informed_at = fields.DateTime(required=True, allow_none=True)
    removed = fields.Boolean(required=True)


class InterviewSchema(ma.Schema):
    id = fields.UUID(required=True)
    status = fields.String(required=True,
                           validate=validate.OneOf([s.value for s in InterviewStatus]))
    guide_id = fields.String(required=True)
    guide_version = fields.String(required=True)
    guide_hash = fields.String(required=True)
    completed_at = fields.DateTime(required=True, allow_none=True)
    answers = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True),
                          required=True, metadata={
                              "description": "question id → answer, as the guide asks it"})
    contacts = fields.List(fields.Nested(ContactSchema), required=True)


class CaseDetailSchema(ma.Schema):
    id = fields.UUID(required=True)
    reference = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in CaseStatus]))
    disease = fields.String(required=True)
    source = fields.String(required=True)
    region = fields.String(required=True, metadata={
        "description": "country the case was notified from (NL, BE…), '' when not given"})
    onset = fields.Date(required=True, allow_none=True)
    test_date = fields.Date(required=True, allow_none=True)
    received_at = fields.DateTime(required=True)
    team = fields.String(required=True, allow_none=True)
    tracer = fields.String(required=True, allow_none=True)
    person = fields.Nested(PersonSchema, required=True)
    call_attempts = fields.List(fields.Nested(CallAttemptSchema), required=True)
    interview = fields.Nested(InterviewSchema, required=True, allow_none=True)
    as_of = fields.DateTime(required=True, allow_none=True, metadata={
        "description": "the moment asked for with ?as_of=, or null for now"})


def stored_moment(moment: datetime) -> str:
    """A client's moment as the read models store times, for comparing in SQL."""
    return utc_text(moment) or ""
