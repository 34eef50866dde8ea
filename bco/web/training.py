"""Practice for tracers and the lead's view of it: start a practice interview from a scenario,
put prompts to the simulated index beside the interview screen, and see what was missed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from flask import Blueprint, Flask, abort, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from bco.domain.account import Role
from bco.domain.errors import InvalidValueError
from bco.domain.practice import Practice
from bco.guides import prompt_ids
from bco.guides.model import Guide
from bco.guides.state import probe_id_known
from bco.projections.accounts import colleagues
from bco.training.index import Reply, opening, reply
from bco.training.scenarios import Scenario
from bco.web import interview, sandbox
from bco.web.auth import role_required
from bco.web.interview_view import build_screen
from bco.web.readmodels import views

blueprint = Blueprint("training", __name__)
TRAINEES = (Role.TRACER, Role.TEAM_LEAD)

MANNERS = {"worried": _l("worried"), "hurried": _l("in a hurry"),
           "reluctant": _l("reluctant to name people outside the household")}
NOBODY = {"worried": _l("I… I really can't think of anyone. Is that bad?"),
          "hurried": _l("No. Can we move on?"),
          "reluctant": _l("I'd rather not say.")}
NOT_SURE = {"worried": _l("Oh… I'm not sure. I really don't know."),  # a question the story
            "hurried": _l("No idea. Next question?"),               # has no answer to
            "reluctant": _l("I'd rather not go into that.")}


@dataclass(frozen=True)
class Exchange:
    """One prompt the trainee marked as asked, and what the index said to it."""

    prompt: str
    text: str
    named: tuple[str, ...]


def _words(scenario: Scenario, said: Reply) -> str:
    if said.text:
        return said.text
    with force_locale(scenario.language):  # the index speaks the scenario's language
        return str((NOBODY if said.about_people else NOT_SURE)[scenario.manner])


def index_panel(interview_id: UUID) -> dict[str, Any] | None:
    """The simulated index beside the practice interview: their opening words and their reply
    to every prompt marked as asked, newest first."""
    app = sandbox.training_app()
    practice = app.practice_for(interview_id)
    if practice is None:
        return None
    scenario = app.scenarios.get(practice.scenario_id)
    if scenario is None:  # its file was removed since: the interview screen works on
        return None
    interview_ = app.get_interview(interview_id)
    case = app.get_case(practice.case_id)
    guide = app.guide_for_interview(interview_)
    key = case.onset or case.test_date or app.today()
    first = opening(scenario, key)
    exchanges = []
    for prompt in reversed(practice.asked):
        said = reply(scenario, guide, prompt, key)
        named = tuple(c.name for c in said.named)
        exchanges.append(Exchange(prompt, _words(scenario, said), named))
    return {"id": practice.id, "scenario": scenario, "manner": MANNERS[scenario.manner],
            "opening": first.text or "", "exchanges": exchanges,
            "finished": practice.finished, "asked": set(practice.asked)}


def _own(practice_id: UUID) -> Practice:
    """The practice, if it is the signed-in person's own."""
    practice = sandbox.training_app().get_practice(practice_id)
    if practice.trainee != current_user.name:
        abort(403, _("This practice interview is someone else's."))
    return practice


# -- pages --------------------------------------------------------------------------------------


@blueprint.get("/practice")
@role_required(*TRAINEES)
def home() -> Any:
    """The scenarios to practise with, and the trainee's own history."""
    app = sandbox.training_app()
    record = app.record_of(current_user.name)
    scenarios = sorted(app.scenarios.values(), key=lambda s: (s.guide_id, s.language, s.id))
    return render_template("training/home.html", scenarios=scenarios,
                           problems=app.scenario_problems,
                           guides=app.catalog.guides, manners=MANNERS,
                           entries=list(reversed(record.entries)) if record else [],
                           in_progress=sorted(record.in_progress.values() if record else [],
                                              key=lambda p: p["at"], reverse=True),
                           screen=f"{sandbox.PRACTICE}.screen", moment=_moment,
                           scenarios_by_id=app.scenarios)


@blueprint.post("/practice/start")
@role_required(*TRAINEES)
def start() -> Any:
    app = sandbox.training_app()
    scenario_id = request.form.get("scenario", "")
    if scenario_id not in app.scenarios:
        raise InvalidValueError(_("Choose one of the scenarios on the page."), field="scenario")
    recorded = app.start_practice(scenario_id, trainee=current_user.name,
                                  team=current_user.team)
    practice = app.get_practice(recorded.aggregate_id)
    return redirect(url_for(f"{sandbox.PRACTICE}.screen", interview_id=practice.interview_id))


@blueprint.post("/practice/<uuid:practice_id>/ask")
@role_required(*TRAINEES)
def ask(practice_id: UUID) -> Any:
    """Mark a question or prompt as put to the index; the panel shows their reply."""
    practice = _own(practice_id)
    app = sandbox.training_app()
    interview_ = app.get_interview(practice.interview_id)
    guide = app.guide_for_interview(interview_)
    prompt = request.form.get("prompt", "")
    if not _askable(guide, prompt):
        raise InvalidValueError(_("Choose a question or prompt from the list."), field="prompt")
    app.mark_asked(practice_id, prompt, actor=current_user.name)
    if not request.headers.get("HX-Request"):
        return redirect(url_for(f"{sandbox.PRACTICE}.screen",
                                interview_id=practice.interview_id) + "#index-panel")
    case = app.get_case(practice.case_id)
    screen = build_screen(app, app.get_interview(practice.interview_id), case,
                          interview.language(), app.today())
    return render_template("training/_index_panel.html", s=screen,
                           practice=index_panel(practice.interview_id))


def _askable(guide: Guide, prompt: str) -> bool:
    """A question or a probe of the guide; lines to say get no reply."""
    if prompt in guide.questions:
        return True
    parsed = prompt_ids.parse(prompt)
    return parsed is not None and parsed.kind != "script" and probe_id_known(guide, prompt)


@blueprint.post("/practice/<uuid:practice_id>/finish")
@role_required(*TRAINEES)
def finish(practice_id: UUID) -> Any:
    practice = _own(practice_id)
    if not practice.finished:
        sandbox.training_app().finish_practice(practice_id, actor=current_user.name)
    return redirect(url_for(".feedback", practice_id=practice_id))


@blueprint.get("/practice/<uuid:practice_id>/feedback")
@role_required(*TRAINEES)
def feedback(practice_id: UUID) -> Any:
    """What was found and missed; the trainee's own, or a trainee's of the lead's team."""
    app = sandbox.training_app()
    practice = app.get_practice(practice_id)
    coach = (current_user.role == Role.TEAM_LEAD and current_user.team is not None
             and practice.team == current_user.team)
    if practice.trainee != current_user.name and not coach:
        abort(403, _("This practice interview is someone else's."))
    scenario = app.scenarios.get(practice.scenario_id)
    guide = app.catalog.guides.get(practice.guide_id)

    def category_label(category_id: str | None) -> str:
        found = guide.category(category_id) if guide and category_id else None
        return found.label.in_language(interview.language()) if found else (category_id or "—")

    def fact_label(fact_id: str) -> str:
        if fact_id == "household":
            return _("lives in the household")
        fact = next((f for f in guide.facts if f.id == fact_id), None) if guide else None
        if fact is None:
            return fact_id
        return fact.label.in_language(interview.language())

    return render_template("training/feedback.html", practice=practice, scenario=scenario,
                           result=practice.result, minutes=_minutes,
                           category_label=category_label,
                           fact_labels=lambda ids: ", ".join(map(fact_label, ids)))


def _moment(text: str) -> datetime:
    """A record's ISO timestamp as a moment, for the page to show in the reader's zone."""
    return datetime.fromisoformat(text)


def _minutes(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


@blueprint.get("/training/team")
@role_required(Role.TEAM_LEAD)
def team() -> Any:
    """The team's trainees: their scores over time and the prompts they skip most."""
    app = sandbox.training_app()
    with views() as db:
        members = [c for c in colleagues(db) if c.team == current_user.team
                   and c.role in (Role.TRACER.value, Role.TEAM_LEAD.value) and not c.disabled]
    rows = []
    for member in members:
        record = app.record_of(member.name)
        entries = record.entries if record else []
        skipped: Counter[str] = Counter()
        for entry in entries:
            skipped.update({_prompt_kind(app.catalog.guides, prompt)
                            for prompt, _text in entry.get("skipped_prompts", [])})
        ranked = sorted(skipped.items(), key=lambda item: (-item[1], item[0]))
        rows.append({"name": member.name, "entries": entries, "skipped": ranked})
    return render_template("training/team.html", rows=rows, minutes=_minutes, moment=_moment,
                           scenarios_by_id=app.scenarios)


def _prompt_kind(guides: dict[str, Guide], prompt: str) -> str:
    """A prompt as a lead reads it across practices: every day alike, settings by name."""
    parsed = prompt_ids.parse(prompt)
    if parsed is None:
        return prompt
    if parsed.kind == "day":
        return _("a day of the window")
    if parsed.kind == "household":
        return _("the household check")
    if parsed.kind == "final":
        return _("the final 'anyone else?'")
    if parsed.kind == "setting":
        for guide in guides.values():
            setting = guide.setting(parsed.ref)
            if setting is not None:
                return _("setting: %(setting)s",
                         setting=setting.label.in_language(interview.language()))
    return _("follow-up: %(prompt)s", prompt=parsed.ref)


def init_app(flask_app: Flask) -> None:
    """The practice pages, and the interview screen again under /practice on the sandbox."""
    flask_app.register_blueprint(blueprint)
    flask_app.register_blueprint(interview.blueprint, name=sandbox.PRACTICE,
                                 url_prefix=sandbox.PREFIX)
    flask_app.extensions["bco_practice_panel"] = index_panel
    flask_app.jinja_env.globals["case_page_url"] = sandbox.case_page_url
