"""The case page's "same person?" card: a contact who became a case is proposed, linked by the
tracer, and shown on both case pages; "not the same person" needs a reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from uuid import UUID

from flask.testing import FlaskClient
from web_support import Cases

from bco.application import BCOApplication
from bco.domain.case import IndexPerson


def chain(cases: Cases, app: BCOApplication) -> tuple[UUID, UUID, UUID]:
    """Case `source` named Karin as a contact; Karin then became case `new` (tracer's).
    The tracer reads English here; the Dutch words are checked in their own test."""
    app.change_language("tracer", "en", actor="tracer")
    source = cases.register(name="Index Persoon", phone="06 12345678")
    cases.assign(source, "tracer")
    interview_id = app.start_interview(source, actor="tracer").aggregate_id
    contact_id = app.report_contact(interview_id, {
        "name": "Karin Oosterhuis", "phone": "06 47658312",
        "day": cases.clock.now.date() - timedelta(days=1), "household": True, "facts": {}},
        actor="tracer").aggregate_id
    new = cases.register(name="Karin Oosterhuis", phone="+31 6 47658312")
    cases.assign(new, "tracer")
    cases.project()
    return source, new, contact_id


def test_a_contact_who_became_a_case_is_proposed_linked_and_shown_on_both(
        cases: Cases, bco_app: BCOApplication,
        client_for: Callable[[str], FlaskClient]) -> None:
    source, new, contact_id = chain(cases, bco_app)
    client = client_for("tracer")
    page = client.get(f"/cases/{new}").get_data(as_text=True)
    assert "Possibly the contact named in case" in page and f"C-{str(source)[:8]}" in page
    assert "the same phone number" in page and "Index Persoon" not in page
    answer = client.post(f"/cases/{new}/matches", data={
        "other_case_id": str(source), "contact_id": str(contact_id), "decision": "same"})
    assert answer.status_code == 302
    page = client.get(f"/cases/{new}").get_data(as_text=True)
    assert "Linked: named as a contact in case" in page and "Same person: link" not in page
    source_page = client.get(f"/cases/{source}").get_data(as_text=True)
    assert "Contact Karin Oosterhuis became case" in source_page
    assert f"C-{str(new)[:8]}" in source_page
    assert [e["type"] for e in bco_app.case_history(new)][-1] == "Case.MatchDecided"


def test_not_the_same_person_needs_a_reason(cases: Cases, bco_app: BCOApplication,
                                            client_for: Callable[[str], FlaskClient]) -> None:
    source, new, contact_id = chain(cases, bco_app)
    client = client_for("tracer")
    before = bco_app.store_position()
    client.post(f"/cases/{new}/matches", data={
        "other_case_id": str(source), "contact_id": str(contact_id), "decision": "different",
        "reason": ""})
    assert bco_app.store_position() == before
    page = client.get(f"/cases/{new}").get_data(as_text=True)
    assert "Say why this is not the same person" in page
    client.post(f"/cases/{new}/matches", data={
        "other_case_id": str(source), "contact_id": str(contact_id), "decision": "different",
        "reason": "Another Karin, other date of birth"})
    page = client.get(f"/cases/{new}").get_data(as_text=True)
    assert "Not the same person as in case" in page
    assert "Contact Karin Oosterhuis became case" not in client.get(
        f"/cases/{source}").get_data(as_text=True)


def test_only_who_works_the_case_decides(cases: Cases, bco_app: BCOApplication,
                                         client_for: Callable[[str], FlaskClient]) -> None:
    source, new, contact_id = chain(cases, bco_app)
    before = bco_app.store_position()
    answer = client_for("tracer2").post(f"/cases/{new}/matches", data={
        "other_case_id": str(source), "contact_id": str(contact_id), "decision": "same"})
    assert answer.status_code in (302, 403) and bco_app.store_position() == before
    assert client_for("authority").post(f"/cases/{new}/matches", data={
        "other_case_id": str(source), "decision": "same"}).status_code == 403


def test_the_card_speaks_dutch(cases: Cases, bco_app: BCOApplication,
                               client_for: Callable[[str], FlaskClient]) -> None:
    source, new, _ = chain(cases, bco_app)
    bco_app.change_language("tracer", "nl", actor="tracer")
    page = client_for("tracer").get(f"/cases/{new}").get_data(as_text=True)
    assert "Dezelfde persoon?" in page and "Mogelijk het contact dat genoemd is in casus" in page
    assert "hetzelfde telefoonnummer" in page and f"C-{str(source)[:8]}" in page


def test_the_case_page_shows_where_the_case_was_notified_from(
        cases: Cases, bco_app: BCOApplication,
        client_for: Callable[[str], FlaskClient]) -> None:
    bco_app.change_language("tracer", "en", actor="tracer")
    case_id = bco_app.register_case(
        person=IndexPerson(name="Jan Peeters", phone="0470 12 34 56"), disease="covid-19",
        onset=cases.clock.now.date(), region="BE", actor="intake").aggregate_id
    cases.assign(case_id, "tracer")
    page = client_for("tracer").get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Notified from" in page and ">BE<" in page
    assert 'value="covid-19-vl"' in page.split('id="guide-id"')[1].split("</option>")[0]
