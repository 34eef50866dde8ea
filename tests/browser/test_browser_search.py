"""Finding a case from the header on a phone and on a desktop, and the authority's inform list;
screenshots go to test-output/."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from browser_support import Server, axe_violations, page_width, sign_in, sized
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}



@pytest.mark.parametrize("size", list(SIZES))
def test_a_tracer_finds_a_case_by_phone_from_the_header(
        new_page, server: Server, output_dir: Path, size: str) -> None:
    case_id = server.register_case(f"Wilma Zoekbaar {size}", phone="06 23456789")
    server.app.assign_case(case_id, "tracer", "north", actor="lead")
    page = sized(new_page, SIZES[size])
    sign_in(page, server, "tracer")
    page.goto(f"{server.url}/worklist")
    box = page.locator("header form.search input[name=term]")
    expect(box).to_be_visible()
    box.fill("06 2345 6789")
    page.screenshot(path=str(output_dir / f"search-header-{size}.png"))
    box.press("Enter")
    row = page.locator(f'tr[data-case-id="{case_id}"]')
    expect(row).to_contain_text(f"Wilma Zoekbaar {size}")
    assert "2345" not in page.url and "term" not in page.url
    assert page_width(page) <= SIZES[size]["width"]
    assert axe_violations(page) == [] and axe_violations(page, "serious") == []
    page.screenshot(path=str(output_dir / f"search-results-{size}.png"), full_page=True)
    row.locator("a.reference").click()
    expect(page.locator(".person-name")).to_have_text(f"Wilma Zoekbaar {size}")

    reference = f"C-{str(case_id)[:8]}"
    page.locator("header form.search input[name=term]").fill(reference)
    page.locator("header form.search button").click()
    expect(page.locator(".person-name")).to_have_text(f"Wilma Zoekbaar {size}")
    assert reference not in page.url


@pytest.mark.parametrize("size", list(SIZES))
def test_the_authority_sorts_filters_and_downloads_its_inform_list(
        new_page, server: Server, output_dir: Path, size: str) -> None:
    case_id = server.register_case(f"Index Informeren {size}")
    server.app.assign_case(case_id, "tracer2", "north", actor="lead")
    interview_id = server.app.start_interview(case_id, actor="tracer2").aggregate_id
    for name, extra in ((f"Overig {size}", {"informs": "authority"}),
                        (f"Huisgenoot {size}", {"informs": "authority", "household": True}),
                        (f"Zonder Keuze {size}", {})):
        server.app.report_contact(interview_id, {"name": name, "phone": "06 47658312",
                                                 "day": date.today(), "facts": {}, **extra},
                                  actor="tracer2")
    server.app.record_answer(interview_id, "who_informs", "mixed", actor="tracer2")
    server.app.complete_interview(interview_id, actor="tracer2")
    page = sized(new_page, SIZES[size])
    sign_in(page, server, "authority")
    page.goto(f"{server.url}/inform")
    mine = page.locator("article.inform h2").filter(has_text=size)
    expect(mine.first).to_contain_text(f"Huisgenoot {size}")
    expect(page.locator("article.inform").filter(has_text=f"Zonder Keuze {size}")
           .locator(".informer-missing")).to_be_visible()
    assert page_width(page) <= SIZES[size]["width"]
    assert axe_violations(page) == [] and axe_violations(page, "serious") == []
    page.screenshot(path=str(output_dir / f"inform-list-{size}.png"), full_page=True)
    page.select_option("#filter-category", "1")
    page.locator(".inform-filters button[type=submit]").click()
    expect(page.locator("article.inform h2").filter(has_text=size)).to_have_count(1)
    assert "category=1" in page.url
    with page.expect_download() as download:
        page.click("#inform-csv")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert f"Huisgenoot {size}" in text and f"Overig {size}" not in text
