"""The authority's inform list: most urgent first, filtered, paged, downloadable as a safe CSV,
and contacts nobody was named to inform marked instead of dropped."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any
from uuid import UUID

from flask import Flask
from web_support import Cases, sign_in

from bco.application import BCOApplication


def finished(app: BCOApplication, cases: Cases, clock: Any, contacts: list[dict[str, Any]],
             *, answer: str | None = None) -> tuple[UUID, list[UUID]]:
    """A completed interview of tracer2 with these contacts; (interview, contact ids)."""
    case_id = cases.register(name="Index Persoon")
    cases.assign(case_id, "tracer2")
    interview_id = app.start_interview(case_id, actor="tracer2").aggregate_id
    ids = []
    for contact in contacts:
        clock.advance(seconds=1)  # reported one after the other, as on a call
        ids.append(app.report_contact(interview_id, {"facts": {}, **contact},
                                      actor="tracer2").aggregate_id)
    if answer is not None:
        app.record_answer(interview_id, "who_informs", answer, actor="tracer2")
    app.complete_interview(interview_id, actor="tracer2")
    clock.advance(minutes=30)
    return interview_id, ids


def names_in_order(page: str) -> list[str]:
    return re.findall(r'<h2 id="contact-[^"]+-name">([^<]+?) <span', page)


def test_most_urgent_first_and_the_informer_not_chosen_is_marked(
        web: Flask, bco_app: BCOApplication, cases: Cases, clock: Any) -> None:
    finished(bco_app, cases, clock, [{"name": "Oud Overig", "informs": "authority"}])
    finished(bco_app, cases, clock, [
        {"name": "Nieuw Huisgenoot", "informs": "authority", "household": True},
        {"name": "Niemand Gekozen", "household": True},
        {"name": "Zelf Gebeld", "informs": "index"}], answer="mixed")
    cases.project()
    page = sign_in(web, "tracer2").get("/inform").get_data(as_text=True)
    assert names_in_order(page) == ["Nieuw Huisgenoot", "Niemand Gekozen", "Oud Overig"]
    assert page.count("Informer not chosen.") == 1
    marked = page.split('id="contact-')
    assert next(part for part in marked if "Niemand Gekozen" in part).count(
        "Informer not chosen.") == 1
    assert "Category 1: household member" in page and "Interview completed" in page
    assert "3 contacts to inform, most urgent first." in page


def test_filters_narrow_the_list(web: Flask, bco_app: BCOApplication, cases: Cases,
                                 clock: Any) -> None:
    interview_id, (tried, _, _) = finished(bco_app, cases, clock, [
        {"name": "Eerder Geprobeerd", "informs": "authority", "day": date(2026, 11, 22)},
        {"name": "Huis Genoot", "informs": "authority", "household": True,
         "day": date(2026, 11, 23)},
        {"name": "Verre Kennis", "informs": "authority", "day": date(2026, 11, 23)}])
    bco_app.log_inform_outcome(interview_id, tried, "unreachable", actor="authority")
    cases.project()
    client = sign_in(web, "tracer2")

    def shown(query: str) -> list[str]:
        return names_in_order(client.get(f"/inform?{query}").get_data(as_text=True))

    assert shown("category=1") == ["Huis Genoot"]
    assert shown("category=3") == ["Eerder Geprobeerd", "Verre Kennis"]
    assert shown("day=2026-11-23") == ["Huis Genoot", "Verre Kennis"]
    assert shown("outcome=unreachable") == ["Eerder Geprobeerd"]
    assert shown("outcome=new&category=3") == ["Verre Kennis"]
    assert shown("day=not-a-day&outcome=bogus&category=<b>") == [
        "Huis Genoot", "Eerder Geprobeerd", "Verre Kennis"]
    page = client.get("/inform?category=3").get_data(as_text=True)
    assert '<option value="1">Category 1: household member</option>' in page
    assert '<option value="3" selected>' in page
    assert "Nobody on the list matches these filters." in client.get(
        "/inform?category=2a").get_data(as_text=True)


def test_the_list_is_paged_twenty_at_a_time(web: Flask, bco_app: BCOApplication,
                                            cases: Cases, clock: Any) -> None:
    finished(bco_app, cases, clock, [{"name": f"Contact {number:02d}", "informs": "authority"}
                                     for number in range(45)])
    cases.project()
    client = sign_in(web, "tracer2")
    first = client.get("/inform").get_data(as_text=True)
    assert names_in_order(first)[:2] == ["Contact 00", "Contact 01"]
    assert len(names_in_order(first)) == 20 and "Page 1 of 3." in first
    assert 'href="/inform?page=2" rel="next"' in first
    last = client.get("/inform?page=3").get_data(as_text=True)
    assert names_in_order(last) == ["Contact 40", "Contact 41", "Contact 42", "Contact 43",
                                    "Contact 44"]
    assert 'href="/inform?page=2" rel="prev"' in last
    beyond = client.get("/inform?page=99").get_data(as_text=True)
    assert names_in_order(beyond) == names_in_order(last)


def test_csv_has_every_filtered_row_formula_safe_and_is_logged(
        web: Flask, bco_app: BCOApplication, cases: Cases, clock: Any) -> None:
    interview_id, _ = finished(bco_app, cases, clock, [
        {"name": "=HYPERLINK(\"http://evil\")", "informs": "authority", "household": True,
         "phone": "06 47658312", "relation": "@SUM(A1)"},
        {"name": "-Min Teken", "relation": "@Apenstaart"},
        *({"name": f"Contact {number:02d}", "informs": "authority"} for number in range(25))],
        answer="mixed")
    cases.project()
    client = sign_in(web, "tracer2")
    answer = client.get("/inform.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    raw = answer.get_data()
    assert raw.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0][:4] == ["Case", "Disease", "Category", "Name"]
    assert len(table) == 1 + 27
    first, second = table[1], table[2]
    assert first[3] == "'=HYPERLINK(\"http://evil\")" and first[4] == "'+31647658312"
    assert first[6] == "'@SUM(A1)" and first[8] == "the health service"
    assert second[3] == "'-Min Teken" and second[6] == "'@Apenstaart" and second[8] == "not chosen"
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
               for line in table for cell in line)
    only_one = list(csv.reader(io.StringIO(
        client.get("/inform.csv?category=1").get_data().decode("utf-8-sig"))))
    assert len(only_one) == 2
    logged = [entry for entry in web.extensions["bco"].access_log.entries()
              if entry.action == "inform-csv"]
    assert logged and logged[-1].case_id == bco_app.get_interview(interview_id).case_id
    assert logged[-1].account == "tracer2"
