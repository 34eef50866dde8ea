"""Finding a case from the header by reference, name, phone or birth date.

The term is personal data, so it travels only in a POST body: never in a URL, never in a log.
The access log records that a search happened and which cases it showed, by id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from bco.audit import store as audit
from bco.domain.case import Case
from bco.domain.errors import NotFoundError
from bco.projections import people
from bco.web import access
from bco.web.access_log import record_read
from bco.web.auth import bco, role_required
from bco.web.display import status_label
from bco.web.readmodels import views

RESULT_LIMIT = 20
TERM_LENGTH = 100

KIND_LABELS = {
    "reference": _l("Searched by case reference."),
    "email": _l("Searched by e-mail address."),
    "birth_date": _l("Searched by date of birth."),
    "phone": _l("Searched by phone number (with or without country code)."),
    "name": _l("Searched by name: the start of the first name or of any later part."),
}


class SearchForm(FlaskForm):
    term = StringField(_l("Find a case"), validators=[Optional(), Length(max=TERM_LENGTH)])


@dataclass(frozen=True)
class Found:
    """One result line: what the searcher's role may see of the case."""

    case_id: UUID
    reference: str
    status: str
    disease: str
    name: str | None
    link: str | None
    case: Case = field(repr=False, compare=False)  # for the access log: how the searcher stood


def may_search() -> bool:
    """Whether the header shows the search box to the signed-in person."""
    return (current_user.is_authenticated
            and current_user.role in {role.value for role in access.SEARCHERS})


def _link(case_id: UUID) -> str | None:
    """The case page for tracers and leads; the case file for the authority, where served."""
    if current_user.role in access.WORKER_ROLES:
        return url_for("tracer.case_page", case_id=case_id)
    if "casefile.download" in current_app.view_functions:
        return url_for("casefile.download", case_id=case_id)
    return None


def _found(case: Case) -> Found:
    return Found(case_id=case.id, reference=access.case_reference(case.id),
                 status=status_label(case.status.value), disease=case.disease,
                 name=case.person.name if access.sees_index_name(current_user) else None,
                 link=_link(case.id), case=case)


def find(term: str) -> list[Found]:
    """The cases the signed-in person may find, checked again on each case itself."""
    app = bco()
    with views() as db:
        ids = people.search_cases(db, term, access.search_scope(current_user),
                                  region=app.settings.phone_region, limit=RESULT_LIMIT + 1)
    results = []
    for case_id in ids:
        try:
            case = app.get_case(UUID(case_id))
        except NotFoundError:
            continue
        if access.may_find(app, current_user, case):
            results.append(_found(case))
    return results


@role_required(*access.SEARCHERS)
def search_page() -> Any:
    """The search form, and on POST the matches; one reference match opens the case."""
    form = SearchForm()
    term = (form.term.data or "").strip() if request.method == "POST" else ""
    if not term or not form.validate_on_submit():
        return render_template("search.html", form=form, term="", results=None, kind=None,
                               more=False)
    results = find(term)
    shown = results[:RESULT_LIMIT]
    record_read(audit.SEARCH, records=len(shown))
    for result in shown:
        record_read(audit.SEARCH_RESULT, result.case)
    kind = people.search_kind(term)
    if kind == "reference" and len(shown) == 1 and current_user.role in access.WORKER_ROLES:
        return redirect(url_for("tracer.case_page", case_id=shown[0].case_id), code=303)
    return render_template("search.html", form=form, term=term, results=shown,
                           kind=str(KIND_LABELS[kind]), more=len(results) > RESULT_LIMIT)
