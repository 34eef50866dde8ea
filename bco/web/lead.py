"""Team leads' overview: how many cases there are, where they stand and who holds them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from bco.domain.account import Role
from bco.projections.caseload import caseload_summary
from bco.web.auth import role_required
from bco.web.readmodels import views

blueprint = Blueprint("lead", __name__)

# Counts only, never names of index persons: admins see this page too.
DIMENSIONS = (
    ("by_status", _l("By status")),
    ("by_team", _l("By team")),
    ("by_tracer", _l("By tracer")),
    ("by_disease", _l("By disease")),
    ("by_age", _l("By age group")),
)


@blueprint.get("/caseload")
@role_required(Role.TEAM_LEAD, Role.ADMIN)
def caseload() -> Any:
    with views() as db:
        summary = caseload_summary(db)
    tables = [(key, str(label), summary.get(key, {})) for key, label in DIMENSIONS]
    return render_template("lead/caseload.html", total=summary.get("total", 0), tables=tables)
