"""The interview screen: the guide step by step, every answer saved as it is given (htmx).

The screen renders from the aggregate and the guide engine, never from a read model, so it is
always as fresh as the last command, and its saves never wait for the read models. Each htmx
save returns a small fragment for the field itself plus out-of-band updates of the steps it
changed, of the next step and, when the save moved them, of the side panels (completeness, day
by day); it never replaces an input the tracer may be typing in.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4
from weakref import WeakKeyDictionary

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from jinja2 import Template

from bco.application import BCOApplication, Recorded
from bco.audit import store as audit
from bco.config import Settings
from bco.domain.account import Role
from bco.domain.case import Case
from bco.domain.errors import InvalidValueError
from bco.domain.interview import Interview, InterviewStatus
from bco.guides.engine import Changes, changes
from bco.guides.model import Question
from bco.guides.phrasing import yes_no
from bco.guides.state import InterviewState
from bco.web import access, proposals, sandbox
from bco.web.access_log import record_read
from bco.web.auth import role_required
from bco.web.errors import translated, wants_json
from bco.web.interview_forms import (
    answer_value,
    expected_version,
    parse_contact_details,
    parse_contact_row,
    parse_prompt,
    text,
)
from bco.web.interview_view import (
    Screen,
    build_screen,
    contact_changes,
    contact_field_label,
    guide_language,
    step_anchor,
    view_of,
)

blueprint = Blueprint("interview", __name__)
WORKERS = (Role.TRACER, Role.TEAM_LEAD)
PROMPT_ACTIONS = ("nobody", "done", "said")


def settings() -> Settings:
    found: Settings = current_app.extensions["bco_settings"]
    return found


def today(app: BCOApplication) -> date:
    """Today where the tracers work: days after it are not probed yet."""
    return app.clock().astimezone(settings().zone).date()


def language() -> str:
    return str(getattr(current_user, "language", "nl") or "nl")


def visible(interview_id: UUID) -> tuple[BCOApplication, Interview, Case]:
    """The interview and its case, if the signed-in person may see that case (in the sandbox
    store when this is the practice copy of the screen)."""
    app = sandbox.application()
    interview = app.get_interview(interview_id)
    case = access.visible_case(app, current_user, interview.case_id)
    return app, interview, case


def workable(interview_id: UUID) -> tuple[BCOApplication, Interview, Case]:
    """The interview, if the signed-in person may record in it (its tracer or their lead)."""
    app, interview, case = visible(interview_id)
    if not access.may_work(app, current_user, case):
        abort(403, _("Only the case's tracer (or their team lead) can record in this "
                     "interview. Resume or take it over first."))
    return app, interview, case


def screen_for(app: BCOApplication, interview: Interview, case: Case) -> Screen:
    return build_screen(app, interview, case, language(), today(app))


def anchor_url(interview_id: UUID, anchor: str | None = None) -> str:
    url = url_for(".screen", interview_id=interview_id)
    return f"{url}#{anchor}" if anchor else url


def answer_text(question: Question | None, value: Any, lang: str) -> str:
    """An answer as the tracer reads it: option labels, yes/no words, dates as dates."""
    if question is None:
        return str(value)
    labels = {o.value: o.label.in_language(lang) for o in question.options}
    if question.type == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d-%m-%Y")
        except ValueError:
            return value
    if question.type == "yesno" and isinstance(value, bool):
        return yes_no(lang)[0 if value else 1]
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value) or "—"
    return labels.get(str(value), str(value))


def local_time(iso: str) -> str:
    """An event's UTC timestamp as a clock time where the tracers are."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    return moment.astimezone(settings().zone).strftime("%H:%M:%S")


blueprint.add_app_template_global(step_anchor, "step_anchor")
blueprint.add_app_template_global(view_of, "view_of")
blueprint.add_app_template_global(answer_text, "answer_text")
blueprint.add_app_template_global(local_time, "local_time")


# -- the page ---------------------------------------------------------------------------------


@blueprint.get("/interviews/<uuid:interview_id>")
@role_required(*WORKERS)
def screen(interview_id: UUID) -> Any:
    app, interview, case = visible(interview_id)
    return _page(app, interview, case, confirm_complete=request.args.get("confirm") == "complete")


@blueprint.get("/interviews/<uuid:interview_id>/questions/<question_id>")
@role_required(*WORKERS)
def question_block(interview_id: UUID, question_id: str) -> Any:
    """One question as it stands now, e.g. to take a colleague's answer after a conflict."""
    app, interview, case = visible(interview_id)
    view = screen_for(app, interview, case)
    step = view_of(view, question_id)
    if step is None or step.step.kind != "question":
        abort(404)
    return render_template("interview/_question.html", s=view, v=step,
                           may_work=access.may_work(app, current_user, case))


@blueprint.get("/interviews/<uuid:interview_id>/entry-row")
@role_required(*WORKERS)
def entry_row(interview_id: UUID) -> Any:
    """A fresh fast-entry line, prefilled from the prompt it is opened under."""
    app, interview, case = workable(interview_id)
    view = screen_for(app, interview, case)
    prompt = parse_prompt(view.guide, request.args.get("prompt"))
    return render_template("interview/_entry_row.html", s=view, prompt=prompt,
                           row=view.prompt_defaults(prompt), command_id=uuid4().hex,
                           autofocus=True)


# -- answers and prompts ----------------------------------------------------------------------


@blueprint.post("/interviews/<uuid:interview_id>/answers/<question_id>")
@role_required(*WORKERS)
def answer(interview_id: UUID, question_id: str) -> Any:
    """Save one answer as it is given; the application checks it, and a stale edit of the same
    answer is a 409.

    One load of the interview and one engine run: the screen is built from the interview as
    saved and compared with the state before (`changes_on`), to redraw the steps
    the answer changed (a follow-up question shown, a day probe added) and, when it moved the
    progress, the side panels.
    """
    app, interview, case = workable(interview_id)
    before = app.interview_state(interview, case)
    question = app.guide_for_interview(interview).questions.get(question_id)
    if question is not None:  # an unknown question is the application's 404, not the field's
        g.htmx_error_fragment = lambda **problem: _answer_problem(app, interview, case,
                                                                  question_id, **problem)
    recorded = app.record_answer(interview_id, question_id, answer_value(question, request.form),
                                 actor=current_user.name,
                                 expected_version=expected_version(request.form),
                                 loaded=interview)
    if wants_json():
        return _json(recorded)
    if not request.headers.get("HX-Request"):
        return redirect(anchor_url(interview_id, step_anchor(question_id)))
    after = screen_for(app, interview_after(app, interview_id, recorded), case)
    changes = changes_on(after, before) if recorded.version != interview.version else None
    if changes and changes.measured:
        after.mark_opened(before)
    redraw = set(changes.steps) if changes else set()
    if question is not None and question.type != "contacts":
        redraw.discard(question_id)  # its block holds what was just typed; the badge says it
    return _updates(after, "interview/_answer_saved.html", redraw=redraw,
                    rebuild_probes=bool(changes and changes.layout), contacts_changed=False,
                    panels=bool(changes and changes.measured),
                    timeline=bool(changes and changes.days), recorded=recorded,
                    question_id=question_id)


@blueprint.post("/interviews/<uuid:interview_id>/prompts")
@role_required(*WORKERS)
def prompt(interview_id: UUID) -> Any:
    """Close a probing prompt ('nobody', 'done') or mark a scripted line as said."""
    app, interview, case = workable(interview_id)
    before = screen_for(app, interview, case)
    prompt_id = parse_prompt(before.guide, request.form.get("prompt"))
    action = request.form.get("action", "")
    if prompt_id is None or action not in PROMPT_ACTIONS:
        raise InvalidValueError(_("Choose 'Nobody' or 'Done' for a prompt shown on screen."),
                                field="prompt")
    if prompt_id in before.guide.questions:
        raise InvalidValueError(_("Questions are answered in their own field."), field="prompt")
    if action == "nobody":
        recorded = app.answer_follow_up(interview_id, prompt_id, nobody=True,
                                        actor=current_user.name)
    else:
        recorded = app.answer_follow_up(interview_id, prompt_id, answer=action,
                                        actor=current_user.name)
    return _respond(app, before, recorded, None, anchor=step_anchor(prompt_id))


# -- contacts ---------------------------------------------------------------------------------


@blueprint.post("/interviews/<uuid:interview_id>/contacts")
@role_required(*WORKERS)
def report_contact(interview_id: UUID) -> Any:
    """Add one line of the fast-entry roster; Enter saves it and opens the next line."""
    app, interview, case = workable(interview_id)
    before = screen_for(app, interview, case)
    form = request.form
    g.htmx_error_fragment = lambda **problem: _row_problem(before, **problem)
    details = parse_contact_row(before.guide, form, before.today)
    command_id = text(form, "command_id", limit=64) or None
    recorded = app.report_contact(interview_id, details, actor=current_user.name,
                                  command_id=command_id)
    return _respond(app, before, recorded, "interview/_entry_saved.html",
                    anchor=step_anchor(f"contact:{recorded.aggregate_id}"),
                    saved_id=str(recorded.aggregate_id), prompt=details.get("prompt"),
                    row=_next_row(before, details),
                    command_id=uuid4().hex)


def _next_row(before: Screen, details: dict[str, Any]) -> dict[str, Any]:
    """The next line keeps this line's day and setting (several people met at once); the bubble
    only where its prompt says so, as the next person is rarely a housemate too."""
    row = before.prompt_defaults(details.get("prompt"))
    row.update({k: details[k] for k in ("day", "setting") if details.get(k) is not None})
    return row


@blueprint.post("/interviews/<uuid:interview_id>/contacts/<uuid:contact_id>")
@role_required(*WORKERS)
def update_contact(interview_id: UUID, contact_id: UUID) -> Any:
    """Save the details of a contact; a stale edit of the same contact is a 409."""
    app, interview, case = workable(interview_id)
    before = screen_for(app, interview, case)
    g.htmx_error_fragment = lambda **problem: _contact_problem(interview_id, contact_id,
                                                               **problem)
    changes = parse_contact_details(before.guide, request.form, before.today)
    recorded = app.update_contact(interview_id, contact_id, changes, actor=current_user.name,
                                  expected_version=expected_version(request.form))
    return _respond(app, before, recorded, "interview/_contact_saved.html",
                    anchor=step_anchor(f"contact:{contact_id}"), contact_id=str(contact_id))


@blueprint.post("/interviews/<uuid:interview_id>/contacts/<uuid:contact_id>/remove")
@role_required(*WORKERS)
def remove_contact(interview_id: UUID, contact_id: UUID) -> Any:
    app, _interview, _case = workable(interview_id)
    reason = text(request.form, "reason", limit=500)
    recorded = app.remove_contact(interview_id, contact_id, reason, actor=current_user.name,
                                  expected_version=expected_version(request.form))
    if wants_json():
        return _json(recorded)
    flash(_("Contact removed."), "info")
    return redirect(anchor_url(interview_id, "roster"))


# -- handover and completion ------------------------------------------------------------------


@blueprint.post("/interviews/<uuid:interview_id>/pause")
@role_required(*WORKERS)
def pause(interview_id: UUID) -> Any:
    """Stop with a handover summary; optionally put the case back in the pool for a colleague.

    A refused summary (empty, too long) comes back on the interview screen, next to the field
    and with what was typed, not on an error page that loses both.
    """
    app, interview, case = workable(interview_id)
    try:
        summary = text(request.form, "summary", limit=4000)
        hand_over = bool(request.form.get("handover")) and case.tracer is not None
        recorded = app.pause_interview(interview_id, summary, actor=current_user.name,
                                       hand_over=hand_over)
    except InvalidValueError as refused:
        if wants_json():
            raise
        return _page(app, interview, case, status=422, pause_problem=translated(refused),
                     pause_summary=request.form.get("summary", ""),
                     pause_handover=bool(request.form.get("handover")))
    if hand_over:
        # The pool and worklists are read models: let them show the handover before moving on.
        sandbox.wait_for_read_models(recorded)
    if wants_json():
        return _json(recorded)
    flash(_("Interview paused. The summary and every answer are kept for whoever resumes."),
          "info")
    return redirect(anchor_url(interview_id))


@blueprint.post("/interviews/<uuid:interview_id>/resume")
@role_required(*WORKERS)
def resume(interview_id: UUID) -> Any:
    """Take the interview up again; from the pool, the one resuming takes the case too."""
    app, interview, case = visible(interview_id)
    recorded = None
    if case.tracer is None:
        recorded = app.take_interview(interview_id, current_user.name, current_user.team,
                                      actor=current_user.name, expected_case_version=case.version)
        sandbox.wait_for_read_models(recorded)
    elif not access.may_work(app, current_user, case):
        abort(403, _("This interview belongs to %(tracer)s; ask your team lead to hand it over.",
                     tracer=case.tracer))
    elif interview.status == "paused":
        recorded = app.resume_interview(interview_id, actor=current_user.name)
    if wants_json():
        return _json(recorded or Recorded(interview.id, interview.version, None))
    current = app.get_interview(interview_id)
    view = screen_for(app, current, app.get_case(case.id))
    return redirect(anchor_url(interview_id, view.next_anchor))


@blueprint.post("/interviews/<uuid:interview_id>/complete")
@role_required(*WORKERS)
def complete(interview_id: UUID) -> Any:
    """Complete; below a full score only once the tracer confirmed it, seeing what is missing."""
    app, interview, case = workable(interview_id)
    if (not wants_json() and not request.form.get("confirm")
            and interview.status == InterviewStatus.IN_PROGRESS
            and screen_for(app, interview, case).completeness.score < 100):
        return redirect(url_for(".screen", interview_id=interview_id, confirm="complete"))
    recorded = app.complete_interview(interview_id, actor=current_user.name)
    sandbox.wait_for_read_models(recorded)  # the case status and inform list are read models
    if wants_json():
        return _json(recorded)
    practised = sandbox.after_complete_url(interview_id)
    if practised is not None:
        return redirect(practised)
    flash(_("Interview completed. The contacts the health service informs are on the inform "
            "list."), "info")
    return redirect(anchor_url(interview_id))


@blueprint.post("/interviews/<uuid:interview_id>/proposals/<uuid:link_id>/<uuid:contact_id>")
@role_required(*WORKERS)
def decide_proposal(interview_id: UUID, link_id: UUID, contact_id: UUID) -> Any:
    """Confirm, correct then confirm, or reject what the index proposed through the link; a
    refusal comes back beside the proposal with what was typed."""
    app, interview, case = workable(interview_id)
    decided = proposals.decide(app, interview, link_id, contact_id, request.form,
                               actor=current_user.name)
    if isinstance(decided, dict):
        return _page(app, app.get_interview(interview.id), app.get_case(case.id), status=422,
                     **decided)
    sandbox.wait_for_read_models(decided)
    return redirect(anchor_url(interview_id, "proposals"))


# -- responses --------------------------------------------------------------------------------


def _page(app: BCOApplication, interview: Interview, case: Case, *, status: int = 200,
          **context: Any) -> Any:
    """The whole screen; every showing of it is a read of the interview, logged as such."""
    if not sandbox.active():  # a practice index is invented: no personal data is read
        record_read(audit.INTERVIEW, case)
    view = screen_for(app, interview, case)
    page = render_template(
        "interview/screen.html", s=view, may_work=access.may_work(app, current_user, case),
        reference=access.case_reference(case.id), new_command=lambda: uuid4().hex,
        **sandbox.screen_context(interview.id), **context)
    return page, status


def _json(recorded: Recorded) -> Any:
    return jsonify(id=str(recorded.aggregate_id), version=recorded.version,
                   position=recorded.position)


def _respond(app: BCOApplication, before: Screen, recorded: Recorded, template: str | None,
             *, anchor: str, **context: Any) -> Any:
    """JSON for API clients, a redirect without htmx, else the fragment plus what changed."""
    if wants_json():
        return _json(recorded)
    interview_id = before.interview.id
    if not request.headers.get("HX-Request"):
        return redirect(anchor_url(interview_id, anchor))
    after = screen_for(app, interview_after(app, interview_id, recorded), before.case)
    # Prompts and contacts change what the heads list (contacts surfaced, categories): all of
    # them are redrawn, and the questions whose status changed.
    redraw = {step for step, status in after.statuses.items()
              if before.statuses.get(step) != status}
    redraw |= {view.step.id for section in after.sections for view in section.steps
               if view.step.kind != "question" or view.step.type == "contacts"}
    after.mark_opened(before.state, before.progress)
    known = {contact.contact_id for contact in before.interview.live_contacts}
    added = [row for row in after.contacts if row.contact.contact_id not in known]
    return _updates(after, template, redraw=redraw,
                    rebuild_probes=after.step_ids != before.step_ids, contacts_changed=True,
                    panels=True, timeline=True, added=added, recorded=recorded, **context)


def changes_on(after: Screen, before: InterviewState) -> Changes:
    """What the screen shows differently from the interview as it was `before` a save, from
    the screen's own engine run."""
    return changes(after.guide, before, after.state, after.today, after.script_language,
                   progress=after.progress, sections=after.sections)


def interview_after(app: BCOApplication, interview_id: UUID, recorded: Recorded) -> Interview:
    """The interview as the command left it, loaded again only when the command did not say."""
    if isinstance(recorded.saved, Interview) and recorded.saved.id == interview_id:
        return recorded.saved
    return app.get_interview(interview_id)


def _updates(after: Screen, template: str | None, **context: Any) -> Any:
    """The htmx answer to a save: its fragment, then the redraws and (`panels`) side panels."""
    return render_template("interview/_updates.html", s=after, main=template, may_work=True,
                           parts=_parts_for_updates(), **context)


_PARTS_FOR_UPDATES: WeakKeyDictionary[Template, Any] = WeakKeyDictionary()


def _parts_for_updates() -> Any:
    """The interview's macros as a module, made once per loaded template.

    `{% import %}` in the template would make it again on every save (Jinja hands an
    imported module the render's variables, so it cannot keep one): a tenth of a save's time.
    The only variable its macros read from outside is `may_work`, always true here.
    """
    template = current_app.jinja_env.get_template("interview/_parts.html")
    module = _PARTS_FOR_UPDATES.get(template)
    if module is None:
        module = _PARTS_FOR_UPDATES[template] = template.make_module({"may_work": True})
    return module


def _answer_problem(app: BCOApplication, interview: Interview, case: Case, question_id: str, *,
                    status: int, code: str, message: str, errors: dict[str, Any],
                    **extra: Any) -> str:
    """A refusal next to the field, saying what is still saved (the badge redrawn from it, so a
    refused value never looks answered); on a conflict, the colleague's answer and a way on.

    A refused answer left the interview as loaded; after a conflict it is read as it is now."""
    if status == 409:
        interview = app.get_interview(interview.id)
    view = screen_for(app, interview, case)
    question = view.guide.questions.get(question_id)
    return render_template(
        "interview/_answer_problem.html", s=view, interview=interview, question=question,
        question_id=question_id, status=status, message=message,
        other=extra.get("other_change"), lang=view.language, guide=view.guide,
        saved=interview.answers.get(question_id))


def _contact_problem(interview_id: UUID, contact_id: UUID, *, status: int, code: str,
                     message: str, errors: dict[str, Any], **extra: Any) -> str:
    """A refused contact change, naming the field by its label (never 'override_reason');
    after a conflict, the colleague's change in words, field by field."""
    app = sandbox.application()
    interview = app.get_interview(interview_id)
    guide = app.guide_for_interview(interview)
    language = guide_language(guide, str(current_user.language))
    other = extra.get("other_change")
    changed = (other or {}).get("data", {}).get("changes")
    return render_template(
        "interview/_contact_problem.html", interview=interview, contact_id=str(contact_id),
        status=status, message=message, other=other,
        fields=[(field, label) for field in errors
                if (label := contact_field_label(guide, language, field))],
        changes=contact_changes(guide, language, changed) if isinstance(changed, dict) else [])


def _row_problem(before: Screen, *, status: int, code: str, message: str,
                 errors: dict[str, Any], **extra: Any) -> str:
    """The fast-entry line again, with what was typed and the problem next to it."""
    form = request.form
    try:
        prompt = parse_prompt(before.guide, form.get("prompt"))
    except InvalidValueError:
        prompt = None
    return render_template(
        "interview/_entry_row.html", s=before, prompt=prompt, row=form,
        command_id=(form.get("command_id") or uuid4().hex)[:64], autofocus=False,
        problem=message, problem_field=next(iter(errors), None))
