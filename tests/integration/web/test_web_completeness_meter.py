"""The completeness meter says what its number means and why it moved: it starts near 0, and a
new contact shows how many of its items are still to fill."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from uuid import UUID

from flask.testing import FlaskClient
from interview_support import start_interview

from bco.application import BCOApplication

Clients = Callable[[str], FlaskClient]
MEANS_EN = "How much of what the guide requires has been asked and recorded"
MEANS_NL = "Hoeveel van wat de gids vraagt al is nagevraagd en vastgelegd"


def meter(client: FlaskClient, interview_id: UUID) -> tuple[int, str]:
    """The score and the meter card as the interview screen draws them."""
    html = client.get(f"/interviews/{interview_id}").get_data(as_text=True)
    card = html[html.index('<section id="completeness"'):]
    card = card[:card.index("</section>")]
    score = re.search(r'id="completeness-score">(\d+)<', card)
    assert score is not None
    return int(score.group(1)), card


def test_nothing_asked_yet_scores_almost_nothing_and_says_what_the_number_is(
        bco_app: BCOApplication, client_for: Clients, clock: Any) -> None:
    interview_id = start_interview(bco_app, clock, tracer="tracer2")  # English
    score, card = meter(client_for("tracer2"), interview_id)
    assert score <= 2, "only the onset from the case file counts before anything is asked"
    assert MEANS_EN in card
    dutch = start_interview(bco_app, clock, tracer="tracer")
    assert MEANS_NL in meter(client_for("tracer"), dutch)[1]


def test_a_new_contact_shows_its_items_to_fill_until_each_is_filled(
        bco_app: BCOApplication, client_for: Clients, clock: Any) -> None:
    interview_id = start_interview(bco_app, clock, tracer="tracer2")
    client = client_for("tracer2")
    bco_app.record_answer(interview_id, "who_informs", "mixed", actor="tracer2")
    noor = bco_app.report_contact(interview_id, {"name": "Noor"}, actor="tracer2")
    contact_id = next(iter(noor.saved.contacts.values())).contact_id
    card = meter(client, interview_id)[1]
    assert "Noor: 4 items to fill" in card
    assert "(phone or e-mail, day of last contact, category, who informs)" in card
    assert f'href="#step-contact-{contact_id}"' in card
    assert "Contact Noor: nobody chosen yet to inform this contact" in card
    bco_app.update_contact(interview_id, contact_id,
                           {"informs": "authority", "phone": "06 12345678"}, actor="tracer2")
    card = meter(client, interview_id)[1]
    assert "Noor: 2 items to fill" in card and "nobody chosen yet" not in card
    assert "(day of last contact, category)" in card


def test_the_dutch_meter_counts_in_dutch(bco_app: BCOApplication, client_for: Clients,
                                         clock: Any) -> None:
    interview_id = start_interview(bco_app, clock, tracer="tracer")
    bco_app.report_contact(interview_id, {"name": "Noor", "phone": "06 12345678"},
                           actor="tracer")
    card = meter(client_for("tracer"), interview_id)[1]
    assert "Noor: nog 3 gegevens invullen" in card
    assert "(dag van laatste contact, categorie, wie licht in)" in card
