"""Behind a load balancer: with BCO_TRUSTED_PROXIES the client's own address (from the
X-Forwarded-For the proxy added) goes to the access log and the sign-in waits; without it, an
X-Forwarded-For a client sends itself changes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_support import PASSWORDS, Cases, runner

from bco.application import BCOApplication
from bco.config import Settings, SettingsError
from bco.web import auth, create_app

BALANCER = {"REMOTE_ADDR": "10.0.0.2"}
GUESSER = "203.0.113.7"
OWNER = "198.51.100.20"


@pytest.fixture(autouse=True)
def no_failure_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "FAILURE_DELAY_SECONDS", 0)


@pytest.fixture
def proxied(web_settings: Settings, bco_app: BCOApplication) -> Iterator[Flask]:
    """The app as it runs behind one load balancer."""
    flask_app = create_app(web_settings.with_overrides(trusted_proxies=1), bco_app)
    flask_app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    yield flask_app
    runner(flask_app).stop()


def through(flask_app: Flask, forwarded_for: str) -> FlaskClient:
    """A client whose every request arrives from the balancer, naming the client."""
    client = flask_app.test_client()
    client.environ_base.update({**BALANCER, "HTTP_X_FORWARDED_FOR": forwarded_for})
    return client


def sign_in_as(client: FlaskClient, name: str, password: str | None = None) -> int:
    answer = client.post("/signin", data={"name": name,
                                          "password": password or PASSWORDS[name]})
    return answer.status_code


def test_the_access_log_records_the_client_behind_the_balancer(
        proxied: Flask, bco_app: BCOApplication, cases: Cases) -> None:
    case_id = cases.register()
    cases.assign(case_id, "tracer")
    cases.project()
    # A client at 192.0.2.50 that sends an X-Forwarded-For of its own: the balancer appends
    # the address it saw, and only that last one is believed.
    forger = through(proxied, f"{OWNER}, 192.0.2.50")
    assert sign_in_as(forger, "lead") == 302
    assert forger.get(f"/cases/{case_id}").status_code == 200
    (entry,) = bco_app.access_log.entries()
    assert entry.address == "192.0.2.50"
    assert through(proxied, OWNER).get(f"/cases/{case_id}").status_code == 302  # no session
    client = through(proxied, OWNER)
    assert sign_in_as(client, "lead") == 302
    client.get(f"/cases/{case_id}")
    assert [e.address for e in bco_app.access_log.entries()] == ["192.0.2.50", OWNER]


def test_a_guesser_behind_the_balancer_does_not_hold_up_the_owner(proxied: Flask) -> None:
    guesser = through(proxied, GUESSER)
    for _ in range(auth.MAX_FAILURES + 2):
        sign_in_as(guesser, "tracer2", "wrong-password")
    assert sign_in_as(guesser, "tracer2") == 429
    assert sign_in_as(through(proxied, OWNER), "tracer2") == 302


def test_without_trusted_proxies_a_forwarded_for_changes_nothing(
        web: Flask, bco_app: BCOApplication, cases: Cases) -> None:
    """A guesser cannot dodge its wait, nor put another address in the log, by naming one."""
    for number in range(auth.MAX_FAILURES + 2):
        sign_in_as(through(web, f"192.0.2.{number}"), "tracer2", "wrong-password")
    assert sign_in_as(through(web, "192.0.2.99"), "tracer2") == 429
    case_id = cases.register()
    cases.assign(case_id, "tracer")
    cases.project()
    lead = through(web, OWNER)
    assert sign_in_as(lead, "lead") == 302
    lead.get(f"/cases/{case_id}")
    assert [e.address for e in bco_app.access_log.entries()] == ["10.0.0.2"]


@pytest.mark.parametrize("value", ["-1", "6", "two"])
def test_a_wrong_number_of_proxies_is_refused_by_name(value: str) -> None:
    with pytest.raises(SettingsError, match="BCO_TRUSTED_PROXIES"):
        Settings.from_env({"BCO_TRUSTED_PROXIES": value})
