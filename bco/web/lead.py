"""Team leads' overview and hand-outs: the caseload, the team's cases per tracer, and
assigning, reassigning or returning a case to the pool."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from bco.domain.account import Role
from bco.domain.case import Case
from bco.domain.errors import ConflictError, DomainError
from bco.projections import worklist as worklist_model
from bco.projections.accounts import colleagues
from bco.projections.caseload import NO_TEAM, NOBODY, UNKNOWN_AGE, caseload_summary
from bco.web import access
from bco.web.auth import bco, role_required
from bco.web.case_forms import AssignForm
from bco.web.errors import error_response, translated, wants_json
from bco.web.readmodels import read_your_writes, views
from bco.web.tracer import (
    WorklistRow,
    render_case,
    settings,
    team_assignees,
    worklist_rows,
)

blueprint = Blueprint("lead", __name__)

# Counts only, never names of index persons: admins see this page too.
DIMENSIONS = (
    ("by_status", _l("By status"), _l("Status")),
    ("by_team", _l("By team"), _l("Team")),
    ("by_tracer", _l("By tracer"), _l("Tracer")),
    ("by_disease", _l("By disease"), _l("Disease")),
    ("by_age", _l("By age group"), _l("Age group")),
)
# The caseload read model's words for "none"; shown in the reader's language.
MISSING_LABELS = {
    ("by_tracer", NOBODY): _l("nobody — in the pool"),
    ("by_team", NO_TEAM): _l("no team"),
    ("by_age", UNKNOWN_AGE): _l("unknown"),
}
# Rows per tracer (and in the pool) on the team's list; each row loads its case's version.
LIST_LIMIT = 100


@blueprint.get("/caseload")
@role_required(Role.TEAM_LEAD, Role.ADMIN)
def caseload() -> Any:
    with views() as db:
        summary = caseload_summary(db)
    tables = [(key, str(label), str(column), summary.get(key, {}))
              for key, label, column in DIMENSIONS]
    return render_template("lead/caseload.html", total=summary.get("total", 0), tables=tables,
                           links=caseload_links(summary), value_label=value_label)


def value_label(key: str, value: str) -> str:
    label = MISSING_LABELS.get((key, value))
    return str(label) if label is not None else value


def caseload_links(summary: dict[str, Any]) -> dict[tuple[str, str], str]:
    """For a lead: from a count of their team (or their team's tracers) to those cases."""
    if current_user.role != Role.TEAM_LEAD:
        return {}
    team = current_user.team
    with views() as db:
        mine = {c.name for c in colleagues(db) if c.team == team}
    links = {("by_tracer", name): url_for(".team_cases", tracer=name)
             for name in summary.get("by_tracer", {}) if name in mine}
    links[("by_tracer", NOBODY)] = url_for(".team_cases", _anchor="pool")
    if team is not None:
        links[("by_team", team)] = url_for(".team_cases")
    return links


# -- the team's cases per tracer -----------------------------------------------------------


@dataclass(frozen=True)
class TracerCases:
    """One section of the team's list: whose cases (None for the pool), and the rows."""

    tracer: str | None
    rows: list[WorklistRow]
    inactive: bool = False  # no (longer an) active account: these cases need a new tracer
    more: bool = False


def team_sections(only: str | None) -> list[TracerCases]:
    """The open cases of each tracer of the lead's team (also those without any), then the
    pool; with `only`, that tracer's cases alone."""
    app = bco()
    now = app.clock()
    target = settings().first_call_target_hours
    team = current_user.team
    with views() as db:
        everyone = {c.name: c for c in colleagues(db)}
        people = {name: c for name, c in everyone.items()
                  if c.team == team and c.role in access.WORKER_ROLES}
        holders = set(worklist_model.team_tracers(db, team))
        names = sorted({n for n, c in people.items() if not c.disabled} | holders)
        if only is not None:
            if only not in names:
                abort(404, _("Nobody called %(name)s works cases in your team. Pick a tracer "
                             "on the caseload page.", name=only))
            names = [only]
        sections = []
        for name in names:
            items = [item for item in worklist_model.for_tracer(
                db, name, now=now, target_hours=target, limit=LIST_LIMIT + 1)
                if item.team == team or (item.team is None and name in people)]
            colleague = everyone.get(name)
            sections.append(TracerCases(
                tracer=name, rows=worklist_rows(items[:LIST_LIMIT], now),
                inactive=colleague is None or colleague.disabled,
                more=len(items) > LIST_LIMIT))
        if only is None:
            pool = [item for item in worklist_model.unassigned(
                db, now=now, target_hours=target, limit=LIST_LIMIT + 1)
                if item.team in (None, team)]
            sections.append(TracerCases(tracer=None, rows=worklist_rows(pool[:LIST_LIMIT], now),
                                        more=len(pool) > LIST_LIMIT))
    return sections


def render_team_cases(only: str | None, *, status: int = 200, problem: str | None = None,
                      other_change: str | None = None) -> Any:
    app = bco()
    sections = team_sections(only)
    # The version each row's form was made from, so a hand-out made meanwhile is noticed.
    versions = {row.item.case_id: app.get_case(row.item.case_id).version
                for section in sections for row in section.rows}
    return render_template(
        "lead/team_cases.html", sections=sections, only=only, versions=versions,
        assignees=team_assignees(current_user.team), problem=problem,
        other_change_text=other_change, list_limit=LIST_LIMIT), status


@blueprint.get("/team/cases")
@role_required(Role.TEAM_LEAD)
def team_cases() -> Any:
    """The team's open cases per tracer and the pool, each with a control to hand it out."""
    return render_team_cases(request.args.get("tracer") or None)


# -- assigning ------------------------------------------------------------------------------


@blueprint.post("/cases/<uuid:case_id>/assignment")
@role_required(Role.TEAM_LEAD)
def assign(case_id: UUID) -> Any:
    """Give the case to a tracer, move it to another, or put it back in the pool.

    The form carries the case version the lead saw: a hand-out by someone else since then is
    a conflict (409), shown with their change, and the lead's own choice stays selected.
    """
    app = bco()
    # A lead may hand out exactly the cases they may see: their team's and its pool.
    case = access.visible_case(app, current_user, case_id)
    form = AssignForm()
    if not form.validate_on_submit():
        abort(400, _("The request was not understood; reload the page and try again."))
    expected = int(form.expected_version.data or 0)
    command_id = form.command_id.data or None
    reference = access.case_reference(case_id)
    choice = (form.tracer.data or "").strip()
    try:
        if form.action.data == "pool":
            choice = ""
            recorded = app.unassign_case(case_id, actor=current_user.name,
                                         command_id=command_id, expected_version=expected)
            message = _("Case %(ref)s is back in the pool.", ref=reference)
        else:
            if not choice:
                return refused(form, case, 422, "tracer_missing",
                               _("Choose whom to give the case to."))
            person = access.assignee(app, choice)
            if person is None:
                return refused(form, case, 422, "unknown_tracer", _(
                    "%(name)s is not an active tracer or team lead. Choose someone from the "
                    "list.", name=choice), choice=choice)
            recorded = app.assign_case(case_id, person.name, person.team,
                                       actor=current_user.name, command_id=command_id,
                                       expected_version=expected)
            message = (_("Case %(ref)s is now with %(tracer)s (team %(team)s).", ref=reference,
                         tracer=person.name, team=person.team) if person.team else
                       _("Case %(ref)s is now with %(tracer)s.", ref=reference,
                         tracer=person.name))
    except ConflictError as exc:
        return refused(form, app.get_case(case_id), 409, exc.code, translated(exc),
                       choice=choice, other_change=exc.other_change)
    except DomainError as exc:
        return refused(form, app.get_case(case_id), 422, exc.code, translated(exc),
                       choice=choice)
    read_your_writes(recorded)
    flash(message, "info")
    return redirect(back_url(form, case_id))


def back_url(form: AssignForm, case_id: UUID) -> str:
    if form.back.data == "team":
        return url_for(".team_cases", tracer=form.back_tracer.data or None)
    return url_for("tracer.case_page", case_id=case_id)


def refused(form: AssignForm, case: Case, status: int, code: str, message: str, *,
            choice: str | None = None, other_change: dict[str, Any] | None = None) -> Any:
    """The page the lead came from, with why nothing changed and the choice they made; JSON
    clients get the error with the other change as data."""
    if wants_json():
        errors = {"tracer": [message]} if status == 422 else None
        return error_response(status, code, message, errors, other_change=other_change)
    change = change_words(other_change) if other_change else None
    if form.back.data == "team":
        if status == 409:
            message = f"{access.case_reference(case.id)}: {message}"
        return render_team_cases(form.back_tracer.data or None, status=status,
                                 problem=message, other_change=change)
    return render_case(case, status=status, assign_problem=message, other_change=change,
                       assign_choice=choice)


def change_words(change: dict[str, Any]) -> str | None:
    """Someone else's hand-out in a sentence, e.g. 'lead2 gave it to tracer3 at 10:02'."""
    data = change.get("data", {})
    at = format_time(datetime.fromisoformat(change["timestamp"]), "HH:mm")
    if change.get("type") == "Case.Assigned":
        return _("%(actor)s gave this case to %(tracer)s at %(time)s.",
                 actor=change.get("actor"), tracer=data.get("tracer"), time=at)
    if change.get("type") == "Case.Unassigned":
        return _("%(actor)s put this case back in the pool at %(time)s.",
                 actor=change.get("actor"), time=at)
    return None
