"""Practice runs on the real application's rules in a store of its own: nothing practised
reaches the real event store, and the feedback names what was missed and where."""

from __future__ import annotations

import stat
from datetime import date

import psycopg

from bco.application import BCOApplication
from bco.training.sandbox import TrainingApplication


def test_a_practice_lives_in_the_sandbox_only(app: BCOApplication,
                                              sandbox: TrainingApplication) -> None:
    before = app.store_position()
    practice_id = sandbox.start_practice("covid-19-birthday-en", trainee="tracer", team="north")
    practice = sandbox.get_practice(practice_id.aggregate_id)
    assert sandbox.store_position() > 0
    assert app.store_position() == before
    assert practice.interview_id not in app.repository
    assert practice.case_id not in app.repository
    case = sandbox.get_case(practice.case_id)
    assert case.tracer == "tracer" and case.onset == date(2026, 11, 22)
    settings = app.settings
    if settings.uses_postgres:  # its own table beside the real one, in the same schema
        with psycopg.connect(settings.database_url) as conn:
            tables = {name for (name,) in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                [settings.database_schema])}
        assert {"bco_events", "bcotraining_events"} <= tables
    else:  # its own file beside the real one
        assert settings.training_events_path.exists()
        assert settings.training_events_path != settings.events_path
        assert stat.S_IMODE(settings.training_events_path.stat().st_mode) == 0o600


def test_feedback_names_the_contact_a_skipped_day_would_have_found(
        sandbox: TrainingApplication) -> None:
    practice_id = sandbox.start_practice("covid-19-birthday-en", trainee="tracer",
                                         team="north").aggregate_id
    practice = sandbox.get_practice(practice_id)
    interview_id = practice.interview_id
    sandbox.report_contact(interview_id, {"name": "Sam", "household": True, "setting": "home"},
                           actor="tracer")
    sandbox.report_contact(interview_id, {"name": "Jeroen", "prompt": "setting:sport",
                                          "facts": {"duration_min": 60, "distance_m": 1}},
                           actor="tracer")
    sandbox.mark_asked(practice_id, "setting:sport", actor="tracer")
    sandbox.finish_practice(practice_id, actor="tracer")
    result = sandbox.get_practice(practice_id).result
    assert result is not None
    assert result["found"] == ["Sam Vos", "Jeroen Smit"] and result["true_count"] == 4
    missed = {m["name"]: m["prompt"] for m in result["missed"]}
    assert missed == {"Karin Bakker": "day:2026-11-21", "Els de Groot": "final"}
    karin = next(m for m in result["missed"] if m["name"] == "Karin Bakker")
    assert "Saturday 21 November" in karin["prompt_text"]
    assert {c["name"]: c["given"] == c["expected"] for c in result["categories"]} == {
        "Sam Vos": True, "Jeroen Smit": True}
    assert sandbox.get_interview(interview_id).status == "completed"
    record = sandbox.record_of("tracer")
    assert record is not None and [e["scenario_id"] for e in record.entries] == [
        "covid-19-birthday-en"]
