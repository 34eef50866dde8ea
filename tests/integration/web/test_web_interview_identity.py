"""The identity check with its data on screen (issue 12, item 5): the first question asks whether
date of birth and postcode match the case file, so the screen shows what the case file says."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from flask import Flask
from web_support import sign_in

from bco.application import BCOApplication
from bco.domain.case import IndexPerson


def interview_for(app: BCOApplication, clock: Any, person: IndexPerson) -> Any:
    case_id = app.register_case(
        person=person, disease="covid-19", onset=clock.now.date() - timedelta(days=2),
        received_at=clock.now - timedelta(hours=2), actor="intake").aggregate_id
    app.assign_case(case_id, "tracer", "north", actor="lead")
    app.log_call_attempt(case_id, "reached", actor="tracer")
    return app.start_interview(case_id, actor="tracer").aggregate_id


def identity_block(page: str) -> str:
    start = page.index('id="step-identity_confirmed"')
    return page[start:page.index("</form>", start)]


def test_birth_date_and_postcode_beside_the_identity_question(
        web: Flask, bco_app: BCOApplication, clock: Any) -> None:
    interview_id = interview_for(bco_app, clock, IndexPerson(
        name="Sam Taylor", phone="06 12345678", birth_date=date(1980, 3, 4), postcode="3511 AB"))
    page = sign_in(web, "tracer").get(f"/interviews/{interview_id}").get_data(as_text=True)
    block = identity_block(page)
    assert 'id="case-file-identity_confirmed"' in block
    check = re.sub(r"<[^>]+>|\s+", " ", block[block.index('id="case-file-identity_confirmed"'):])
    assert "In het dossier: Geboortedatum 04-03-1980 Postcode 3511 AB" in " ".join(check.split())
    # and in the header, in view for the whole call
    assert '<span id="index-birth-date" class="nowrap">Geboortedatum 04-03-1980</span>' in page
    assert '<span id="index-postcode" class="nowrap">Postcode 3511 AB</span>' in page


def test_a_case_file_without_a_postcode_says_so(
        web: Flask, bco_app: BCOApplication, clock: Any) -> None:
    interview_id = interview_for(bco_app, clock, IndexPerson(
        name="Sam Taylor", phone="06 12345678", birth_date=date(1980, 3, 4)))
    page = sign_in(web, "tracer").get(f"/interviews/{interview_id}").get_data(as_text=True)
    block = identity_block(page)
    assert "Postcode <strong>staat niet in het dossier</strong>" in block
    assert "Geboortedatum <strong>04-03-1980</strong>" in block
    assert 'id="index-postcode"' not in page
