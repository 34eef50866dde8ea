"""Presence: who else has a case open right now, and the access log of personal data reads."""

from __future__ import annotations

from flask import Flask
from web_support import Cases, sign_in

from bco.config import Settings
from bco.web.presence import Presence


def test_presence_forgets_who_stopped_polling() -> None:
    presence = Presence(expiry=30)
    assert presence.here("case:1", "anna", now=0) == []
    assert [v.name for v in presence.here("case:1", "bert", now=5)] == ["anna"]
    assert [v.name for v in presence.here("case:1", "anna", now=20)] == ["bert"]
    assert presence.here("case:1", "anna", now=36) == []  # bert last seen at 5
    assert presence.here("case:2", "bert", now=100) == []


def test_two_people_on_one_case_see_each_other(web: Flask, cases: Cases) -> None:
    case_id = cases.register()
    cases.assign(case_id, "tracer2")
    cases.project()
    tracer2, lead = sign_in(web, "tracer2"), sign_in(web, "lead")
    first = tracer2.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'class="presence"' not in first
    assert f'hx-get="/presence/case/{case_id}"' in first and 'hx-trigger="every 10s"' in first
    lead_page = lead.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "tracer2" in lead_page.split('class="presence-slot"')[1].split("</div>")[0]
    poll = tracer2.get(f"/presence/case/{case_id}", headers={"HX-Request": "true"})
    assert poll.status_code == 200
    assert "Also open right now by: lead" in poll.get_data(as_text=True)


def test_presence_is_only_for_people_who_may_see_the_case(web: Flask, cases: Cases) -> None:
    case_id = cases.register()
    cases.assign(case_id, "tracer")
    cases.project()
    assert sign_in(web, "tracer3").get(f"/presence/case/{case_id}").status_code == 403
    anonymous = web.test_client().get(f"/presence/case/{case_id}")
    assert anonymous.status_code == 302


def test_every_case_page_read_is_logged_without_personal_data(
        web: Flask, web_settings: Settings, cases: Cases) -> None:
    case_id = cases.register(name="Wietske Haverkamp", phone="06 47658312")
    cases.assign(case_id, "tracer2")
    cases.project()
    client = sign_in(web, "tracer2")
    client.get(f"/cases/{case_id}")
    client.post(f"/cases/{case_id}/calls", data={"outcome": "bogus"})  # page shown again
    sign_in(web, "tracer3").get(f"/cases/{case_id}")  # refused: nothing was read
    entries = web.extensions["bco"].access_log.entries()
    assert [(e.account, e.action, e.case_id) for e in entries] == [
        ("tracer2", "case", case_id)] * 2
    assert "Haverkamp" not in repr(entries) and "47658312" not in repr(entries)
    assert not (web_settings.data_dir / "access.log").exists()
