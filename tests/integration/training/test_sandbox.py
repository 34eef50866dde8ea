"""Practice runs on the real application's rules in a store of its own: nothing practised
reaches the real event store, and the feedback names what was missed and where."""

from __future__ import annotations

import stat
from datetime import date, timedelta

import psycopg

from bco.application import BCOApplication
from bco.domain.case import IndexPerson
from bco.projections import runner_for
from bco.projections.runner import open_views
from bco.projections.viewsdb import views_key
from bco.reports.exports import export_cases, export_contacts
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
    # Real work after the sandbox opened still lands in the real store, and only there (on
    # PostgreSQL both stores' insert functions live in one schema: one must not replace the
    # other's and send every real event into the practice table).
    practised = sandbox.store_position()
    app.register_case(person=IndexPerson(name="Echte Index", phone="06 12345678"),
                      disease=app.catalog.known_diseases[0], onset=date(2026, 11, 24),
                      actor="lead")
    assert app.store_position() == before + 1 and sandbox.store_position() == practised
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
    begun = sandbox.record_of("tracer")
    assert begun is not None and list(begun.in_progress) == [str(practice_id)]
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
    assert record.in_progress == {}  # finished: no longer offered to resume


def test_no_read_model_holds_a_trace_of_practice(app: BCOApplication,
                                                 sandbox: TrainingApplication) -> None:
    """A whole practice (contacts, a completed interview, feedback) beside a real case: after
    the read models catch up, not one row of views.db names the practice's case, interview,
    contacts or index, while the real case is there (so the search would find a leak). Covers
    every read model at once: worklist, caseload, KPIs, search, exports, prompt yield, access."""
    real_case = app.register_case(
        person=IndexPerson(name="Echte Index", phone="06 12345678"),
        disease=app.catalog.known_diseases[0], onset=app.clock().date() - timedelta(days=2),
        actor="lead").aggregate_id
    practice_id = sandbox.start_practice("covid-19-birthday-en", trainee="tracer",
                                         team="north").aggregate_id
    practice = sandbox.get_practice(practice_id)
    contact_ids = [sandbox.report_contact(practice.interview_id, {
        "name": name, "phone": "06 12349876", "informs": "authority", "setting": "home"},
        actor="tracer").aggregate_id for name in ("Sam Vos", "Karin Bakker")]
    sandbox.mark_asked(practice_id, "final", actor="tracer")
    sandbox.finish_practice(practice_id, actor="tracer")
    assert runner_for(app).catch_up() > 0
    traces = {str(i) for i in (practice.case_id, practice.interview_id, practice_id,
                               *contact_ids)} | {"Lena Vos", "Sam Vos", "Karin Bakker"}
    found_real = False
    with open_views(app.settings.views_path, views_key(app.settings)) as db:
        for table in db.table_names():
            for row in db.execute(f"SELECT * FROM [{table}]").fetchall():
                text = " ".join(str(cell) for cell in row)
                found_real = found_real or str(real_case) in text
                leaked = [t for t in traces if t in text]
                assert not leaked, (table, leaked)
    assert found_real  # the scan reads the rows a practice would have been in
    # The keys that seal a practice's personal fields are the sandbox's, not rows of the real
    # store's key table (which backups copy and retention shreds).
    real_keys = {row.owner_id for row in app.case_keys.rows()}
    practice_keys = {row.owner_id for row in sandbox.case_keys.rows()}
    assert str(real_case) in real_keys and str(practice.case_id) in practice_keys
    assert not real_keys & practice_keys
    for kind in (export_cases, export_contacts):
        body = b"".join(kind(app.settings, fmt="ndjson", since=None,
                             pseudonymised=False).chunks).decode()
        assert not [t for t in traces if t in body]
