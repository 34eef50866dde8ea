"""The case file as PDF from the case page: for team leads (their team's cases) and the
health authority, every download written to the access log."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Blueprint, abort, make_response, request
from flask_babel import gettext as _
from flask_login import current_user

from bco.audit import store as audit
from bco.domain.account import Role
from bco.domain.errors import NotFoundError
from bco.reports.casefile import build_case_file
from bco.reports.moment import MomentError, parse_moment
from bco.reports.pdf import render_pdf
from bco.web import access
from bco.web.access_log import record_read
from bco.web.auth import bco, current_language, role_required
from bco.web.errors import error_response
from bco.web.tracer import settings

blueprint = Blueprint("casefile", __name__)


@blueprint.get("/cases/<uuid:case_id>/casefile.pdf")
@role_required(Role.TEAM_LEAD, Role.AUTHORITY)
def download(case_id: UUID) -> Any:
    """The case as it stands, or as it stood at the optional `as_of` (local time)."""
    app = bco()
    case = app.get_case(case_id)
    if not access.may_print(app, current_user, case):
        abort(403, access.refusal(app, current_user, case))
    purpose = (request.args.get("purpose") or "").strip()
    if purpose and purpose not in audit.STATED_PURPOSES:
        message = _("'%(purpose)s' is not one of the purposes offered; choose one from the "
                    "list, or leave it empty.", purpose=purpose[:40])
        return error_response(422, "bad_purpose", message, {"purpose": [message]})
    typed = (request.args.get("as_of") or "").strip()
    as_of = None
    if typed:
        try:
            as_of = parse_moment(typed, settings().zone, app.clock())
        except MomentError:
            return refused_moment(_(
                "'%(moment)s' is not a moment that has passed. Give a date and time such as "
                "2026-11-25T14:00, or leave it empty for the case as it stands now.",
                moment=typed))
    try:
        case_file = build_case_file(app, case_id, as_of=as_of, language=current_language())
    except NotFoundError:
        return refused_moment(_("The case was not registered yet at %(moment)s; choose a "
                                "later moment.", moment=typed))
    record_read(audit.CASE_FILE, case, purpose=purpose or None,
                detail=f"as of {case_file.as_of.isoformat(timespec='seconds')}" if as_of else "")
    pdf = render_pdf(case_file, zone=settings().zone, phone_region=settings().phone_region)
    stamp = f"-{case_file.as_of.astimezone(settings().zone):%Y%m%d-%H%M}" if as_of else ""
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{case_file.reference}{stamp}.pdf"')
    return response


def refused_moment(message: str) -> Any:
    return error_response(422, "bad_as_of", message, {"as_of": [message]})
