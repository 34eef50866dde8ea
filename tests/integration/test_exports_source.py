"""An export of thousands of cases, compared row by row with the aggregates it comes from."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.relatedperson import RelatedPerson

from bco.application import BCOApplication
from bco.config import Settings
from bco.domain.case import IndexPerson
from bco.projections import runner_for
from bco.projections.readmodel import utc_text
from bco.reports import fhir
from bco.reports.exports import Export, export_cases, export_contacts

CASES = 2000
WITH_INTERVIEW = 20  # every 20th case is interviewed, with three contacts


@pytest.fixture
def filled(app: BCOApplication) -> dict[UUID, UUID | None]:
    """Cases in several states; case id → interview id (None without an interview)."""
    today = app.clock().date()
    cases: dict[UUID, UUID | None] = {}
    for number in range(CASES):
        case_id = app.register_case(
            person=IndexPerson(name=f"Index {number}", phone=f"06 2{number:07d}",
                               birth_date=date(1950, 1, 1) + timedelta(days=number * 9),
                               email=None if number % 3 else f"i{number}@example.org",
                               postcode=None if number % 5 else "1234 AB"),
            disease=app.catalog.known_diseases[0],
            onset=today - timedelta(days=2) if number % 2 else None,
            test_date=None if number % 2 else today - timedelta(days=1), actor="lead",
        ).aggregate_id
        cases[case_id] = None
        if number % 4 == 1:
            app.assign_case(case_id, "anna", "north", actor="lead")
        if number % 7 == 3:
            app.log_call_attempt(case_id, "no_answer", actor="anna")
        if number % WITH_INTERVIEW == 0:
            cases[case_id] = interview(app, case_id, number)
    runner_for(app).catch_up()
    return cases


def interview(app: BCOApplication, case_id: UUID, number: int) -> UUID:
    app.log_call_attempt(case_id, "reached", actor="anna")
    interview_id = app.start_interview(case_id, actor="anna").aggregate_id
    contact_ids = [app.report_contact(interview_id, {
        "name": f"Contact {number}-{n}", "phone": f"06 3{number:05d}{n:02d}",
        "household": n == 0, "facts": {}, "day": app.clock().date() - timedelta(days=1),
        "setting": "home" if n == 0 else "work", "informs": "authority"},
        actor="anna").aggregate_id for n in range(3)]
    app.remove_contact(interview_id, contact_ids[2], "named twice", actor="anna")
    app.complete_interview(interview_id, actor="anna")
    app.log_inform_outcome(interview_id, contact_ids[0], "informed", actor="authority")
    return interview_id


def lines(export: Export) -> list[dict[str, Any]]:
    found = [json.loads(line) for line in b"".join(export.chunks).decode().splitlines()]
    assert found[-1] == {"cursor": export.cursor}
    return found[:-1]


def test_an_export_of_thousands_of_cases_matches_its_source(
        app: BCOApplication, settings: Settings, filled: dict[UUID, UUID | None]) -> None:
    """One filled store per backend, checked three ways (filling it is most of the time)."""
    check_against_aggregates(app, settings, filled)
    check_csv_and_fhir_carry_the_same_rows(settings)
    check_contacts_as_fhir_related_persons(settings, filled)


def check_against_aggregates(app: BCOApplication, settings: Settings,
                             filled: dict[UUID, UUID | None]) -> None:
    cases = lines(export_cases(settings, fmt="ndjson", since=None, pseudonymised=False))
    assert sorted(c["case_id"] for c in cases) == sorted(str(c) for c in filled)
    expected_contacts: dict[str, Any] = {}
    for record in cases:
        case = app.get_case(UUID(record["case_id"]))
        interview_id = filled[case.id]
        live = []
        if interview_id is not None:
            contacts = app.get_interview(interview_id).contacts.values()
            expected_contacts.update({str(c.contact_id): c for c in contacts})
            live = [c for c in contacts if not c.removed]
        assert record == record | {
            "status": case.status.value, "disease": case.disease,
            "onset_date": case.onset and case.onset.isoformat(),
            "test_date": case.test_date and case.test_date.isoformat(),
            "received_at": utc_text(case.received_at), "tracer": case.tracer,
            "team": case.team, "call_attempts": len(case.call_attempts),
            "name": case.person.name, "phone": case.person.phone,
            "email": case.person.email, "postcode": case.person.postcode,
            "birth_date": case.person.birth_date and case.person.birth_date.isoformat(),
            "contacts_reported": len(live),
            "contacts_informed": sum(c.inform_outcome == "informed" for c in live),
            "interview_id": interview_id and str(interview_id),
        }, record["case_id"]

    contacts = lines(export_contacts(settings, fmt="ndjson", since=None,
                                     pseudonymised=False))
    assert sorted(c["contact_id"] for c in contacts) == sorted(expected_contacts)
    for record in contacts:
        contact = expected_contacts[record["contact_id"]]
        assert record == record | {
            "removed": contact.removed, "household": contact.household,
            "day": contact.day.isoformat(), "setting": contact.setting,
            "informs": contact.informs, "inform_outcome": contact.inform_outcome,
            "name": None if contact.removed else contact.name,
            "phone": None if contact.removed else contact.phone,
        }, record["contact_id"]


def check_csv_and_fhir_carry_the_same_rows(settings: Settings) -> None:
    cases = lines(export_cases(settings, fmt="ndjson", since=None, pseudonymised=False))
    body = b"".join(export_cases(settings, fmt="csv", since=None,
                                 pseudonymised=False).chunks).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == len(cases)
    for row, record in zip(rows, cases, strict=True):
        assert row.keys() == record.keys()
        assert row["case_id"] == record["case_id"] and row["name"] == record["name"]
        assert row["contacts_reported"] == str(record["contacts_reported"])

    bundle = json.loads(b"".join(export_cases(settings, fmt="fhir", since=None,
                                              pseudonymised=False).chunks))
    Bundle.model_validate({**bundle, "entry": []})
    patients = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"]
                == "Patient"]
    assert [p["id"] for p in patients] == [c["case_id"] for c in cases]
    for entry in bundle["entry"]:
        resource = entry["resource"]
        model = Patient if resource["resourceType"] == "Patient" else Condition
        model.model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
    conditions = [e["resource"] for e in bundle["entry"]
                  if e["resource"]["resourceType"] == "Condition"]
    assert {c["verificationStatus"]["coding"][0]["code"] for c in conditions} == {"confirmed"}
    assert {c["verificationStatus"]["coding"][0]["system"] for c in conditions} == {
        fhir.VERIFICATION}
    assert {c["subject"]["reference"] for c in conditions} == {
        f"urn:uuid:{p['id']}" for p in patients}


def check_contacts_as_fhir_related_persons(settings: Settings,
                                           filled: dict[UUID, UUID | None]) -> None:
    bundle = json.loads(b"".join(export_contacts(settings, fmt="fhir", since=None,
                                                 pseudonymised=False).chunks))
    resources = [entry["resource"] for entry in bundle["entry"]]
    assert len(resources) == 3 * len([i for i in filled.values() if i])
    for resource in resources:
        RelatedPerson.model_validate(resource)
        codes = [(c["system"], c["code"]) for r in resource.get("relationship", [])
                 for c in r.get("coding", [])]
        assert set(codes) <= {(fhir.ROLE_CODE, "HHMEMB")}
        assert resource["patient"]["reference"].removeprefix("Patient/") in {
            str(c) for c in filled}
    assert sum(not r["active"] for r in resources) == len(resources) // 3
