"""What the interview screen tells the tracer up front: the language to speak, what the case
file holds, and the completeness score (kept in view on a phone)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from flask import Flask
from web_support import sign_in

from bco.application import BCOApplication
from bco.domain.case import IndexPerson

GREETING_EN = "Hello, this is [your name] from the public health service (GGD)."
GREETING_NL = "Goedendag, u spreekt met [uw naam] van de GGD."


def interview_for(app: BCOApplication, clock: Any, language: str) -> Any:
    case_id = app.register_case(
        person=IndexPerson(name="Sam Taylor", phone="06 12345678", language=language,
                           birth_date=date(1980, 3, 4)),
        disease="covid-19", onset=clock.now.date() - timedelta(days=2),
        received_at=clock.now - timedelta(hours=2), actor="intake").aggregate_id
    app.assign_case(case_id, "tracer", "north", actor="lead")
    app.log_call_attempt(case_id, "reached", actor="tracer")
    return app.start_interview(case_id, actor="tracer").aggregate_id


def test_an_english_speaking_index_hears_english_from_a_dutch_tracer(
        web: Flask, bco_app: BCOApplication, clock: Any) -> None:
    interview_id = interview_for(bco_app, clock, "en")
    page = sign_in(web, "tracer").get(f"/interviews/{interview_id}").get_data(as_text=True)
    assert GREETING_EN in page and GREETING_NL not in page
    assert 'id="script-language"' in page
    assert "De index spreekt Engels" in page  # the note itself is in the tracer's Dutch
    assert "Volledigheid" in page or "volledig" in page.lower()  # the screen stays Dutch


def test_no_note_when_index_and_tracer_share_a_language(
        web: Flask, bco_app: BCOApplication, clock: Any) -> None:
    interview_id = interview_for(bco_app, clock, "nl")
    page = sign_in(web, "tracer").get(f"/interviews/{interview_id}").get_data(as_text=True)
    assert GREETING_NL in page and 'id="script-language"' not in page



def test_the_onset_question_names_what_the_case_file_holds(
        web: Flask, bco_app: BCOApplication, clock: Any) -> None:
    case_id = bco_app.register_case(
        person=IndexPerson(name="Sam Taylor", phone="06 12345678", language="nl"),
        disease="covid-19", test_date=date(2026, 11, 19), actor="intake").aggregate_id
    bco_app.assign_case(case_id, "tracer", "north", actor="lead")
    interview_id = bco_app.start_interview(case_id, actor="tracer").aggregate_id
    bco_app.record_answer(interview_id, "has_symptoms", True, actor="tracer")
    page = sign_in(web, "tracer").get(f"/interviews/{interview_id}").get_data(as_text=True)
    assert "In het dossier: <strong>testdatum 19-11-2026</strong>" in page


def test_the_score_chip_shows_completeness_and_follows_the_saves(
        web: Flask, bco_app: BCOApplication, clock: Any) -> None:
    interview_id = interview_for(bco_app, clock, "nl")
    tracer = sign_in(web, "tracer")
    page = tracer.get(f"/interviews/{interview_id}").get_data(as_text=True)
    score = re.search(r'id="completeness-score">(\d+)<', page)
    assert score is not None
    chip = re.search(r'<a id="score-chip" class="score-chip" href="#completeness">'
                     r'Volledigheid <strong>(\d+)</strong>/100', page)
    assert chip is not None and chip.group(1) == score.group(1)
    saved = tracer.post(f"/interviews/{interview_id}/answers/identity_confirmed",
                        data={"value": "yes"}, headers={"HX-Request": "true"})
    html = saved.get_data(as_text=True)
    moved = re.search(r'<a id="score-chip" class="score-chip" href="#completeness" '
                      r'hx-swap-oob="true">Volledigheid <strong>(\d+)</strong>/100', html)
    assert moved is not None and int(moved.group(1)) > int(score.group(1))
    assert f'id="completeness-score">{moved.group(1)}<' in html
