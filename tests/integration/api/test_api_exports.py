"""Exports over HTTP: streamed, the cursor in a header, incremental pulls, pseudonyms."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from api_support import Api

from bco.reports.exports import export_cases


def ndjson(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def test_ndjson_over_http_is_the_export_with_its_cursor_in_a_header(api: Api) -> None:
    cases = [api.register(name=f"Index {n}") for n in range(3)]
    api.interview(cases[0], ["Karin Oosterhuis", "Piet Jansen"])
    api.project()
    answer = api.get("/api/exports/cases?format=ndjson")
    assert answer.status_code == 200 and answer.mimetype == "application/x-ndjson"
    assert answer.is_streamed
    lines = ndjson(answer.get_data(as_text=True))
    cursor = answer.headers["BCO-Export-Cursor"]
    assert lines[-1] == {"cursor": cursor}
    assert sorted(line["case_id"] for line in lines[:-1]) == sorted(map(str, cases))
    direct = export_cases(api.flask_app.extensions["bco_settings"], fmt="ndjson", since=None,
                          pseudonymised=False)
    assert ndjson(b"".join(direct.chunks).decode())[:-1] == lines[:-1]
    contacts = ndjson(api.get("/api/exports/contacts").get_data(as_text=True))
    assert sorted(c["name"] for c in contacts[:-1]) == ["Karin Oosterhuis", "Piet Jansen"]


def test_a_pull_with_the_cursor_gets_exactly_what_changed(api: Api) -> None:
    cases = [api.register() for _ in range(4)]
    api.project()
    cursor = api.get("/api/exports/cases").headers["BCO-Export-Cursor"]
    api.app.assign_case(cases[1], "tracer", "north", actor="lead")
    api.app.log_call_attempt(cases[3], "no_answer", actor="tracer")
    api.project()
    answer = api.get(f"/api/exports/cases?since={cursor}")
    changed = ndjson(answer.get_data(as_text=True))[:-1]
    assert sorted(c["case_id"] for c in changed) == sorted([str(cases[1]), str(cases[3])])
    again = api.get(f"/api/exports/cases?since={answer.headers['BCO-Export-Cursor']}")
    assert ndjson(again.get_data(as_text=True))[:-1] == []


def test_csv_and_fhir_and_pseudonyms(api: Api) -> None:
    api.interview(api.register(name="Sanne de Vries"), ["Karin Oosterhuis"])
    api.project()
    answer = api.get("/api/exports/contacts?format=csv")
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = answer.data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["name"] for row in rows] == ["Karin Oosterhuis"]
    assert answer.headers["BCO-Export-Cursor"]
    bundle = api.get("/api/exports/cases?format=fhir").json
    assert bundle["resourceType"] == "Bundle"
    hidden = api.get("/api/exports/cases?pseudonymised=true").get_data(as_text=True)
    assert "Sanne" not in hidden and "+3161234" not in hidden and "name_pseudonym" in hidden


def test_an_export_is_logged_with_the_records_it_sent_even_when_the_client_leaves(
        api: Api) -> None:
    for n in range(3):
        api.register(name=f"Index {n}")
    api.interview(api.register(name="Index 3"), ["Karin Oosterhuis", "Piet Jansen"])
    api.project()
    log = api.app.access_log
    api.get("/api/exports/contacts?format=csv&pseudonymised=true").get_data()
    [contacts] = log.entries()
    assert (contacts.account, contacts.action, contacts.records, contacts.case_id) == (
        "ggd-export", "export-contacts", 2, None)
    assert contacts.detail == "csv, pseudonymised, everything"
    leaving = api.client.get("/api/exports/cases?format=ndjson", buffered=False,
                             headers={"Authorization": f"Bearer {api.token}"})
    first = next(iter(leaving.response))
    assert b"case_id" in first and log.entries()[-1].action == "export-contacts"
    leaving.close()  # the client goes away after the first chunk
    last = log.entries()[-1]
    assert (last.action, last.records, last.detail) == ("export-cases", 4,
                                                        "ndjson, personal, everything")
