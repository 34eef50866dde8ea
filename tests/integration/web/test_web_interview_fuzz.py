"""Whatever is typed into the interview forms, the answer is a page or a refusal, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from interview_support import HX, start_interview

from bco.application import BCOApplication

pytestmark = pytest.mark.fuzz

QUESTIONS = ["identity_confirmed", "has_symptoms", "onset_date", "symptoms", "household_size",
             "who_informs", "known_case_details", "household_members", "nope"]
typed = st.text(max_size=60) | st.sampled_from(
    ["", "yes", "no", "2", "-3", "1e309", "NaN", "2026-11-24", "2999-01-01", "06 12345678",
     "<script>alert(1)</script>", "index", "home", "day:2026-11-24", "setting:work", "\x00"])
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def post(client: FlaskClient, url: str, data: dict[str, str]) -> Any:
    answer = client.post(url, data=data, headers=HX)
    assert answer.status_code in (200, 404, 409, 422), answer.get_data(as_text=True)[:500]
    return answer


@FUZZ
@given(question=st.sampled_from(QUESTIONS), value=typed, version=typed)
def test_answers(client_for: Callable[[str], FlaskClient], bco_app: BCOApplication,
                 clock: Any, question: str, value: str, version: str) -> None:
    interview_id = _interview(bco_app, clock)
    post(client_for("tracer"), f"/interviews/{interview_id}/answers/{question}",
         {"value": value, "expected_version": version})


@FUZZ
@given(fields=st.fixed_dictionaries({}, optional={
    name: typed for name in ("name", "phone", "relation", "day", "setting", "household",
                             "prompt", "command_id")}))
def test_fast_entry_lines(client_for: Callable[[str], FlaskClient], bco_app: BCOApplication,
                          clock: Any, fields: dict[str, str]) -> None:
    interview_id = _interview(bco_app, clock)
    answer = post(client_for("tracer"), f"/interviews/{interview_id}/contacts", fields)
    if answer.status_code == 422 and fields.get("name", "").strip():
        # The line comes back with what was typed in it.
        html = answer.get_data(as_text=True)
        assert 'name="name"' in html and "entry-row" in html


@FUZZ
@given(fields=st.fixed_dictionaries({}, optional={
    name: typed for name in ("name", "phone", "email", "day", "setting", "informs",
                             "household", "category_override", "override_reason",
                             "fact_duration_min", "fact_distance_m",
                             "fact_high_risk_exposure", "expected_version")}))
def test_contact_details(client_for: Callable[[str], FlaskClient], bco_app: BCOApplication,
                         clock: Any, fields: dict[str, str]) -> None:
    interview_id = _interview(bco_app, clock)
    contact_id = bco_app.report_contact(interview_id, {"name": "Ayla"},
                                        actor="tracer").aggregate_id
    post(client_for("tracer"), f"/interviews/{interview_id}/contacts/{contact_id}", fields)


@FUZZ
@given(prompt=typed, action=typed, summary=typed)
def test_prompts_and_pause(client_for: Callable[[str], FlaskClient], bco_app: BCOApplication,
                           clock: Any, prompt: str, action: str, summary: str) -> None:
    interview_id = _interview(bco_app, clock)
    client = client_for("tracer")
    post(client, f"/interviews/{interview_id}/prompts", {"prompt": prompt, "action": action})
    pause = client.post(f"/interviews/{interview_id}/pause", data={"summary": summary},
                        headers=HX)
    assert pause.status_code in (302, 422)
    if bco_app.get_interview(interview_id).status == "paused":
        bco_app.resume_interview(interview_id, actor="tracer")


def _interview(app: BCOApplication, clock: Any) -> Any:
    """One interview per test's application, reused across hypothesis examples."""
    found = getattr(app, "fuzzed_interview", None)
    if found is None:
        found = start_interview(app, clock)
        app.fuzzed_interview = found  # type: ignore[attr-defined]
    return found
