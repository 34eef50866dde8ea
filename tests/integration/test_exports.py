"""Exports as an authority pulls them: every format, incremental pulls, pseudonyms, bad cursors."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.cryptography import AESCipher
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.relatedperson import RelatedPerson

from bco.application import BCOApplication
from bco.config import Settings
from bco.domain.case import IndexPerson
from bco.projections import runner_for
from bco.projections.rebuild import Rebuilder
from bco.reports.exports import (
    FORMATS,
    CursorError,
    Export,
    encode_cursor,
    export_cases,
    export_contacts,
)
from benchmarks.exports import fill_export_views


def register(app: BCOApplication, number: int, **person: Any) -> UUID:
    details: dict[str, Any] = {"name": f"Index {number}", "phone": f"06 1234{number:04d}",
                               "birth_date": date(1980, 1, 1) + timedelta(days=number),
                               "email": f"index{number}@example.org", "postcode": "1234 AB"}
    details.update(person)
    recorded = app.register_case(
        person=IndexPerson(**details), disease=app.catalog.known_diseases[0],
        onset=app.clock().date() - timedelta(days=2), actor="lead")
    return recorded.aggregate_id


def with_contacts(app: BCOApplication, case_id: UUID, names: list[str]) -> list[UUID]:
    app.assign_case(case_id, "anna", "north", actor="lead")
    app.log_call_attempt(case_id, "reached", actor="anna")
    interview_id = app.start_interview(case_id, actor="anna").aggregate_id
    app.record_answer(interview_id, "household_size", 2, actor="anna")
    contacts = []
    for number, name in enumerate(names):
        contacts.append(app.report_contact(interview_id, {
            "name": name, "phone": f"06 3123{number:04d}", "household": number == 0,
            "prompt": "household" if number == 0 else None, "facts": {},
            "day": app.clock().date() - timedelta(days=1), "setting": "home",
            "informs": "authority"}, actor="anna").aggregate_id)
    return contacts


def text_of(export: Export) -> str:
    return b"".join(export.chunks).decode("utf-8")


def ndjson(export: Export) -> tuple[list[dict[str, Any]], str]:
    lines = [json.loads(line) for line in text_of(export).splitlines()]
    assert lines[-1] == {"cursor": export.cursor}
    return lines[:-1], export.cursor


def test_cases_and_contacts_in_every_format(app: BCOApplication, settings: Settings) -> None:
    first = register(app, 1)
    contact_ids = with_contacts(app, first, ["Piet Bakker", "=HYPERLINK(\"x\")"])
    register(app, 2, email=None, birth_date=None)
    runner_for(app).catch_up()

    cases, _ = ndjson(export_cases(settings, fmt="ndjson", since=None, pseudonymised=False))
    assert [c["case_id"] for c in cases] == [str(first), cases[1]["case_id"]]
    assert cases[0]["name"] == "Index 1" and cases[0]["phone"] == "+31612340001"
    assert cases[0]["status"] == "in_progress" and cases[0]["contacts_reported"] == 2
    assert cases[0]["answers"] == {"household_size": 2}
    assert cases[1]["email"] is None and cases[1]["birth_date"] is None

    contacts, _ = ndjson(export_contacts(settings, fmt="ndjson", since=None,
                                         pseudonymised=False))
    assert [c["contact_id"] for c in contacts] == [str(c) for c in contact_ids]
    assert contacts[0]["household"] is True and contacts[0]["name"] == "Piet Bakker"

    table = export_contacts(settings, fmt="csv", since=None, pseudonymised=False)
    body = text_of(table)
    assert body.startswith("\ufeff") and table.media_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body[1:])))
    assert rows[1]["name"] == "'=HYPERLINK(\"x\")"

    bundle = json.loads(text_of(export_cases(settings, fmt="fhir", since=None,
                                             pseudonymised=False)))
    assert bundle["resourceType"] == "Bundle" and len(bundle["entry"]) == 4


def test_a_pull_with_the_cursor_gets_exactly_what_changed(app: BCOApplication,
                                                          settings: Settings) -> None:
    ids = [register(app, number) for number in range(6)]
    runner = runner_for(app)
    runner.catch_up()
    everything, cursor = ndjson(export_cases(settings, fmt="ndjson", since=None,
                                             pseudonymised=False))
    assert len(everything) == 6
    nothing, same = ndjson(export_cases(settings, fmt="ndjson", since=cursor,
                                        pseudonymised=False))
    assert nothing == [] and same == cursor

    app.assign_case(ids[4], "anna", actor="lead")
    app.correct_case_details(ids[1], {"name": "Index Een"}, actor="lead")
    runner.catch_up()
    changed, _ = ndjson(export_cases(settings, fmt="ndjson", since=cursor,
                                     pseudonymised=False))
    assert sorted(c["case_id"] for c in changed) == sorted([str(ids[1]), str(ids[4])])
    assert {c["case_id"]: c["name"] for c in changed}[str(ids[1])] == "Index Een"


@pytest.mark.parametrize("since", ["", "nonsense", "Y2FzZXM6LTE", encode_cursor("contacts", 3),
                                   encode_cursor("cases", 3) + "="])
def test_a_malformed_cursor_is_refused(app: BCOApplication, settings: Settings,
                                       since: str) -> None:
    runner_for(app).catch_up()
    with pytest.raises(CursorError, match="since"):
        export_cases(settings, fmt="ndjson", since=since, pseudonymised=False)


def test_every_format_is_offered() -> None:
    assert FORMATS == ("ndjson", "csv", "fhir")


IDENTIFIERS = ("Jolanda", "Zwart", "Kwiek", "+31648765432", "0648765432", "jolanda@",
               "zwart.example", "9876", "ZZ", "1971-05-06", "+31647654321")


def test_pseudonymised_exports_name_nobody_and_stay_stable(
        app: BCOApplication, settings: Settings) -> None:
    case_id = register(app, 5, name="Jolanda Zwart", phone="06 48765432",
                       email="jolanda@zwart.example", postcode="9876 ZZ",
                       birth_date=date(1971, 5, 6))
    interview_id = app.start_interview(case_id, actor="anna").aggregate_id
    app.report_contact(interview_id, {"name": "Kwiek", "phone": "06 47654321",
                                      "email": "Jolanda@zwart.example", "facts": {}},
                       actor="anna")
    register(app, 6, name="Kwiek", phone="06 47654321")  # the contact, later a case
    runner_for(app).catch_up()

    pulls = []
    for _ in range(2):
        for export in (export_cases, export_contacts):
            for fmt in FORMATS:
                text = text_of(export(settings, fmt=fmt, since=None, pseudonymised=True))
                assert not [word for word in IDENTIFIERS if word in text], (export, fmt)
                pulls.append(re.sub(r'"timestamp":"[^"]*"', "", text))  # FHIR's export time
    assert pulls[:6] == pulls[6:]
    cases, _ = ndjson(export_cases(settings, fmt="ndjson", since=None, pseudonymised=True))
    contacts, _ = ndjson(export_contacts(settings, fmt="ndjson", since=None,
                                         pseudonymised=True))
    assert cases[0]["birth_year"] == 1971 and "birth_date" not in cases[0]
    assert {"name", "phone", "email", "postcode"}.isdisjoint(cases[0])
    assert len(cases[0]["name_pseudonym"]) == 32
    assert contacts[0]["phone_pseudonym"] == cases[1]["phone_pseudonym"]
    assert contacts[0]["name_pseudonym"] == cases[1]["name_pseudonym"]
    assert contacts[0]["email_pseudonym"] == cases[0]["email_pseudonym"]  # case ignored
    assert settings.pseudonym_key_file.stat().st_mode & 0o777 == 0o600
    for export, models in ((export_cases, (Patient, Condition)), (export_contacts,
                                                                   (RelatedPerson,))):
        bundle = json.loads(text_of(export(settings, fmt="fhir", since=None,
                                           pseudonymised=True)))
        for entry in bundle["entry"]:
            resource = entry["resource"]
            next(m for m in models if m.__name__ == resource["resourceType"]).model_validate(
                resource)
            if resource["resourceType"] == "Patient":
                assert resource["birthDate"] in ("1971", "1980")  # years only
                assert resource["communication"][0]["language"]["coding"][0]["code"] in (
                    "nl", "en")
                assert {i["system"] for i in resource["identifier"]} >= {
                    "urn:bco:case-id", "urn:bco:pseudonym:name", "urn:bco:pseudonym:phone"}


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])  # the domain strips leading blanks
def test_csv_cells_that_a_spreadsheet_would_run_are_defused(
        app: BCOApplication, settings: Settings, start: str) -> None:
    case_id = register(app, 7)
    interview_id = app.start_interview(case_id, actor="anna").aggregate_id
    risky = f"{start}cmd|' /C calc'!A0"
    app.report_contact(interview_id, {"name": risky, "relation": risky, "facts": {}},
                       actor="anna")
    runner_for(app).catch_up()
    body = text_of(export_contacts(settings, fmt="csv", since=None, pseudonymised=False))
    row = next(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))
    assert row["name"] == row["relation"] == "'" + risky
    cases = text_of(export_cases(settings, fmt="csv", since=None, pseudonymised=False))
    assert next(csv.DictReader(io.StringIO(cases[1:])))["phone"] == "'+31612340007"


def test_the_benchmark_fill_gives_views_the_exports_read(tmp_path: Path) -> None:
    chosen = Settings(data_dir=tmp_path, pseudonym_key_file=tmp_path / "pseudonym.key",
                      cipher_key=AESCipher.create_key(16))  # views.db is keyed from it
    fill_export_views(chosen, 40)
    fill_export_views(chosen, 10, first=40)
    cases, cursor = ndjson(export_cases(chosen, fmt="ndjson", since=None, pseudonymised=False))
    contacts, _ = ndjson(export_contacts(chosen, fmt="ndjson", since=None, pseudonymised=False))
    assert len(cases) == 50 and len({c["case_id"] for c in cases}) == 50
    assert len(contacts) == 150 and {c["name"] for c in contacts} >= {"Contact 0 49"}
    assert cases[7]["status"] == "interviewed" and cases[7]["contacts_reported"] == 3
    assert cases[7]["name"] == "Sanne de Vries 7" and len(cases[7]["answers"]) >= 2
    assert export_cases(chosen, fmt="csv", since=cursor, pseudonymised=True).cursor == cursor


def test_a_contact_s_new_name_leaves_its_case_where_it_was(app: BCOApplication,
                                                           settings: Settings) -> None:
    """The case's counts stay the same, so an export client does not pull it again: whether
    the contact's two events were read in one batch (a rebuild) or in two (following along)."""
    case_id = register(app, 0)
    [contact_id] = with_contacts(app, case_id, ["Piet Bakker"])
    runner = runner_for(app)
    runner.catch_up()
    _, cursor = ndjson(export_cases(settings, fmt="ndjson", since=None, pseudonymised=False))
    interview_id = app.get_case(case_id).interview_id
    assert interview_id is not None
    app.update_contact(interview_id, contact_id, {"name": "Piet Bakker-Smit"}, actor="anna")
    runner.catch_up()
    changed, _ = ndjson(export_cases(settings, fmt="ndjson", since=cursor, pseudonymised=False))
    assert changed == []
    with runner.reading() as db:
        followed = sorted(db.execute("SELECT case_id, position FROM exports_cases"))
    Rebuilder(runner).rebuild(only="exports")
    with runner.reading() as db:
        assert sorted(db.execute("SELECT case_id, position FROM exports_cases")) == followed
