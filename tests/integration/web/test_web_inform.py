"""Informing contacts after the interview: the list, the words to use, and the outcomes."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from flask import Flask
from web_support import Cases, sign_in

from bco.application import BCOApplication


@pytest.fixture
def finished(bco_app: BCOApplication, cases: Cases) -> dict[str, UUID]:
    """An interview of tracer2's case, completed, with one contact for the authority."""
    case_id = cases.register(name="Index Persoon")
    cases.assign(case_id, "tracer2")
    interview_id = bco_app.start_interview(case_id, actor="tracer2").aggregate_id
    ours = bco_app.report_contact(interview_id, {
        "name": "Karin Oosterhuis", "phone": "06 47658312", "relation": "colleague",
        "day": date(2026, 11, 23), "informs": "authority",
        "facts": {}}, actor="tracer2").aggregate_id
    theirs = bco_app.report_contact(interview_id, {
        "name": "Partner Zelf", "informs": "index", "household": True},
        actor="tracer2").aggregate_id
    bco_app.complete_interview(interview_id, actor="tracer2")
    cases.project()
    return {"case_id": case_id, "interview_id": interview_id, "ours": ours, "theirs": theirs}


def test_list_shows_contacts_for_the_authority_with_words_to_say(
        web: Flask, finished: dict[str, UUID]) -> None:
    page = sign_in(web, "tracer2").get("/inform").get_data(as_text=True)
    assert "Karin Oosterhuis" in page and 'href="tel:+31647658312"' in page
    assert "Partner Zelf" not in page
    assert "Index Persoon" not in page  # the index may stay anonymous
    assert 'class="say"' in page and "I am not allowed to tell you who it is" in page
    assert "Monday 23 November" in page
    assert 'id="inform-outcome-' in page


def test_outcomes_are_logged_and_unreachable_contacts_stay_on_the_list(
        web: Flask, bco_app: BCOApplication, finished: dict[str, UUID]) -> None:
    client = sign_in(web, "tracer2")
    url = f"/inform/{finished['interview_id']}/{finished['ours']}"
    assert client.post(url, data={"outcome": "unreachable"}).status_code == 302
    page = client.get("/inform").get_data(as_text=True)
    assert "Karin Oosterhuis" in page and "not reached on" in page
    assert client.post(url, data={"outcome": "informed", "note": "Advies gegeven"}
                       ).status_code == 302
    page = client.get("/inform").get_data(as_text=True)
    assert "Karin Oosterhuis" not in page and "Nobody is waiting to be informed." in page
    contact = bco_app.get_interview(finished["interview_id"]).contacts[str(finished["ours"])]
    assert contact.inform_outcome == "informed"


def test_bad_outcome_is_refused_without_saving(web: Flask, bco_app: BCOApplication,
                                               finished: dict[str, UUID]) -> None:
    client = sign_in(web, "tracer2")
    before = bco_app.store_position()
    answer = client.post(f"/inform/{finished['interview_id']}/{finished['ours']}",
                         data={"outcome": "vanished"}, follow_redirects=True)
    assert answer.status_code == 200
    assert "Choose how informing went" in answer.get_data(as_text=True)
    assert bco_app.store_position() == before


def test_who_sees_which_contacts(web: Flask, finished: dict[str, UUID]) -> None:
    assert "Karin Oosterhuis" in sign_in(web, "lead").get("/inform").get_data(as_text=True)
    assert "Karin Oosterhuis" in sign_in(web, "authority").get("/inform").get_data(
        as_text=True)
    for name in ("tracer", "tracer3"):
        client = sign_in(web, name)
        assert "Karin Oosterhuis" not in client.get("/inform").get_data(as_text=True)
        url = f"/inform/{finished['interview_id']}/{finished['ours']}"
        assert client.post(url, data={"outcome": "informed"}).status_code == 403


def test_an_interview_still_running_has_nobody_to_inform_yet(
        web: Flask, bco_app: BCOApplication, cases: Cases) -> None:
    case_id = cases.register()
    cases.assign(case_id, "tracer2")
    interview_id = bco_app.start_interview(case_id, actor="tracer2").aggregate_id
    bco_app.report_contact(interview_id, {"name": "Nog Bezig", "informs": "authority"},
                           actor="tracer2")
    cases.project()
    assert "Nog Bezig" not in sign_in(web, "tracer2").get("/inform").get_data(as_text=True)


def test_the_index_choosing_the_authority_puts_every_contact_without_a_choice_on_the_list(
        web: Flask, bco_app: BCOApplication, cases: Cases) -> None:
    case_id = cases.register(name="Index Persoon")
    cases.assign(case_id, "tracer2")
    interview_id = bco_app.start_interview(case_id, actor="tracer2").aggregate_id
    bco_app.report_contact(interview_id, {"name": "Geen Keuze", "phone": "06 47658312"},
                           actor="tracer2")
    bco_app.report_contact(interview_id, {"name": "Zelf Bellen", "informs": "index"},
                           actor="tracer2")
    bco_app.record_answer(interview_id, "who_informs", "authority", actor="tracer2")
    bco_app.complete_interview(interview_id, actor="tracer2")
    cases.project()

    page = sign_in(web, "tracer2").get("/inform").get_data(as_text=True)
    assert "Geen Keuze" in page  # no choice of its own: the index's answer holds
    assert "Zelf Bellen" not in page  # its own choice wins

    bco_app.reopen_interview(interview_id, "The index wants to call them all.",
                             actor="tracer2")
    bco_app.record_answer(interview_id, "who_informs", "index", actor="tracer2")
    bco_app.complete_interview(interview_id, actor="tracer2")
    cases.project()
    assert "Geen Keuze" not in sign_in(web, "tracer2").get("/inform").get_data(as_text=True)
