"""The tracer's day: the worklist, the 'next case' button, and the case page with its calls."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, format_datetime, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from bco.application import Issued
from bco.audit import store as audit
from bco.config import Settings
from bco.domain.account import Role
from bco.domain.case import CallOutcome, Case, CaseStatus
from bco.domain.errors import ConflictError, DomainError
from bco.projections import worklist as worklist_model
from bco.projections.accounts import Colleague
from bco.web import access, inform, inform_csv, matching, search
from bco.web import audit as audit_pages
from bco.web.access_log import record_read
from bco.web.auth import bco, role_required
from bco.web.case_forms import (
    CALLBACK_HORIZON,
    OUTCOME_LABELS,
    CallForm,
    CommandForm,
    TakeForm,
    UnreachableForm,
    form_errors,
    outcome_label,
    parse_callback,
)
from bco.web.clocks import Clock, callback_clock, duration_words, waiting_clock
from bco.web.display import status_label
from bco.web.errors import translated
from bco.web.readmodels import read_your_writes, views

blueprint = Blueprint("tracer", __name__)
WORKERS = (Role.TRACER, Role.TEAM_LEAD)
NEXT_CASE_CANDIDATES = 50
# Own cases listed with the index's name; beyond this many, only references (keeps it fast).
NAMED_ROWS = 50

def settings() -> Settings:
    found: Settings = current_app.extensions["bco_settings"]
    return found


def interview_url(interview_id: UUID) -> str | None:
    """The interview screen, once that blueprint is part of the app."""
    if "interview.screen" not in current_app.view_functions:
        return None
    return url_for("interview.screen", interview_id=interview_id)


# -- the worklist ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorklistRow:
    """One line on screen: the read model's item with its clocks in words."""

    item: worklist_model.WorklistItem
    reference: str
    waiting: Clock
    callback: Clock | None
    name: str | None = None


def attempts_clock(item: worklist_model.WorklistItem, now: datetime) -> Clock:
    """After the first call the target is met or missed; what matters is the last attempt."""
    if item.attempts == 0 or item.last_attempt_at is None:
        return waiting_clock(item.received_at, None, now, settings().first_call_target_hours)
    return Clock(ngettext("%(num)d call attempt; last: %(outcome)s, %(ago)s ago",
                          "%(num)d call attempts; last: %(outcome)s, %(ago)s ago",
                          item.attempts, outcome=outcome_label(item.last_outcome or ""),
                          ago=duration_words(now - item.last_attempt_at)), "ok")


def worklist_rows(items: list[worklist_model.WorklistItem], now: datetime,
                  names: dict[UUID, str] | None = None) -> list[WorklistRow]:
    return [WorklistRow(item=item, reference=access.case_reference(item.case_id),
                        waiting=attempts_clock(item, now),
                        callback=callback_clock(item.callback_at, now),
                        name=(names or {}).get(item.case_id))
            for item in items]


def index_names(items: list[worklist_model.WorklistItem]) -> dict[UUID, str]:
    """Names of the index persons of my own cases, so a tracer knows who is who when the
    phone rings; read from the aggregates (the read model holds none) and logged."""
    app = bco()
    names = {}
    for item in items[:NAMED_ROWS]:
        case = app.get_case(item.case_id)
        names[item.case_id] = case.person.name
        record_read(audit.WORKLIST, case)
    return names


@blueprint.get("/worklist")
@role_required(*WORKERS)
def worklist() -> Any:
    """My cases by urgency, the pool to take from, and for team leads the team's cases."""
    now = bco().clock()
    target = settings().first_call_target_hours
    with views() as db:
        mine = worklist_model.for_tracer(db, current_user.name, now=now, target_hours=target)
        pool = [item for item in worklist_model.unassigned(db, now=now, target_hours=target)
                if item.team in (None, current_user.team)]
        team = (worklist_model.for_team(db, current_user.team, now=now, target_hours=target)
                if current_user.role == Role.TEAM_LEAD and current_user.team else [])
    team = [item for item in team if item.tracer != current_user.name]
    return render_template(
        "tracer/worklist.html", mine=worklist_rows(mine, now, index_names(mine)),
        pool=worklist_rows(pool, now),
        team=worklist_rows(team, now), next_form=CommandForm(), target_hours=target)


class RecentClaims:
    """Remembers which case a 'next case' click got, so a double click does not take two."""

    def __init__(self, size: int = 1000) -> None:
        self._lock = threading.Lock()
        self._claims: OrderedDict[str, UUID] = OrderedDict()
        self._size = size

    def get(self, command_id: str | None) -> UUID | None:
        if not command_id:
            return None
        with self._lock:
            return self._claims.get(command_id)

    def remember(self, command_id: str | None, case_id: UUID) -> None:
        if not command_id:
            return
        with self._lock:
            self._claims[command_id] = case_id
            while len(self._claims) > self._size:
                self._claims.popitem(last=False)


@blueprint.post("/next-case")
@role_required(*WORKERS)
def next_case() -> Response:
    form = CommandForm()
    if not form.validate_on_submit():
        abort(400, _("The request was not understood; reload the worklist and try again."))
    claims: RecentClaims = current_app.extensions["bco_recent_claims"]
    earlier = claims.get(form.command_id.data)
    if earlier is not None:
        return redirect(url_for(".case_page", case_id=earlier))
    app = bco()
    with views() as db:
        candidates = worklist_model.next_unassigned(db, now=app.clock(),
                                                    limit=NEXT_CASE_CANDIDATES,
                                                    tracer=current_user.name)
    recorded = app.claim_next_case(current_user.name, current_user.team,
                                   actor=current_user.name, candidates=candidates,
                                   eligible=lambda case: access.in_pool(current_user, case))
    if recorded is None:
        flash(_("No cases are waiting in the pool right now."), "info")
        return redirect(url_for(".worklist"))
    claims.remember(form.command_id.data, recorded.aggregate_id)
    read_your_writes(recorded)
    reference = access.case_reference(recorded.aggregate_id)
    if recorded.position is None:  # the tracer's own callback, due now: nothing was taken
        flash(_("Your callback for case %(ref)s is due. Call the index now.", ref=reference),
              "info")
    else:
        flash(_("Case %(ref)s is now yours. Call the index now.", ref=reference), "info")
    return redirect(_after_taking(recorded.saved, recorded.aggregate_id))


def _after_taking(case: Any, case_id: UUID) -> str:
    """A handed-over interview opens at its notes and Resume; any other case at its page."""
    if isinstance(case, Case) and case.interview_id and case.status is CaseStatus.IN_PROGRESS:
        link = interview_url(case.interview_id)
        if link is not None:
            return link
    return url_for(".case_page", case_id=case_id)


# -- the case page ------------------------------------------------------------------------------


def render_case(case: Case, *, call_form: CallForm | None = None,
                unreachable_form: UnreachableForm | None = None, status: int = 200,
                assign_problem: str | None = None, other_change: str | None = None,
                assign_choice: str | None = None, issued: Issued | None = None,
                invite_problem: str | None = None, revoke_problem: str | None = None,
                revoke_reason: str | None = None) -> Any:
    """The case page; forms passed in keep what was typed when a command was refused, and a
    refused assignment comes back with why, the other change, and the lead's choice."""
    app = bco()
    now = app.clock()
    zone = settings().zone
    record_read(audit.CASE_PAGE, case)
    first_call = case.call_attempts[0].at if case.call_attempts else None
    take_form = TakeForm(expected_version=str(case.version))
    may_assign = access.may_assign(app, current_user, case)
    proposed, linked_from = matching.matches_for(app, case)
    handover = None
    if case.interview_id is not None and access.in_pool(current_user, case):
        handovers = app.get_interview(case.interview_id).handovers
        handover = handovers[-1] if handovers else None
    return render_template(
        "tracer/case.html", case=case, reference=access.case_reference(case.id),
        status_text=status_label(case.status.value),
        waiting=waiting_clock(case.received_at, first_call, now,
                              settings().first_call_target_hours),
        callback=callback_clock(case.callback_at, now),
        attempts=list(reversed(case.call_attempts)), outcome_label=outcome_label,
        outcome_labels=OUTCOME_LABELS,
        may_work=access.may_work(app, current_user, case),
        in_pool=access.in_pool(current_user, case),
        interview_link=interview_url(case.interview_id) if case.interview_id else None,
        call_form=call_form or CallForm(), unreachable_form=unreachable_form or UnreachableForm(),
        take_form=take_form, start_form=CommandForm(),
        guides=(app.catalog.all_for_disease(case.disease, case.region)
                if case.interview_id is None else []),
        callback_min=f"{now.astimezone(zone):%Y-%m-%dT%H:%M}",
        callback_max=f"{(now + CALLBACK_HORIZON).astimezone(zone):%Y-%m-%dT%H:%M}",
        call_errors=form_errors(call_form) if call_form else {},
        unreachable_errors=form_errors(unreachable_form) if unreachable_form else {},
        may_assign=may_assign,
        assignees=team_assignees(access.case_team(app, case)) if may_assign else [],
        assign_problem=assign_problem, other_change_text=other_change,
        assign_choice=assign_choice, handover=handover,
        may_print=access.may_print(app, current_user, case),
        invitations=app.case_invitations(case), issued=issued, now=now,
        invite_message=invite_message(case, issued) if issued else None,
        invite_hours=settings().invite_hours, invite_problem=invite_problem,
        revoke_problem=revoke_problem, revoke_reason=revoke_reason,
        matches=proposed, linked_from=linked_from, match_form=matching.MatchForm(),
        may_see_log=audit_pages.may_see_log(current_user, case),
        purposes=audit_pages.casefile_purposes(),
    ), status


def invite_message(case: Case, issued: Issued) -> str:
    """A text message the tracer can send as it is, in the index's language: who writes, why,
    the link, until when, and the service's number when BCO_SERVICE_PHONE gives one."""
    with force_locale(case.person.language):
        until = format_datetime(issued.expires_at, "EEEE d MMMM HH:mm")
        message = _("The health service (GGD) will call you soon about your test result. "
                    "Before the call you can note here whom you were close to; it makes the "
                    "call shorter: %(url)s (works until %(until)s).", url=issued.url,
                    until=until)
        phone = settings().service_phone
        if phone:
            message += " " + _("Questions? Call %(phone)s.", phone=phone)
    return message


def team_assignees(team: str | None) -> list[tuple[str | None, list[Colleague]]]:
    """Whom a lead may give a case of `team` to: that team's active tracers and leads (a case
    without a team: the lead's own), as BCOApplication.assign_case allows."""
    team = team if team is not None else current_user.team
    return [(group, people) for group, people in access.assignees(current_user)
            if group == team]


def workable_case(case_id: UUID) -> Case:
    """The case if the signed-in person may log calls and run its interview."""
    app = bco()
    case = access.visible_case(app, current_user, case_id)
    if not access.may_work(app, current_user, case):
        abort(403, _("Take the case first: only its tracer (or their team lead) can work on it."))
    return case


@blueprint.get("/cases/<uuid:case_id>")
@role_required(*WORKERS)
def case_page(case_id: UUID) -> Any:
    return render_case(access.visible_case(bco(), current_user, case_id))


@blueprint.post("/cases/<uuid:case_id>/calls")
@role_required(*WORKERS)
def log_call(case_id: UUID) -> Any:
    """Record a call attempt; refused input comes back on the page with what was typed."""
    app = bco()
    case = workable_case(case_id)
    form = CallForm()
    if form.validate_on_submit():
        outcome = form.outcome.data or ""
        callback_at = None
        if outcome == CallOutcome.CALLBACK_REQUESTED:
            if not (form.callback_at.data or "").strip():
                form.callback_at.errors = [_("Say when to call back.")]
            else:
                callback_at, problem = parse_callback(form.callback_at.data or "",
                                                      settings().zone, app.clock())
                if problem:
                    form.callback_at.errors = [problem]
        if not form.callback_at.errors:
            try:
                recorded = app.log_call_attempt(
                    case_id, outcome, note=form.note.data or "", callback_at=callback_at,
                    actor=current_user.name, command_id=form.command_id.data or None)
            except DomainError as exc:
                _field_error(form, exc)
            else:
                read_your_writes(recorded)
                flash(_("Call logged: %(outcome)s.", outcome=outcome_label(outcome)), "info")
                return redirect(url_for(".case_page", case_id=case_id))
    return render_case(app.get_case(case.id), call_form=form, status=422)


@blueprint.post("/cases/<uuid:case_id>/unreachable")
@role_required(*WORKERS)
def mark_unreachable(case_id: UUID) -> Any:
    app = bco()
    case = workable_case(case_id)
    form = UnreachableForm()
    if form.validate_on_submit():
        try:
            recorded = app.mark_unreachable(case_id, form.reason.data or "",
                                            actor=current_user.name,
                                            command_id=form.command_id.data or None)
        except DomainError as exc:
            _field_error(form, exc)
        else:
            read_your_writes(recorded)
            flash(_("Marked unreachable. The case stays on your worklist at the bottom."),
                  "info")
            return redirect(url_for(".case_page", case_id=case_id))
    return render_case(case, unreachable_form=form, status=422)


@blueprint.post("/cases/<uuid:case_id>/take")
@role_required(*WORKERS)
def take_case(case_id: UUID) -> Response:
    """Take a case from the pool; if someone was quicker, say so instead of taking it twice."""
    app = bco()
    case = access.visible_case(app, current_user, case_id)
    form = TakeForm()
    if not form.validate_on_submit() or not access.in_pool(current_user, case):
        flash(_("This case is no longer in the pool; someone else has taken it."), "error")
        return redirect(url_for(".worklist"))
    try:
        recorded = app.assign_case(case_id, current_user.name, current_user.team,
                                   actor=current_user.name,
                                   expected_version=int(form.expected_version.data or 0))
    except ConflictError:
        flash(_("Someone else took this case a moment ago. Pick another one."), "error")
        return redirect(url_for(".worklist"))
    read_your_writes(recorded)
    flash(_("Case %(ref)s is now yours.", ref=access.case_reference(case_id)), "info")
    return redirect(_after_taking(recorded.saved, case_id))


@blueprint.post("/cases/<uuid:case_id>/interview")
@role_required(*WORKERS)
def start_interview(case_id: UUID) -> Response:
    """Start the guided interview; the index is on the line, so a first 'reached' is logged."""
    app = bco()
    case = workable_case(case_id)
    form = CommandForm()
    if not form.validate_on_submit():
        abort(400, _("The request was not understood; reload the page and try again."))
    if case.interview_id is not None:
        return redirect(interview_url(case.interview_id) or url_for(".case_page",
                                                                    case_id=case_id))
    command_id = form.command_id.data or None
    try:
        recorded = app.start_interview(case_id, actor=current_user.name, command_id=command_id,
                                       guide_id=request.form.get("guide_id") or None,
                                       reached=True)
    except DomainError as exc:
        flash(translated(exc), "error")
        return redirect(url_for(".case_page", case_id=case_id))
    read_your_writes(recorded)
    target = interview_url(recorded.aggregate_id)
    if target is None:
        flash(_("The interview has started, but the interview screen is not available in "
                "this installation."), "error")
        return redirect(url_for(".case_page", case_id=case_id))
    return redirect(target)


@blueprint.post("/cases/<uuid:case_id>/invite")
@role_required(*WORKERS)
def invite(case_id: UUID) -> Any:
    """Make a self-report link; it is shown on this response only, never in an address."""
    app = bco()
    workable_case(case_id)
    try:
        issued = app.invite_index(case_id, actor=current_user.name)
    except DomainError as exc:
        return render_case(app.get_case(case_id), invite_problem=translated(exc), status=422)
    read_your_writes(issued.recorded)
    return render_case(app.get_case(case_id), issued=issued)


@blueprint.post("/cases/<uuid:case_id>/invite/revoke")
@role_required(*WORKERS)
def revoke_invite(case_id: UUID) -> Any:
    app = bco()
    workable_case(case_id)
    reason = request.form.get("reason", "")
    try:
        app.revoke_invitations(case_id, reason=reason, actor=current_user.name)
    except DomainError as exc:
        return render_case(app.get_case(case_id), revoke_problem=translated(exc),
                           revoke_reason=reason if isinstance(reason, str) else "", status=422)
    flash(_("The link no longer works. What the index entered stays for the interview."),
          "info")
    return redirect(url_for(".case_page", case_id=case_id))


def _field_error(form: Any, exc: DomainError) -> None:
    """Show a refusal next to the field it concerns, or at the top of the form."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, translated(exc)]
    else:
        form.form_errors.append(translated(exc))


blueprint.add_url_rule("/inform", "inform_list", inform.inform_list)
blueprint.add_url_rule("/inform/<uuid:interview_id>/<uuid:contact_id>", "log_inform",
                       inform.log_inform, methods=["POST"])
blueprint.add_url_rule("/search", "search", search.search_page, methods=["GET", "POST"])
blueprint.add_app_template_global(search.may_search, "may_search")
blueprint.add_url_rule("/inform.csv", "inform_csv", inform_csv.inform_csv)

blueprint.add_url_rule("/cases/<uuid:case_id>/matches", "decide_match",
                       role_required(*WORKERS)(matching.decide), methods=["POST"])
