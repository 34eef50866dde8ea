"""Form input fuzzing: whatever is typed or forged into the main forms, never a 500."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_support import Cases, sign_in

from bco.application import BCOApplication
from bco.web import auth

pytestmark = pytest.mark.fuzz

ANSWERS = {200, 302, 400, 401, 403, 404, 409, 422, 429}
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

text = st.text(max_size=300)
nasty = st.sampled_from(["", " ", "\x00", "<script>alert(1)</script>", "' OR 1=1 --",
                         "2026-11-25T16:30", "9999-12-31T23:59", "-1", "1e309", "\u202e",
                         "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "a" * 5000, "callback_requested", "informed", "%(name)s"])
value = st.one_of(text, nasty)
outcome = st.one_of(st.sampled_from(["reached", "no_answer", "voicemail", "wrong_number",
                                     "refused", "callback_requested"]), value)


@pytest.fixture
def case_id(cases: Cases) -> UUID:
    found = cases.register()
    cases.assign(found, "tracer2")
    cases.project()
    return found


@FUZZ
@given(outcome=outcome, callback_at=value, note=value, command_id=value)
def test_call_form(web: Flask, case_id: UUID, outcome: str, callback_at: str, note: str,
                   command_id: str) -> None:
    client = sign_in(web, "tracer2")
    answer = client.post(f"/cases/{case_id}/calls", data={
        "outcome": outcome, "callback_at": callback_at, "note": note,
        "command_id": command_id})
    assert answer.status_code in ANSWERS
    if answer.status_code == 422 and len(note) <= 2000:
        page = answer.get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page


@FUZZ
@given(reason=value, command_id=value)
def test_unreachable_form(web: Flask, case_id: UUID, reason: str, command_id: str) -> None:
    client = sign_in(web, "tracer2")
    answer = client.post(f"/cases/{case_id}/unreachable",
                         data={"reason": reason, "command_id": command_id})
    assert answer.status_code in ANSWERS


@FUZZ
@given(expected_version=value, command_id=value)
def test_take_and_next_case(web: Flask, cases: Cases, expected_version: str,
                            command_id: str) -> None:
    pool_case = cases.register()
    cases.project()
    client = sign_in(web, "tracer")
    assert client.post(f"/cases/{pool_case}/take",
                       data={"expected_version": expected_version}).status_code in ANSWERS
    assert client.post("/next-case", data={"command_id": command_id}).status_code in ANSWERS
    assert client.post(f"/cases/{pool_case}/interview",
                       data={"command_id": command_id}).status_code in ANSWERS


@FUZZ
@given(name=value, password=value, next_url=value)
def test_sign_in_form(web: Flask, monkeypatch: pytest.MonkeyPatch, name: str, password: str,
                      next_url: str) -> None:
    monkeypatch.setattr(auth, "FAILURE_DELAY_SECONDS", 0)
    answer = web.test_client().post("/signin", query_string={"next": next_url},
                                    data={"name": name, "password": password})
    assert answer.status_code in ANSWERS
    if answer.status_code == 302:
        assert answer.headers["Location"].startswith("/")


@FUZZ
@given(outcome=outcome, note=value, command_id=value)
def test_inform_form(web: Flask, bco_app: BCOApplication, cases: Cases, outcome: str,
                     note: str, command_id: str) -> None:
    found = cases.register()
    cases.assign(found, "tracer2")
    interview_id = bco_app.start_interview(found, actor="tracer2").aggregate_id
    contact_id = bco_app.report_contact(interview_id, {
        "name": "Fuzz Contact", "informs": "authority", "day": date(2026, 11, 23)},
        actor="tracer2").aggregate_id
    bco_app.complete_interview(interview_id, actor="tracer2")
    cases.project()
    answer = sign_in(web, "tracer2").post(f"/inform/{interview_id}/{contact_id}", data={
        "outcome": outcome, "note": note, "command_id": command_id})
    assert answer.status_code in ANSWERS
