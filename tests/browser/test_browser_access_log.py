"""A long access log on a desktop and on a phone: why in words, the count, and the pages
newer and older, with nothing wider than the screen; screenshots go to test-output/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from browser_support import Server, axe_violations, page_width, sign_in, sized
from playwright.sync_api import expect

from bco.audit.store import AccessEntry

pytestmark = pytest.mark.browser

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}
PURPOSES = ("tracer.case_page", "tracer.worklist", "casefile.download", "index-request",
            "bco case show", "interview.screen")



@pytest.mark.parametrize("size", list(SIZES))
def test_a_long_log_reads_well_a_page_at_a_time(new_page, server: Server, output_dir: Path,
                                                 size: str) -> None:
    case_id = server.register_case(f"Lang Logboek {size}")
    server.app.assign_case(case_id, "tracer", "north", actor="lead")
    start = datetime.now(UTC) - timedelta(days=1)
    server.app.access_log.append([
        AccessEntry(at=start + timedelta(minutes=number), account="tracer", role="tracer",
                    action="case", purpose=PURPOSES[number % len(PURPOSES)],
                    address="10.0.0.7", case_id=case_id, relation="assigned")
        for number in range(230)])
    reference = f"C-{case_id.hex[:8]}"
    server.app.access_log.append([
        AccessEntry(at=start + timedelta(minutes=number), account="tracer3", role="tracer",
                    action="case", purpose="tracer.a_page_added_later", address="10.0.0.9",
                    case_id=case_id, relation="outside") for number in range(3)]
        + [AccessEntry(at=start, account="tracer3", role="tracer", action="case",
                       purpose="zzz.unheard_of", address="10.0.0.9", case_id=case_id,
                       relation="outside")])
    for reader, address, older, status in (
            ("lead", f"/cases/{case_id}/access", "Ouder", "234 inzages in totaal."),
            ("admin", f"/admin/access?case={reference}", "Older", "234 entries in all.")):
        page = sized(new_page, SIZES[size])
        sign_in(page, server, reader)
        page.goto(server.url + address)
        expect(page.locator(".access-count")).to_contain_text(status)
        assert "tracer.case_page" not in page.locator("table.access-log").inner_text()
        assert page_width(page) <= SIZES[size]["width"]
        assert axe_violations(page) == [] and axe_violations(page, "serious") == []
        page.screenshot(path=str(output_dir / f"access-log-{reader}-{size}.png"), full_page=True)
        page.screenshot(path=str(output_dir / f"access-log-{reader}-{size}-top.png"))
        page.get_by_role("link", name=older).click()
        expect(page.locator(".pages [aria-current=page]")).to_have_text("2")
        assert "page=2" in page.url and "Logboek" not in page.url
        page.locator(".pages").scroll_into_view_if_needed()
        page.screenshot(path=str(output_dir / f"access-log-{reader}-{size}-pager.png"))
    page.goto(f"{server.url}/admin/access/unusual")  # the admin's reads outside, same table
    assert page_width(page) <= SIZES[size]["width"]
    page.screenshot(path=str(output_dir / f"access-unusual-{size}.png"), full_page=True)
