"""A live BCO server on a free port (fresh data, demo accounts) and Debian chromium to drive it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, OUTPUT, ConsoleErrors, Server
from eventsourcing.cryptography import AESCipher
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from werkzeug.serving import BaseWSGIServer, make_server

from bco.application import BCOApplication
from bco.config import Settings
from bco.demo import load_demo_accounts
from bco.web import create_app

# Every Content-Security-Policy violation (an inline style in an htmx swap, an hx-on handler, a
# style attribute) as a console error, whatever the browser itself says about it; init scripts
# come from the test driver, so the policy does not block this one.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
                + ` at ${event.sourceFile || "?"}:${event.lineNumber} (${event.sample || ""})`);
});
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    data = tmp_path_factory.mktemp("bco-browser")
    settings = Settings(data_dir=data / "var", cipher_key=AESCipher.create_key(16),
                        key_file=data / "keys" / "events.key",
                        secret_key_file=data / "keys" / "session.key",
                        projection_poll_seconds=0.05)
    settings.data_dir.mkdir(parents=True)
    app = BCOApplication(settings)
    load_demo_accounts(app)
    flask_app = create_app(settings, app)
    http: BaseWSGIServer = make_server("127.0.0.1", 0, flask_app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{http.server_port}", app)
    finally:
        http.shutdown()
        runner = flask_app.extensions.get("bco_runner")
        if runner is not None:
            runner.stop()
        app.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Browser, request: pytest.FixtureRequest
             ) -> Iterator[Callable[..., Page]]:
    """Pages in separate browser contexts: separate people, each with their own session.

    Every page of every context (tabs opened later too) is watched: an error in the browser's
    console (a script error, a CSP violation as the page's own securitypolicyviolation event
    reports it, an htmx error such as oobErrorNoTarget) fails the test. A test that provokes
    refusals on purpose marks itself `expected_refusals`, which lets only the browser's own
    note of a 4xx answer to a request pass.
    """
    contexts: list[BrowserContext] = []
    errors = ConsoleErrors(refusals_expected=request.node.get_closest_marker(
        "expected_refusals") is not None)

    def make(**options: Any) -> Page:
        context = browser.new_context(**{"viewport": {"width": 1366, "height": 900},
                                         **options})
        context.set_default_timeout(15_000)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on("page", errors.watch)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert errors.found == [], "errors in the browser console"


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT


