"""The API's docs page draws the OpenAPI description under the strict CSP, with no CDN."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import Server
from playwright.sync_api import ConsoleMessage, Page, Request

pytestmark = pytest.mark.browser


def test_the_docs_page_lists_every_endpoint(server: Server, page: Page,
                                            output_dir: Path) -> None:
    problems: list[str] = []
    elsewhere: list[str] = []
    page.on("console", lambda message: _note(message, problems))
    page.on("request", lambda request: _outside(request, server.url, elsewhere))
    page.goto(f"{server.url}/api/docs")
    page.get_by_text("/api/exports/contacts").first.wait_for()
    for path in ("/api/cases", "/api/cases/{case_id}", "/api/cases/{case_id}/casefile.pdf",
                 "/api/exports/cases"):
        assert page.get_by_text(path, exact=True).count() >= 1, path
    page.screenshot(path=str(output_dir / "api-docs.png"), full_page=False)
    assert [p for p in problems if "Content Security Policy" in p] == []
    assert elsewhere == []


def _note(message: ConsoleMessage, problems: list[str]) -> None:
    if message.type == "error":
        problems.append(message.text)


def _outside(request: Request, origin: str, elsewhere: list[str]) -> None:
    if not request.url.startswith((origin, "data:")):
        elsewhere.append(request.url)
