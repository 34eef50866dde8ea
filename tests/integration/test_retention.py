"""The end of retention: keys destroyed, events still loading without the personal data,
read models, case files and exports without identifiers, and the statistics unchanged.

Runs on SQLite and PostgreSQL (the `app` fixture). Marker identities make a leak findable.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any
from uuid import UUID

import pdfplumber
import psycopg
import pytest
from click.testing import CliRunner
from eventsourcing.persistence import Mapper
from projection_scenarios import views_contents

from bco.application import BCOApplication
from bco.cli import main
from bco.config import Settings
from bco.domain.case import IndexPerson
from bco.domain.errors import InvalidTransitionError
from bco.domain.personal import REMOVED
from bco.domain.reference import case_reference
from bco.guides.completeness import assess
from bco.projections import completeness, contacts, rebuilder_for, retention, runner_for
from bco.projections.caseload import caseload_summary
from bco.projections.coaching import completed_interviews
from bco.projections.dashboard import Reach, thin_interviews
from bco.projections.kpis import Period, compute_kpis
from bco.projections.viewsdb import connect_file, views_key
from bco.reports.casefile import build_case_file
from bco.reports.exports import export_cases, export_contacts
from bco.reports.pdf import render_html, render_pdf

INDEX_MARKS = ("Xavierindex", "+31611110001", "xavier@index.example", "1961-02-03",
               "9999ZZ", "Fluisterveld")  # the last: a free-text answer naming someone
CONTACT_MARKS = ("Yolandacontact", "+31622220002", "yolanda@contact.example",
                 "Zebedeusnoted")
DAYS = 180
KPI_MOMENT = datetime(2027, 12, 1, tzinfo=UTC)  # the KPIs as of one moment, before and after
CONTACT_DAYS = 20


def run_case(app: BCOApplication, clock: Any, *, name: str, phone: str,
             contact_phone: str | None = None, close: bool = True,
             email: str = "xavier@index.example", birth_date: date = date(1961, 2, 3),
             postcode: str = "9999ZZ") -> tuple[UUID, UUID]:
    """A case taken through a whole interview with its contacts, completed, closed."""
    case_id = app.register_case(
        person=IndexPerson(name=name, phone=phone, birth_date=birth_date,
                           email=email, postcode=postcode),
        disease="covid-19", onset=clock.now.date() - timedelta(days=1), actor="anna"
    ).aggregate_id
    app.assign_case(case_id, "anna", "north", actor="lead")
    app.log_call_attempt(case_id, "no_answer", note="Xavierindex did not pick up",
                         actor="anna")
    interview_id = app.start_interview(case_id, actor="anna", reached=True).aggregate_id
    app.record_answer(interview_id, "has_symptoms", True, actor="anna")
    app.record_answer(interview_id, "known_case_details", "Fluisterveld from work",
                      actor="anna")
    if contact_phone:
        contact = app.report_contact(interview_id, {
            "name": "Yolandacontact", "phone": contact_phone,
            "email": "yolanda@contact.example", "day": clock.now.date(), "household": True,
            "informs": "authority"}, actor="anna").aggregate_id
        app.report_contact(interview_id, {"name": "Kees", "phone": "0633330003"},
                           actor="anna")
    app.add_note(interview_id, "Xavierindex sounded tired", actor="anna")
    app.complete_interview(interview_id, actor="anna")
    if contact_phone:
        app.log_inform_outcome(interview_id, contact, "informed", "Zebedeusnoted told her",
                               actor="authority")
    if close:
        app.close_case(case_id, "done, Xavierindex recovered", actor="anna")
    return case_id, interview_id


def statistics(app: BCOApplication, clock: Any) -> dict[str, Any]:
    runner = runner_for(app)
    runner.catch_up()
    with runner.reading() as db:
        period = Period(date(2026, 11, 1), date(2026, 12, 31), app.settings.zone)
        kpis = compute_kpis(db, period, now=KPI_MOMENT)
        caseload = caseload_summary(db)
    caseload.pop("by_age")  # the age group goes with the birth date (README, Retention)
    return {"kpis": kpis, "caseload": caseload}


def exported(settings: Settings) -> str:
    text = []
    for export in (export_cases, export_contacts):
        for fmt in ("ndjson", "csv", "fhir"):
            for pseudonymised in (False, True):
                found = export(settings, fmt=fmt, since=None, pseudonymised=pseudonymised)
                text.append(b"".join(found.chunks).decode("utf-8"))
    return "\n".join(text)


def pdf_text(case_id: UUID, app: BCOApplication) -> str:
    """The text of the case file as printed (PDF), in English."""
    pdf = render_pdf(build_case_file(app, case_id, language="en"), zone=app.settings.zone,
                     phone_region="NL")
    with pdfplumber.open(BytesIO(pdf)) as document:
        return " ".join(" ".join(p.extract_text() or "" for p in document.pages).split())


def to_inform(app: BCOApplication) -> list[str]:
    """The names on the health service's inform list, as it shows them."""
    runner = runner_for(app)
    runner.catch_up()
    with runner.reading() as db:
        listed = contacts.to_inform(db, contacts.InformFilter(), limit=None)
        assert contacts.count_to_inform(db, contacts.InformFilter()) == len(listed)
    return [app.get_interview(item.interview_id).contacts[str(item.contact_id)].name
            for item in listed]


def leaks(text: str, marks: tuple[str, ...]) -> list[str]:
    return [mark for mark in marks if mark in text]


def test_a_case_past_retention_loads_without_its_personal_data_and_counts_the_same(
        app: BCOApplication, clock: Any) -> None:
    old, old_interview = run_case(app, clock, name="Xavierindex Oud", phone="0611110001",
                                  contact_phone="0622220002")
    clock.advance(days=3)
    # A new case whose number was given for a contact before: a known contact (a KPI).
    recent, _ = run_case(app, clock, name="Wim Nieuw", phone="0633330003", close=False,
                         email="wim@example.org", birth_date=date(1990, 5, 6),
                         postcode="1234AB")
    before = statistics(app, clock)
    assert before["kpis"]["known_contacts_among_new_cases"] == 0.5
    pulled = export_cases(app.settings, fmt="ndjson", since=None, pseudonymised=False)
    b"".join(pulled.chunks)

    clock.advance(days=DAYS + 1)
    assert app.retention_due(recent, as_of=clock.now, case_days=DAYS,
                             contact_days=CONTACT_DAYS) is not None  # its contacts' clock
    due = app.retention_due(old, as_of=clock.now, case_days=DAYS, contact_days=CONTACT_DAYS)
    assert due is not None and due.whole_case and due.contacts
    done = app.erase(due, actor="retention")
    assert done.keys_destroyed == 3 and done.unkeyed == ()
    assert app.retention_due(old, as_of=clock.now, case_days=DAYS,
                             contact_days=CONTACT_DAYS) is None
    with pytest.raises(InvalidTransitionError, match="register the person again"):
        app.reopen_case(old, "new facts", actor="anna")

    # The events still load, in a process that never saw the keys, with the marker.
    fresh = BCOApplication(app.settings, clock=clock)
    try:
        case = fresh.get_case(old)
        assert case.person.name == REMOVED and case.person.birth_date is None
        interview = fresh.get_interview(old_interview)
        assert [c.name for c in interview.contacts.values()] == [REMOVED, REMOVED]
        assert interview.answers["known_case_details"] == REMOVED
        assert interview.answers["has_symptoms"] is True  # typed answers stay
        history = json.dumps(fresh.case_history(old))
        assert leaks(history, INDEX_MARKS + CONTACT_MARKS) == []
        assert len(fresh.case_history(old)) == len(app.case_history(old))  # no row deleted
        html = render_html(build_case_file(fresh, old, language="en"), zone=app.settings.zone,
                           phone_region="NL")
        assert leaks(html, INDEX_MARKS + CONTACT_MARKS) == []
        assert "removed after retention" in html
        assert "Retention ended: the index's personal details erased" in html
        assert ("Retention ended: the interview's personal answers and the contacts' details "
                "erased") in html
        html_nl = render_html(build_case_file(fresh, old, language="nl"),
                              zone=app.settings.zone, phone_region="NL")
        assert "verwijderd na afloop van de bewaartermijn" in html_nl
        assert "Bewaartermijn verstreken: persoonsgegevens van de index gewist" in html_nl
        # ... also inside sentences: "Contact <name>: informed" in the timeline.
        assert "Contact verwijderd na afloop van de bewaartermijn: " in html_nl
        assert "removed after retention" not in html_nl
        # The PDF itself (running headers included), against the recent case's as a control.
        printed = pdf_text(old, fresh)
        assert leaks(printed, INDEX_MARKS + CONTACT_MARKS) == []
        assert "removed after retention" in printed
        assert "Wim Nieuw" in pdf_text(recent, fresh)
    finally:
        fresh.close()

    # Followed along, then rebuilt: the same rows, no identifiers, the same statistics.
    after = statistics(app, clock)
    runner = runner_for(app)
    followed = views_contents(runner.views_path, app.settings)
    rebuilder_for(app).rebuild()
    rebuilt = views_contents(runner.views_path, app.settings)
    assert rebuilt == followed
    assert leaks(repr(rebuilt), INDEX_MARKS + CONTACT_MARKS) == []
    assert statistics(app, clock) == after == before
    assert leaks(exported(app.settings), INDEX_MARKS + CONTACT_MARKS) == []
    assert "Wim Nieuw" in exported(app.settings)  # the recent case is untouched
    # An export client pulling what changed since its last cursor hears of the erasure.
    since = export_cases(app.settings, fmt="ndjson", since=pulled.cursor, pseudonymised=False)
    records = [json.loads(line) for line in b"".join(since.chunks).splitlines()]
    (erased_record,) = [r for r in records if r.get("case_id") == str(old)]
    assert erased_record["name"] == REMOVED and erased_record["phone"] is None


def test_contacts_go_before_their_case(app: BCOApplication, clock: Any) -> None:
    case_id, interview_id = run_case(app, clock, name="Xavierindex Kort", phone="0611110001",
                                     contact_phone="0622220002", close=False)
    assert to_inform(app) == ["Kees"]  # nobody was named to inform him: the service does
    clock.advance(days=CONTACT_DAYS + 1)
    due = app.retention_due(case_id, as_of=clock.now, case_days=DAYS,
                            contact_days=CONTACT_DAYS)
    assert due is not None and due.contacts and not due.whole_case
    app.erase(due, actor="retention")
    assert to_inform(app) == []  # nobody can call an erased contact
    interview = app.get_interview(interview_id)
    assert [c.name for c in interview.contacts.values()] == [REMOVED, REMOVED]
    assert interview.answers["known_case_details"] == "Fluisterveld from work"
    assert app.get_case(case_id).person.name == "Xavierindex Kort"
    contact_id = next(iter(interview.contacts.values())).contact_id
    with pytest.raises(InvalidTransitionError, match="erased"):
        app.log_inform_outcome(interview_id, contact_id, "informed", actor="authority")
    # A contact named afterwards gets a new key of its own, stays readable, and is erased in
    # its own time.
    app.reopen_interview(interview_id, "remembered one more", actor="anna")
    with pytest.raises(InvalidTransitionError, match="erased at the end of their retention"):
        app.update_contact(interview_id, contact_id, {"day": clock.now.date()}, actor="anna")
    app.report_contact(interview_id, {"name": "Later Bekend"}, actor="anna")
    app.complete_interview(interview_id, actor="anna")
    assert to_inform(app) == ["Later Bekend"]
    fresh = BCOApplication(app.settings, clock=clock)
    try:
        names = sorted(c.name for c in fresh.get_interview(interview_id).contacts.values())
        assert names == ["Later Bekend", REMOVED, REMOVED]
    finally:
        fresh.close()
    clock.advance(days=CONTACT_DAYS + 1)
    runner = runner_for(app)
    runner.catch_up()
    with runner.reading() as db:
        assert retention.maybe_due(
            db, closed_before=clock.now - timedelta(days=DAYS),
            contacts_before=clock.now - timedelta(days=CONTACT_DAYS)) == [str(case_id)]
    again = app.retention_due(case_id, as_of=clock.now, case_days=DAYS,
                              contact_days=CONTACT_DAYS)
    assert again is not None and again.contacts
    assert app.erase(again, actor="retention").keys_destroyed == 1
    names = [c.name for c in app.get_interview(interview_id).contacts.values()]
    assert names == [REMOVED, REMOVED, REMOVED]


def contact_items(missing: Iterable[Mapping[str, str]]) -> set[str]:
    """The missing items that are a contact's details."""
    return {m["item"] for m in missing if m["item"].startswith("contact:")}


def completeness_seen(app: BCOApplication, case_id: UUID, interview_id: UUID
                      ) -> dict[str, Any]:
    """Completeness wherever it is counted: its read model (in every language), the lead's
    coaching list and thin interviews, and the case file and interview screen's engine."""
    runner = runner_for(app)
    runner.catch_up()
    with runner.reading() as db:
        row = completeness.interview_completeness(db, str(interview_id), "en")
        assert row is not None
        dutch = completeness.interview_completeness(db, str(interview_id), "nl")
        assert dutch is not None
        (listed,) = completed_interviews(db, "north", datetime(2026, 11, 1, tzinfo=UTC))
        thin = thin_interviews(db, Reach("north"), Period(
            date(2026, 11, 1), date(2027, 12, 31), app.settings.zone), below=101)
    interview = app.get_interview(interview_id)
    guide = app.guide_for_interview(interview)
    day = interview.completed_at.astimezone(app.settings.zone).date() \
        if interview.completed_at else None
    assert day is not None
    screen = assess(guide, app.interview_state(interview), day)
    case_file = build_case_file(app, case_id, language="en").completeness
    assert case_file is not None
    return {"row": row, "nl": contact_items(dutch["missing"]), "listed": listed["score"],
            "thin": [r["score"] for r in thin], "screen": screen,
            "case_file": contact_items(m.to_json() for m in case_file.missing)}


def test_erased_contacts_are_no_items_to_fill(app: BCOApplication, clock: Any) -> None:
    """A completed interview with a contact whose details are missing: once the contacts'
    details are erased after retention, nobody can fill them, so they are no gaps any more,
    while the interview's history still shows the contact and its erasure."""
    case_id = app.register_case(person=IndexPerson(name="Xavierindex Gat", phone="0611110001"),
                                disease="covid-19", onset=clock.now.date() - timedelta(days=1),
                                actor="anna").aggregate_id
    app.assign_case(case_id, "anna", "north", actor="lead")
    interview_id = app.start_interview(case_id, actor="anna", reached=True).aggregate_id
    app.record_answer(interview_id, "has_symptoms", True, actor="anna")
    thin_one = app.report_contact(interview_id, {"name": "Yolandacontact"},
                                  actor="anna").aggregate_id  # no phone, day, category…
    app.complete_interview(interview_id, actor="anna")
    before = completeness_seen(app, case_id, interview_id)
    gaps = {f"contact:{thin_one}:{name}" for name in ("reach", "day", "category", "informs")}
    assert gaps <= contact_items(before["row"]["missing"])
    assert gaps <= before["nl"] and gaps <= before["case_file"]
    assert gaps <= {gap.item for gap in before["screen"].gaps}

    clock.advance(days=CONTACT_DAYS + 1)
    due = app.retention_due(case_id, as_of=clock.now, case_days=DAYS,
                            contact_days=CONTACT_DAYS)
    assert due is not None and due.contacts and not due.whole_case
    app.erase(due, actor="retention")
    after = completeness_seen(app, case_id, interview_id)
    row = after["row"]
    assert contact_items(row["missing"]) == set() == after["nl"] == after["case_file"]
    assert [m for m in before["row"]["missing"] if m["item"] not in gaps] == row["missing"]
    assert row["missing_count"] == len(row["missing"]) and row["erased_contacts"] == 1
    assert row["as_of"] == before["row"]["as_of"]  # the same day: no days added since
    assert row["score"] >= before["row"]["score"]  # what was recorded still counts
    assert after["listed"] == row["score"] and after["thin"] == [row["score"]]
    assert (after["screen"].score, [gap.to_json("en") for gap in after["screen"].gaps]) == (
        row["score"], row["missing"])
    # The history still has the contact, as the marker, and the erasure.
    assert [c.name for c in app.get_interview(interview_id).live_contacts] == [REMOVED]
    assert [e for e in app.case_history(case_id)
            if e["type"] == "Interview.PersonalDataErased"]
    erasures = [(e.kind, e.facts) for e in build_case_file(app, case_id, language="en").timeline
                if e.kind.startswith("erased")]
    assert erasures == [("erased_interview", {"index": False, "contacts": True})]
    # A contact named after a reopen is asked for as usual; the erased one still is not.
    app.reopen_interview(interview_id, "remembered one more", actor="anna")
    later = app.report_contact(interview_id, {"name": "Later Bekend"}, actor="anna")
    app.complete_interview(interview_id, actor="anna")
    reopened = completeness_seen(app, case_id, interview_id)["row"]
    assert {i.split(":")[1] for i in contact_items(reopened["missing"])} == {
        str(later.aggregate_id)}
    assert reopened["erased_contacts"] == 1
    # Followed along, then rebuilt: the same rows.
    runner = runner_for(app)
    followed = views_contents(runner.views_path, app.settings)
    rebuilder_for(app).rebuild()
    assert views_contents(runner.views_path, app.settings) == followed
    # A views.db of the layout before: the completeness read model is replayed into this one.
    conn = connect_file(runner.views_path, views_key(app.settings))
    try:
        conn.execute(f"ALTER TABLE {completeness.TABLE} DROP COLUMN erased_contacts")
        conn.commit()
    finally:
        conn.close()
    runner_for(app).catch_up()
    assert views_contents(runner.views_path, app.settings) == followed


@pytest.mark.parametrize("dry_run", [True, False])
def test_retention_run_reports_and_erases(app: BCOApplication, clock: Any,
                                          dry_run: bool) -> None:
    """The command judges against the real clock: the fixture's events lie in the past."""
    case_id, _ = run_case(app, clock, name="Xavierindex Cli", phone="0611110001",
                          contact_phone="0622220002")
    kept, _ = run_case(app, clock, name="Open Gebleven", phone="0611110009", close=False,
                       contact_phone="0622220002")
    env = {**app.settings.to_env(), "BCO_RETENTION_DAYS": "1",
           "BCO_CONTACT_RETENTION_DAYS": "1"}
    args = ["--as", "retention", "retention", "run", "--json", *(["--dry-run"] * dry_run)]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["dry_run"] is dry_run
    assert report["cases"] == 1 and report["contacts"] == 4
    assert report["contact_interviews"] == 2
    assert {e["case_id"] for e in report["erased"]} == {str(case_id), str(kept)}
    assert report["keys_destroyed"] == (0 if dry_run else 4)
    assert report["keys_due"] == 4
    name = app.get_case(case_id).person.name
    assert name == ("Xavierindex Cli" if dry_run else REMOVED)
    again = CliRunner().invoke(main, args[:-1] if dry_run else args, env=env)
    assert json.loads(again.stdout)["cases"] == (1 if dry_run else 0)


def store_rows(settings: Settings) -> dict[str, set[str]]:
    """Every row of every table of the event store (the SQLite file or the PostgreSQL
    schema), as text."""
    if settings.uses_postgres:
        with psycopg.connect(settings.database_url) as conn:
            tables = [name for (name,) in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                [settings.database_schema])]
            return {table: {row for (row,) in conn.execute(
                f'SELECT t::text FROM "{settings.database_schema}"."{table}" t')}
                for table in tables}
    conn = sqlite3.connect(settings.events_path)
    try:
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: {repr(row) for row in conn.execute(f'SELECT * FROM "{table}"')}
                for table in tables}
    finally:
        conn.close()


def test_retention_as_of_a_past_day_and_no_row_deleted(app: BCOApplication,
                                                       clock: Any) -> None:
    """Judged at the end of a past day: the contacts' time is up a day after the interview,
    the case's five days after closing. Only keys are blanked; every row stays."""
    case_id, interview_id = run_case(app, clock, name="Xavierindex Datum",
                                     phone="0611110001", contact_phone="0622220002")
    closed = clock.now.astimezone(app.settings.zone).date()
    env = {**app.settings.to_env(), "BCO_RETENTION_DAYS": "5",
           "BCO_CONTACT_RETENTION_DAYS": "1"}
    before = store_rows(app.settings)
    assert {"bco_case_keys", "bco_access_log"} <= before.keys()

    def run(day: date, *options: str) -> Any:
        return CliRunner().invoke(main, ["--as", "retention", "retention", "run", "--as-of",
                                         day.isoformat(), *options], env=env)

    assert json.loads(run(closed, "--json").stdout)["erased"] == []
    preview = run(closed + timedelta(days=4), "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert preview.stdout.startswith(
        "Would erase the personal data of 0 cases and the details of 2 contacts (in 1 "
        "interview), as of ") and "destroying 1 key. Nothing was changed" in preview.stdout
    assert app.get_case(case_id).person.name == "Xavierindex Datum"
    contacts = json.loads(run(closed + timedelta(days=4), "--json").stdout)
    assert (contacts["cases"], contacts["contacts"], contacts["keys_destroyed"]) == (0, 2, 1)
    assert app.get_case(case_id).person.name == "Xavierindex Datum"
    whole = run(closed + timedelta(days=5))
    assert whole.exit_code == 0, whole.output
    assert whole.stdout.startswith("Erased the personal data of 1 case and the details of 0 "
                                   "contacts (in 0 interviews), as of ")  # erased already
    assert "; 2 keys destroyed." in whole.stdout
    assert f"{case_reference(case_id)}: index" in whole.stdout
    assert app.get_case(case_id).person.name == REMOVED
    assert all(c.name == REMOVED for c in app.get_interview(interview_id).contacts.values())

    after = store_rows(app.settings)
    for table, rows in before.items():
        if table == "bco_case_keys":  # the rows stay, their keys blanked
            assert len(after[table]) == len(rows) and after[table] != rows
        elif table not in ("bco_counters", "bco_presence"):  # counters expire by design
            assert rows <= after[table], f"{table}: a row was changed or deleted"
    events = "bco_events" if app.settings.uses_postgres else "stored_events"
    assert len(after[events]) > len(before[events])  # the erasures were recorded


def test_retention_as_of_a_day_to_come_is_refused(settings: Settings, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["retention", "run", "--as-of", "2999-01-01"],
                                env=settings.to_env())
    assert result.exit_code == 2
    assert "--as-of" in result.output and "after today" in result.output


class StoredBeforeCaseKeys(BCOApplication):
    """BCO as it stored events before per-case keys: the library's mapper, nothing sealed."""

    name = BCOApplication.name

    def construct_mapper(self) -> Mapper[UUID]:
        return self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=Mapper)


def test_events_stored_before_case_keys_load_and_are_hidden_at_retention(
        settings: Settings, clock: Any) -> None:
    old = StoredBeforeCaseKeys(settings, clock=clock)
    try:
        case_id, interview_id = run_case(old, clock, name="Xavierindex Vroeger",
                                         phone="0611110001", contact_phone="0622220002")
    finally:
        old.close()
    app = BCOApplication(settings, clock=clock)
    try:
        assert app.get_case(case_id).person.name == "Xavierindex Vroeger"
        assert app.get_interview(interview_id).answers["known_case_details"] == (
            "Fluisterveld from work")
        clock.advance(days=DAYS + 1)
        due = app.retention_due(case_id, as_of=clock.now, case_days=DAYS,
                                contact_days=CONTACT_DAYS)
        assert due is not None
        done = app.erase(due, actor="retention")
        assert done.keys_destroyed == 0 and done.unkeyed == ("contacts", "index")
        runner_for(app).catch_up()
        assert leaks(repr(views_contents(app.settings.views_path, app.settings)),
                     INDEX_MARKS + CONTACT_MARKS) == []
    finally:
        app.close()
    fresh = BCOApplication(settings, clock=clock)
    try:
        assert fresh.get_case(case_id).person.name == REMOVED
        assert leaks(json.dumps(fresh.case_history(case_id)), INDEX_MARKS + CONTACT_MARKS) == []
        html = render_html(build_case_file(fresh, case_id, language="en"),
                           zone=settings.zone, phone_region="NL")
        assert leaks(html, INDEX_MARKS + CONTACT_MARKS) == []
    finally:
        fresh.close()


def test_two_runs_at_once_erase_once(app: BCOApplication, clock: Any) -> None:
    """Two nodes judging the same case: each finds it due, both erase; the keys go once and
    the erasure is recorded once, and neither run fails."""
    case_id, interview_id = run_case(app, clock, name="Xavierindex Twee", phone="0611110001",
                                     contact_phone="0622220002")
    other = BCOApplication(app.settings, clock=clock)
    try:
        clock.advance(days=DAYS + 1)
        here, there = (node.retention_due(case_id, as_of=clock.now, case_days=DAYS,
                                          contact_days=CONTACT_DAYS) for node in (app, other))
        assert here is not None and there is not None and here == there
        first = app.erase(here, actor="retention")
        second = other.erase(there, actor="retention")
        assert (first.keys_destroyed, second.keys_destroyed) == (3, 0)
        assert other.get_case(case_id).person.name == REMOVED
    finally:
        other.close()
    erasures = [event["type"] for event in app.case_history(case_id)
                if event["type"].endswith("PersonalDataErased")]
    assert len(erasures) == 2  # one on the case, one on its interview
    assert sorted(app.get_interview(interview_id).erased) == ["contacts", "index"]
