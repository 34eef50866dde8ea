"""No critical axe-core violations on the pages a tracer lives in."""

from __future__ import annotations

import pytest
from browser_support import Server, axe_violations, sign_in
from playwright.sync_api import Page

pytestmark = pytest.mark.browser


@pytest.fixture
def axe_page(new_page) -> Page:
    """axe is injected as a script tag, which the strict CSP would (rightly) block."""
    page: Page = new_page(bypass_csp=True)
    return page


def describe(violations: list[dict[str, object]]) -> str:
    return "; ".join(f"{v['id']}: {v['help']}" for v in violations)


def test_sign_in_page(axe_page: Page, server: Server) -> None:
    axe_page.goto(f"{server.url}/signin")
    violations = axe_violations(axe_page)
    assert not violations, describe(violations)


def test_worklist_page(axe_page: Page, server: Server) -> None:
    server.interview_for("tracer", "Eva Smit")
    sign_in(axe_page, server, "tracer")
    axe_page.goto(f"{server.url}/worklist")
    violations = axe_violations(axe_page)
    assert not violations, describe(violations)


def test_interview_page(axe_page: Page, server: Server) -> None:
    interview_id = server.interview_for("tracer", "Thijs Mulder")
    server.app.report_contact(interview_id, {"name": "Lotte Mulder", "household": True},
                              actor="tracer")
    sign_in(axe_page, server, "tracer")
    axe_page.goto(f"{server.url}/interviews/{interview_id}")
    violations = axe_violations(axe_page)
    assert not violations, describe(violations)
    serious = axe_violations(axe_page, "serious")
    assert not serious, describe(serious)
