"""Signing in and out, slowing down guessing, disabled accounts, CSRF and security headers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from web_support import Cases, sign_in

from bco.application import BCOApplication
from bco.config import Settings
from bco.web import auth, create_app


@pytest.fixture(autouse=True)
def no_failure_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "FAILURE_DELAY_SECONDS", 0)


def test_sign_in_page_has_the_form_the_browser_tests_use(web: Flask) -> None:
    page = web.test_client().get("/signin").get_data(as_text=True)
    assert 'id="name"' in page and 'id="password"' in page
    assert 'for="name"' in page and 'for="password"' in page


def test_sign_in_lands_on_the_worklist_and_sign_out_ends_the_session(web: Flask) -> None:
    client = web.test_client()
    answer = client.post("/signin", data={"name": "tracer", "password": "demo-tracer-pass"})
    assert answer.status_code == 302
    assert client.get("/").headers["Location"].endswith("/worklist")
    assert client.get("/worklist").status_code == 200
    assert client.post("/signout").status_code == 302
    after = client.get("/worklist")
    assert after.status_code == 302 and "/signin" in after.headers["Location"]


def test_names_are_not_case_sensitive_and_next_stays_on_this_site(web: Flask) -> None:
    client = web.test_client()
    answer = client.post("/signin?next=/inform",
                         data={"name": " Tracer ", "password": "demo-tracer-pass"})
    assert answer.headers["Location"].endswith("/inform")
    other = web.test_client().post("/signin?next=//evil.example/x",
                                   data={"name": "tracer", "password": "demo-tracer-pass"})
    assert "evil" not in other.headers["Location"]


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(web: Flask) -> None:
    client = web.test_client()
    wrong = client.post("/signin", data={"name": "tracer", "password": "not-the-password"})
    unknown = client.post("/signin", data={"name": "nobody", "password": "not-the-password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_data(as_text=True).count("do not match") == 1 or \
        "niet bij een actief account" in wrong.get_data(as_text=True)
    assert client.get("/worklist").status_code == 302


def test_empty_form_is_explained(web: Flask) -> None:
    answer = web.test_client().post("/signin", data={"name": "", "password": ""})
    assert answer.status_code == 422
    assert 'role="alert"' in answer.get_data(as_text=True)


def test_repeated_failures_make_that_source_wait_even_with_the_right_password(
        web: Flask) -> None:
    client = web.test_client()
    for _ in range(auth.MAX_FAILURES):
        assert client.post("/signin", data={"name": "tracer2",
                                            "password": "wrong-password"}).status_code == 401
    locked = client.post("/signin", data={"name": "tracer2", "password": "demo-tracer-pass"})
    assert locked.status_code == 429
    page = locked.get_data(as_text=True)
    assert "seconds" in page or "seconden" in page
    # Other accounts are not held up by someone guessing at tracer2.
    assert sign_in(web, "tracer").get("/worklist").status_code == 200


def test_disabled_account_cannot_sign_in_and_is_signed_out(web: Flask,
                                                           bco_app: BCOApplication) -> None:
    client = sign_in(web, "tracer3")
    assert client.get("/worklist").status_code == 200
    bco_app.disable_user("tracer3", actor="admin")
    assert client.get("/worklist").status_code == 302
    again = web.test_client().post("/signin", data={"name": "tracer3",
                                                    "password": "demo-tracer-pass"})
    assert again.status_code == 401


def test_pages_follow_the_account_language(web: Flask) -> None:
    dutch = sign_in(web, "tracer").get("/worklist").get_data(as_text=True)
    english = sign_in(web, "tracer2").get("/worklist").get_data(as_text=True)
    assert 'lang="nl"' in dutch and "Werklijst" in dutch
    assert 'lang="en"' in english and "Worklist" in english


def test_security_headers_and_no_inline_script(web: Flask, cases: Cases) -> None:
    case_id = cases.register()
    cases.assign(case_id, "tracer")
    cases.project()
    client = sign_in(web, "tracer")
    for path in ("/signin", "/worklist", f"/cases/{case_id}", "/inform"):
        answer = client.get(path)
        policy = answer.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["X-Frame-Options"] == "DENY"
        page = answer.get_data(as_text=True)
        assert "<script>" not in page and " style=" not in page and "onclick" not in page


@pytest.fixture
def csrf_web(web_settings: Settings, bco_app: BCOApplication) -> Iterator[Flask]:
    flask_app = create_app(web_settings, bco_app)
    flask_app.config.update(TESTING=True)
    yield flask_app
    flask_app.extensions["bco_runner"].stop()


def test_csrf_is_enforced_on_every_form(csrf_web: Flask, bco_app: BCOApplication,
                                        clock: object) -> None:
    client = csrf_web.test_client()
    refused = client.post("/signin", data={"name": "tracer", "password": "demo-tracer-pass"})
    assert refused.status_code == 400
    assert "nothing was saved" in refused.get_data(as_text=True) or \
        "niets opgeslagen" in refused.get_data(as_text=True)
    page = client.get("/signin").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    signed_in = client.post("/signin", data={"name": "tracer", "password": "demo-tracer-pass",
                                             "csrf_token": token})
    assert signed_in.status_code == 302
    before = bco_app.store_position()
    assert client.post("/next-case", data={}).status_code == 400
    assert client.post("/signout", data={}).status_code == 400
    assert bco_app.store_position() == before
    htmx = client.post("/next-case", headers={"X-CSRFToken": "forged"})
    assert htmx.status_code == 400


def test_htmx_and_api_calls_when_signed_out_get_401_not_the_sign_in_page(web: Flask) -> None:
    client = web.test_client()
    htmx = client.get("/worklist", headers={"HX-Request": "true"})
    assert htmx.status_code == 401
    assert "signed out" in htmx.get_data(as_text=True) or "afgemeld" in htmx.get_data(
        as_text=True)
    assert 'id="password"' not in htmx.get_data(as_text=True)
    api = client.get("/worklist", headers={"Accept": "application/json"})
    assert api.status_code == 401 and api.get_json()["code"] == "signed_out"
    page = client.get("/worklist?x=1")
    assert page.status_code == 302 and "next=" in page.headers["Location"]
