"""The access-log screens as a team lead or privacy officer reads them: why each read happened
in words (the stored value kept as evidence), and every entry reachable a page at a time."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape
from uuid import UUID

import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_support import Cases, sign_in

from bco.application import BCOApplication
from bco.audit.store import AccessEntry
from bco.domain.case import IndexPerson
from bco.web.access_reasons import AREA_REASONS, ROUTE_REASONS

JSON = {"Accept": "application/json"}
WHY = re.compile(r'<td class="access-why" data-label="[^"]*">(.*?)</td>', re.S)
ROW = re.compile(r'<tr data-account="[^"]*" data-action="[^"]*" data-purpose="[^"]*">(.*?)</tr>',
                 re.S)
DETAIL = re.compile(r"read-(\d{4})")


def register(cases: Cases) -> UUID:
    recorded = cases.app.register_case(
        person=IndexPerson(name="Anouk Veldhuis", phone="06 47658312",
                           birth_date=date(1984, 5, 6), language="nl"),
        disease="covid-19", onset=cases.clock.now.date() - timedelta(days=2),
        received_at=cases.clock.now - timedelta(hours=1), actor="intake")
    return recorded.aggregate_id


def why_cells(html: str) -> list[str]:
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in WHY.findall(html)]


def logged_as(cases: Cases, case_id: UUID, purpose: str) -> AccessEntry:
    return AccessEntry(at=cases.clock.now, account="tracer", role="tracer", action="case",
                       purpose=purpose, address="10.0.0.7", case_id=case_id,
                       relation="assigned")


@pytest.mark.parametrize(("reader", "words"), [
    ("admin", ("Working on the case · its tracer", "Own worklist (to know who calls)",
               "Case file printed, no reason given", "The person concerned asked for it",
               "On the command line (bco case show)", "Working on cases",
               "Other work in BCO zzz.unheard_of")),
    ("lead", ("Werk aan de casus · de eigen onderzoeker",
              "Eigen werklijst (om te weten wie er belt)",
              "Dossier geprint, geen reden opgegeven", "Op verzoek van de betrokkene",
              "Op de opdrachtregel (bco case show)", "Werk aan casussen",
              "Ander werk in BCO zzz.unheard_of")),
])
def test_why_says_in_words_what_the_reader_was_doing_and_the_log_keeps_the_route(
        web: Flask, bco_app: BCOApplication, cases: Cases, reader: str,
        words: tuple[str, ...]) -> None:
    case_id = register(cases)
    cases.assign(case_id, "tracer")
    cases.project()
    sign_in(web, "tracer").get(f"/cases/{case_id}")
    sign_in(web, "tracer").get("/worklist")
    lead = sign_in(web, "lead")
    lead.get(f"/cases/{case_id}/casefile.pdf")
    lead.get(f"/cases/{case_id}/casefile.pdf?purpose=index-request")
    bco_app.access_log.append([
        logged_as(cases, case_id, "bco case show"),
        logged_as(cases, case_id, "tracer.a_page_added_later"),  # a route the words lack
        logged_as(cases, case_id, "zzz.unheard_of")])
    page = sign_in(web, reader).get(f"/cases/{case_id}/access")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    shown = why_cells(html)
    for expected in words:
        assert any(cell.startswith(expected) for cell in shown), (expected, shown)
    assert not any("tracer.case_page" in cell or "casefile.download" in cell
                   or "tracer.worklist" in cell for cell in shown)
    stored = [entry.purpose for entry in bco_app.access_log.entries()]
    assert stored[:4] == ["tracer.case_page", "tracer.worklist", "casefile.download",
                          "index-request"]  # the evidence is kept as it was written


def fill(bco_app: BCOApplication, cases: Cases, case_id: UUID, count: int) -> None:
    """`count` reads of the case a minute apart, numbered read-0000 (oldest) upwards."""
    start = cases.clock.now - timedelta(minutes=count)
    bco_app.access_log.append([
        AccessEntry(at=start + timedelta(minutes=number), account="tracer", role="tracer",
                    action="case", purpose="tracer.case_page", address="10.0.0.7",
                    case_id=case_id, relation="assigned", detail=f"read-{number:04d}")
        for number in range(count)])


def numbers_on(html: str) -> list[int]:
    return [int(found) for row in ROW.findall(html) for found in DETAIL.findall(row)]


def older_link(html: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next">', html)
    return unescape(found.group(1)) if found else None


def newer_link(html: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="prev">', html)
    return unescape(found.group(1)) if found else None


def walk(client: FlaskClient, first: str) -> list[list[int]]:
    """Every page from the first, by its Older link, with the read numbers on each."""
    pages, address = [], first
    while address is not None:
        answer = client.get(address)
        assert answer.status_code == 200
        html = answer.get_data(as_text=True)
        pages.append(numbers_on(html))
        address = older_link(html)
    return pages


def test_every_entry_of_a_long_log_is_a_page_away_newest_first(
        web: Flask, bco_app: BCOApplication, cases: Cases) -> None:
    case_id = register(cases)
    cases.assign(case_id, "tracer")
    cases.project()
    fill(bco_app, cases, case_id, 650)
    admin = sign_in(web, "admin")
    first = admin.get(f"/cases/{case_id}/access").get_data(as_text=True)
    assert "650 entries in all. Showing 1–100, newest first (page 1 of 7)." in first
    assert newer_link(first) is None and older_link(first) == f"/cases/{case_id}/access?page=2"
    pages = walk(admin, f"/cases/{case_id}/access")
    assert [len(page) for page in pages] == [100] * 6 + [50]
    assert [number for page in pages for number in page] == list(range(649, -1, -1))
    last = admin.get(f"/cases/{case_id}/access?page=7").get_data(as_text=True)
    assert "Showing 601–650, newest first (page 7 of 7)." in last
    assert newer_link(last) == f"/cases/{case_id}/access?page=6" and older_link(last) is None
    assert newer_link(admin.get(f"/cases/{case_id}/access?page=2").get_data(as_text=True)) \
        == f"/cases/{case_id}/access"
    beyond = admin.get(f"/cases/{case_id}/access?page=400")  # past the oldest: the last page
    assert beyond.status_code == 200 and numbers_on(beyond.get_data(as_text=True))[-1] == 0
    lead = sign_in(web, "lead").get(f"/cases/{case_id}/access?page=2").get_data(as_text=True)
    assert "650 inzages in totaal. Hier 101–200, nieuwste eerst (pagina 2 van 7)." in lead
    assert ">Ouder</a>" in lead and ">Nieuwer</a>" in lead


def test_the_admins_pages_keep_the_selection_in_their_links(
        web: Flask, bco_app: BCOApplication, cases: Cases) -> None:
    case_id = register(cases)
    cases.assign(case_id, "tracer")
    other = register(cases)
    cases.project()
    fill(bco_app, cases, case_id, 230)
    bco_app.access_log.append([AccessEntry(
        at=cases.clock.now, account="tracer2", role="tracer", action="case",
        purpose="tracer.case_page", address="10.0.0.8", case_id=other, relation="pool")])
    admin = sign_in(web, "admin")
    everyone = admin.get("/admin/access").get_data(as_text=True)
    assert "231 entries in all. Showing 1–100" in everyone
    day = (cases.clock.now - timedelta(days=1)).date().isoformat()
    reference = f"C-{case_id.hex[:8]}"
    selection = f"/admin/access?user=tracer&case={reference}&since={day}"
    pages = walk(admin, selection)
    assert [len(page) for page in pages] == [100, 100, 30]
    assert [number for page in pages for number in page] == list(range(229, -1, -1))
    second = admin.get(selection + "&page=2").get_data(as_text=True)
    assert older_link(second) == f"/admin/access?user=tracer&case={reference}&since={day}&page=3"
    assert "Veldhuis" not in second and "47658312" not in second


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "2e3", "１", "²", "9999999999",
                                  " ", "%00", "1;DROP TABLE"])
@pytest.mark.parametrize("address", ["/cases/{case}/access", "/admin/access",
                                     "/admin/access/unusual"])
def test_a_page_that_is_no_page_number_is_refused_clearly(
        web: Flask, cases: Cases, page: str, address: str) -> None:
    case_id = register(cases)
    cases.assign(case_id, "tracer")
    cases.project()
    admin = sign_in(web, "admin")
    url = address.format(case=case_id)
    answer = admin.get(url, query_string={"page": page}, headers=JSON)
    if page.strip() == "":
        assert answer.status_code == 200  # no page given: the first
        return
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["code"] == "bad_page" and list(body["errors"]) == ["page"]
    assert "is not a page number" in body["message"]
    shown = admin.get(url, query_string={"page": page})
    assert shown.status_code == 400 and "Newer and Older" in shown.get_data(as_text=True)


def test_unusual_reads_are_paged_too(web: Flask, bco_app: BCOApplication,
                                     cases: Cases) -> None:
    pool = register(cases)
    cases.project()
    start = cases.clock.now - timedelta(hours=5)
    bco_app.access_log.append([
        AccessEntry(at=start + timedelta(minutes=2 * number), account="tracer3", role="tracer",
                    action="case", purpose="tracer.case_page", address="10.0.0.9",
                    case_id=pool, relation="outside", detail=f"read-{number:04d}")
        for number in range(120)])
    admin = sign_in(web, "admin")
    pages = walk(admin, "/admin/access/unusual")
    assert [number for page in pages for number in page] == list(range(119, -1, -1))
    assert len(pages) == 2


def test_every_route_the_words_name_is_a_route_of_the_app(web: Flask) -> None:
    """A renamed route would keep its old words only for entries written before: fail here."""
    endpoints = set(web.view_functions)
    assert set(ROUTE_REASONS) - endpoints == set()
    assert {name.partition(".")[0] for name in endpoints} >= set(AREA_REASONS)
