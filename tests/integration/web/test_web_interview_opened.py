"""What a save opened is marked on screen (issue 12): completeness works out the items a fact
opened (`Assessment.opened_since`); the panels redrawn after the save show them first, marked
new, so a score that went down says why right where the tracer looks."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest
from flask.testing import FlaskClient
from interview_support import HX, start_interview

from bco.application import BCOApplication

Clients = Callable[[str], FlaskClient]


@pytest.fixture
def interview_id(bco_app: BCOApplication, clock: Any) -> UUID:
    return start_interview(bco_app, clock)


def opened_items(html: str) -> list[str]:
    """The missing items marked new, as the tracer reads them."""
    return [re.sub(r"<[^>]+>", "", item).strip()
            for item in re.findall(r'<li class="opened">(.*?)</li>', html, re.S)]


def test_a_new_contact_marks_its_own_items_new(client_for: Clients,
                                                interview_id: UUID) -> None:
    client = client_for("tracer")
    saved = client.post(f"/interviews/{interview_id}/contacts",
                        data={"name": "Noor Visser"}, headers=HX)
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200
    assert 'id="opened-note"' in html
    marked = opened_items(html)
    assert marked and all("Noor Visser" in item for item in marked), marked
    assert any(item.startswith("nieuw Noor Visser:") for item in marked)  # the contact's line
    assert any("Contact Noor Visser" in item for item in marked)  # its missing items
    assert re.search(r'id="score-chip".*?\(\d+ nieuw\)', html, re.S)
    # the item list puts them first
    missing = html[html.index('<ul class="missing">'):]
    assert missing.index('class="opened"') < missing.index("<li>")

    # A save that closes an item opens nothing: no marks, no note.
    contact = client.get(f"/interviews/{interview_id}").get_data(as_text=True)
    assert 'id="opened-note"' not in contact and 'class="opened"' not in contact
    closed = client.post(f"/interviews/{interview_id}/answers/has_symptoms",
                         data={"value": "no"}, headers=HX).get_data(as_text=True)
    assert 'id="completeness"' in closed  # the panels came along
    assert 'id="opened-note"' not in closed and opened_items(closed) == []


def test_an_answer_that_shows_a_follow_up_marks_it(client_for: Clients,
                                                   interview_id: UUID) -> None:
    client = client_for("tracer")
    html = client.post(f"/interviews/{interview_id}/answers/known_case_contact",
                       data={"value": "yes"}, headers=HX).get_data(as_text=True)
    marked = opened_items(html)
    assert len(marked) == 1 and marked[0].startswith("nieuw "), marked
