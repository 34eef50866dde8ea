"""A lost data directory reveals no identity: marker people go through intake, an interview,
search, every export, a case file, a rebuild and a backup, then every file (and, on
PostgreSQL, every table and the backup's dump) is searched for them in the spellings and
encodings they could take."""

from __future__ import annotations

import base64
import logging
import re
import stat
import subprocess
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from api_support import Api
from argon2 import PasswordHasher
from click.testing import CliRunner
from flask import Flask

from bco.application import BCOApplication
from bco.cli import main
from bco.config import Settings
from bco.domain.case import IndexPerson
from bco.projections import all_read_models
from bco.projections.rebuild import Rebuilder

INDEX = {"name": "Zorbaxia Quellenbrück", "phone": "06 87 65 43 21",
         "email": "zorbaxia.q@marker.example", "birth_date": date(1957, 9, 13),
         "postcode": "9988 XQ"}
CONTACT = {"name": "Yggvard Plimsollèt", "phone": "06 55 44 33 29",
           "email": "yggvard.p@marker.example"}
SPELLINGS = [
    # names, whole and in parts (a search key is kept per part, in lower case)
    "Zorbaxia", "Quellenbrück", "Quellenbr", "Yggvard", "Plimsollèt", "Plimsoll",
    # phones: as typed, digits only, E.164, national without the 0
    "06 87 65 43 21", "0687654321", "+31687654321", "31687654321", "687654321",
    "06 55 44 33 29", "0655443329", "+31655443329", "655443329",
    # e-mail, birth date, postcode
    "zorbaxia.q@marker.example", "yggvard.p@marker.example", "marker.example",
    "1957-09-13", "13-09-1957", "13-9-1957", "19570913", "13/09/1957",
    "9988 XQ", "9988XQ",
]


def encodings(text: str) -> set[bytes]:
    """The byte strings `text` could be stored as."""
    forms = {text, unicodedata.normalize("NFD", text), text.lower(), text.upper()}
    found: set[bytes] = set()
    for form in forms:
        for codec in ("utf-8", "utf-16-le", "utf-16-be", "latin-1"):
            try:
                found.add(form.encode(codec))
            except UnicodeEncodeError:
                continue
        found.add(form.encode("ascii", "backslashreplace"))  # Python's escapes
        found.add(form.encode("unicode_escape"))
        found.add(form.encode("ascii", "xmlcharrefreplace"))  # HTML/XML references
        found.add(quote(form).encode())  # in a URL
        found.add(base64.b64encode(form.encode()))  # whole, aligned
        found.add(form.encode("ascii", "backslashreplace").replace(b"\\x", b"\\u00"))  # JSON
    return {form for form in found if len(form) >= 6}


MARKERS = {spelling: encodings(spelling) for spelling in SPELLINGS}


def found_in(data: bytes) -> list[str]:
    lowered = data.lower()
    return [spelling for spelling, forms in MARKERS.items()
            if any(form in data or form.lower() in lowered for form in forms)]


@pytest.mark.slow
def test_no_identity_in_the_clear_on_disk(api: Api, bco_app: BCOApplication, flask_app: Flask,
                                         api_settings: Settings, clock: Any,
                                         caplog: pytest.LogCaptureFixture,
                                         capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    app = bco_app
    hashed = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("pass-word-1")
    app.add_user("tracer", role="tracer", team="north", password_hash=hashed, actor="admin")
    app.add_user("lead", role="team_lead", team="north", password_hash=hashed, actor="admin")
    onset = clock.now.date() - timedelta(days=2)
    case_id = app.register_case(person=IndexPerson(**INDEX), disease="covid-19", onset=onset,
                                actor="intake").aggregate_id
    app.assign_case(case_id, "tracer", "north", actor="lead")
    app.log_call_attempt(case_id, "reached", actor="tracer")
    interview_id = app.start_interview(case_id, actor="tracer").aggregate_id
    app.record_answer(interview_id, "household_size", 1, actor="tracer")
    contact_id = app.report_contact(interview_id, {
        **CONTACT, "household": True, "relation": "partner", "facts": {},
        "day": onset, "setting": "home", "informs": "authority"}, actor="tracer").aggregate_id
    app.pause_interview(interview_id, f"Call {CONTACT['name']} back", actor="tracer")
    app.resume_interview(interview_id, actor="tracer")
    app.record_answer(interview_id, "who_informs", "authority", actor="tracer")
    app.complete_interview(interview_id, actor="tracer")
    app.log_inform_outcome(interview_id, contact_id, "informed", actor="authority")
    api.project()

    # The tracer finds the case by name, phone and birth date, and opens it.
    flask_app.config.update(WTF_CSRF_ENABLED=False)
    tracer = flask_app.test_client()
    assert tracer.post("/signin", data={"name": "tracer", "password": "pass-word-1"}
                       ).status_code == 302
    for term in ("Quellen", "06 87654321", "13-9-1957"):
        page = tracer.post("/search", data={"term": term}, follow_redirects=True)
        assert page.status_code == 200
        assert "Zorbaxia Quellenbrück" in page.get_data(as_text=True), term
    assert tracer.get(f"/cases/{case_id}").status_code == 200
    assert tracer.get(f"/interviews/{interview_id}").status_code == 200

    # The authority reads and exports everything, in every format, plain and pseudonymised.
    assert api.get(f"/api/cases/{case_id}").status_code == 200
    pdf = api.get(f"/api/cases/{case_id}/casefile.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    for stream in ("cases", "contacts"):
        for fmt in ("ndjson", "csv", "fhir"):
            for pseudonymised in ("false", "true"):
                answer = api.get(f"/api/exports/{stream}?format={fmt}"
                                 f"&pseudonymised={pseudonymised}")
                assert answer.status_code == 200, answer.get_data(as_text=True)
                assert answer.get_data()  # read to the end, which ends its read transaction
                answer.close()
    answer = api.get("/api/exports/contacts?format=ndjson")
    plain = answer.get_data(as_text=True)
    answer.close()
    assert "Yggvard Plimsollèt" in plain  # the markers do reach those allowed to read them

    # A full rebuild, shared with a helper process (part files beside views.db).
    runner = flask_app.extensions["bco_runner"]
    Rebuilder(runner, made_by=all_read_models).rebuild(processes=2)
    with runner.reading() as db:
        assert db.execute("SELECT count(*) FROM people_contacts").fetchone()[0] == 1
    flask_app.extensions["bco_runner"].stop()
    app.close()
    # A backup, kept in the data directory here so the search below covers it too.
    backup = api_settings.data_dir / "backups" / "today"
    made = CliRunner().invoke(main, ["backup", str(backup)], env=api_settings.to_env())
    assert made.exit_code == 0, made.output

    where: dict[str, list[str]] = {}
    files = [path for path in Path(api_settings.data_dir).rglob("*") if path.is_file()]
    names = {path.name for path in files}
    assert "views.db" in names and (api_settings.uses_postgres or "events.db" in names)
    assert backup / "manifest.json" in files
    # ... and none of it is readable by other users of the machine.
    assert {str(path): oct(stat.S_IMODE(path.stat().st_mode)) for path in files
            if stat.S_IMODE(path.stat().st_mode) != 0o600} == {}
    assert {str(path): oct(stat.S_IMODE(path.stat().st_mode))
            for path in [api_settings.data_dir, *Path(api_settings.data_dir).rglob("*")]
            if path.is_dir() and stat.S_IMODE(path.stat().st_mode) != 0o700} == {}
    for path in files:
        hits = found_in(path.read_bytes())
        if hits:
            where[str(path.relative_to(api_settings.data_dir))] = hits
    logged = caplog.text + "".join(capfd.readouterr())
    if found_in(logged.encode()):
        where["logs"] = found_in(logged.encode())
    if api_settings.uses_postgres:
        where.update(_postgres_hits(api_settings))
        # pg_dump's custom format is compressed: search the SQL it restores to, bytes decoded.
        script = subprocess.run(["pg_restore", "--file=-", str(backup / "events.pgdump")],
                                check=True, capture_output=True, text=True).stdout
        assert "COPY" in script and "bco_case_keys" in script
        if found_in(_with_bytes(script)):
            where["backups/today/events.pgdump"] = found_in(_with_bytes(script))
    assert where == {}


def _with_bytes(text: str) -> bytes:
    """The text, and the bytes of every bytea in it (shown as backslash, x, hex) decoded, so
    stored bytes are searched as bytes."""
    return text.encode() + b"".join(
        bytes.fromhex(digits[: len(digits) - len(digits) % 2])
        for digits in re.findall(r"\\x([0-9a-f]+)", text))


def _postgres_hits(settings: Settings) -> dict[str, list[str]]:
    """Every table of the schema as text, row by row."""
    hits: dict[str, list[str]] = {}
    with psycopg.connect(settings.database_url) as conn:
        tables = [name for (name,) in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            [settings.database_schema])]
        assert tables, "the event store made no tables"
        for table in tables:
            rows = conn.execute(
                f'SELECT t::text FROM "{settings.database_schema}"."{table}" t').fetchall()
            found = found_in(_with_bytes("\n".join(row for (row,) in rows)))
            if found:
                hits[f"postgres:{table}"] = found
    return hits
