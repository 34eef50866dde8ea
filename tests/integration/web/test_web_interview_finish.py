"""Pausing and completing: a refused summary comes back on the screen, and completing with
items missing asks first."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from flask.testing import FlaskClient
from interview_support import HX, JSON, start_interview

from bco.application import BCOApplication
from bco.web.interview_view import build_screen

Clients = Callable[[str], FlaskClient]


def test_an_empty_summary_comes_back_next_to_the_field_with_what_was_typed(
        bco_app: BCOApplication, client_for: Clients, clock: Any) -> None:
    interview_id = start_interview(bco_app, clock, tracer="tracer2")
    client = client_for("tracer2")
    refused = client.post(f"/interviews/{interview_id}/pause",
                          data={"summary": "   ", "handover": "1"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="pause-summary-problem" role="alert">Write a short handover summary' in html
    assert 'aria-describedby="pause-summary-problem" autofocus' in html
    assert 'id="pause-handover" checked' in html  # the tick is kept too
    assert "Please check your input" not in html and 'id="guide"' in html  # the screen itself
    assert bco_app.get_interview(interview_id).status == "in_progress"


def test_a_too_long_summary_keeps_what_was_typed(bco_app: BCOApplication,
                                                 client_for: Clients, clock: Any) -> None:
    interview_id = start_interview(bco_app, clock, tracer="tracer2")
    typed = "Stopped at day 2. " * 300
    refused = client_for("tracer2").post(f"/interviews/{interview_id}/pause",
                                         data={"summary": typed})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "keep it under 4000 characters" in html
    assert typed.strip() in html


def test_scripts_still_get_json(bco_app: BCOApplication, client_for: Clients,
                                clock: Any) -> None:
    interview_id = start_interview(bco_app, clock, tracer="tracer2")
    refused = client_for("tracer2").post(f"/interviews/{interview_id}/pause",
                                         data={"summary": ""}, headers=JSON)
    assert refused.status_code == 422 and refused.get_json()["errors"].keys() == {"summary"}


def test_completing_with_items_missing_asks_first(bco_app: BCOApplication,
                                                 client_for: Clients, clock: Any) -> None:
    interview_id = start_interview(bco_app, clock, tracer="tracer2")
    client = client_for("tracer2")
    page = client.get(f"/interviews/{interview_id}").get_data(as_text=True)
    button = re.search(r'<button type="submit" class="(\w+)" id="complete-interview">', page)
    assert button and button.group(1) == "quiet"  # not the main button while items are missing

    asked = client.post(f"/interviews/{interview_id}/complete")
    assert asked.status_code == 302
    assert asked.headers["Location"].endswith(f"/interviews/{interview_id}?confirm=complete")
    assert bco_app.get_interview(interview_id).status == "in_progress"

    confirm = client.get(f"/interviews/{interview_id}?confirm=complete").get_data(as_text=True)
    score, missing = _completeness(bco_app, interview_id)
    assert missing > 0 and score < 100
    assert f"Complete with {missing} items still missing?" in confirm
    assert f"Completeness is {score} of 100." in confirm
    assert 'id="complete-go-back" autofocus' in confirm  # the safe way on is under the thumb
    assert f"Complete anyway, {missing} items missing" in confirm
    assert 'name="confirm" value="1"' in confirm

    done = client.post(f"/interviews/{interview_id}/complete", data={"confirm": "1"})
    assert done.status_code == 302
    assert bco_app.get_interview(interview_id).status == "completed"


def test_the_confirmation_is_in_dutch_for_a_dutch_tracer(bco_app: BCOApplication,
                                                         client_for: Clients,
                                                         clock: Any) -> None:
    interview_id = start_interview(bco_app, clock)
    confirm = client_for("tracer").get(f"/interviews/{interview_id}?confirm=complete")
    _score, missing = _completeness(bco_app, interview_id)
    assert f"Afronden terwijl er nog {missing} punten ontbreken?" in confirm.get_data(
        as_text=True)


def test_a_full_score_completes_at_once(bco_app: BCOApplication, client_for: Clients,
                                        clock: Any) -> None:
    interview_id = start_interview(bco_app, clock, tracer="tracer2")
    _fill_in_everything(bco_app, interview_id, clock)
    assert _completeness(bco_app, interview_id) == (100, 0)
    client = client_for("tracer2")
    page = client.get(f"/interviews/{interview_id}").get_data(as_text=True)
    assert 'class="primary" id="complete-interview"' in page
    assert client.post(f"/interviews/{interview_id}/complete").status_code == 302
    assert bco_app.get_interview(interview_id).status == "completed"


def test_the_complete_button_follows_the_score_after_saves(
        bco_app: BCOApplication, client_for: Clients, clock: Any) -> None:
    """A save that moves the score redraws it with the panels, so it never shows a stale
    score: an answer and a prompt alike."""
    interview_id = start_interview(bco_app, clock, tracer="tracer2")
    client = client_for("tracer2")
    for url, form in ((f"/interviews/{interview_id}/answers/identity_confirmed", {"value": "yes"}),
                      (f"/interviews/{interview_id}/prompts",
                       {"prompt": "setting:work", "action": "nobody"})):
        html = client.post(url, data=form, headers=HX).get_data(as_text=True)
        score, _missing = _completeness(bco_app, interview_id)
        assert 'id="complete-box" class="complete-box" hx-swap-oob="true"' in html
        assert f"Completeness is {score} of 100;" in html
    bco_app.pause_interview(interview_id, "Stopped at day 2.", actor="tracer2")
    paused = client.get(f"/interviews/{interview_id}").get_data(as_text=True)
    assert "complete-box" not in paused  # nothing to complete there


def _completeness(app: BCOApplication, interview_id: UUID) -> tuple[int, int]:
    interview = app.get_interview(interview_id)
    screen = build_screen(app, interview, app.get_case(interview.case_id), "en",
                          app.clock().date())
    return screen.completeness.score, len(screen.completeness.missing)


def _fill_in_everything(app: BCOApplication, interview_id: UUID, clock: Any) -> None:
    """Answer, say and close whatever the guide still misses, as a quick index would."""
    today = clock.now.date()
    for _ in range(60):
        interview = app.get_interview(interview_id)
        screen = build_screen(app, interview, app.get_case(interview.case_id), "en", today)
        if not screen.completeness.missing:
            return
        step = screen.completeness.missing[0].step
        question = screen.guide.questions.get(step)
        if question is None:
            action = {"answer": "said"} if step.startswith("script:") else {"nobody": True}
            app.answer_follow_up(interview_id, step, actor="tracer2", **action)
            continue
        value: Any = {
            "yesno": step in ("identity_confirmed", "good_moment"), "number": 0,
            "date": (today - timedelta(days=2)).isoformat(), "text": "None",
            "choice": question.options[0].value if question.options else "",
            "multichoice": [question.options[0].value] if question.options else [],
            "phone": "+31612345678", "contacts": 0,
        }[question.type]
        app.record_answer(interview_id, step, value, actor="tracer2")
    raise AssertionError("the guide kept asking")
