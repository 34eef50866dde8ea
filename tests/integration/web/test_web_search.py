"""Finding a case from the header: by role, by every kind of term, never with the term in a URL
or a log."""

from __future__ import annotations

import logging
from datetime import date
from uuid import UUID

import pytest
from flask import Flask
from web_support import Cases, sign_in

from bco.application import BCOApplication
from bco.domain.case import IndexPerson
from bco.web.access import case_reference


@pytest.fixture
def people(bco_app: BCOApplication, cases: Cases, clock: object) -> dict[str, UUID]:
    """A north case of tracer, one in the pool, one of team south, and one interviewed."""
    def register(name: str, phone: str, born: date) -> UUID:
        return bco_app.register_case(
            person=IndexPerson(name=name, phone=phone, birth_date=born), disease="covid-19",
            onset=date(2026, 11, 23), actor="intake").aggregate_id

    mine = register("Marieke van Dam", "+31612345678", date(1980, 3, 4))
    cases.assign(mine, "tracer", "north")
    pool = register("Pieter Pool", "06 87654321", date(1975, 1, 2))
    south = register("Marieke Zuid", "06 11223344", date(1980, 3, 4))
    cases.assign(south, "tracer3", "south")
    done = register("Dirk Klaar", "06 55667788", date(1990, 7, 8))
    cases.assign(done, "tracer3", "south")
    interview = bco_app.start_interview(done, actor="tracer3").aggregate_id
    bco_app.complete_interview(interview, actor="tracer3")
    cases.project()
    return {"mine": mine, "pool": pool, "south": south, "done": done}


def found(web: Flask, who: str, term: str) -> str:
    answer = sign_in(web, who).post("/search", data={"term": term})
    assert answer.status_code == 200, answer.status_code
    return answer.get_data(as_text=True)


def test_phone_in_any_spelling_finds_the_case(web: Flask, people: dict[str, UUID]) -> None:
    for term in ("06 12345678", "0612345678", "+31 6 1234 5678", "06-12345678"):
        page = found(web, "tracer", term)
        assert "Marieke van Dam" in page and case_reference(people["mine"]) in page, term
        assert "Gezocht op telefoonnummer" in page


def test_name_birth_date_and_reference(web: Flask, people: dict[str, UUID]) -> None:
    assert "Marieke van Dam" in found(web, "tracer", "marieke")
    assert "Marieke van Dam" in found(web, "tracer", "van dam")
    for term in ("1980-03-04", "4-3-1980", "04/03/1980"):
        page = found(web, "tracer", term)
        assert "Marieke van Dam" in page and "Marieke Zuid" not in page, term
    reference = case_reference(people["pool"])
    for term in (reference, reference.lower(), reference[:6], reference[2:]):
        answer = sign_in(web, "tracer").post("/search", data={"term": term})
        assert answer.status_code == 303, term  # one match by reference opens the case
        assert answer.headers["Location"].endswith(f"/cases/{people['pool']}")


def test_each_role_finds_only_what_it_may_see(web: Flask, people: dict[str, UUID]) -> None:
    tracer = found(web, "tracer", "marieke")
    assert "Marieke van Dam" in tracer and "Marieke Zuid" not in tracer
    assert "Pieter Pool" in found(web, "tracer", "pieter")  # the team's pool
    assert "Marieke" not in found(web, "tracer2", "marieke")  # a colleague's case
    south = found(web, "tracer3", "marieke")
    assert "Marieke Zuid" in south and "Marieke van Dam" not in south
    assert "Geen casus gevonden" in found(web, "tracer3", "06 12345678")
    lead = found(web, "lead", "marieke")
    assert "Marieke van Dam" in lead and "Marieke Zuid" not in lead
    assert "Geen casus gevonden" in found(web, "lead", case_reference(people["south"]))


def test_the_authority_finds_interviewed_cases_without_names(
        web: Flask, people: dict[str, UUID]) -> None:
    page = found(web, "authority", "dirk")
    assert case_reference(people["done"]) in page
    assert "Dirk Klaar" not in page and "namen van indexpersonen worden niet getoond" in page
    assert "Geen casus gevonden" in found(web, "authority", "marieke")  # not interviewed yet
    answer = sign_in(web, "admin").post("/search", data={"term": "dirk"})
    assert answer.status_code == 403
    assert 'id="search-term"' not in sign_in(web, "admin").get("/").get_data(as_text=True)


def test_the_header_posts_the_term_and_nothing_logs_it(
        web: Flask, people: dict[str, UUID], caplog: pytest.LogCaptureFixture) -> None:
    client = sign_in(web, "tracer")
    home = client.get("/worklist").get_data(as_text=True)
    assert 'class="search" method="post"' in home and 'name="term"' in home
    with caplog.at_level(logging.DEBUG):
        page = client.post("/search", data={"term": "Marieke"}).get_data(as_text=True)
    assert "Marieke van Dam" in page
    entries = web.extensions["bco"].access_log.entries()
    assert "marieke" not in repr(entries).lower() and "marieke" not in caplog.text.lower()
    assert [e.action for e in entries[-2:]] == ["search", "search-result"]
    assert entries[-2].records == 1 and entries[-2].case_id is None
    assert (entries[-1].case_id, entries[-1].account, entries[-1].relation) == (
        people["mine"], "tracer", "assigned")
    assert client.get("/search?term=Marieke").get_data(as_text=True).count("Marieke") == 0


def test_many_matches_are_capped_with_a_hint(web: Flask, bco_app: BCOApplication,
                                             cases: Cases) -> None:
    for number in range(22):
        case_id = cases.register(name=f"Jansen {number:02d}", phone=f"06 1000{number:04d}")
        cases.assign(case_id, "tracer")
    cases.project()
    page = found(web, "tracer", "jansen")
    assert page.count('class="index-name"') == 20 and "Alleen de eerste 20 worden getoond" in page


def test_an_empty_or_unreadable_term_finds_nothing(web: Flask, people: dict[str, UUID]) -> None:
    page = found(web, "tracer", "")
    assert "search-results" not in page
    assert "Geen casus gevonden" in found(web, "tracer", "06 123")
    assert "Geen casus gevonden" in found(web, "tracer", "C-zzzz")
