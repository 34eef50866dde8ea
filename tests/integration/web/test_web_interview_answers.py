"""The answer form only turns what was typed into values; the application refuses what does not
fit, and the refusal comes back next to the field while the typed text stays in it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from answer_support import guides_with_a_phone_question
from flask.testing import FlaskClient
from interview_support import HX, JSON, start_interview
from markupsafe import escape

from bco.application import BCOApplication
from bco.config import Settings

Clients = Callable[[str], FlaskClient]
GIVE_AN_ANSWER = "Give an answer, or leave the question for later."
# What a tracer can type (or tick) that the application refuses, with what they are told.
REFUSALS: list[tuple[str, str | list[str], str]] = [
    ("has_symptoms", "maybe", "Answer yes or no."),
    ("has_symptoms", "", GIVE_AN_ANSWER),
    ("who_informs", "nobody", "Pick one of the options shown."),
    ("symptoms", ["fever", "plague"], "Pick from the options shown."),
    ("household_size", "twee", "Type a number, e.g. 2."),
    ("household_size", "-1", "Type a number of 0 or more."),
    ("household_size", "100001", "Type a number of 0 or more."),
    ("household_size", "2,5", "Type a whole number, e.g. 2."),
    ("onset_date", "31-02-2026", "Give the date as day-month-year, e.g. with the date picker."),
    ("onset_date", "2026-11-26", "This date lies in the future; check the day."),
    ("onset_date", "0202-11-18", "The year 0202 cannot be right; check the year and type all "
                                 "four digits, e.g. 2026."),
    ("onset_date", "2016-11-18", "18-11-2016 is more than two years ago; check the year."),
    ("known_case_details", "   ", GIVE_AN_ANSWER),
    ("known_case_details", "x" * 2001, "This is too long: keep it under 2000 characters."),
    ("callback_time", "0612", "'0612' is not a valid number: check the number of digits with "
                              "the person, and include the country code if abroad."),
]


@pytest.fixture
def web_settings(web_settings: Settings, tmp_path: Path) -> Settings:
    """The web app, with a guide that asks for a phone number too."""
    return web_settings.with_overrides(
        guides_dir=guides_with_a_phone_question(tmp_path / "guides"))


@pytest.fixture
def interview_id(bco_app: BCOApplication, clock: Any) -> Any:
    """An interview of tracer2, who works in English (bco.demo.DEMO_ACCOUNTS)."""
    return start_interview(bco_app, clock, tracer="tracer2")


@pytest.mark.parametrize(("question", "typed", "message"), REFUSALS)
def test_each_refusal_comes_back_next_to_the_field(
        bco_app: BCOApplication, client_for: Clients, interview_id: Any, question: str,
        typed: str | list[str], message: str) -> None:
    client = client_for("tracer2")
    url = f"/interviews/{interview_id}/answers/{question}"
    refused = client.post(url, data={"value": typed}, headers=HX)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert f'<span class="problem-inline" role="alert">\n\n  {escape(message)}' in html
    assert "This was not saved; the question is still open." in html
    assert f'id="q-{question}"' not in html  # the field is not redrawn: what was typed stays
    assert f'id="qb-{question}" class="badge muted-badge" hx-swap-oob="true"' in html
    as_json = client.post(url, data={"value": typed}, headers=JSON).get_json()
    assert (as_json["status"], as_json["message"]) == (422, message)
    assert as_json["errors"] == {"value": [message]}
    assert bco_app.get_interview(interview_id).answers == {}


def test_a_question_the_guide_does_not_have_is_a_404(bco_app: BCOApplication,
                                                      client_for: Clients,
                                                      interview_id: Any) -> None:
    client = client_for("tracer2")
    url = f"/interviews/{interview_id}/answers/q0000"
    as_json = client.post(url, data={"value": "yes"}, headers=JSON)
    assert as_json.status_code == 404
    assert as_json.get_json()["message"] == "This interview's guide has no such question."
    fragment = client.post(url, data={"value": "yes"}, headers=HX)
    assert fragment.status_code == 404 and "problem-inline" not in fragment.get_data(
        as_text=True)  # no field to show it next to: the page's problem banner says it
    assert bco_app.get_interview(interview_id).answers == {}


def test_typed_text_becomes_the_value_the_guide_stores(bco_app: BCOApplication,
                                                       client_for: Clients,
                                                       interview_id: Any) -> None:
    client = client_for("tracer2")
    for question, typed in (("has_symptoms", "no"), ("household_size", " 3 "),
                            ("symptoms", ["cough", "", "fever"]), ("onset_date", "2026-11-21"),
                            ("callback_time", "06 1234 5678"), ("who_informs", "index"),
                            ("known_case_details", "  my sister ")):
        saved = client.post(f"/interviews/{interview_id}/answers/{question}",
                            data={"value": typed}, headers=HX)
        assert saved.status_code == 200, (question, saved.get_data(as_text=True))
    assert bco_app.get_interview(interview_id).answers == {
        "has_symptoms": False, "household_size": 3, "symptoms": ["fever", "cough"],
        "onset_date": "2026-11-21", "callback_time": "+31612345678", "who_informs": "index",
        "known_case_details": "my sister"}


def test_that_is_everyone_stores_how_many_are_listed(bco_app: BCOApplication,
                                                     client_for: Clients,
                                                     interview_id: Any) -> None:
    bco_app.report_contact(interview_id, {"name": "Joris", "household": True},
                           actor="tracer2")
    done = client_for("tracer2").post(
        f"/interviews/{interview_id}/answers/household_members", headers=HX)
    assert done.status_code == 200
    assert bco_app.get_interview(interview_id).answers["household_members"] == 1
    assert "That is everyone (1 listed)" in done.get_data(as_text=True)
