"""A case past retention on screen: the marker in the reader's language where the index's and
the contacts' details were, and nothing that identifies them."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from web_support import Cases, sign_in

from bco.application import BCOApplication

NAME = "Ximena Bewaartermijn"
CONTACT = "Yvo Contactpersoon"


def test_an_erased_case_shows_the_marker_in_the_readers_language(
        bco_app: BCOApplication, web: Flask, cases: Cases, clock: Any) -> None:
    case_id = cases.register(name=NAME, phone="06 11112222")
    cases.assign(case_id, "tracer")
    interview_id = bco_app.start_interview(case_id, actor="tracer", reached=True).aggregate_id
    bco_app.report_contact(interview_id, {"name": CONTACT, "phone": "06 33334444",
                                          "day": date(2026, 11, 24)}, actor="tracer")
    bco_app.complete_interview(interview_id, actor="tracer")
    bco_app.close_case(case_id, "done", actor="tracer")
    clock.advance(days=400)
    due = bco_app.retention_due(case_id, as_of=clock.now, case_days=180, contact_days=28)
    assert due is not None
    bco_app.erase(due, actor="retention")
    cases.project()

    for language, marker in (("nl", "verwijderd na afloop van de bewaartermijn"),
                             ("en", "removed after retention")):
        lead = sign_in(web, "lead")
        lead.post("/language", data={"language": language})
        page = lead.get(f"/cases/{case_id}").get_data(as_text=True)
        assert marker in page
        for identifier in (NAME, "Ximena", "11112222", "1980", CONTACT):
            assert identifier not in page, identifier
