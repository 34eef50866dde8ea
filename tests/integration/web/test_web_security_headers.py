"""Every answer carries the security headers: every route of the URL map, each method it takes,
signed in and not, with real ids and unknown ones, errors, static files and the API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest
from flask import Flask
from web_support import Cases, sign_in
from werkzeug.test import TestResponse

from bco.application import BCOApplication
from bco.config import Settings
from bco.web import create_app


def check_headers(answer: TestResponse, where: str, *, hsts: bool) -> None:
    policy = answer.headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives.get("default-src") == ["'self'"], where
    assert directives.get("script-src") == ["'self'"], where
    assert directives.get("style-src") == ["'self'"], where
    assert directives.get("frame-ancestors") == ["'none'"], where
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, where
    assert answer.headers.get("X-Content-Type-Options") == "nosniff", where
    assert answer.headers.get("Referrer-Policy") == "no-referrer", where
    assert answer.headers.get("X-Frame-Options") == "DENY", where
    if hsts:
        assert re.fullmatch(r"max-age=\d{7,}.*",
                            answer.headers.get("Strict-Transport-Security", "")), where
    else:
        assert "Strict-Transport-Security" not in answer.headers, where


def urls(flask_app: Flask, ids: dict[str, UUID], link: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) for every route, filled with a real id and with an unknown one (and a
    self-report link's token, real or not)."""
    for rule in flask_app.url_map.iter_rules():
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        for known in (True, False):
            values: dict[str, Any] = {}
            for name in rule.arguments:
                if name.endswith("_id") and name != "question_id":
                    values[name] = ids[name] if known else uuid4()
                elif name == "token":
                    values[name] = link if known else "no-such-link"
                elif name == "kind":
                    values[name] = "case"
                elif name == "filename":
                    values[name] = "style.css" if known else "missing.css"
                elif name == "name":
                    values[name] = "caseload" if known else "nothing"
                else:
                    values[name] = "household_size" if known else "no-such-question"
            path = rule.build(values, append_unknown=False)
            assert path is not None
            for method in methods:
                yield method, path[1]


@pytest.mark.parametrize("secure", [False, True])
def test_every_answer_has_the_security_headers(web_settings: Settings, bco_app: BCOApplication,
                                               clock: Any, secure: bool) -> None:
    flask_app = create_app(web_settings.with_overrides(secure_cookies=secure), bco_app)
    flask_app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    cases = Cases(bco_app, flask_app, clock)
    try:
        case_id = cases.register()
        cases.assign(case_id, "tracer")
        bco_app.log_call_attempt(case_id, "reached", actor="tracer")
        interview_id = bco_app.start_interview(case_id, actor="tracer").aggregate_id
        contact_id = bco_app.report_contact(interview_id, {
            "name": "Noor", "phone": "06 11112222", "household": True, "facts": {}},
            actor="tracer").aggregate_id
        cases.project()
        ids = {"case_id": case_id, "interview_id": interview_id, "contact_id": contact_id,
               "resource_id": case_id,
               "practice_id": uuid4()}  # a practice lives in the sandbox: its 404 here
        link = bco_app.invite_index(case_id, actor="tracer")
        ids["link_id"] = link.recorded.aggregate_id
        token, _ = bco_app.issue_api_token("ggd", role="authority", actor="admin")
        clients = {"nobody": flask_app.test_client(),
                   "api": flask_app.test_client()}
        for name in ("tracer", "lead", "authority", "admin"):
            clients[name] = sign_in(flask_app, name)
        flask_app.config["WTF_CSRF_ENABLED"] = True  # posts without a token: refused, 400
        seen: set[int] = set()
        routes = list(urls(flask_app, ids, link.token))
        assert len(routes) > 80
        for method, path in [*routes, ("GET", "/no-such-page"), ("DELETE", "/worklist"),
                             ("GET", "/static/../../etc/passwd")]:
            for who, client in clients.items():
                headers = {"Authorization": f"Bearer {token}"} if who == "api" else {}
                answer = client.open(path, method=method, headers=headers)
                check_headers(answer, f"{method} {path} as {who}: {answer.status_code}",
                              hsts=secure)
                seen.add(answer.status_code)
                answer.close()
        # successes, redirects, client errors of every kind the app gives
        assert {200, 302, 400, 401, 403, 404, 405} <= seen
    finally:
        flask_app.extensions["bco_runner"].stop()


def test_a_server_error_has_the_security_headers_too(web_settings: Settings,
                                                    bco_app: BCOApplication) -> None:
    flask_app = create_app(web_settings, bco_app)

    @flask_app.get("/boom")
    def boom() -> Any:
        raise RuntimeError("a bug")

    try:
        answer = flask_app.test_client().get("/boom")
        assert answer.status_code == 500
        check_headers(answer, "500", hsts=False)
    finally:
        flask_app.extensions["bco_runner"].stop()
