"""Guessing slows down per account and source without locking out the owner; /healthz says
little to strangers; HSTS goes with secure cookies."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_support import PASSWORDS

from bco.application import BCOApplication
from bco.config import Settings
from bco.web import auth, create_app

GUESSER = {"REMOTE_ADDR": "203.0.113.7"}
OWNER = {"REMOTE_ADDR": "198.51.100.20"}


@pytest.fixture(autouse=True)
def no_failure_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "FAILURE_DELAY_SECONDS", 0)


def attempt(client: FlaskClient, password: str, source: dict[str, str]) -> int:
    answer = client.post("/signin", data={"name": "tracer2", "password": password},
                         environ_base=source)
    return answer.status_code


def test_a_guesser_elsewhere_does_not_lock_the_owner_out(web: Flask) -> None:
    guesser = web.test_client()
    for _ in range(20):
        attempt(guesser, "wrong-password", GUESSER)
    assert attempt(guesser, "demo-tracer-pass", GUESSER) == 429
    assert attempt(web.test_client(), "demo-tracer-pass", OWNER) == 302


def test_each_further_failure_doubles_the_wait(web: Flask, clock: Any) -> None:
    guesser = web.test_client()
    for _ in range(auth.MAX_FAILURES):
        assert attempt(guesser, "wrong-password", GUESSER) == 401
    waits = []
    for _ in range(4):
        assert attempt(guesser, "wrong-password", GUESSER) == 429
        seconds = 0
        while attempt(guesser, "wrong-password", GUESSER) == 429 and seconds < 60:
            clock.advance(seconds=1)
            seconds += 1
        waits.append(seconds)
    assert waits == [2, 4, 8, 16]
    clock.advance(seconds=auth.LONGEST_WAIT_SECONDS)
    assert attempt(guesser, "demo-tracer-pass", GUESSER) == 302


def test_health_is_bare_for_strangers_and_detailed_for_admins_and_this_machine(
        web: Flask) -> None:
    stranger = web.test_client().get("/healthz", environ_base=GUESSER)
    assert stranger.status_code == 200 and stranger.get_json() == {"status": "ok"}
    proxied = web.test_client().get("/healthz", headers={"X-Forwarded-For": "203.0.113.7"})
    assert proxied.get_json() == {"status": "ok"}
    local = web.test_client().get("/healthz")
    assert "store_position" in local.get_json()
    for name, detailed in (("admin", True), ("tracer", False)):
        client = web.test_client()
        client.environ_base.update(GUESSER)
        signed_in = client.post("/signin", data={"name": name, "password": PASSWORDS[name]})
        assert signed_in.status_code == 302
        assert ("store_position" in client.get("/healthz").get_json()) is detailed


def test_hsts_only_with_secure_cookies(web: Flask, web_settings: Settings,
                                       bco_app: BCOApplication) -> None:
    assert "Strict-Transport-Security" not in web.test_client().get("/signin").headers
    secure = create_app(web_settings.with_overrides(secure_cookies=True), bco_app)
    header = secure.test_client().get("/signin").headers.get("Strict-Transport-Security")
    assert header is not None and "max-age=" in header
    secure.extensions["bco_runner"].stop()
