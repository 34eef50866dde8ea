"""A saved answer redraws what it moved and nothing more: the completeness panel when the score
moved, the day list only when the infectious period, a day or a contact on a day moved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from interview_support import HX, start_interview

from bco.application import BCOApplication

Clients = Callable[[str], FlaskClient]


def saved(client: FlaskClient, interview_id: Any, question: str, value: str) -> str:
    response = client.post(f"/interviews/{interview_id}/answers/{question}",
                           data={"value": value}, headers=HX)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_an_answer_that_moves_the_score_but_no_day_leaves_the_day_list_alone(
        bco_app: BCOApplication, client_for: Clients, clock: Any) -> None:
    interview_id = start_interview(bco_app, clock, tracer="tracer2")

    html = saved(client_for("tracer2"), interview_id, "identity_confirmed", "yes")

    assert '<section id="completeness"' in html
    assert 'id="timeline"' not in html


def test_an_onset_that_moves_the_infectious_period_redraws_the_day_list(
        bco_app: BCOApplication, client_for: Clients, clock: Any) -> None:
    interview_id = start_interview(bco_app, clock, tracer="tracer2")
    earlier = (clock.now.date() - timedelta(days=5)).isoformat()

    html = saved(client_for("tracer2"), interview_id, "onset_date", earlier)

    timeline = html[html.index('<section id="timeline"'):]
    assert 'hx-swap-oob="true"' in timeline[:timeline.index(">")]
    shown_from = (clock.now.date() - timedelta(days=7)).strftime("%d-%m")
    assert f"Infectious period: {shown_from}" in timeline
