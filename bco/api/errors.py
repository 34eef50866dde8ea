"""Every refusal of the API as `{code, status, message, errors}`, in English for programs."""

from __future__ import annotations

import logging
from typing import Any

import marshmallow as ma
from flask import Response, jsonify, request
from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException

from bco.domain.errors import ConflictError, DomainError, NotFoundError
from bco.web.errors import API_MESSAGES, INTERNAL, KEPT_HEADERS

log = logging.getLogger(__name__)



class ErrorSchema(ma.Schema):
    """The one shape of every 4xx and 5xx answer under /api/."""

    code = ma.fields.String(required=True, metadata={"description": "machine-readable reason"})
    status = ma.fields.Integer(required=True, metadata={"description": "the HTTP status"})
    message = ma.fields.String(required=True, metadata={"description": "what to do"})
    errors = ma.fields.Dict(required=True, metadata={
        "description": "per location and parameter, what was wrong with it"})


def api_error(status: int, code: str, message: str, errors: dict[str, Any] | None = None,
              headers: list[tuple[str, str]] | None = None) -> tuple[Response, int]:
    response = jsonify({"code": code, "status": status, "message": message,
                        "errors": errors or {}})
    for name, value in headers or []:
        response.headers[name] = value
    return response, status


def http_error(exc: HTTPException) -> tuple[Response, int]:
    """Werkzeug's and webargs' refusals: parameter errors come in exc.data['messages']."""
    status = exc.code or 500
    data: dict[str, Any] = getattr(exc, "data", None) or {}
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() in KEPT_HEADERS]
    headers += list((data.get("headers") or {}).items())
    message = exc.description if exc.description != type(exc).description else None
    return api_error(status, (exc.name or "error").lower().replace(" ", "_"),
                     message or API_MESSAGES.get(status, INTERNAL), data.get("messages"), headers)


def init_blueprint(blueprint: Blueprint) -> None:
    """Errors raised in this blueprint's views answer in the API's shape, not as pages."""
    blueprint.register_error_handler(HTTPException, http_error)

    @blueprint.errorhandler(NotFoundError)
    def not_found(exc: NotFoundError) -> tuple[Response, int]:
        return api_error(404, exc.code, exc.message)

    @blueprint.errorhandler(ConflictError)
    def conflict(exc: ConflictError) -> tuple[Response, int]:
        return api_error(409, exc.code, exc.message)

    @blueprint.errorhandler(DomainError)
    def refused(exc: DomainError) -> tuple[Response, int]:
        return api_error(422, exc.code, exc.message,
                         {exc.field: [exc.message]} if exc.field else {})

    @blueprint.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[Response, int]:
        # The type and place only: messages can contain personal data.
        log.error("Unexpected %s in %s %s", type(exc).__name__, request.method,
                  request.url_rule, exc_info=False)
        return api_error(500, "internal_error", INTERNAL)
