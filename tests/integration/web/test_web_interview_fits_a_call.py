"""A page that fits a call (issue 12, item 7): finished sections fold to one line, the section
the tracer is in stays open."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from flask.testing import FlaskClient
from interview_support import start_interview

from bco.application import BCOApplication

Clients = Callable[[str], FlaskClient]


@pytest.fixture
def interview_id(bco_app: BCOApplication, clock: Any) -> UUID:
    """Opening, purpose and health done; the source section under way."""
    interview_id = start_interview(bco_app, clock)
    for script in ("greeting", "identity-check", "why-we-call", "you-decide"):
        bco_app.answer_follow_up(interview_id, f"script:{script}", answer="said", actor="tracer")
    onset = (clock.now.date() - timedelta(days=2)).isoformat()
    for question, value in {"identity_confirmed": True, "good_moment": True,
                            "has_symptoms": True, "onset_date": onset,
                            "symptoms": ["fever"], "vulnerable_self": False,
                            "known_case_contact": False}.items():
        bco_app.record_answer(interview_id, question, value, actor="tracer")
    for script in ("how-are-you", "warning-signs"):
        bco_app.answer_follow_up(interview_id, f"script:{script}", answer="said", actor="tracer")
    return interview_id


def section(html: str, section_id: str) -> str:
    start = html.index(f'id="section-{section_id}"')
    return html[start:html.index("</section>", start)]


def test_finished_sections_fold_to_one_line(client_for: Clients, interview_id: UUID) -> None:
    html = client_for("tracer").get(f"/interviews/{interview_id}").get_data(as_text=True)
    opening = section(html, "opening")
    assert '<details class="section-fold" id="fold-opening">' in opening
    line = re.sub(r"<[^>]+>|\s+", " ", opening[opening.index("<summary>"):
                                              opening.index("</summary>")])
    assert " ".join(line.split()) == (
        "1. Opening en controle van de identiteit Klaar · 2 antwoorden · 2 teksten gezegd")
    assert 'id="step-identity_confirmed"' in opening  # still there, a click away
    assert 'id="fold-purpose"' in html and 'id="fold-health"' in html
    # the section the tracer is in, and those not reached yet, stay open
    assert "section-fold" not in section(html, "source")
    assert 'class="card section current-section" id="section-source"' in html
    assert "section-fold" not in section(html, "household")


def test_the_quick_entry_line_asks_the_age_the_script_asks(
        bco_app: BCOApplication, client_for: Clients, interview_id: UUID) -> None:
    client = client_for("tracer")
    html = client.get(f"/interviews/{interview_id}").get_data(as_text=True)
    row = html[html.index('<form class="entry-row"'):]
    row = row[:row.index("</form>")]
    assert 'name="fact_age_years"' in row and 'placeholder="Leeftijd (jaren)"' in row
    assert '<option value="">Omgeving…</option>' in row  # the list says what it is for
    saved = client.post(f"/interviews/{interview_id}/contacts",
                        data={"name": "Noor Visser", "fact_age_years": "7", "phone": ""},
                        headers={"HX-Request": "true"})
    assert saved.status_code == 200
    contact = bco_app.get_interview(interview_id).live_contacts[-1]
    assert contact.facts == {"age_years": 7}
    refused = client.post(f"/interviews/{interview_id}/contacts",
                          data={"name": "Bram", "fact_age_years": "zeven"},
                          headers={"HX-Request": "true"})
    assert refused.status_code == 422
    assert 'value="zeven"' in refused.get_data(as_text=True)  # what was typed stays


def test_what_a_contact_still_needs_is_asked_outside_the_details(
        bco_app: BCOApplication, client_for: Clients, interview_id: UUID) -> None:
    """Categorising needs no click on every card: the facts that decide the category (and
    whatever else is missing) are in the open; the rest stays behind the details."""
    bco_app.report_contact(interview_id, {"name": "Ayla Yilmaz", "phone": "06 45678901"},
                           actor="tracer")
    contact = bco_app.get_interview(interview_id).live_contacts[-1]
    cid = contact.contact_id
    html = client_for("tracer").get(f"/interviews/{interview_id}").get_data(as_text=True)
    card = html[html.index(f'id="step-contact-{cid}"'):]
    card = card[:card.index("</article>")]
    still, details = card.split('<details class="contact-details">')
    assert f'id="co-{cid}"' in still
    for field in ("fact_duration_min", "fact_distance_m", "fact_high_risk_exposure", "day"):
        assert f'name="{field}"' in still, field
        assert f'name="{field}"' not in details, field
    assert 'name="phone"' in details and 'name="phone"' not in still  # the phone is known
    assert 'name="fact_age_years"' in details
    for field in ("fact_duration_min", "fact_distance_m", "day", "phone"):
        assert card.count(f'name="{field}"') == 1  # one form, each field once
