"""The one place where errors become HTTP answers: a page for people, JSON for scripts."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import Flask, g, jsonify, render_template, request
from flask_babel import format_time
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from bco.domain.errors import ConflictError, DomainError, NotFoundError, Translatable

log = logging.getLogger(__name__)

KEPT_HEADERS = ("allow", "www-authenticate", "retry-after")
# The API answers programs and their developers: in English, naming what to send instead.
API_MESSAGES = {
    400: "The request was not understood.",
    401: "No valid API token was sent. Send 'Authorization: Bearer <token>' with a token made "
         "by 'bco token create'.",
    403: "This token's role does not give access to the export API; it needs an authority "
         "token.",
    404: "There is nothing at this address; /api/docs lists what there is.",
    405: "This address does not take that method; the Allow header says which it takes.",
    406: "This address cannot answer in a format the Accept header allows.",
    422: "A parameter was not understood; 'errors' names it and says what fits.",
    429: "Too many requests for this token; wait as long as Retry-After says, then go on.",
}
INTERNAL = ("Something went wrong on our side. Try again; if it keeps happening, tell the "
            "BCO administrators.")


def translated(exc: DomainError) -> str:
    """The refusal in the reader's language: its template from the catalog, filled in.

    Fixed phrases among the parameters are translated too, typed values never; a time of day
    is shown in the reader's zone. A message with no catalog entry comes back as it is, in
    English; a translation that does not fit its parameters falls back to the English message
    rather than failing the answer.
    """
    text = _(exc.template)
    if not exc.params:
        return text
    params = {key: _local(value) for key, value in exc.params.items()}
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        log.warning("Translation of %r does not fit its parameters", exc.template)
        return exc.message


def _local(value: Any) -> Any:
    if isinstance(value, Translatable):
        return _(value)
    if isinstance(value, datetime):
        return format_time(value, "HH:mm:ss")
    return value


def wants_json() -> bool:
    """API clients get JSON; browsers (and htmx fragments) get HTML."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.headers.get("HX-Request")


def http_message(exc: HTTPException) -> str:
    """Our own words for the refusal; Werkzeug's stock English text is replaced by a sentence
    in the reader's language that says what to do."""
    if exc.description and exc.description != type(exc).description:
        return exc.description
    status = exc.code or 500
    if request.path.startswith("/api/"):
        return API_MESSAGES.get(status, INTERNAL)
    if status == 404:
        return _("There is no page at this address. Check the link, or go back to the start "
                 "page and find it from there.")
    if status == 403:
        return _("You do not have access to this page. If you need it for your work, ask your "
                 "team lead.")
    if status == 405:
        return _("This address cannot be used like that. Go back to the start page and use "
                 "the buttons there.")
    if status == 413:
        return _("What you sent is too large, so nothing was saved. Send less at a time.")
    if status < 500:
        return _("The request was not understood, so nothing was saved. Reload the page and "
                 "try again.")
    return _("Something went wrong on our side and nothing was saved. "
             "Try again; if it keeps happening, tell your team lead.")


def error_response(status: int, code: str, message: str, errors: dict[str, Any] | None = None,
                   **extra: Any) -> Any:
    if wants_json():
        body = {"code": code, "status": status, "message": message, "errors": errors or {}}
        body.update(extra)
        return jsonify(body), status
    if request.headers.get("HX-Request") and g.get("htmx_error_fragment") is not None:
        # A view may show the problem next to the field it concerns, keeping what was typed.
        fragment = g.htmx_error_fragment(status=status, code=code, message=message,
                                         errors=errors or {}, **extra)
        return fragment, status
    template = "error_fragment.html" if request.headers.get("HX-Request") else "error.html"
    return render_template(template, status=status, code=code, message=message,
                           errors=errors or {}, **extra), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ConflictError)
    def conflict(exc: ConflictError) -> Any:
        return error_response(409, exc.code, translated(exc), other_change=exc.other_change)

    @app.errorhandler(NotFoundError)
    def not_found(exc: NotFoundError) -> Any:
        return error_response(404, exc.code, translated(exc))

    @app.errorhandler(DomainError)
    def refused(exc: DomainError) -> Any:
        message = translated(exc)
        errors = {exc.field: [message]} if exc.field else {}
        return error_response(422, exc.code, message, errors)

    @app.errorhandler(CSRFError)
    def csrf(exc: CSRFError) -> Any:
        return error_response(400, "csrf", _(
            "This form had expired. Reload the page and send it again; nothing was saved."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        response, status = error_response(
            status, (exc.name or "error").lower().replace(" ", "_"), http_message(exc))
        answer = app.make_response((response, status))
        # Allow (405) and the like say how to do it right; the body alone would drop them.
        for name, value in exc.get_headers():
            if name.lower() in KEPT_HEADERS:
                answer.headers[name] = value
        return answer

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Any:
        # Log the type and place only: messages can contain personal data.
        log.error("Unexpected %s in %s %s", type(exc).__name__, request.method,
                  request.url_rule, exc_info=False)
        return error_response(500, "internal_error", _(
            "Something went wrong on our side and nothing was saved. "
            "Try again; if it keeps happening, tell your team lead."))
