"""Sessions end for every copy of the cookie at sign-out, disabling and a new password, and
after the idle timeout and the absolute lifetime."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_support import Cases, sign_in

from bco.application import BCOApplication
from bco.passwords import hash_password


@pytest.fixture
def own_case(cases: Cases) -> UUID:
    case_id = cases.register()
    cases.assign(case_id, "tracer")
    cases.project()
    return case_id


def copy_of(web: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding the same session cookie, as a thief who copied it would."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    other = web.test_client()
    other.set_cookie("session", cookie.value)
    return other


def signed_out(answer: Any) -> bool:
    return answer.status_code == 302 and "/signin" in answer.headers["Location"]


def test_a_copied_cookie_stops_working_at_sign_out(web: Flask, own_case: UUID) -> None:
    client = sign_in(web, "tracer")
    copied = copy_of(web, client)
    assert copied.get(f"/cases/{own_case}").status_code == 200
    assert client.post("/signout").status_code == 302
    assert signed_out(copied.get(f"/cases/{own_case}"))
    attempt = copied.post(f"/cases/{own_case}/calls", data={"outcome": "no_answer"})
    assert attempt.status_code in (302, 401)


def test_sign_out_ends_the_accounts_other_sessions_too(web: Flask, own_case: UUID) -> None:
    laptop, phone = sign_in(web, "tracer"), sign_in(web, "tracer")
    laptop.post("/signout")
    assert signed_out(phone.get(f"/cases/{own_case}"))
    assert sign_in(web, "tracer").get(f"/cases/{own_case}").status_code == 200


def test_a_new_password_or_disabling_ends_every_session(web: Flask, bco_app: BCOApplication,
                                                        own_case: UUID) -> None:
    client = sign_in(web, "tracer")
    bco_app.change_password("tracer", hash_password("a-new-password-1"), actor="admin")
    assert signed_out(client.get(f"/cases/{own_case}"))
    other = sign_in(web, "tracer2")
    bco_app.disable_user("tracer2", actor="admin")
    assert signed_out(other.get("/worklist"))


def test_an_idle_session_ends_after_the_idle_timeout(web: Flask, clock: Any) -> None:
    client = sign_in(web, "tracer")
    clock.advance(minutes=29)
    assert client.get("/worklist").status_code == 200
    clock.advance(minutes=29)
    assert client.get("/worklist").status_code == 200
    clock.advance(minutes=31)
    assert signed_out(client.get("/worklist"))


def test_an_active_session_ends_after_its_lifetime(web: Flask, clock: Any) -> None:
    client = sign_in(web, "tracer")
    for _ in range(12 * 3):
        clock.advance(minutes=20)
        assert client.get("/worklist").status_code == 200
    clock.advance(minutes=20)
    assert signed_out(client.get("/worklist"))
