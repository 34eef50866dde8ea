"""`/api/exports/cases` and `/api/exports/contacts`: what changed since the last pull, streamed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import marshmallow as ma
from flask import Response, current_app, stream_with_context
from flask_smorest import Blueprint, abort
from marshmallow import fields, validate

from bco.api import auth, errors
from bco.api.schemas import REFUSALS
from bco.audit.store import EXPORT_CASES, EXPORT_CONTACTS
from bco.config import Settings
from bco.reports.exports import FORMATS, CursorError, Export, export_cases, export_contacts
from bco.web import access_log

CURSOR_HEADER = "BCO-Export-Cursor"
Exporter = Callable[..., Export]

blueprint = Blueprint("exports", __name__, url_prefix="/api/exports",
                      description="Exports of cases and contacts: NDJSON, CSV or FHIR R4, "
                                  "streamed, incremental with a cursor.")
blueprint.before_request(auth.require_authority)
errors.init_blueprint(blueprint)


class ExportArgs(ma.Schema):
    format = fields.String(load_default="ndjson", validate=validate.OneOf(FORMATS), metadata={
        "description": "ndjson (one JSON object per line, then a {\"cursor\"} line), csv "
                       "(UTF-8 with a byte-order mark) or fhir (an R4 Bundle)"})
    since = fields.String(validate=validate.Length(min=1, max=200), metadata={
        "description": "the cursor an earlier export of the same kind ended with; without it, "
                       "everything"})
    pseudonymised = fields.Boolean(load_default=False, metadata={
        "description": "keyed-hash pseudonyms instead of names, phones, e-mail addresses and "
                       "postcodes, and the birth year instead of the birth date"})


STREAMED = {
    "description": "The export, streamed. The cursor for the next pull is in the "
                   f"{CURSOR_HEADER} header (and the NDJSON trailer line, or the FHIR "
                   "Bundle's link 'next').",
    "headers": {CURSOR_HEADER: {
        "description": "pass as `since` next time to get only what changed after this export",
        "schema": {"type": "string"}}},
    "content": {
        "application/x-ndjson": {"schema": {"type": "string"}},
        "text/csv": {"schema": {"type": "string"}},
        "application/fhir+json": {"schema": {"type": "object"}},
    },
}


@blueprint.get("/cases")
@blueprint.arguments(ExportArgs(), location="query", as_kwargs=True)
@blueprint.doc(responses={"200": STREAMED, **REFUSALS})
def cases(**args: Any) -> Response:
    """Every case changed after `since`, with the index's details (or pseudonyms)."""
    return _streamed("cases", export_cases, **args)


@blueprint.get("/contacts")
@blueprint.arguments(ExportArgs(), location="query", as_kwargs=True)
@blueprint.doc(responses={"200": STREAMED, **REFUSALS})
def contacts(**args: Any) -> Response:
    """Every contact changed after `since`, removed ones flagged, with names (or pseudonyms)."""
    return _streamed("contacts", export_contacts, **args)


def _streamed(stream: str, exporter: Exporter, *, format: str, pseudonymised: bool,
              since: str | None = None) -> Response:
    """Rows go out as they are read: memory stays flat however many cases there are."""
    settings: Settings = current_app.extensions["bco_settings"]
    try:
        export = exporter(settings, fmt=format, since=since, pseudonymised=pseudonymised)
    except CursorError as problem:
        abort(422, messages={"query": {"since": [str(problem)]}})
    kind = "pseudonymised" if pseudonymised else "personal"
    action = EXPORT_CASES if stream == "cases" else EXPORT_CONTACTS
    detail = f"{format}, {kind}, {'since a cursor' if since else 'everything'}"

    def logged() -> Iterator[bytes]:
        """The chunks, and once they are sent (or the client left) how many records went."""
        try:
            yield from export.chunks
        finally:
            access_log.write_now(auth.read_record(action, records=export.records.sent,
                                                  detail=detail))

    return Response(stream_with_context(logged()), content_type=export.media_type,
                    headers={CURSOR_HEADER: export.cursor})
