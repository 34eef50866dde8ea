"""Coaching on real work: a lead samples the team's completed interviews, scores them on the
rubric and leaves feedback; the tracer reads the words, the scores stay with leads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from flask.testing import FlaskClient
from interview_support import JSON, start_interview
from web_support import Cases

from bco.application import BCOApplication
from bco.domain.review import Review

ITEMS = ("identity_checked", "window_explained", "every_day_walked", "every_setting_asked",
         "bubble_probed", "who_informs_agreed", "next_steps_explained")
FEEDBACK = "Goed doorgevraagd op het werk; vergeet de zaterdag niet."


def completed(app: BCOApplication, clock: Any, cases: Cases, tracer: str = "tracer",
              team: str = "north") -> UUID:
    interview_id = start_interview(app, clock, tracer, team)
    app.complete_interview(interview_id, actor=tracer)
    cases.project()
    return interview_id


def scores(**changed: str) -> dict[str, str]:
    return {**{f"score_{item}": "2" for item in ITEMS}, "feedback": FEEDBACK, **changed}


def test_a_lead_samples_scores_and_the_tracer_reads_the_feedback(
        bco_app: BCOApplication, clock: Any, cases: Cases,
        client_for: Callable[[str], FlaskClient]) -> None:
    interview_id = completed(bco_app, clock, cases)
    lead = client_for("lead")
    page = lead.get("/coaching")
    assert page.status_code == 200
    assert f'data-interview-id="{interview_id}"' in page.text  # random sample of one
    assert 'id="sample-thin"' in page.text  # no contact outside the household: thin
    dashboard = lead.get("/dashboard").text  # from the dashboard's thin list, one click
    assert f'href="/coaching/interviews/{interview_id}" class="coach-link"' in dashboard
    completed_at = bco_app.get_interview(interview_id).completed_at
    assert completed_at is not None  # shown in the reader's zone, not as the stored UTC text
    shown = format_datetime(completed_at, "d MMM HH:mm", locale="nl",
                            tzinfo=ZoneInfo(bco_app.settings.timezone))
    assert f"<td>{shown}</td>" in page.text
    case_id = bco_app.get_interview(interview_id).case_id
    assert f'href="/coaching/interviews/{interview_id}" id="review-interview"' in lead.get(
        f"/cases/{case_id}").text
    form = lead.get(f"/coaching/interviews/{interview_id}")
    assert form.status_code == 200 and 'name="score_every_day_walked"' in form.text
    saved = lead.post(f"/coaching/interviews/{interview_id}",
                      data=scores(score_every_day_walked="1"))
    assert saved.status_code == 302
    review = bco_app.review_of(interview_id)
    assert review is not None
    (event,) = [e for e in bco_app.events.get(review.id) if isinstance(e, Review.Scored)]
    assert event.actor == "lead" and event.scores["every_day_walked"] == 1
    assert event.rubric_id == "interview-quality" and event.feedback == FEEDBACK
    tracer = client_for("tracer")
    mine = tracer.get("/coaching/feedback").text
    assert FEEDBACK.replace("'", "&#39;") in mine
    assert "13 van 14" not in mine and "every_day_walked" not in mine  # words, not scores
    assert 'id="coaching-reviews"' in lead.get(f"/cases/{case_id}").text
    case_page = lead.get(f"/cases/{case_id}").text
    assert "13 van 14" in case_page
    assert '<li data-item="every_day_walked">Elke dag doorgelopen: Deels (1)</li>' in case_page
    assert 'id="coaching-reviews"' not in tracer.get(f"/cases/{case_id}").text


def test_a_score_on_an_item_a_later_rubric_dropped_is_still_shown(
        bco_app: BCOApplication, clock: Any, cases: Cases,
        client_for: Callable[[str], FlaskClient]) -> None:
    """The rubric is data and changes by version; a review keeps what it was scored on."""
    interview_id = completed(bco_app, clock, cases)
    allowed = {item: (0, 1, 2) for item in (*ITEMS, "empathy_shown")}
    bco_app.review_interview(interview_id, {**dict.fromkeys(ITEMS, 2), "empathy_shown": 0}, "",
                             rubric_id="interview-quality", rubric_version=0, allowed=allowed,
                             actor="lead")
    case_id = bco_app.get_interview(interview_id).case_id
    page = client_for("lead").get(f"/cases/{case_id}").text
    items = page.split('id="coaching-reviews"')[1]
    assert items.index('data-item="identity_checked"') < items.index(
        'data-item="empathy_shown"')  # today's items first, in the rubric's order
    assert '<li data-item="empathy_shown">empathy_shown: Niet gedaan (0)</li>' in items


@pytest.mark.parametrize("role", ["tracer", "authority", "admin"])
def test_only_leads_coach(role: str, bco_app: BCOApplication, clock: Any, cases: Cases,
                          client_for: Callable[[str], FlaskClient]) -> None:
    interview_id = completed(bco_app, clock, cases)
    client = client_for(role)
    assert client.get("/coaching").status_code == 403
    assert client.get(f"/coaching/interviews/{interview_id}").status_code == 403
    assert client.post(f"/coaching/interviews/{interview_id}", data=scores()).status_code == 403
    assert bco_app.review_of(interview_id) is None
    expected = 200 if role == "tracer" else 403
    assert client.get("/coaching/feedback").status_code == expected


def test_a_lead_coaches_their_own_team_only(bco_app: BCOApplication, clock: Any,
                                            cases: Cases,
                                            client_for: Callable[[str], FlaskClient]) -> None:
    south = completed(bco_app, clock, cases, "tracer3", "south")
    lead = client_for("lead")
    assert lead.post(f"/coaching/interviews/{south}", data=scores()).status_code == 403
    assert bco_app.review_of(south) is None
    assert f'data-interview-id="{south}"' not in lead.get("/coaching").text


def test_a_bad_score_is_refused_naming_the_item_and_nothing_is_written(
        bco_app: BCOApplication, clock: Any, cases: Cases,
        client_for: Callable[[str], FlaskClient]) -> None:
    interview_id = completed(bco_app, clock, cases)
    lead = client_for("lead")
    before = bco_app.store_position()
    refused = lead.post(f"/coaching/interviews/{interview_id}",
                        data=scores(score_bubble_probed="7"))
    assert refused.status_code == 422
    assert 'id="item-bubble_probed" aria-invalid="true"' in refused.text
    assert FEEDBACK.replace("'", "&#39;") in refused.text  # what was typed stays
    as_json = lead.post(f"/coaching/interviews/{interview_id}",
                        data=scores(score_identity_checked=""), headers=JSON)
    assert as_json.status_code == 422 and "identity_checked" in as_json.json["errors"]
    assert bco_app.store_position() == before


def test_an_interview_still_going_is_not_reviewed(bco_app: BCOApplication, clock: Any,
                                                  client_for: Callable[[str], FlaskClient]
                                                  ) -> None:
    interview_id = start_interview(bco_app, clock)
    answer = client_for("lead").post(f"/coaching/interviews/{interview_id}", data=scores())
    assert answer.status_code == 422
    assert bco_app.review_of(interview_id) is None
