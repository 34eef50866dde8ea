"""Coaching on real work: a lead samples the team's completed interviews (at random, or the
thin ones the dashboard shows), scores them on the rubric and leaves feedback the tracer
reads. The scores stay with leads: on the review page and in the case's history."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from bco.config import Settings
from bco.domain.account import Role
from bco.domain.case import Case
from bco.domain.errors import InvalidTransitionError, InvalidValueError
from bco.guides.progress import measure
from bco.projections import dashboard as queries
from bco.projections.coaching import completed_interviews
from bco.projections.kpis import Period
from bco.training.rubric import Rubric, load_rubric, rubric_path
from bco.web import access
from bco.web.auth import bco, current_language, role_required
from bco.web.errors import translated, wants_json
from bco.web.readmodels import read_your_writes, views

blueprint = Blueprint("coaching", __name__)
SAMPLE_DAYS = 14
SAMPLE_SIZE = 5
FEEDBACK_LIMIT = 4000


def settings() -> Settings:
    found: Settings = current_app.extensions["bco_settings"]
    return found


def rubric() -> Rubric:
    """The rubric as its file is now (a review keeps the id and version it was scored on)."""
    return load_rubric(rubric_path(Path(settings().training_dir)))


def _language() -> str:
    return str(getattr(current_user, "language", "nl") or "nl")


@blueprint.get("/coaching")
@role_required(Role.TEAM_LEAD)
def sample() -> Any:
    """The team's completed interviews of the last two weeks: a random few, and the thin."""
    app = bco()
    now = app.clock()
    today = now.astimezone(settings().zone).date()
    period = Period(today - timedelta(days=SAMPLE_DAYS), today, settings().zone)
    team = current_user.team
    with views() as db:
        completed = completed_interviews(db, team, now - timedelta(days=SAMPLE_DAYS)) \
            if team else []
        thin = queries.thin_interviews(db, queries.Reach(team=team), period,
                                       below=settings().thin_score) if team else []
    others = [row for row in completed if row["tracer"] != current_user.name]
    picked = random.sample(others, min(SAMPLE_SIZE, len(others)))
    thin = [row for row in thin if row["tracer"] != current_user.name]
    return render_template("coaching/sample.html", picked=picked, thin=thin,
                           total=len(others), days=SAMPLE_DAYS, reviewed=_reviewed,
                           reference=access.case_reference, completed_at=_utc)


def _utc(text: str) -> datetime:
    """A read model's UTC text as a moment, for the page to show in the reader's zone."""
    return datetime.fromisoformat(text.removesuffix("Z")).replace(tzinfo=UTC)


def _reviewed(interview_id: str) -> int:
    review = bco().review_of(UUID(interview_id))
    return len(review.reviews) if review else 0


def _coachable(interview_id: UUID) -> tuple[Any, Case]:
    """A completed interview of the lead's team that someone else did."""
    app = bco()
    interview = app.get_interview(interview_id)
    case = access.visible_case(app, current_user, interview.case_id)
    if current_user.team is None or access.case_team(app, case) != current_user.team:
        abort(403, _("You coach the interviews of your own team."))
    return interview, case


def _page(interview: Any, case: Case, *, status: int = 200, problem: str | None = None,
          field: str | None = None, typed: dict[str, Any] | None = None) -> Any:
    app = bco()
    guide = app.guide_for_interview(interview)
    state = app.interview_state(interview, case)
    progress = measure(guide, state, app.clock().astimezone(settings().zone).date())
    hints = {
        "every_day_walked": (len(progress.walked_days), len(progress.due_days)),
        "every_setting_asked": (len(progress.asked_settings), len(guide.setting_ids)),
        "bubble_probed": (int(progress.final_done), 1),
    }
    review = app.review_of(interview.id)
    return render_template(
        "coaching/review.html", interview=interview, case=case, rubric=rubric(),
        lang=_language(), hints=hints, reviews=review.reviews if review else [],
        reference=access.case_reference(case.id), problem=problem, problem_field=field,
        typed=typed or {}), status


@blueprint.get("/coaching/interviews/<uuid:interview_id>")
@role_required(Role.TEAM_LEAD)
def review_form(interview_id: UUID) -> Any:
    interview, case = _coachable(interview_id)
    return _page(interview, case)


@blueprint.post("/coaching/interviews/<uuid:interview_id>")
@role_required(Role.TEAM_LEAD)
def score(interview_id: UUID) -> Any:
    """Save the scores and feedback; a refusal comes back on the form with what was typed."""
    interview, case = _coachable(interview_id)
    current = rubric()
    form = request.form
    scores: dict[str, object] = {}
    for item in current.items:
        raw = (form.get(f"score_{item.id}") or "").strip()
        scores[item.id] = int(raw) if raw.isdigit() and len(raw) < 4 else raw
    feedback = form.get("feedback") or ""
    try:
        recorded = bco().review_interview(
            interview_id, scores, feedback, rubric_id=current.id,
            rubric_version=current.version, allowed=current.allowed(), actor=current_user.name,
            command_id=(form.get("command_id") or "")[:64] or None)
    except (InvalidValueError, InvalidTransitionError) as refused:
        if wants_json():
            raise
        return _page(interview, case, status=422, problem=translated(refused),
                     field=refused.field, typed=dict(form))
    read_your_writes(recorded)
    flash(_("Review saved. The tracer sees your feedback; the scores stay with team leads."),
          "info")
    return redirect(url_for(".review_form", interview_id=interview_id))


@blueprint.get("/coaching/feedback")
@role_required(Role.TRACER, Role.TEAM_LEAD)
def mine() -> Any:
    """The feedback leads left on the signed-in tracer's interviews (words, not scores)."""
    inbox = bco().feedback_inbox(current_user.name)
    items = list(reversed(inbox.items)) if inbox else []
    return render_template("coaching/feedback.html", items=items,
                           reference=access.case_reference)


def _coaches(case: Case) -> bool:
    """The signed-in person leads the team whose case this is, and it has an interview."""
    return (current_user.role == Role.TEAM_LEAD and case.interview_id is not None
            and current_user.team is not None
            and access.case_team(bco(), case) == current_user.team)


def case_reviews(case: Case) -> list[dict[str, Any]]:
    """The coaching reviews in a case's history, for its team's lead only."""
    if not _coaches(case):
        return []
    assert case.interview_id is not None
    review = bco().review_of(case.interview_id)
    return review.reviews if review else []


def review_link(case: Case) -> str | None:
    """Where the team's lead reviews the case's completed interview (None for anyone else)."""
    if not _coaches(case) or not case.interviewed or case.tracer == current_user.name:
        return None
    return url_for("coaching.review_form", interview_id=case.interview_id)


def review_lines(review: dict[str, Any]) -> list[dict[str, str]]:
    """A review's scores as a lead reads them: in the order of today's rubric, each value with
    its label ("Partly (1)"); an item a later rubric version dropped keeps its id."""
    current, lang = rubric(), current_language()
    labels = {item.id: item.label.get(lang, item.id) for item in current.items}
    scale = {value: label.get(lang, str(value)) for value, label in current.scale}
    order = [i.id for i in current.items if i.id in review["scores"]]
    order += [i for i in review["scores"] if i not in labels]
    return [{"id": item, "label": labels.get(item, item),
             "value": (f"{scale[v]} ({v})" if (v := review["scores"][item]) in scale
                       else str(v))} for item in order]


def init_app(flask_app: Flask) -> None:
    flask_app.register_blueprint(blueprint)
    flask_app.jinja_env.globals.update(coaching_reviews=case_reviews, coaching_rubric=rubric,
                                       coaching_link=review_link, coaching_lines=review_lines)
