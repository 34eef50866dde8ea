"""The one place where errors become HTTP answers: a page for people, JSON for scripts."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from bco.domain.errors import ConflictError, DomainError, NotFoundError

log = logging.getLogger(__name__)


def wants_json() -> bool:
    """API clients get JSON; browsers (and htmx fragments) get HTML."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.headers.get("HX-Request")


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
        return error_response(409, exc.code, exc.message, other_change=exc.other_change)

    @app.errorhandler(NotFoundError)
    def not_found(exc: NotFoundError) -> Any:
        return error_response(404, exc.code, exc.message)

    @app.errorhandler(DomainError)
    def refused(exc: DomainError) -> Any:
        errors = {exc.field: [exc.message]} if exc.field else {}
        return error_response(422, exc.code, exc.message, errors)

    @app.errorhandler(CSRFError)
    def csrf(exc: CSRFError) -> Any:
        return error_response(400, "csrf", _(
            "This form had expired. Reload the page and send it again; nothing was saved."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        return error_response(status, (exc.name or "error").lower().replace(" ", "_"),
                              exc.description or "")

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Any:
        # Log the type and place only: messages can contain personal data.
        log.error("Unexpected %s in %s %s", type(exc).__name__, request.method,
                  request.url_rule, exc_info=False)
        return error_response(500, "internal_error", _(
            "Something went wrong on our side and nothing was saved. "
            "Try again; if it keeps happening, tell your team lead."))
