"""The team lead's dashboard: which cases wait too long, who needs help, which interviews are
stuck or thin, which prompts find contacts, and the KPIs; each table also as CSV."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from bco.domain.account import Role
from bco.domain.errors import ConflictError, DomainError
from bco.projections.kpis import KPI_KEYS
from bco.projections.readmodel import parse_utc
from bco.reports.team_report import render_team_report
from bco.web import access
from bco.web.auth import bco, role_required
from bco.web.clocks import duration_words
from bco.web.csv_download import csv_response
from bco.web.dashboard_charts import build_charts
from bco.web.dashboard_data import (
    FilterError,
    Filters,
    choices,
    gather,
    hand_out_choices,
    kpis,
    parse_filters,
)
from bco.web.errors import error_response, translated
from bco.web.lead import change_words
from bco.web.readmodels import read_your_writes, views
from bco.web.tracer import settings

blueprint = Blueprint("dashboard", __name__)

# How often the page refreshes its tables (htmx polling), in seconds.
REFRESH_SECONDS = 60
# Rows the page shows of each case list (the most urgent first); the CSV has every one.
SHOWN_ROWS = 25

CLOCK_LABELS = {
    "first_call": _l("First call"),
    "reached": _l("Index reached"),
    "interview": _l("Interview complete"),
    "informed": _l("Contacts informed"),
}
REASON_LABELS = {
    "low_score": _l("low completeness"),
    "household_short": _l("fewer household contacts than the household size"),
    "no_outside_contact": _l("no contact outside the household"),
}
KPI_LABELS = {
    "reached_within_24h": _l("Reached within 24 h"),
    "interviewed_within_24h": _l("Interviewed within 24 h"),
    "first_call_hours_median": _l("Hours to first call (median)"),
    "contacts_per_case_median": _l("Contacts per case (median)"),
    "cases_without_contacts": _l("Cases without contacts"),
    "contacts_informed_within_24h": _l("Contacts informed within 24 h of the interview"),
    "handovers_per_interview": _l("Handovers per interview"),
    "known_contacts_among_new_cases": _l("New cases already listed as someone's contact"),
}
PRIORITY_LABELS = {0: _l("normal"), 1: _l("high"), 2: _l("urgent")}
SHARE_KPIS = {"reached_within_24h", "interviewed_within_24h", "cases_without_contacts",
              "contacts_informed_within_24h", "known_contacts_among_new_cases"}


def now() -> datetime:
    return bco().clock()


def read_filters(args: Any = None) -> tuple[Filters | None, dict[str, list[str]]]:
    with views() as db:
        try:
            return parse_filters(request.args if args is None else args, current_user, db,
                                 now().astimezone(
                settings().zone).date(), bco().catalog.known_diseases), {}
        except FilterError as exc:
            return None, exc.errors


def render_page(template: str, *, status: int = 200, problem: str | None = None,
                args: Any = None) -> Any:
    """The page (or its panels) for the filters in `args` (the query string by default)."""
    filters, errors = read_filters(args)
    with views() as db:
        offered = choices(db, current_user, bco().catalog.known_diseases)
        data = gather(db, filters, settings(), now(), current_user) if filters else None
        charts = (build_charts(db, filters, settings(), now(),
                               data["yield"] if data else None) if filters else [])
        team_people = (hand_out_choices(db, current_user, settings(), now())
                       if current_user.role == Role.TEAM_LEAD else [])
    if errors:
        status = 422
    return render_template(
        template, filters=filters, errors=errors, data=data, offered=offered,
        team_people=team_people, problem=problem, charts=charts, chosen=request.form,
        selected=set(request.form.getlist("case")), priority_labels=PRIORITY_LABELS,
        can_act=current_user.role == Role.TEAM_LEAD,
        typed=args if args is not None else request.args, settings=settings(), now=now(),
        refresh_seconds=REFRESH_SECONDS, shown_rows=SHOWN_ROWS,
        clock_labels=CLOCK_LABELS, reason_labels=REASON_LABELS, kpi_labels=KPI_LABELS,
        share_kpis=SHARE_KPIS, kpi_keys=KPI_KEYS, ago=ago, reference=access.case_reference,
        kpi_text=kpi_text, csv_url=csv_url, duration_words=duration_words,
        parse_time=parse_utc, as_of=format_time(now(), "HH:mm")), status


@blueprint.get("/dashboard")
@role_required(Role.TEAM_LEAD, Role.ADMIN)
def page() -> Any:
    """The whole page: filters, then the live panels."""
    return render_page("dashboard/page.html")


@blueprint.get("/dashboard/panels")
@role_required(Role.TEAM_LEAD, Role.ADMIN)
def panels() -> Any:
    """The panels alone, for the page's periodic refresh with the same filters."""
    return render_page("dashboard/_panels.html")


def ago(moment: datetime | None) -> str:
    if moment is None:
        return _("never")
    return _("%(span)s ago", span=duration_words(now() - moment))


def kpi_text(key: str, value: float | None) -> str:
    """A KPI as a reader says it; a share over no cases is 'no data', never 0 %."""
    if value is None:
        return _("no data")
    if key in SHARE_KPIS:
        return f"{round(value * 100)} %"
    return f"{value:.1f}"


def csv_url(table: str, filters: Filters | None) -> str:
    args: dict[str, Any] = filters.args() if filters else {}
    return url_for(".download", name=table, **args)


def _bad_parameters(errors: dict[str, list[str]], *, as_json: bool = False) -> Any:
    """422 naming the first bad parameter; every bad one is listed under `errors`."""
    first = next(iter(errors))
    message = _("Parameter '%(name)s': %(problem)s", name=first, problem=errors[first][0])
    if as_json:
        return jsonify(code="bad_parameter", status=422, message=message, errors=errors), 422
    return error_response(422, "bad_parameter", message, errors)


# Each download: its columns, and the values of one row in that order.
Table = tuple[Sequence[str], Callable[[dict[str, Any]], Sequence[Any]]]
TABLES: dict[str, tuple[str, Table]] = {
    "waiting": ("waiting", (
        ("case", "clock", "state", "target_hours", "since", "due", "tracer", "team",
         "disease", "status", "contacts_to_inform"),
        lambda r: (access.case_reference(r["case_id"]), r["clock"], r["state"],
                   r["target_hours"], r["since"], r["due"], r["tracer"], r["team"],
                   r["disease"], r["status"], r["outstanding"]))),
    "caseload": ("caseload", (
        ("tracer", "team", "open_cases", "interviews_in_progress", "interviews_paused",
         "oldest_waiting_since", "last_activity", "away", "account_inactive"),
        lambda r: (r["tracer"], r["team"], r["open_cases"], r["in_progress"], r["paused"],
                   r["oldest_waiting"], r["last_activity"], r["away"], r["inactive"]))),
    "stuck": ("stuck", (
        ("case", "tracer", "disease", "interview_status", "last_event_at", "last_actor"),
        lambda r: (access.case_reference(r["case_id"]), r["tracer"], r["disease"],
                   r["interview_status"], r["last_at"], r["last_actor"]))),
    "thin": ("thin", (
        ("case", "tracer", "disease", "completed_at", "score", "contacts",
         "outside_household", "reasons"),
        lambda r: (access.case_reference(r["case_id"]), r["tracer"], r["disease"],
                   r["interview_completed_at"], r["score"], r["contacts_reported"],
                   r["outside"], r["reasons"]))),
    "yield": ("yield", (
        ("guide", "prompt", "asked", "contacts", "contacts_per_ask"),
        lambda r: (r["guide_id"], r["prompt"], r["asked"], r["contacts"],
                   r["contacts_per_ask"]))),
}


@blueprint.get("/dashboard/<name>.csv")
@role_required(Role.TEAM_LEAD, Role.ADMIN)
def download(name: str) -> Any:
    """One table of the dashboard, with the same filters, as a formula-safe CSV."""
    if name not in (*TABLES, "kpis"):
        abort(404, _("There is no dashboard table called %(name)s.", name=name[:40]))
    filters, errors = read_filters()
    if filters is None:
        return _bad_parameters(errors)
    stem = f"{name}-{filters.start.isoformat()}-{filters.end.isoformat()}"
    with views() as db:
        if name == "kpis":
            found = kpis(db, filters, settings(), now())
            return csv_response(stem, ("kpi", "value"), sorted(found.items()))
        data = gather(db, filters, settings(), now(), current_user)
    key, (header, row) = TABLES[name]
    return csv_response(stem, header, (row(r) for r in data[key]))


@blueprint.get("/dashboard/kpis.json")
@role_required(Role.TEAM_LEAD, Role.ADMIN)
def kpis_json() -> Any:
    """The KPIs as JSON (shares from 0 to 1, null over no cases), for the lead's session."""
    filters, errors = read_filters()
    if filters is None:
        return _bad_parameters(errors, as_json=True)
    with views() as db:
        found = kpis(db, filters, settings(), now())
    return jsonify({**found, "from": filters.start.isoformat(), "to": filters.end.isoformat(),
                    "team": filters.team or None, "disease": filters.disease})


# -- acting on several cases at once -------------------------------------------------------


def selected_cases() -> dict[UUID, int]:
    """The ticked cases as id → the case version the lead saw ('<id>@<version>')."""
    found: dict[UUID, int] = {}
    for value in request.form.getlist("case"):
        case_text, _at, version = value.partition("@")
        try:
            found[UUID(case_text)] = int(version or 0)
        except ValueError:
            abort(400, _("The request was not understood; reload the page and try again."))
    return found


@blueprint.post("/dashboard/actions")
@role_required(Role.TEAM_LEAD)
def act() -> Any:
    """Give the ticked cases to one tracer, or set their priority, with a reason kept in each
    event; a case changed meanwhile is a 409 with the other change, and nothing is lost."""
    app = bco()
    back = {k: request.form.get(k, "") for k in ("from", "to", "team", "disease")}
    chosen = selected_cases()
    if not chosen:
        return render_page("dashboard/page.html", status=422, args=back, problem=_(
            "Tick at least one case first."))
    for case_id in chosen:
        access.visible_case(app, current_user, case_id)  # 403 for another team's case
    reason = request.form.get("reason", "")
    command_id = request.form.get("command_id") or None
    try:
        if request.form.get("action") == "priority":
            level = request.form.get("priority", "")
            if not level.isdigit():
                return render_page("dashboard/page.html", status=422, args=back, problem=_(
                    "Choose a priority."))
            recorded = app.set_cases_priority(chosen, int(level), reason,
                                              actor=current_user.name, command_id=command_id)
            message = _("Priority set for %(n)d cases.", n=len(chosen))
        else:
            recorded = app.hand_out_cases(chosen, request.form.get("tracer", ""),
                                          reason=reason, actor=current_user.name,
                                          command_id=command_id)
            message = _("%(n)d cases are now with %(tracer)s.", n=len(chosen),
                        tracer=request.form.get("tracer", ""))
    except ConflictError as exc:
        words = change_words(exc.other_change) if exc.other_change else None
        reference = access.case_reference(exc.current.id) if exc.current else ""
        return render_page("dashboard/page.html", status=409, args=back, problem=" ".join(
            part for part in (f"{reference}: {translated(exc)}", words) if part))
    except DomainError as exc:
        return render_page("dashboard/page.html", status=422, args=back,
                           problem=translated(exc))
    read_your_writes(recorded)
    flash(message, "info")
    kept: dict[str, Any] = {k: v for k, v in back.items() if v}
    return redirect(url_for(".page", **kept))


@blueprint.get("/dashboard/report.pdf")
@role_required(Role.TEAM_LEAD, Role.ADMIN)
def report() -> Any:
    """A one-page team report for the period: KPIs, clocks, caseload and the charts."""
    filters, errors = read_filters()
    if filters is None:
        return _bad_parameters(errors)
    with views() as db:
        data = gather(db, filters, settings(), now(), current_user)
        charts = build_charts(db, filters, settings(), now(), data["yield"])
    html = render_template(
        "dashboard/report.html", filters=filters, data=data, charts=charts,
        settings=settings(), clock_labels=CLOCK_LABELS, kpi_labels=KPI_LABELS,
        kpi_text=kpi_text, made=format_datetime(now(), "d MMM yyyy HH:mm"))
    stem = f"team-report-{filters.team or 'all'}-{filters.start}-{filters.end}"
    return Response(render_team_report(html), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{stem}.pdf"'})
