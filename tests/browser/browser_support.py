"""Helpers for the browser tests: the live server handle, signing in, axe-core."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from playwright.sync_api import ConsoleMessage, Error, Page

from bco.application import BCOApplication
from bco.demo import DEMO_ACCOUNTS
from bco.domain.case import IndexPerson

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORDS = {name: password for name, _role, _team, _language, password in DEMO_ACCOUNTS}
ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@dataclass
class Server:
    """The running app: its URL and the application behind it, to set up cases directly."""

    url: str
    app: BCOApplication

    def register_case(self, name: str = "Sanne de Vries", *, onset_days_ago: int = 2,
                      phone: str = "06 12345678") -> UUID:
        """A new covid-19 case in the pool, as intake would register it."""
        today = datetime.now(tz=UTC).astimezone(self.app.settings.zone).date()
        recorded = self.app.register_case(
            person=IndexPerson(name=name, phone=phone, birth_date=date(1984, 5, 6)),
            disease="covid-19",
            onset=today - timedelta(days=onset_days_ago),
            received_at=datetime.now(tz=UTC) - timedelta(hours=3), actor="intake")
        return recorded.aggregate_id

    def interview_for(self, tracer: str, name: str = "Sanne de Vries") -> UUID:
        """A case assigned to `tracer` with its interview started, skipping the case page."""
        case_id = self.register_case(name)
        self.app.assign_case(case_id, tracer, "north", actor="lead")
        self.app.log_call_attempt(case_id, "reached", actor=tracer)
        return self.app.start_interview(case_id, actor=tracer).aggregate_id


REFUSAL = re.compile(r"^Failed to load resource: the server responded with a status of 4\d\d")


@dataclass
class ConsoleErrors:
    """Errors the browser reported on any watched page: console errors and uncaught ones."""

    refusals_expected: bool = False
    found: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", self._uncaught)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        if self.refusals_expected and REFUSAL.match(message.text) and "/static/" not in where:
            return
        self.found.append(f"{message.text} ({where})")

    def _uncaught(self, error: Error) -> None:
        self.found.append(f"uncaught: {error.message}")


def sign_in(page: Page, server: Server, name: str) -> None:
    page.goto(f"{server.url}/signin")
    page.fill("#name", name)
    page.fill("#password", PASSWORDS[name])
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/signin" not in page.url, page.content()[:2000]


def sized(new_page: Any, viewport: dict[str, int]) -> Page:
    """A page of its own (a person of its own) at this screen size; axe-core may run in it."""
    page: Page = new_page(bypass_csp=True)
    page.set_viewport_size(viewport)
    return page


def page_width(page: Page) -> int:
    """How wide the page's content is, to check it fits the screen without scrolling sideways."""
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width


def axe_violations(page: Page, impact: str = "critical") -> list[dict[str, object]]:
    """Run axe-core from the npm package inside the page; return violations of this impact."""
    axe = AXE if AXE.exists() else ROOT / "bco" / "web" / "static" / "vendor" / "axe.min.js"
    if not axe.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    page.add_script_tag(path=str(axe))
    result = page.evaluate("axe.run()")
    return [v for v in result["violations"] if v.get("impact") == impact]

