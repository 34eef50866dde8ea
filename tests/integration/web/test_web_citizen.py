"""The self-report pages over HTTP: no account, only what this link entered, refusals beside
their field with what was typed kept, dead links that say so, headers that leak nothing."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask

from bco.application import BCOApplication
from bco.domain.case import IndexPerson
from bco.web.citizen import TokenFilter, address_rate

ONSET = date(2026, 11, 23)


def link(app: BCOApplication, language: str = "nl") -> tuple[Any, str]:
    case_id = app.register_case(
        person=IndexPerson(name="Sanne de Vries", phone="06 12345678", language=language),
        disease="covid-19", onset=ONSET, actor="intake").aggregate_id
    app.assign_case(case_id, "tracer", "north", actor="lead")
    return case_id, app.invite_index(case_id, actor="tracer").token


def test_the_walk_in_the_case_language_with_a_switch(web: Flask, bco_app: BCOApplication
                                                     ) -> None:
    _case_id, token = link(bco_app, "en")
    client = web.test_client()
    intro = client.get(f"/r/{token}")
    assert intro.status_code == 200
    text = intro.get_data(as_text=True)
    assert "Prepare your list of contacts" in text and 'lang="en"' in text
    assert "Sanne" not in text  # the page never shows what the case file holds
    assert intro.headers["Cache-Control"] == "no-store"
    assert intro.headers["Referrer-Policy"] == "no-referrer"
    day = client.get(f"/r/{token}?step=1").get_data(as_text=True)
    assert "Wednesday 25 November" in day and "Let&#39;s go through Wednesday 25 November" in day
    assert "calendar or photos from that day" in day  # the guide's cues
    dutch = client.get(f"/r/{token}?step=1&lang=nl").get_data(as_text=True)
    assert "woensdag 25 november" in dutch and 'lang="nl"' in dutch
    assert 'lang="nl"' in client.get(f"/r/{token}?step=2").get_data(as_text=True)  # kept
    places = client.get(f"/r/{token}?step=6").get_data(as_text=True)
    assert "Carpoolen en samen in de auto" in places and "Duur van het contact" in places


def test_add_and_come_back_sees_only_what_this_link_entered(web: Flask,
                                                           bco_app: BCOApplication) -> None:
    case_id, token = link(bco_app)
    interview_id = bco_app.start_interview(case_id, actor="tracer").aggregate_id
    bco_app.report_contact(interview_id, {"name": "Tracer Typed"}, actor="tracer")
    client = web.test_client()
    saved = client.post(f"/r/{token}", data={
        "action": "add", "step": "2", "name": "Noor <script>alert(1)</script>",
        "phone": "06 87654321", "relation": "colleague", "day": "2026-11-24",
        "setting": "work", "fact_duration_min": "20", "fact_distance_m": "1,5",
        "fact_high_risk_exposure": "1", "informs_self": "1"})
    assert saved.status_code == 303
    assert saved.headers["Location"].endswith(f"/r/{token}?step=2&done=saved#entered")
    shown = web.test_client().get(saved.headers["Location"]).get_data(as_text=True)
    assert 'role="status" id="done">Bewaard. Voeg hieronder' in shown  # it says it is saved
    again = web.test_client().get(f"/r/{token}?step=7").get_data(as_text=True)
    assert "Noor &lt;script&gt;alert(1)&lt;/script&gt;" in again and "<script>" not in again
    assert "Tracer Typed" not in again
    [entry] = bco_app.open_link(token).invitation.entered  # type: ignore[union-attr]
    assert entry.contact.facts == {"duration_min": 20, "distance_m": 1.5,
                                   "high_risk_exposure": True}
    assert entry.contact.informs == "index"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "  ", "Type a name"),
    ("phone", "12", "phone"),
    ("fact_duration_min", "lots", "Type a number from 0 to"),
    ("fact_distance_m", "-3", "Type a number from 0 to"),
    ("day", "2026-10-01", "Choose one of the days"),
    ("setting", "moon", "Choose one of the places"),
    ("name", "x" * 300, "too long"),
])
def test_bad_input_is_refused_beside_its_field_and_kept(web: Flask, bco_app: BCOApplication,
                                                        field: str, value: str,
                                                        message: str) -> None:
    _case_id, token = link(bco_app, "en")
    form = {"action": "add", "step": "1", "name": "Noor", "phone": "06 87654321",
            "relation": "friend", "day": "2026-11-25", "fact_duration_min": "20", field: value}
    before = bco_app.store_position()
    answer = web.test_client().post(f"/r/{token}", data=form)
    assert answer.status_code == 422
    text = answer.get_data(as_text=True)
    assert message in text
    assert f'id="{field}-problem"' in text or 'id="form-problem"' in text
    assert 'value="friend"' in text  # what was typed is still there
    assert bco_app.store_position() == before


def test_day_done_and_remove(web: Flask, bco_app: BCOApplication) -> None:
    _case_id, token = link(bco_app)
    client = web.test_client()
    client.post(f"/r/{token}", data={"action": "add", "step": "1", "name": "Bram",
                                     "day": "2026-11-25"})
    done = client.post(f"/r/{token}", data={"action": "day_done", "step": "1",
                                            "day": "2026-11-25"})
    assert done.status_code == 303 and done.headers["Location"].endswith("step=2")
    opened = bco_app.open_link(token)
    assert opened is not None and date(2026, 11, 25) in opened.invitation.walked_days
    [entry] = opened.invitation.entered
    removed = client.post(f"/r/{token}", data={"action": "remove", "step": "7",
                                               "contact_id": str(entry.contact.contact_id)})
    assert removed.status_code == 303
    assert removed.headers["Location"].endswith("step=7&done=removed#entered")
    assert "Van uw lijst gehaald." in client.get(removed.headers["Location"]).get_data(
        as_text=True)
    assert bco_app.open_link(token).invitation.entered == []  # type: ignore[union-attr]


def test_dead_links_say_so_and_how_to_reach_the_service(web: Flask, bco_app: BCOApplication,
                                                        clock: Any) -> None:
    case_id, token = link(bco_app, "en")
    client = web.test_client()
    unknown = client.get("/r/" + "A" * 43, headers={"Accept-Language": "en"})
    assert unknown.status_code == 404 and "How to reach us" in unknown.get_data(as_text=True)
    dutch = client.get("/r/" + "A" * 43, headers={"Accept-Language": "nl"})
    assert "Zo bereikt u ons" in dutch.get_data(as_text=True)
    clock.advance(hours=bco_app.settings.invite_hours + 1)
    expired = client.get(f"/r/{token}")
    assert expired.status_code == 410 and "The link has expired" in expired.get_data(as_text=True)
    posted = client.post(f"/r/{token}", data={"action": "add", "name": "Noor"})
    assert posted.status_code == 410
    clock.advance(hours=-(bco_app.settings.invite_hours + 1))
    bco_app.revoke_invitations(case_id, reason="wrong number", actor="tracer")
    assert "withdrawn" in client.get(f"/r/{token}").get_data(as_text=True)


def test_requests_are_limited_per_link(web_settings: Any, bco_app: BCOApplication) -> None:
    from bco.web import create_app

    limited = create_app(web_settings.with_overrides(citizen_rate_limit="3/minute"), bco_app)
    limited.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    _case_id, token = link(bco_app, "en")
    client = limited.test_client()
    assert [client.get(f"/r/{token}").status_code for _ in range(4)] == [200, 200, 200, 429]
    busy = client.get(f"/r/{token}")
    assert busy.headers["Retry-After"] and "Please wait a moment" in busy.get_data(as_text=True)


def test_an_address_gets_ten_times_a_links_rate() -> None:
    assert address_rate("30/minute") == "300/minute"
    assert address_rate(" 5 per 2 hours") == "50 per 2 hours"


def test_the_token_is_blanked_in_request_logs() -> None:
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                               '%s - - "%s" %s', ("127.0.0.1", "GET /r/SeCrEt-tOkEn?step=2 "
                                                  "HTTP/1.1", "200"), None)
    TokenFilter().filter(record)
    assert "SeCrEt" not in record.getMessage() and "/r/…?step=2" in record.getMessage()


def test_the_case_page_makes_and_withdraws_a_link(web: Flask, bco_app: BCOApplication,
                                                  client_for: Any) -> None:
    case_id = bco_app.register_case(
        person=IndexPerson(name="Sanne de Vries", phone="06 12345678"), disease="covid-19",
        onset=ONSET, actor="intake").aggregate_id
    bco_app.assign_case(case_id, "tracer", "north", actor="lead")
    tracer = client_for("tracer")
    made = tracer.post(f"/cases/{case_id}/invite", data={})
    assert made.status_code == 200
    text = made.get_data(as_text=True)
    [invite] = bco_app.get_case(case_id).invitations
    assert "/r/" in text and 'id="invite-url"' in text
    # A message ready to send, in the index's language (Dutch here), with the same link.
    url = text.split('id="invite-url" class="invite-url" type="text" readonly value="')[1]
    url = url.split('"')[0]
    message = text.split('id="invite-message" class="invite-message" readonly rows="5">')[1]
    message = message.split("</textarea>")[0]
    assert message.startswith("De GGD belt u binnenkort") and f"{url} (werkt tot " in message
    assert "Vragen? Bel" not in message  # no BCO_SERVICE_PHONE set
    assert invite.expires_at == bco_app.clock() + timedelta(hours=72)
    assert tracer.get(f"/cases/{case_id}").get_data(as_text=True).count("/r/") == 0
    withdrawn = tracer.post(f"/cases/{case_id}/invite/revoke", data={"reason": "wrong number"})
    assert withdrawn.status_code == 302
    assert bco_app.case_invitations(bco_app.get_case(case_id))[0].revoked_at is not None
    refused = tracer.post(f"/cases/{case_id}/invite/revoke", data={"reason": ""})
    assert refused.status_code == 422
    assert client_for("authority").post(f"/cases/{case_id}/invite").status_code == 403


def test_the_tracer_confirms_corrects_and_rejects_in_the_interview(
        web: Flask, bco_app: BCOApplication, client_for: Any) -> None:
    case_id, token = link(bco_app, "en")
    citizen = web.test_client()
    for name, day, setting in (("Noor", "2026-11-24", "work"), ("Bram", "2026-11-23", ""),
                               ("Ayla", "", "")):
        citizen.post(f"/r/{token}", data={"action": "add", "step": "1", "name": name,
                                          "day": day, "setting": setting,
                                          "fact_duration_min": "30"})
    for walked in ("2026-11-24", "2026-11-22"):
        citizen.post(f"/r/{token}", data={"action": "day_done", "step": "2", "day": walked})
    interview_id = bco_app.start_interview(case_id, actor="tracer").aggregate_id
    bco_app.change_language("tracer", "en", actor="tracer")
    tracer = client_for("tracer")
    screen = tracer.get(f"/interviews/{interview_id}").get_data(as_text=True)
    assert "Prepared by the index: 3 people to go through" in screen
    # Each day says what the index did with it on the link: went through it with an entry
    # (24 Nov), went through it naming nobody (22 Nov), an entry without finishing (23 Nov).
    assert "The index already went through this day on the link and entered 1 person" in screen
    assert "The index went through this day on the link and entered nobody" in screen
    assert ("The index entered 1 person for this day on the link but did not finish the day"
            in screen)
    assert screen.count(">gone through on the link<") == 2
    assert screen.count(">entries on the link<") == 1
    assert "The index entered 1 person at this place on the link; ask who else." in screen
    assert 'id="proposals-waiting"' in screen and 'id="complete-waits"' in screen
    assert 'id="complete-interview"' not in screen
    link_id = bco_app.get_case(case_id).invitations[0].invitation_id
    ids = {p.contact.name: p.contact.contact_id
           for p in bco_app.open_link(token).invitation.entered}  # type: ignore[union-attr]
    base = f"/interviews/{interview_id}/proposals/{link_id}"
    assert tracer.post(f"{base}/{ids['Noor']}", data={"action": "confirm"}).status_code == 302
    refused = tracer.post(f"{base}/{ids['Ayla']}", data={
        "action": "edit", "name": "Ayla Demir", "phone": "12", "day": "2026-11-22"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert 'id="proposal-problem"' in text and 'value="Ayla Demir"' in text
    # The message stands right after the phone field, which takes the focus.
    phone_field = text[text.index(f'id="pp-{ids["Ayla"]}"'):]
    assert phone_field.index('aria-invalid="true"') < phone_field.index(">")
    assert phone_field.index('id="proposal-problem"') < phone_field.index(f'id="pr-{ids["Ayla"]}"')
    far = tracer.post(f"{base}/{ids['Ayla']}", data={
        "action": "edit", "name": "Ayla Demir", "phone": "06 55554444", "day": "2026-11-22",
        "fact_duration_min": "an hour"}).get_data(as_text=True)
    duration = far.split(f'id="pf-duration_min-{ids["Ayla"]}"', 1)[1]
    assert duration.index('value="an hour"') < duration.index('id="proposal-problem"') < (
        duration.index("</div>"))  # beside the field, as typed
    assert tracer.post(f"{base}/{ids['Ayla']}", data={
        "action": "edit", "name": "Ayla Demir", "phone": "06 55554444", "day": "2026-11-22",
        "household": "1", "fact_duration_min": "45", "fact_distance_m": "1,5",
        "informs": "index"}).status_code == 302
    no_reason = tracer.post(f"{base}/{ids['Bram']}", data={"action": "reject", "reason": ""})
    assert no_reason.status_code == 422
    # The refused rejection leaves the correction form as the index entered it.
    assert f'id="pn-{ids["Bram"]}" name="name" type="text" maxlength="200" value="Bram"' in (
        no_reason.get_data(as_text=True))
    reason_field = no_reason.get_data(as_text=True).split(f'id="rr-{ids["Bram"]}"', 1)[1]
    assert reason_field.index("autofocus") < reason_field.index(">")
    assert reason_field.index('id="proposal-problem"') < reason_field.index('id="reject-')
    assert tracer.post(f"{base}/{ids['Bram']}", data={
        "action": "reject", "reason": "saw him after the window"}).status_code == 302
    interview = bco_app.get_interview(interview_id)
    contacts = {c.name: c for c in interview.live_contacts}
    assert set(contacts) == {"Noor", "Ayla Demir"}
    assert contacts["Ayla Demir"].household and contacts["Ayla Demir"].phone == "+31655554444"
    assert {c.provenance for c in contacts.values()} == {"self-reported"}
    assert contacts["Noor"].facts == {"duration_min": 30}
    assert contacts["Ayla Demir"].facts == {"duration_min": 45, "distance_m": 1.5}
    assert contacts["Ayla Demir"].informs == "index"
    after = tracer.get(f"/interviews/{interview_id}").get_data(as_text=True)
    assert "Prepared by the index" not in after and after.count(">Self-reported</span>") == 2
    assert 'id="complete-interview"' in after and 'id="proposals-waiting"' not in after
    assert client_for("tracer3").post(f"{base}/{ids['Bram']}",
                                      data={"action": "confirm"}).status_code in (403, 404)


def test_a_link_is_used_up_once_the_interview_is_complete(web: Flask,
                                                         bco_app: BCOApplication) -> None:
    case_id, token = link(bco_app, "en")
    interview_id = bco_app.start_interview(case_id, actor="tracer").aggregate_id
    bco_app.complete_interview(interview_id, actor="tracer")
    client = web.test_client()
    page = client.get(f"/r/{token}")
    assert page.status_code == 410
    assert "conversation with the contact tracer is finished" in page.get_data(as_text=True)
    before = bco_app.store_position()
    assert client.post(f"/r/{token}", data={"action": "add", "name": "Late"}).status_code == 410
    assert bco_app.store_position() == before


def test_a_refusal_is_summed_up_at_the_form_the_page_opens_on(web: Flask,
                                                             bco_app: BCOApplication) -> None:
    _case_id, token = link(bco_app, "en")
    page = web.test_client().get(f"/r/{token}?step=1").get_data(as_text=True)
    assert f'action="/r/{token}#add-contact"' in page  # a refusal comes back at the form
    assert 'id="problem-summary"' not in page
    refused = web.test_client().post(f"/r/{token}", data={
        "action": "add", "step": "1", "name": "", "phone": "12", "relation": "friend",
        "fact_duration_min": "lots"}).get_data(as_text=True)
    summary = refused[refused.index('id="problem-summary"'):refused.index('id="name"')]
    assert "check the 3 fields below" in summary  # all at once, the phone too
    shown = [summary.index(f'href="#{field}"') for field in ("name", "phone",
                                                               "fact_duration_min")]
    assert shown == sorted(shown)  # in the order of the form
    assert 'value="12"' in refused and 'value="lots"' in refused


def test_the_list_shows_what_was_said_and_each_place_offers_its_own_form(
        web: Flask, bco_app: BCOApplication) -> None:
    _case_id, token = link(bco_app, "nl")
    client = web.test_client()
    client.post(f"/r/{token}", data={"action": "add", "step": "1", "name": "Noor",
                                     "day": "2026-11-25", "fact_duration_min": "45",
                                     "fact_distance_m": "1,5", "fact_high_risk_exposure": "1"})
    day = client.get(f"/r/{token}?step=1").get_data(as_text=True)
    assert "<h1>Woensdag 25 november</h1>" in day  # a heading starts with a capital
    assert "45 min · 1,5 m · Hoog-risicocontact" in day
    assert ">Deze dag nu overslaan<" in day
    client.post(f"/r/{token}", data={"action": "day_done", "step": "1", "day": "2026-11-25"})
    assert ">Volgende stap<" in client.get(f"/r/{token}?step=1").get_data(as_text=True)
    places = client.get(f"/r/{token}?step=6").get_data(as_text=True)
    assert f'href="/r/{token}?step=6&amp;setting=work#add-contact"' in places
    chosen = client.get(f"/r/{token}?step=6&setting=work").get_data(as_text=True)
    assert '<option value="work" selected>' in chosen
    unknown = client.get(f"/r/{token}?step=6&setting=moon").get_data(as_text=True)
    assert " selected>" not in unknown.split('id="setting"', 1)[1].split("</select>")[0]
    done = client.get(f"/r/{token}?step=7").get_data(as_text=True)
    assert '<h1 id="entered-heading">Uw lijst</h1>' in done
    assert f'href="/r/{token}?step=6#add-contact"' in done


def test_a_dead_link_gives_the_service_number_when_it_is_set(
        web_settings: Any, bco_app: BCOApplication) -> None:
    from bco.web import create_app

    with_number = create_app(web_settings.with_overrides(service_phone="0800-1202"), bco_app)
    with_number.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    case_id, token = link(bco_app, "en")
    client = with_number.test_client()
    intro = client.get(f"/r/{token}").get_data(as_text=True)
    assert 'href="tel:08001202"' in intro and ">0800-1202<" in intro
    bco_app.revoke_invitations(case_id, reason="wrong number", actor="tracer")
    gone = client.get(f"/r/{token}").get_data(as_text=True)
    assert 'id="service-phone" href="tel:08001202">0800-1202</a>' in gone
    assert "the phone number in the message" not in gone
    unset = web_settings.with_overrides(service_phone="")
    without = create_app(unset, bco_app).test_client().get(f"/r/{token}")
    assert "the phone number in the message" in without.get_data(as_text=True)


def test_a_new_link_says_how_many_an_earlier_one_holds_and_not_who(
        web: Flask, bco_app: BCOApplication) -> None:
    case_id, first = link(bco_app, "en")
    client = web.test_client()
    for name in ("Noor Bakker", "Bram de Wit"):
        client.post(f"/r/{first}", data={"action": "add", "step": "1", "name": name})
    assert "earlier link" not in client.get(f"/r/{first}").get_data(as_text=True)
    second = bco_app.invite_index(case_id, actor="tracer").token
    intro = client.get(f"/r/{second}").get_data(as_text=True)
    assert "You entered 2 people with an earlier link" in intro
    done = client.get(f"/r/{second}?step=7").get_data(as_text=True)
    assert "You entered 2 people with an earlier link" in done
    assert "Noor" not in intro + done and "Bram" not in intro + done


def test_an_oversized_post_is_refused_and_writes_nothing(web: Flask,
                                                         bco_app: BCOApplication) -> None:
    _case_id, token = link(bco_app, "en")
    before = bco_app.store_position()
    answer = web.test_client().post(f"/r/{token}", data={
        "action": "add", "step": "1", "name": "Noor", "relation": "x" * (2 * 1024 * 1024)})
    assert answer.status_code == 413
    text = answer.get_data(as_text=True)
    assert "That was too much at once" in text and "nothing of it was saved" in text
    assert "<script" not in text and "citizen.css" in text  # the citizen's page, not the app's
    assert bco_app.store_position() == before
