"""A team lead gives two waiting cases to another tracer from the dashboard, in the browser."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from browser_support import Server, axe_violations, sign_in
from playwright.sync_api import Page, expect

from bco.domain.case import IndexPerson

pytestmark = pytest.mark.browser

SCREEN = {"width": 1366, "height": 768}


def waiting_case(server: Server, name: str, hours: float) -> UUID:
    """A north case received `hours` ago and never called: over the first-call target."""
    today = datetime.now(tz=UTC).astimezone(server.app.settings.zone).date()
    recorded = server.app.register_case(
        person=IndexPerson(name=name, phone="06 12345678", birth_date=date(1984, 5, 6)),
        disease="covid-19", onset=today - timedelta(days=2),
        received_at=datetime.now(tz=UTC) - timedelta(hours=hours), actor="intake")
    server.app.assign_case(recorded.aggregate_id, "tracer", "north", actor="lead")
    return recorded.aggregate_id


def test_a_lead_bulk_reassigns_two_cases_and_the_tracer_sees_them(
        new_page, server: Server, output_dir: Path) -> None:
    first = waiting_case(server, "Joris Visser", 30)
    second = waiting_case(server, "Anouk Bos", 27)
    lead: Page = new_page(bypass_csp=True)
    lead.set_viewport_size(SCREEN)
    sign_in(lead, server, "lead")
    lead.goto(f"{server.url}/dashboard")
    for case_id in (first, second):
        row = lead.locator(f'#dashboard-panels tr[data-case-id="{case_id}"][data-clock]')
        expect(row).to_have_count(1)
        row.locator("input[type=checkbox]").check()
    assert axe_violations(lead) == [] and axe_violations(lead, "serious") == []
    lead.screenshot(path=str(output_dir / "dashboard-lead-1366x768.png"))
    lead.select_option("#bulk-tracer", "tracer2")
    lead.fill("#bulk-reason", "tracer is ill today")
    lead.click("#bulk button[value=assign]")
    expect(lead.locator(".flash")).to_contain_text("tracer2")
    for case_id in (first, second):
        assert server.app.get_case(case_id).tracer == "tracer2"
        assert server.app.case_history(case_id)[-1]["data"]["reason"] == "tracer is ill today"

    tracer2: Page = new_page()
    sign_in(tracer2, server, "tracer2")
    tracer2.goto(f"{server.url}/worklist")
    for case_id in (first, second):
        expect(tracer2.locator(f'#mine-heading ~ div tr[data-case-id="{case_id}"]')
               ).to_have_count(1)
    lead.screenshot(path=str(output_dir / "dashboard-lead-after.png"), full_page=True)
    assert axe_violations(lead) == [] and axe_violations(lead, "serious") == []
