"""The case page: index details, logging calls (bad input included), unreachable, interview."""

from __future__ import annotations

from uuid import UUID

import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_support import Cases, sign_in

from bco.application import BCOApplication


@pytest.fixture
def my_case(cases: Cases) -> UUID:
    case_id = cases.register(hours_ago=4, name="Joost Meulenbelt", phone="06 47658312")
    cases.assign(case_id, "tracer2")
    cases.project()
    return case_id


@pytest.fixture
def tracer2(web: Flask) -> FlaskClient:
    """An English-speaking tracer, so messages can be checked word for word."""
    return sign_in(web, "tracer2")


def test_case_page_shows_the_index_and_the_dom_the_browser_tests_use(
        tracer2: FlaskClient, my_case: UUID) -> None:
    page = tracer2.get(f"/cases/{my_case}").get_data(as_text=True)
    assert "Joost Meulenbelt" in page
    assert 'href="tel:+31647658312"' in page and "06 47658312" in page
    for dom_id in ("call-outcome", "callback-at", "call-note", "log-call", "start-interview"):
        assert f'id="{dom_id}"' in page
    assert 'type="datetime-local"' in page
    for value in ("reached", "no_answer", "voicemail", "wrong_number", "refused",
                  "callback_requested"):
        assert f'value="{value}"' in page
    assert "received 4 h ago — 20 h left of the 24 h target" in page


def test_failed_call_then_callback(tracer2: FlaskClient, bco_app: BCOApplication,
                                   my_case: UUID) -> None:
    answer = tracer2.post(f"/cases/{my_case}/calls",
                          data={"outcome": "no_answer", "note": "Geen gehoor"})
    assert answer.status_code == 302
    answer = tracer2.post(f"/cases/{my_case}/calls", data={
        "outcome": "callback_requested", "callback_at": "2026-11-25T16:30",
        "note": "Belt na het werk"})
    assert answer.status_code == 302
    case = bco_app.get_case(my_case)
    assert [a.outcome for a in case.call_attempts] == ["no_answer", "callback_requested"]
    # 16:30 in Amsterdam is 15:30 UTC in November.
    assert case.callback_at is not None and case.callback_at.isoformat().startswith(
        "2026-11-25T15:30")
    page = tracer2.get(f"/cases/{my_case}").get_data(as_text=True)
    assert "Call logged" in page and "Geen gehoor" in page
    assert "callback at Wed 25 Nov 16:30 — in 6 h" in page
    assert "first call 4 h after notification — within the 24 h target" in page
    worklist = tracer2.get("/worklist").get_data(as_text=True)
    assert "Callback planned" in worklist


@pytest.mark.parametrize(("callback_at", "message"), [
    ("", "Say when to call back."),
    ("2026-11-25T08:00", "already passed"),
    ("tomorrow afternoon", "Give the callback time as a date and a time"),
    ("2027-03-01T10:00", "more than 30 days away"),
    ("202611-25T10:00", "Give the callback time as a date and a time"),
])
def test_bad_callback_time_is_explained_and_what_was_typed_is_kept(
        tracer2: FlaskClient, bco_app: BCOApplication, my_case: UUID, callback_at: str,
        message: str) -> None:
    answer = tracer2.post(f"/cases/{my_case}/calls", data={
        "outcome": "callback_requested", "callback_at": callback_at,
        "note": "Dochter nam op <b>druk</b>"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert message in page
    assert "Dochter nam op &lt;b&gt;druk&lt;/b&gt;</textarea>" in page
    assert f'value="{callback_at}"' in page
    assert '<option value="callback_requested" selected>' in page
    assert 'aria-invalid="true"' in page
    assert bco_app.get_case(my_case).call_attempts == []


def test_unknown_or_missing_outcome_is_refused(tracer2: FlaskClient, bco_app: BCOApplication,
                                               my_case: UUID) -> None:
    for data in ({"outcome": "abducted_by_aliens"}, {"note": "only a note"}):
        answer = tracer2.post(f"/cases/{my_case}/calls", data=data)
        assert answer.status_code == 422
        assert "Choose how the call went." in answer.get_data(as_text=True)
    assert bco_app.get_case(my_case).call_attempts == []


def test_a_callback_time_left_in_a_hidden_field_is_ignored(tracer2: FlaskClient,
                                                           bco_app: BCOApplication,
                                                           my_case: UUID) -> None:
    """The field is hidden for other outcomes, so what it still holds must not block saving."""
    answer = tracer2.post(f"/cases/{my_case}/calls", data={
        "outcome": "voicemail", "callback_at": "2026-11-25T16:30"})
    assert answer.status_code == 302
    assert bco_app.get_case(my_case).callback_at is None


def test_same_submission_twice_logs_one_call(tracer2: FlaskClient, bco_app: BCOApplication,
                                             my_case: UUID) -> None:
    for _ in range(2):
        tracer2.post(f"/cases/{my_case}/calls",
                     data={"outcome": "no_answer", "command_id": "form-1"})
    assert len(bco_app.get_case(my_case).call_attempts) == 1


def test_only_the_cases_tracer_or_team_lead_may_log_calls(web: Flask, bco_app: BCOApplication,
                                                          my_case: UUID, cases: Cases) -> None:
    pool_case = cases.register()
    cases.project()
    tracer = sign_in(web, "tracer")
    assert tracer.post(f"/cases/{my_case}/calls",
                       data={"outcome": "no_answer"}).status_code == 403
    pool_page = tracer.post(f"/cases/{pool_case}/calls", data={"outcome": "no_answer"})
    assert pool_page.status_code == 403
    assert "Take the case first" in pool_page.get_data(as_text=True) or \
        "Neem de casus eerst" in pool_page.get_data(as_text=True)
    lead = sign_in(web, "lead")
    assert lead.post(f"/cases/{my_case}/calls", data={"outcome": "no_answer"}).status_code \
        == 302
    assert len(bco_app.get_case(my_case).call_attempts) == 1


def test_take_a_case_from_the_pool_once(web: Flask, bco_app: BCOApplication,
                                        cases: Cases) -> None:
    case_id = cases.register()
    cases.project()
    tracer, tracer2 = sign_in(web, "tracer"), sign_in(web, "tracer2")
    page = tracer.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="take-case"' in page and 'id="log-call"' not in page
    version = str(bco_app.get_case(case_id).version)
    assert tracer.post(f"/cases/{case_id}/take",
                       data={"expected_version": version}).status_code == 302
    late = tracer2.post(f"/cases/{case_id}/take", data={"expected_version": version})
    assert late.status_code == 403
    assert bco_app.get_case(case_id).tracer == "tracer"


def test_mark_unreachable_needs_a_reason(tracer2: FlaskClient, bco_app: BCOApplication,
                                         my_case: UUID) -> None:
    refused = tracer2.post(f"/cases/{my_case}/unreachable", data={"reason": "  "})
    assert refused.status_code == 422
    assert "Say why the index cannot be reached." in refused.get_data(as_text=True)
    done = tracer2.post(f"/cases/{my_case}/unreachable",
                        data={"reason": "Three calls, voicemail full"})
    assert done.status_code == 302
    assert bco_app.get_case(my_case).status.value == "unreachable"
    page = tracer2.get(f"/cases/{my_case}").get_data(as_text=True)
    assert 'id="mark-unreachable"' not in page


def test_start_the_interview_logs_reached_and_opens_it(tracer2: FlaskClient,
                                                       bco_app: BCOApplication,
                                                       my_case: UUID) -> None:
    answer = tracer2.post(f"/cases/{my_case}/interview", data={"command_id": "start-1"})
    assert answer.status_code == 302
    case = bco_app.get_case(my_case)
    assert case.interview_id is not None
    assert [a.outcome for a in case.call_attempts] == ["reached"]
    assert answer.headers["Location"].endswith(f"/interviews/{case.interview_id}")
    again = tracer2.post(f"/cases/{my_case}/interview", data={"command_id": "start-2"})
    assert again.headers["Location"] == answer.headers["Location"]
    page = tracer2.get(f"/cases/{my_case}").get_data(as_text=True)
    assert 'id="resume-interview"' in page and 'id="start-interview"' not in page
    assert f'href="/interviews/{case.interview_id}"' in page


def test_without_the_interview_screen_the_case_page_still_works(
        web: Flask, tracer2: FlaskClient, bco_app: BCOApplication, my_case: UUID) -> None:
    web.view_functions.pop("interview.screen")
    answer = tracer2.post(f"/cases/{my_case}/interview")
    assert answer.headers["Location"].endswith(f"/cases/{my_case}")
    page = tracer2.get(f"/cases/{my_case}").get_data(as_text=True)
    assert "interview screen is not available" in page
    assert bco_app.get_case(my_case).interview_id is not None


def test_a_stale_page_gets_a_clear_refusal(tracer2: FlaskClient, bco_app: BCOApplication,
                                           my_case: UUID) -> None:
    """The lead started the interview while this page was open: say so, save nothing."""
    bco_app.start_interview(my_case, actor="lead")
    answer = tracer2.post(f"/cases/{my_case}/unreachable", data={"reason": "No answer 3x"})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert 'class="problem" role="alert"' in page and "interview started" in page
    bco_app.close_case(my_case, "Duplicate notification", actor="lead")
    closed = tracer2.post(f"/cases/{my_case}/calls", data={"outcome": "no_answer"})
    assert closed.status_code == 422 and "The case is closed" in closed.get_data(as_text=True)


def test_several_guides_for_one_disease_let_the_tracer_choose(
        tracer2: FlaskClient, bco_app: BCOApplication, my_case: UUID) -> None:
    page = tracer2.get(f"/cases/{my_case}").get_data(as_text=True)
    assert 'id="guide-id"' in page
    assert 'value="covid-19"' in page and 'value="covid-19-vl"' in page
    assert page.index('value="covid-19"') < page.index('value="covid-19-vl"')
    refused = tracer2.post(f"/cases/{my_case}/interview",
                           data={"command_id": "start-m", "guide_id": "measles"})
    assert refused.status_code == 302
    assert bco_app.get_case(my_case).interview_id is None
    assert "no guide &#39;measles&#39; for this disease" in tracer2.get(
        f"/cases/{my_case}").get_data(as_text=True)
    started = tracer2.post(f"/cases/{my_case}/interview",
                           data={"command_id": "start-vl", "guide_id": "covid-19-vl"})
    assert started.status_code == 302
    interview_id = bco_app.get_case(my_case).interview_id
    assert interview_id is not None
    assert bco_app.get_interview(interview_id).guide_id == "covid-19-vl"
