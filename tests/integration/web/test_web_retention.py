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
        for path in (f"/cases/{case_id}", f"/interviews/{interview_id}"):
            page = lead.get(path).get_data(as_text=True)
            assert marker in page, path
            assert 'href="tel:' not in page, path  # the marker is no number to dial
            for identifier in (NAME, "Ximena", "11112222", "1980", CONTACT):
                assert identifier not in page, (path, identifier)
            if language == "nl":  # in sentences too ("Contact <name>: …"), never in English
                assert "removed after retention" not in page, path


def test_an_erased_contact_in_a_reopened_interview_is_shown_not_edited(
        bco_app: BCOApplication, web: Flask, cases: Cases, clock: Any) -> None:
    """The contacts' time ran out before the case's; the interview is reopened for one more
    person. The erased contact's card cannot be edited (its fields would save the marker as a
    name), and a save sent anyway is refused with why; the new contact is edited as usual."""
    case_id = cases.register(name=NAME, phone="06 11112222")
    cases.assign(case_id, "tracer")
    interview_id = bco_app.start_interview(case_id, actor="tracer", reached=True).aggregate_id
    gone = bco_app.report_contact(interview_id, {"name": CONTACT, "phone": "06 33334444"},
                                  actor="tracer").aggregate_id
    bco_app.complete_interview(interview_id, actor="tracer")
    clock.advance(days=40)
    due = bco_app.retention_due(case_id, as_of=clock.now, case_days=180, contact_days=28)
    assert due is not None and due.contacts and not due.whole_case
    bco_app.erase(due, actor="retention")
    bco_app.reopen_interview(interview_id, "one more person", actor="tracer")
    new = bco_app.report_contact(interview_id, {"name": "Nieuwe Naam"},
                                 actor="tracer").aggregate_id
    cases.project()
    tracer = sign_in(web, "tracer")
    tracer.post("/language", data={"language": "nl"})
    page = tracer.get(f"/interviews/{interview_id}").get_data(as_text=True)
    assert f'id="c-{gone}-name" name="name" value="verwijderd na afloop van de bewaartermijn" ' \
           "required disabled" in page
    assert f'id="c-{new}-name" name="name" value="Nieuwe Naam" required>' in page
    # Only the new contact has items to fill: nobody can ask for what the erased one lacks.
    to_fill = page.split('class="contacts-to-fill"', 1)[1].split("</ul>", 1)[0]
    assert f'href="#step-contact-{new}"' in to_fill and "Nieuwe Naam: nog" in to_fill
    assert f"c-{gone}" not in to_fill and "bewaartermijn" not in to_fill
    version = bco_app.get_interview(interview_id).version
    refused = tracer.post(f"/interviews/{interview_id}/contacts/{gone}",
                          data={"name": "verwijderd na afloop van de bewaartermijn",
                                "day": "2026-11-24"},
                          headers={"Accept": "application/json"})
    assert refused.status_code in (409, 422), refused.get_data(as_text=True)
    assert "bewaartermijn" in refused.get_json()["message"]
    assert bco_app.get_interview(interview_id).version == version  # nothing written
