"""What reaches the screen is words in the reader's language: no guide ids, field names or
event types; the interface language is kept on the account; diseases and phone numbers read
the same way everywhere (issue 12, items 4 and 6)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from html.parser import HTMLParser
from io import BytesIO
from typing import Any
from uuid import UUID

import pdfplumber
import pytest
from flask import Flask
from flask.testing import FlaskClient
from interview_support import HX
from web_support import sign_in

from bco.application import BCOApplication
from bco.domain.case import IndexPerson
from bco.domain.errors import DomainError
from bco.guide_catalog import disease_code
from bco.guides.model import Guide

Clients = Callable[[str], FlaskClient]
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
PROMPT_ID = re.compile(r"\b(?:day|setting|consistency|contact|question):[\w-]+")
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


class VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes and the attributes shown or read out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._skip += 1
        self.parts.extend(value for name, value in attrs
                          if name in SHOWN_ATTRIBUTES and value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def guide_ids(guide: Guide) -> set[str]:
    """The guide's internal names that are not words: ids with '-' or '_' in them."""
    ids = {*guide.questions, *guide.setting_ids, *(c.id for c in guide.categories.categories),
           *(f.id for f in guide.facts), *(r.id for r in guide.categories.rules),
           *(o.value for q in guide.questions.values() for o in q.options)}
    return {i for i in ids if "-" in i or "_" in i}


def raw_ids(html: str, guide: Guide | None = None) -> list[str]:
    text = visible_text(html)
    found = SNAKE.findall(text) + PROMPT_ID.findall(text)
    if guide is not None:
        found += [i for i in guide_ids(guide) if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])",
                                                           text)]
    return found


def start(app: BCOApplication, clock: Any, *, tracer: str, disease: str = "covid-19",
          guide_id: str | None = None, phone: str = "06 12345678") -> tuple[UUID, UUID]:
    case_id = app.register_case(
        person=IndexPerson(name="Sanne de Vries", phone=phone, birth_date=date(1980, 3, 4)),
        disease=disease, onset=clock.now.date() - timedelta(days=2),
        received_at=clock.now - timedelta(hours=2), actor="intake").aggregate_id
    app.assign_case(case_id, tracer, "north", actor="lead")
    app.log_call_attempt(case_id, "reached", actor=tracer)
    interview_id = app.start_interview(case_id, actor=tracer, guide_id=guide_id).aggregate_id
    return case_id, interview_id


def contact_id_of(app: BCOApplication, interview_id: UUID, name: str) -> UUID:
    return next(c.contact_id for c in app.get_interview(interview_id).live_contacts
                if c.name == name)


def contact_head(html: str, contact_id: UUID) -> str:
    head = html[html.index(f'id="ch-{contact_id}"'):]
    return head[:head.index("</div>")]


# -- item 4: no raw ids -----------------------------------------------------------------------


def test_a_flemish_contact_badge_names_its_category_not_its_id(
        bco_app: BCOApplication, client_for: Clients, clock: Any) -> None:
    _case, interview_id = start(bco_app, clock, tracer="tracer", guide_id="covid-19-vl")
    bco_app.report_contact(interview_id, {"name": "Ilse", "setting": "work",
                                          "facts": {"in_bubble": False, "duration_min": 5,
                                                    "distance_m": 3, "masked": True,
                                                    "high_risk_exposure": False}},
                           actor="tracer")
    html = client_for("tracer").get(f"/interviews/{interview_id}").get_data(as_text=True)
    head = contact_head(html, contact_id_of(bco_app, interview_id, "Ilse"))
    assert "Laag-risicocontact buiten de bubbel" in head
    assert "low-risk-outside-bubble" not in visible_text(head)


def test_the_rivm_badge_keeps_its_short_category_name(
        bco_app: BCOApplication, client_for: Clients, clock: Any) -> None:
    _case, interview_id = start(bco_app, clock, tracer="tracer2")
    bco_app.report_contact(interview_id, {"name": "Joris", "household": True},
                           actor="tracer2")
    html = client_for("tracer2").get(f"/interviews/{interview_id}").get_data(as_text=True)
    head = contact_head(html, contact_id_of(bco_app, interview_id, "Joris"))
    assert ">Category 1 (provisional)<" in head or ">Category 1<" in head, head


def test_a_refused_contact_change_names_the_field_by_its_label(
        bco_app: BCOApplication, client_for: Clients, clock: Any) -> None:
    _case, interview_id = start(bco_app, clock, tracer="tracer")
    bco_app.report_contact(interview_id, {"name": "Noor"}, actor="tracer")
    contact_id = contact_id_of(bco_app, interview_id, "Noor")
    for data, label in (({"category_override": "9z"}, "Categorie aanpassen"),
                        ({"override_reason": "x" * 5000}, "Reden voor de aanpassing")):
        answer = client_for("tracer").post(
            f"/interviews/{interview_id}/contacts/{contact_id}", headers=HX,
            data={"name": "Noor", **data})
        assert answer.status_code == 422
        shown = visible_text(answer.get_data(as_text=True))
        assert shown.startswith(f"{label} :"), shown
        assert not raw_ids(answer.get_data(as_text=True)), shown


def test_a_colleagues_contact_change_is_told_in_words(
        bco_app: BCOApplication, client_for: Clients, clock: Any) -> None:
    _case, interview_id = start(bco_app, clock, tracer="tracer2")
    bco_app.report_contact(interview_id, {"name": "Noor"}, actor="tracer2")
    contact_id = contact_id_of(bco_app, interview_id, "Noor")
    loaded = bco_app.get_interview(interview_id).version
    bco_app.update_contact(interview_id, contact_id,
                           {"informs": "authority", "setting": "work",
                            "facts": {"duration_min": 20}}, actor="lead")
    answer = client_for("tracer2").post(
        f"/interviews/{interview_id}/contacts/{contact_id}", headers=HX,
        data={"name": "Noor", "informs": "index", "expected_version": str(loaded)})
    assert answer.status_code == 409
    shown = visible_text(answer.get_data(as_text=True))
    assert "Who informs: health service" in shown, shown
    assert "Setting: Work" in shown, shown
    assert "informs =" not in shown and "authority" not in shown
    assert not raw_ids(answer.get_data(as_text=True)), shown


def test_an_error_page_names_a_field_by_its_label(client_for: Clients) -> None:
    answer = client_for("tracer").post("/language", data={"language": "fr"})
    assert answer.status_code == 422
    shown = visible_text(answer.get_data(as_text=True))
    assert "Taal" in shown and "language" not in shown, shown


def test_a_missing_day_of_last_contact_links_to_that_field(
        bco_app: BCOApplication, client_for: Clients, clock: Any) -> None:
    _case, interview_id = start(bco_app, clock, tracer="tracer2")
    bco_app.report_contact(interview_id, {"name": "Noor", "phone": "06 12345678"},
                           actor="tracer2")
    contact_id = contact_id_of(bco_app, interview_id, "Noor")
    html = client_for("tracer2").get(f"/interviews/{interview_id}").get_data(as_text=True)
    card = html[html.index('<section id="completeness"'):]
    link = re.search(r'<a href="#([^"]+)">Contact Noor: date of last contact is missing.</a>',
                     card)
    assert link is not None, card
    assert link.group(1) == f"c-{contact_id}-day"
    assert f'id="c-{contact_id}-day"' in html


# -- item 6: one language per screen ----------------------------------------------------------


def test_the_interface_language_is_kept_on_the_account(
        web: Flask, bco_app: BCOApplication, client_for: Clients) -> None:
    client = client_for("tracer")
    assert ">Werklijst<" in client.get("/worklist").get_data(as_text=True)
    switched = client.post("/language", data={"language": "en", "next": "/worklist"})
    assert switched.status_code == 302 and switched.headers["Location"].endswith("/worklist")
    assert ">Worklist<" in client.get("/worklist").get_data(as_text=True)
    client.post("/signout")
    again = sign_in(web, "tracer")  # after signing in again, and on another device
    page = again.get("/worklist").get_data(as_text=True)
    assert ">Worklist<" in page and 'lang="en"' in page
    assert bco_app.get_account("tracer").language == "en"
    back = again.post("/language", data={"language": "nl", "next": "//evil.example/"})
    assert back.headers["Location"].endswith("/")  # only same-site paths
    assert ">Werklijst<" in again.get("/worklist").get_data(as_text=True)


def test_the_header_offers_the_other_language(client_for: Clients) -> None:
    page = client_for("tracer").get("/worklist").get_data(as_text=True)
    assert re.search(r'name="language" value="en" lang="en"[^>]*>English<', page), page[:3000]
    page = client_for("tracer2").get("/worklist").get_data(as_text=True)
    assert re.search(r'name="language" value="nl" lang="nl"[^>]*>Nederlands<', page)


@pytest.mark.parametrize(("disease", "dutch"), [("measles", "Mazelen"),
                                                ("tuberculosis", "Tuberculose")])
def test_disease_names_are_in_the_readers_language(
        bco_app: BCOApplication, client_for: Clients, clock: Any, disease: str,
        dutch: str) -> None:
    case_id, _interview = start(bco_app, clock, tracer="tracer", disease=disease)
    page = visible_text(client_for("tracer").get(f"/cases/{case_id}").get_data(as_text=True))
    assert dutch in page
    assert "Measles" not in page and "Tuberculosis" not in page
    pdf = client_for("lead").get(f"/cases/{case_id}/casefile.pdf")
    assert pdf.status_code == 200
    with pdfplumber.open(BytesIO(pdf.data)) as document:
        text = " ".join(page.extract_text() or "" for page in document.pages)
    assert dutch in text and "Measles" not in text and "Tuberculosis" not in text


def test_phone_numbers_read_the_same_everywhere(
        bco_app: BCOApplication, client_for: Clients, clock: Any) -> None:
    case_id, interview_id = start(bco_app, clock, tracer="tracer", phone="+31687654321")
    bco_app.report_contact(interview_id, {"name": "Noor", "phone": "0612345678"},
                           actor="tracer")
    client = client_for("tracer")
    screen = client.get(f"/interviews/{interview_id}").get_data(as_text=True)
    case_page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    for html in (screen, case_page):
        shown = visible_text(html)
        assert "06 87654321" in shown and "+31687654321" not in shown
    shown = visible_text(screen)
    assert "06 12345678" in shown and "+31612345678" not in shown
    contact_id = contact_id_of(bco_app, interview_id, "Noor")
    assert f'id="c-{contact_id}-phone" name="phone" type="tel" value="06 12345678"' in screen


def test_every_page_carries_the_required_field_message_in_its_language(
        client_for: Clients) -> None:
    dutch = client_for("tracer").get("/worklist").get_data(as_text=True)
    english = client_for("tracer2").get("/worklist").get_data(as_text=True)
    assert 'data-msg-required="Vul dit veld in."' in dutch
    assert 'data-msg-required="Fill in this field."' in english
    assert "/static/forms.js" in dutch


# -- every page, every guide, both languages ----------------------------------------------------


def fill_interview(app: BCOApplication, guide: Guide, interview_id: UUID, actor: str) -> None:
    """Answer what can be answered, and report contacts that get every kind of category."""
    for question in guide.questions.values():
        value: Any
        if question.type == "yesno":
            value = True
        elif question.type in ("choice", "multichoice") and question.options:
            first = question.options[-1].value
            value = [first] if question.type == "multichoice" else first
        else:
            continue
        try:
            app.record_answer(interview_id, question.id, value, actor=actor)
        except DomainError:
            continue  # not asked in this guide's flow
    setting = guide.settings[0].id
    facts = {f.id: (True if f.type == "boolean" else 30) for f in guide.facts}
    app.report_contact(interview_id, {"name": "Housemate", "household": True,
                                      "phone": "0612345678"}, actor=actor)
    app.report_contact(interview_id, {"name": "Colleague", "setting": setting, "facts": facts,
                                      "phone": "+32470123456"}, actor=actor)
    app.report_contact(interview_id, {"name": "Unknown"}, actor=actor)
    override = guide.categories.categories[-1].id
    app.update_contact(interview_id, contact_id_of(app, interview_id, "Unknown"),
                       {"category_override": override, "override_reason": "met outside"},
                       actor=actor)


@pytest.mark.parametrize("language_of", [("tracer", "nl"), ("tracer2", "en")],
                         ids=["nl", "en"])
def test_no_page_shows_a_raw_id(bco_app: BCOApplication, client_for: Clients, clock: Any,
                                cases: Any, language_of: tuple[str, str]) -> None:
    tracer, language = language_of
    pages: list[tuple[str, str, Guide | None]] = []
    client = client_for(tracer)
    for guide in sorted(bco_app.catalog.guides.values(), key=lambda g: g.id):
        case_id, interview_id = start(bco_app, clock, tracer=tracer, guide_id=guide.id,
                                      disease=disease_code(guide.disease))
        fill_interview(bco_app, guide, interview_id, tracer)
        pages.append((f"interview {guide.id}", f"/interviews/{interview_id}", guide))
        pages.append((f"case {guide.id}", f"/cases/{case_id}", guide))
        if guide.id == "covid-19":
            continue  # one interview stays open for the worklist; the others complete
        bco_app.complete_interview(interview_id, actor=tracer)
        pages.append((f"completed {guide.id}", f"/interviews/{interview_id}", guide))
    cases.project()
    for path in ("/worklist", "/inform", "/team/cases", "/dashboard", "/caseload"):
        pages.append((path, path, None))
    lead = client_for("lead")
    authority = client_for("authority")
    if language == "en":
        lead.post("/language", data={"language": "en"})
        authority.post("/language", data={"language": "en"})
    found = {}
    for name, path, guide in pages:
        for who, reader in ((tracer, client), ("lead", lead), ("authority", authority)):
            answer = reader.get(path)
            if answer.status_code != 200:
                continue
            html = answer.get_data(as_text=True)
            ids = raw_ids(html, guide)
            if guide is None:
                for each in bco_app.catalog.guides.values():
                    ids += raw_ids(html, each)
            if ids:
                found[f"{name} as {who}"] = sorted(set(ids))
    assert found == {}


def test_a_missing_item_quotes_the_question_as_the_screen_asks_it(
        bco_app: BCOApplication, client_for: Clients, clock: Any) -> None:
    """A Dutch tracer with an English-speaking index: the lines to say are in English, the
    chrome in Dutch, and a missing item quotes the question in the words on screen."""
    case_id = bco_app.register_case(
        person=IndexPerson(name="John Smith", phone="06 12345678", language="en"),
        disease="covid-19", onset=clock.now.date() - timedelta(days=2),
        received_at=clock.now - timedelta(hours=2), actor="intake").aggregate_id
    bco_app.assign_case(case_id, "tracer", "north", actor="lead")
    bco_app.log_call_attempt(case_id, "reached", actor="tracer")
    interview_id = bco_app.start_interview(case_id, actor="tracer").aggregate_id
    html = client_for("tracer").get(f"/interviews/{interview_id}").get_data(as_text=True)
    question = bco_app.catalog.guides["covid-19"].questions["went_to_work"].text
    assert question.in_language("en") in html and question.in_language("nl") not in html
    card = html[html.index('<section id="completeness"'):]
    item = re.search(r'<a href="#step-went_to_work">([^<]*)</a>', card)
    assert item is not None
    assert question.in_language("en") in item.group(1)
    assert ">Volledigheid <" in html  # the chrome stays Dutch
