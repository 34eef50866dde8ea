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
