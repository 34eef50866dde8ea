"""What the tracer types is checked by the server and refused with a message next to the field.

The screen's forms leave checking to the server (novalidate): a browser check that fails makes
htmx drop the save without a word, while the server says what is wrong and what to do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from interview_support import HX, start_interview

from bco.application import BCOApplication
from bco.domain.errors import InvalidValueError

Clients = Callable[[str], FlaskClient]
CHECK_THE_YEAR = "check the year"


@pytest.fixture
def english_interview(bco_app: BCOApplication, clock: Any) -> Any:
    """An interview of tracer2, who works in English (bco.demo.DEMO_ACCOUNTS)."""
    return start_interview(bco_app, clock, tracer="tracer2")


def answer(client: FlaskClient, interview_id: Any, question: str, value: str) -> Any:
    return client.post(f"/interviews/{interview_id}/answers/{question}",
                       data={"value": value}, headers=HX)


@pytest.mark.parametrize("typed", ["0002-11-18", "0020-11-18", "0202-11-18", "1899-12-31"])
def test_a_half_typed_year_is_refused_with_check_the_year(
        bco_app: BCOApplication, client_for: Clients, english_interview: Any,
        typed: str) -> None:
    refused = answer(client_for("tracer2"), english_interview, "onset_date", typed)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert CHECK_THE_YEAR in html and "four digits" in html
    assert "onset_date" not in bco_app.get_interview(english_interview).answers


def test_an_onset_years_back_is_refused_but_months_back_is_kept(
        bco_app: BCOApplication, client_for: Clients, english_interview: Any) -> None:
    client = client_for("tracer2")
    refused = answer(client, english_interview, "onset_date", "2016-11-18")
    assert refused.status_code == 422
    assert "18-11-2016 is more than two years ago; check the year." in refused.get_data(
        as_text=True)
    # A long cough (tuberculosis) may well have started most of a year ago.
    assert answer(client, english_interview, "onset_date", "2026-01-10").status_code == 200
    assert bco_app.get_interview(english_interview).answers["onset_date"] == "2026-01-10"


def test_the_year_check_is_translated(client_for: Clients, bco_app: BCOApplication,
                                      clock: Any) -> None:
    interview_id = start_interview(bco_app, clock)  # "tracer" works in Dutch
    refused = answer(client_for("tracer"), interview_id, "onset_date", "0202-11-18")
    assert "controleer het jaar" in refused.get_data(as_text=True)


def test_a_refusal_says_what_is_still_saved_and_redraws_the_badge(
        bco_app: BCOApplication, client_for: Clients, english_interview: Any) -> None:
    client = client_for("tracer2")
    first = answer(client, english_interview, "onset_date", "0002-11-18")
    html = first.get_data(as_text=True)
    assert "This was not saved; the question is still open." in html
    assert re.search(r'id="qb-onset_date" class="badge muted-badge" hx-swap-oob="true">'
                     r'To ask<', html), html
    assert answer(client, english_interview, "onset_date", "2026-11-18").status_code == 200
    later = answer(client, english_interview, "onset_date", "2099-11-18")
    html = later.get_data(as_text=True)
    assert later.status_code == 422
    assert "This date lies in the future; check the day." in html
    assert "This was not saved; the saved answer is still 18-11-2026." in html
    assert re.search(r'id="qb-onset_date" class="badge ok" hx-swap-oob="true">Answered<',
                     html), html


@pytest.mark.parametrize("typed", ["2.5", "2,5", "0.5"])
def test_a_household_size_is_a_whole_number(bco_app: BCOApplication, client_for: Clients,
                                            english_interview: Any, typed: str) -> None:
    refused = answer(client_for("tracer2"), english_interview, "household_size", typed)
    assert refused.status_code == 422
    assert "Type a whole number, e.g. 2." in refused.get_data(as_text=True)
    assert "household_size" not in bco_app.get_interview(english_interview).answers


def test_a_negative_household_size_gets_the_servers_message(
        client_for: Clients, english_interview: Any) -> None:
    refused = answer(client_for("tracer2"), english_interview, "household_size", "-3")
    assert refused.status_code == 422
    assert "Type a number of 0 or more." in refused.get_data(as_text=True)


def test_contact_facts_keep_their_decimals(bco_app: BCOApplication, client_for: Clients,
                                           english_interview: Any) -> None:
    contact_id = bco_app.report_contact(english_interview, {"name": "Ayla"},
                                        actor="tracer2").aggregate_id
    saved = client_for("tracer2").post(
        f"/interviews/{english_interview}/contacts/{contact_id}", headers=HX,
        data={"name": "Ayla", "fact_distance_m": "1,5"})
    assert saved.status_code == 200
    assert bco_app.get_interview(english_interview).contacts[str(contact_id)].facts == {
        "distance_m": 1.5}


def test_the_forms_leave_checking_to_the_server(client_for: Clients,
                                                bco_app: BCOApplication,
                                                english_interview: Any) -> None:
    """No browser check can silently block a save: every saving form has novalidate."""
    bco_app.report_contact(english_interview, {"name": "Ayla"}, actor="tracer2")
    html = client_for("tracer2").get(f"/interviews/{english_interview}").get_data(as_text=True)
    tags = re.findall(r'<form class="(?:answer-form|contact-form|entry-row)"[^>]*>', html)
    kinds = {tag.split('"')[1] for tag in tags}
    assert kinds == {"answer-form", "contact-form", "entry-row"}
    assert [tag for tag in tags if "novalidate" not in tag] == []
    # Dates save when the tracer leaves the field (interview.js sends bco-commit), not per
    # segment typed; a count is typed as text so the server sees exactly what was typed.
    assert 'hx-trigger="change, bco-commit"' in html
    field = re.search(r'<input [^>]*id="q-household_size"[^>]*>', html)
    assert field and 'type="text"' in field.group(0) and 'inputmode="numeric"' in field.group(0)


def test_a_contact_day_years_back_is_refused_and_the_line_kept(
        client_for: Clients, english_interview: Any) -> None:
    refused = client_for("tracer2").post(
        f"/interviews/{english_interview}/contacts", headers=HX,
        data={"name": "Mila", "day": "0020-11-24", "relation": "friend"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert CHECK_THE_YEAR in html
    assert 'value="Mila"' in html and 'value="0020-11-24"' in html and 'value="friend"' in html


def test_the_domain_refuses_an_implausible_exposure_day(bco_app: BCOApplication,
                                                         english_interview: Any) -> None:
    """Also for whatever reports contacts without the screen."""
    with pytest.raises(InvalidValueError, match="check the year") as refused:
        bco_app.report_contact(english_interview, {"name": "Mila", "day": date(202, 11, 24)},
                               actor="tracer2")
    assert refused.value.field == "day"
    with pytest.raises(InvalidValueError, match="more than two years ago"):
        bco_app.report_contact(english_interview, {"name": "Mila", "day": date(2020, 3, 1)},
                               actor="tracer2")


def checkbox(html: str) -> str:
    found = re.search(r'<input type="checkbox" name="household"[^>]*>', html)
    assert found, html
    return found.group(0)


def test_the_bubble_tick_is_not_carried_to_the_next_line(
        bco_app: BCOApplication, client_for: Clients, english_interview: Any) -> None:
    """Day and setting carry over (several people met at once); being a housemate does not."""
    client = client_for("tracer2")
    saved = client.post(f"/interviews/{english_interview}/contacts", headers=HX, data={
        "name": "Sanne", "relation": "partner", "day": "2026-11-23", "setting": "work",
        "household": "1", "command_id": "line-1"})
    assert saved.status_code == 200
    html = saved.get_data(as_text=True)
    next_line = html[html.index('<form class="entry-row"'):]
    assert "checked" not in checkbox(next_line)
    assert 'name="day" type="date" aria-label="Day of last contact" value="2026-11-23"' \
        in next_line
    assert '<option value="work" selected>' in next_line
    colleague = client.post(f"/interviews/{english_interview}/contacts", headers=HX, data={
        "name": "Pieter", "day": "2026-11-23", "setting": "work", "command_id": "line-2"})
    assert colleague.status_code == 200
    contacts = bco_app.get_interview(english_interview).live_contacts
    assert [(c.name, c.household) for c in contacts] == [("Sanne", True), ("Pieter", False)]


def test_under_the_housemates_question_every_line_is_a_housemate(
        client_for: Clients, english_interview: Any) -> None:
    saved = client_for("tracer2").post(
        f"/interviews/{english_interview}/contacts", headers=HX, data={
            "name": "Joris", "household": "1", "setting": "home",
            "prompt": "household_members", "command_id": "line-1"})
    html = saved.get_data(as_text=True)
    next_line = html[html.index('<form class="entry-row"'):]
    assert "checked" in checkbox(next_line)
    assert 'name="prompt" value="household_members"' in next_line


def test_use_theirs_after_a_conflict_redraws_the_question(
        bco_app: BCOApplication, client_for: Clients, english_interview: Any) -> None:
    """The conflict's 'Use theirs' button fetches the question as it is saved now."""
    bco_app.record_answer(english_interview, "household_size", 2, actor="lead")
    block = client_for("tracer2").get(
        f"/interviews/{english_interview}/questions/household_size", headers=HX)
    html = block.get_data(as_text=True)
    assert block.status_code == 200
    assert 'id="step-household_size"' in html
    assert re.search(r'<input [^>]*id="q-household_size"[^>]*value="2"', html), html
