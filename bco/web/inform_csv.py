"""The inform list as a CSV file for a spreadsheet: the same filters and order as the page,
every row, formula-safe, each interview read written to the access log."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import make_response, request
from flask_babel import gettext as _
from flask_login import current_user

from bco.audit import store as audit
from bco.projections import contacts as contacts_model
from bco.reports.spreadsheet_cells import defused
from bco.web import inform
from bco.web.auth import bco, role_required
from bco.web.display import disease_name
from bco.web.readmodels import views

CSV_LIMIT = 10_000


def rows(found: list[inform.ContactToInform], zone: Any) -> list[list[str]]:
    header = [_("Case"), _("Disease"), _("Category"), _("Name"), _("Phone"), _("E-mail"),
              _("Relation to the index"), _("Last contact"), _("Who informs"),
              _("Earlier attempt"), _("Interview completed")]
    lines = [header]
    for item in found:
        contact = item.contact
        lines.append([
            item.case_reference, disease_name(item.disease),
            item.category_label or _("category not decided yet"), contact.name,
            contact.phone or "", contact.email or "", contact.relation or "",
            contact.day.isoformat() if contact.day else "",
            _("the health service") if item.informer_chosen else _("not chosen"),
            _("not reached") if contact.inform_outcome == "unreachable" else "",
            f"{item.completed_at.astimezone(zone):%Y-%m-%d %H:%M}" if item.completed_at else "",
        ])
    return [[defused("" if cell is None else str(cell)) for cell in line] for line in lines]


@role_required(*inform.INFORMERS)
def inform_csv() -> Any:
    """Download the filtered list (all pages) to call from a spreadsheet."""
    app = bco()
    wanted = inform.inform_filter(current_user, inform.choices(request.args))
    with views() as db:
        found = contacts_model.to_inform(db, wanted, limit=CSV_LIMIT)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(
        rows(inform.to_call(app, found, action=audit.INFORM_CSV), app.settings.zone))
    response = make_response("\ufeff" + buffer.getvalue())
    response.mimetype = "text/csv"
    stamp = f"{app.clock().astimezone(app.settings.zone):%Y%m%d-%H%M}"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="contacts-to-inform-{stamp}.csv"')
    return response
