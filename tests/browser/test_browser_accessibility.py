"""No critical axe-core violations on the pages a tracer lives in; none serious on the interview."""

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
    """Each rule broken, with the first elements that break it."""
    def where(v: dict[str, object]) -> str:
        nodes = v.get("nodes") or []
        return ", ".join(str(n["target"]) for n in nodes[:5])  # type: ignore[index,union-attr]
    return "; ".join(f"{v['id']}: {v['help']} ({where(v)})" for v in violations)


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
    """With answered questions, said lines and closed prompts: their badges and faded look
    must keep their contrast too."""
    interview_id = server.interview_for("tracer", "Thijs Mulder")
    app = server.app
    app.report_contact(interview_id, {"name": "Lotte Mulder", "household": True},
                       actor="tracer")
    for question, value in (("identity_confirmed", True), ("good_moment", True),
                            ("has_symptoms", True), ("household_size", 1)):
        app.record_answer(interview_id, question, value, actor="tracer")
    app.answer_follow_up(interview_id, "script:greeting", answer="said", actor="tracer")
    app.answer_follow_up(interview_id, "setting:work", nobody=True, actor="tracer")
    sign_in(axe_page, server, "tracer")
    axe_page.goto(f"{server.url}/interviews/{interview_id}")
    assert axe_page.locator(".badge.ok").count() >= 4
    for impact in ("critical", "serious"):
        violations = axe_violations(axe_page, impact)
        assert not violations, describe(violations)


@pytest.mark.expected_refusals
def test_interview_confirmation_and_refused_summary(axe_page: Page, server: Server) -> None:
    """The confirmation before completing with items missing, and a refused handover summary."""
    interview_id = server.interview_for("tracer", "Sem Mulder")
    sign_in(axe_page, server, "tracer")
    axe_page.goto(f"{server.url}/interviews/{interview_id}")
    for button, shown in (("#complete-interview", "#confirm-complete"),
                          ("#pause-interview", "#pause-summary-problem")):
        axe_page.fill("#pause-summary", "   ")  # passes `required`, refused by the server
        axe_page.click(button)
        axe_page.locator(shown).wait_for()
        for impact in ("critical", "serious"):
            violations = axe_violations(axe_page, impact)
            assert not violations, describe(violations)


def test_access_log_pages(new_page, server: Server) -> None:
    """The case page with its access-log link and case-file purpose, a case's log for its
    lead, and the administrator's log and unusual access: nothing critical or serious."""
    interview_id = server.interview_for("tracer", "Roos Dekker")
    case_id = server.app.get_interview(interview_id).case_id
    tracer: Page = new_page(bypass_csp=True)
    sign_in(tracer, server, "tracer")
    tracer.goto(f"{server.url}/cases/{case_id}")
    for name, paths in (("lead", (f"/cases/{case_id}", f"/cases/{case_id}/access")),
                        ("admin", ("/admin/access?user=tracer", "/admin/access/unusual"))):
        page: Page = new_page(bypass_csp=True)
        sign_in(page, server, name)
        for path in paths:
            page.goto(f"{server.url}{path}")
            violations = axe_violations(page, "critical") + axe_violations(page, "serious")
            assert not violations, f"{path}: {describe(violations)}"
            if path.endswith("/access") or "user=tracer" in path:
                assert page.locator("tr[data-account=tracer]").count() >= 1, path
