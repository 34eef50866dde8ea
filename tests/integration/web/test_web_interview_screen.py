"""The interview screen over HTTP: answers, prompts, contacts, handover, conflicts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from interview_support import HX, JSON, start_interview

from bco.application import BCOApplication

Clients = Callable[[str], FlaskClient]


@pytest.fixture
def interview_id(bco_app: BCOApplication, clock: Any) -> Any:
    return start_interview(bco_app, clock)


def test_the_screen_shows_the_guide_in_the_account_language(
        client_for: Clients, interview_id: Any) -> None:
    page = client_for("tracer").get(f"/interviews/{interview_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'class="say" data-label="Zeg"' in html  # tracer works in Dutch
    assert "Spreek ik met [naam]?" in html
    assert 'id="step-day-2026-11-25"' in html  # a day of the window, linkable
    assert 'id="completeness-score"' in html
    english = client_for("tracer2")  # same team, but the case is not theirs
    assert english.get(f"/interviews/{interview_id}").status_code == 403


def test_other_teams_and_anonymous_people_get_nothing(web: Any, client_for: Clients,
                                                      interview_id: Any) -> None:
    assert client_for("tracer3").get(f"/interviews/{interview_id}").status_code == 403
    anonymous = web.test_client().get(f"/interviews/{interview_id}")
    assert anonymous.status_code == 302 and "/signin" in anonymous.headers["Location"]
    lead = client_for("lead").get(f"/interviews/{interview_id}")
    assert lead.status_code == 200  # the team lead of team north


def test_an_answer_is_saved_as_it_is_given(bco_app: BCOApplication, client_for: Clients,
                                           interview_id: Any) -> None:
    client = client_for("tracer")
    answer = client.post(f"/interviews/{interview_id}/answers/household_size",
                         data={"value": "2", "expected_version": "1"}, headers=HX)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'id="qv-household_size" value="2" hx-swap-oob="true"' in html
    # The answer moved the progress: the side panels come along, nothing fetches them again;
    # the day list stays as it is, since no day moved (test_web_answer_redraws.py).
    assert 'id="completeness" class="card" aria-labelledby="completeness-heading" ' \
        'hx-swap-oob="true"' in html and 'id="timeline" class="card"' not in html
    assert "HX-Trigger" not in answer.headers
    assert bco_app.get_interview(interview_id).answers["household_size"] == 2
    as_json = client.post(f"/interviews/{interview_id}/answers/has_symptoms",
                          data={"value": "yes"}, headers=JSON)
    assert as_json.status_code == 200
    assert as_json.get_json()["version"] == 3


def test_a_changed_answer_that_moves_nothing_else_redraws_only_its_badge(
        bco_app: BCOApplication, client_for: Clients, interview_id: Any) -> None:
    """Rewording a free-text answer changes no status, score or day: the response is the
    saved mark, the field's version and badge, and the next step, without side panels."""
    client = client_for("tracer")
    first = client.post(f"/interviews/{interview_id}/answers/open_questions",
                        data={"value": "Geen"}, headers=HX).get_data(as_text=True)
    assert 'id="completeness"' in first  # answered at last: the score moved
    again = client.post(f"/interviews/{interview_id}/answers/open_questions",
                        data={"value": "Geen vragen meer"}, headers=HX)
    html = again.get_data(as_text=True)
    assert again.status_code == 200
    assert 'id="qv-open_questions" value="3" hx-swap-oob="true"' in html
    assert 'id="qb-open_questions" class="badge ok" hx-swap-oob="true"' in html
    assert 'id="now"' in html
    assert 'id="completeness"' not in html and 'id="step-' not in html
    assert bco_app.get_interview(interview_id).answers["open_questions"] == "Geen vragen meer"


def test_a_stale_edit_of_the_same_answer_is_a_409_with_the_other_change(
        bco_app: BCOApplication, client_for: Clients, interview_id: Any) -> None:
    bco_app.record_answer(interview_id, "household_size", 2, actor="lead")
    stale = client_for("tracer").post(
        f"/interviews/{interview_id}/answers/household_size",
        data={"value": "4", "expected_version": "1"}, headers=JSON)
    body = stale.get_json()
    assert stale.status_code == 409
    assert body["code"] == "conflict" and body["status"] == 409 and body["message"]
    assert body["errors"] == {}
    other = body["other_change"]
    assert other["actor"] == "lead"
    assert other["type"].endswith("AnswerRecorded")
    assert other["data"] == {"question_id": "household_size", "value": 2}
    assert other["timestamp"].startswith("2026-11-25")
    assert bco_app.get_interview(interview_id).answers["household_size"] == 2


def test_the_conflict_fragment_shows_theirs_and_keeps_mine_unsaved(
        bco_app: BCOApplication, client_for: Clients, interview_id: Any) -> None:
    bco_app.record_answer(interview_id, "has_symptoms", True, actor="lead")
    stale = client_for("tracer").post(
        f"/interviews/{interview_id}/answers/has_symptoms",
        data={"value": "no", "expected_version": "1"}, headers=HX)
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert '<strong class="their-value">Ja</strong>' in html
    assert 'id="keep-mine-has_symptoms"' in html
    assert 'id="qv-has_symptoms" value="2" hx-swap-oob="true"' in html
    # A different answer saved meanwhile is no conflict: the edits touch different things.
    other = client_for("tracer").post(
        f"/interviews/{interview_id}/answers/household_size",
        data={"value": "1", "expected_version": "1"}, headers=HX)
    assert other.status_code == 200


def test_the_same_answer_twice_is_not_a_conflict(client_for: Clients,
                                                 interview_id: Any) -> None:
    client = client_for("tracer")
    for _ in range(2):
        answer = client.post(f"/interviews/{interview_id}/answers/household_size",
                             data={"value": "2", "expected_version": "1"}, headers=HX)
        assert answer.status_code == 200


@pytest.mark.parametrize(("question", "value"), [
    ("household_size", "twee"), ("household_size", "-1"), ("has_symptoms", "maybe"),
    ("onset_date", "31-02-2026"), ("onset_date", "2099-01-01"), ("who_informs", "nobody"),
    ("symptoms", "plague"), ("known_case_details", ""), ("known_case_details", "x" * 3000),
])
def test_bad_answers_are_refused_next_to_the_field(
        bco_app: BCOApplication, client_for: Clients, interview_id: Any, question: str,
        value: str) -> None:
    refused = client_for("tracer").post(f"/interviews/{interview_id}/answers/{question}",
                                        data={"value": value}, headers=HX)
    assert refused.status_code == 422
    assert 'class="problem-inline" role="alert"' in refused.get_data(as_text=True)
    assert question not in bco_app.get_interview(interview_id).answers


def test_unknown_questions_and_prompts(client_for: Clients, interview_id: Any) -> None:
    client = client_for("tracer")
    assert client.post(f"/interviews/{interview_id}/answers/nope",
                       data={"value": "1"}).status_code == 404
    refused = client.post(f"/interviews/{interview_id}/prompts",
                          data={"prompt": "day:1999-13-01", "action": "nobody"}, headers=JSON)
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"prompt": [refused.get_json()["message"]]}


def test_prompts_record_nobody_and_scripts_record_said(
        bco_app: BCOApplication, client_for: Clients, interview_id: Any) -> None:
    client = client_for("tracer")
    for prompt, action in (("day:2026-11-24", "nobody"), ("setting:work", "nobody"),
                           ("script:greeting", "said")):
        answer = client.post(f"/interviews/{interview_id}/prompts",
                             data={"prompt": prompt, "action": action}, headers=HX)
        assert answer.status_code == 200, answer.get_data(as_text=True)
    interview = bco_app.get_interview(interview_id)
    assert {"day:2026-11-24", "setting:work", "script:greeting"} <= interview.done_prompts
    assert interview.follow_ups["day:2026-11-24"].nobody


def test_fast_entry_saves_a_line_and_opens_the_next(
        bco_app: BCOApplication, client_for: Clients, interview_id: Any) -> None:
    client = client_for("tracer")
    row = client.get(f"/interviews/{interview_id}/entry-row?prompt=day:2026-11-24")
    assert 'value="2026-11-24"' in row.get_data(as_text=True)
    line = {"name": "Joris", "phone": "06 23456789", "relation": "partner",
            "day": "2026-11-24", "setting": "home", "household": "1",
            "prompt": "day:2026-11-24", "command_id": "row-1"}
    for _ in range(2):  # a double Enter adds the contact once
        saved = client.post(f"/interviews/{interview_id}/contacts", data=line, headers=HX)
        assert saved.status_code == 200
    html = saved.get_data(as_text=True)
    assert 'class="entry-saved"' in html and "autofocus" in html
    assert 'name="prompt" value="day:2026-11-24"' in html  # the next line, same prompt
    contacts = bco_app.get_interview(interview_id).live_contacts
    assert [(c.name, c.prompt, c.household, c.phone) for c in contacts] == [
        ("Joris", "day:2026-11-24", True, "+31623456789")]


def test_a_refused_line_comes_back_with_what_was_typed(client_for: Clients,
                                                       interview_id: Any) -> None:
    refused = client_for("tracer").post(
        f"/interviews/{interview_id}/contacts",
        data={"name": "Mila", "phone": "not a number", "relation": "kind",
              "prompt": "setting:work"}, headers=HX)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'value="Mila"' in html and 'value="not a number"' in html
    assert 'value="kind"' in html and 'value="setting:work"' in html
    assert 'role="alert"' in html


def test_contact_details_category_override_and_conflict(
        bco_app: BCOApplication, client_for: Clients, interview_id: Any) -> None:
    contact_id = bco_app.report_contact(interview_id, {"name": "Ayla", "phone": "0645678901"},
                                        actor="tracer").aggregate_id
    client = client_for("tracer")
    details = {"name": "Ayla", "phone": "0645678901", "fact_duration_min": "30",
               "fact_distance_m": "1", "category_override": "3", "expected_version": "2"}
    refused = client.post(f"/interviews/{interview_id}/contacts/{contact_id}",
                          data=details, headers=HX)
    assert refused.status_code == 422
    # the field named by its label, not its internal name (issue 12 item 4)
    assert "<strong>Reden voor de aanpassing</strong>" in refused.get_data(as_text=True)
    assert "override_reason" not in refused.get_data(as_text=True)
    details["override_reason"] = "Glass screen between the desks."
    saved = client.post(f"/interviews/{interview_id}/contacts/{contact_id}", data=details,
                        headers=HX)
    assert saved.status_code == 200
    contact = bco_app.get_interview(interview_id).contacts[str(contact_id)]
    assert contact.category_override == "3"
    assert contact.facts == {"duration_min": 30, "distance_m": 1}
    stale = client.post(f"/interviews/{interview_id}/contacts/{contact_id}",
                        data={**details, "name": "Ayla Y."}, headers=JSON)
    assert stale.status_code == 409
    assert stale.get_json()["other_change"]["type"].endswith("ContactUpdated")


def test_handover_pause_put_back_and_resume_by_a_colleague(
        bco_app: BCOApplication, client_for: Clients, interview_id: Any) -> None:
    tracer = client_for("tracer")
    tracer.post(f"/interviews/{interview_id}/answers/household_size", data={"value": "3"})
    empty = tracer.post(f"/interviews/{interview_id}/pause", data={"summary": " "},
                        headers=JSON)
    assert empty.status_code == 422
    paused = tracer.post(f"/interviews/{interview_id}/pause",
                         data={"summary": "Stopped at day 2.", "handover": "1"})
    assert paused.status_code == 302
    case_id = bco_app.get_interview(interview_id).case_id
    assert bco_app.get_case(case_id).tracer is None
    colleague = client_for("tracer2")
    page = colleague.get(f"/interviews/{interview_id}").get_data(as_text=True)
    assert "Stopped at day 2." in page and 'id="resume-interview"' in page
    resumed = colleague.post(f"/interviews/{interview_id}/resume")
    assert resumed.status_code == 302
    assert bco_app.get_case(case_id).tracer == "tracer2"
    page = colleague.get(f"/interviews/{interview_id}").get_data(as_text=True)
    assert 'id="q-household_size" name="value" value="3"' in page
    assert 'id="qb-household_size" class="badge ok"' in page
    assert tracer.post(f"/interviews/{interview_id}/answers/has_symptoms",
                       data={"value": "yes"}).status_code == 403


def test_complete(bco_app: BCOApplication, client_for: Clients, interview_id: Any) -> None:
    client = client_for("tracer")
    # Below a full score it completes once confirmed (test_web_interview_finish.py).
    assert client.post(f"/interviews/{interview_id}/complete",
                       data={"confirm": "1"}).status_code == 302
    assert bco_app.get_interview(interview_id).status == "completed"
    after = client.post(f"/interviews/{interview_id}/answers/has_symptoms",
                        data={"value": "yes"}, headers=JSON)
    assert after.status_code == 422
    assert after.get_json()["code"] == "interview_completed"
