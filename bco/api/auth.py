"""Who is calling the API: a bearer token, never a session; and every read written down."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import current_app, g, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

from bco.application import BCOApplication
from bco.domain.account import Role
from bco.domain.api_token import INTAKE, ApiToken
from bco.web import access_log

API_ROLES = frozenset({Role.AUTHORITY.value})
INTAKE_ROLES = frozenset({INTAKE})
_NOBODY = object()


def bco() -> BCOApplication:
    found: BCOApplication = current_app.extensions["bco"]
    return found


def bearer() -> ApiToken | None:
    """The usable token in the Authorization header, looked up once per request."""
    holder: Any = g.get("api_token", _NOBODY)
    if holder is _NOBODY:
        scheme, _, text = request.headers.get("Authorization", "").partition(" ")
        holder = (bco().api_token_for(text.strip())
                  if scheme.lower() == "bearer" and text.strip() else None)
        g.api_token = holder
    return holder if isinstance(holder, ApiToken) else None


def rate_key() -> str:
    """Requests are counted per token, and per address when no valid token came."""
    holder = bearer()
    return f"token:{holder.name}" if holder is not None else f"address:{request.remote_addr}"


def require_authority() -> None:
    """Before every API view: 401 without a usable token, 403 for a role that may not read."""
    require_role(API_ROLES)


def require_intake() -> None:
    """Before every intake view: only an `intake` token may post cases, and it reads nothing."""
    require_role(INTAKE_ROLES)


def require_role(roles: frozenset[str]) -> None:
    holder = bearer()
    if holder is None:
        raise Unauthorized(www_authenticate=WWWAuthenticate("bearer", {"realm": "BCO API"}))
    if holder.role not in roles:
        raise Forbidden()


def record_read(action: str, case_id: UUID | None = None, *, records: int | None = None,
                detail: str = "") -> None:
    """Note the read for the access log under the token's name, as a person's read would be."""
    access_log.record_role_read(*_reader(), action, case_id, records=records, detail=detail)


def read_record(action: str, *, records: int, detail: str) -> access_log.Read:
    """A read whose size is known only at its end (an export), to write then."""
    account, role = _reader()
    return access_log.Read(account=account, role=role, action=action, case_id=None,
                           relation="", records=records, detail=detail, purpose=None)


def _reader() -> tuple[str, str]:
    holder = bearer()
    assert holder is not None, "record_read outside an authorised API request"
    return holder.name, str(holder.role)
