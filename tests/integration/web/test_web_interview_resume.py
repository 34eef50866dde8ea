"""Resume and "Next" land on the first open required item in guide order (issue 12, item 3).

An optional question left open (which symptoms) must not hold up the interview: after a
handover the colleague lands where the guide still needs something, not on that question.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from flask.testing import FlaskClient
from interview_support import start_interview

from bco.application import BCOApplication
from bco.guides.engine import all_steps, resume_point
from bco.guides.progress import measure

Clients = Callable[[str], FlaskClient]

# Everything required up to the household, with symptoms (optional) left unanswered.
ANSWERS = {"identity_confirmed": True, "good_moment": True, "has_symptoms": True,
           "vulnerable_self": False, "known_case_contact": False, "gathering": False,
           "travel_abroad": False, "household_size": 2}


def now_anchor(html: str) -> str:
    marker = 'id="now" class="card now" aria-labelledby="now-heading" data-anchor="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


@pytest.fixture
def interview_id(bco_app: BCOApplication, clock: Any) -> UUID:
    interview_id = start_interview(bco_app, clock)
    onset = (clock.now.date() - timedelta(days=2)).isoformat()
    for question, value in {**ANSWERS, "onset_date": onset}.items():
        bco_app.record_answer(interview_id, question, value, actor="tracer")
    return interview_id


def test_a_new_interview_starts_with_its_opening_line(
        bco_app: BCOApplication, client_for: Clients, clock: Any) -> None:
    fresh = start_interview(bco_app, clock)
    html = client_for("tracer").get(f"/interviews/{fresh}").get_data(as_text=True)
    assert now_anchor(html) == "step-script-greeting"


def test_next_skips_an_open_optional_question(client_for: Clients, interview_id: UUID) -> None:
    html = client_for("tracer").get(f"/interviews/{interview_id}").get_data(as_text=True)
    assert 'id="step-symptoms"' in html  # still on screen, to answer if the index says
    assert now_anchor(html) == "step-household_members"
    assert 'href="#step-household_members" id="go-next"' in html


def test_resume_after_a_handover_lands_on_the_first_open_required_item(
        bco_app: BCOApplication, client_for: Clients, interview_id: UUID) -> None:
    tracer = client_for("tracer")
    paused = tracer.post(f"/interviews/{interview_id}/pause",
                         data={"summary": "Household still to name.", "handover": "1"})
    assert paused.status_code == 302
    colleague = client_for("tracer2")
    resumed = colleague.post(f"/interviews/{interview_id}/resume")
    assert resumed.status_code == 302
    assert resumed.headers["Location"].endswith(
        f"/interviews/{interview_id}#step-household_members")


def test_a_required_question_behind_an_optional_one_is_reached_through_it(
        bco_app: BCOApplication, client_for: Clients, clock: Any) -> None:
    """Every required step done but the household: Next points at the household check, not at
    the optional question or the lines still to say at the end of a section."""
    interview_id = start_interview(bco_app, clock)
    onset = (clock.now.date() - timedelta(days=2)).isoformat()
    for question, value in {**ANSWERS, "household_size": 0, "onset_date": onset}.items():
        bco_app.record_answer(interview_id, question, value, actor="tracer")
    html = client_for("tracer").get(f"/interviews/{interview_id}").get_data(as_text=True)
    anchor = now_anchor(html)
    assert anchor not in ("step-symptoms", "step-script-warning-signs")
    assert anchor == "step-script-days-intro"  # the days' section starts with its opening line


def test_with_nothing_required_open_next_names_a_contact_to_fill_in(
        bco_app: BCOApplication, client_for: Clients, clock: Any) -> None:
    """Every required step done, but a contact's category not known: Next goes to that card."""
    interview_id = start_interview(bco_app, clock)
    contact = bco_app.report_contact(interview_id, {"name": "Ayla Yilmaz", "phone": "06 45678901",
                                                    "day": clock.now.date()}, actor="tracer")
    for _ in range(200):
        interview = bco_app.get_interview(interview_id)
        case = bco_app.get_case(interview.case_id)
        guide = bco_app.guide_for_interview(interview)
        state = bco_app.interview_state(interview, case)
        progress = measure(guide, state, clock.now.date())
        step = resume_point(guide, state, progress,
                            all_steps(guide, state, clock.now.date(), "en", progress=progress))
        if step is None:
            break
        if step.kind != "question":
            bco_app.answer_follow_up(interview_id, step.id, nobody=True, actor="tracer")
        elif step.type == "contacts":
            bco_app.record_answer(interview_id, step.id, None, actor="tracer")
        else:
            value: Any = {"yesno": False, "number": 0, "date": clock.now.date().isoformat(),
                          "choice": "index"}.get(step.type or "", "Geen.")
            bco_app.record_answer(interview_id, step.id, value, actor="tracer")
    html = client_for("tracer").get(f"/interviews/{interview_id}").get_data(as_text=True)
    anchor = f"step-contact-{contact.aggregate_id}"
    assert now_anchor(html) == anchor
    now = html[html.index('id="now"'):html.index("</section>", html.index('id="now"'))]
    assert "Nog invullen voor Ayla Yilmaz: categorie" in now
    assert f'href="#{anchor}" id="go-next"' in now
