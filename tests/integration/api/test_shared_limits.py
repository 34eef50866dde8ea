"""Two web apps on one store (two workers, or two nodes) share their counts: a rate limit or
a sign-in wait reached through one holds in the other, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask

from bco.application import BCOApplication
from bco.config import Settings
from bco.shared_counts import SharedCounts
from bco.web import auth, create_app


@pytest.fixture
def two_nodes(settings: Settings, clock: Any) -> Iterator[tuple[Flask, Flask, str]]:
    shared = settings.with_overrides(run_projections_in_web=False, api_rate_limit="3/minute",
                                     secret_key_file=settings.data_dir / "session.key")
    apps = [BCOApplication(shared, clock=clock) for _ in range(2)]
    hashed = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("right-pass")
    apps[0].add_user("tracer", role="tracer", team="north", password_hash=hashed,
                     actor="admin")
    token, _ = apps[0].issue_api_token("ggd", role="authority", actor="admin")
    webs = [create_app(shared, app) for app in apps]
    for web in webs:
        web.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    try:
        yield webs[0], webs[1], token
    finally:
        for web, app in zip(webs, apps, strict=True):
            web.extensions["bco_runner"].stop()
            app.close()


def test_an_api_limit_reached_on_one_node_holds_on_the_other(
        two_nodes: tuple[Flask, Flask, str]) -> None:
    first, second, token = two_nodes
    bearer = {"Authorization": f"Bearer {token}"}
    answers = [first.test_client().get("/api/cases", headers=bearer).status_code
               for _ in range(3)]
    assert answers == [200, 200, 200]
    refused = second.test_client().get("/api/cases", headers=bearer)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.headers["X-RateLimit-Remaining"] == "0"


def test_a_sign_in_wait_earned_on_one_node_holds_on_the_other(
        two_nodes: tuple[Flask, Flask, str], monkeypatch: pytest.MonkeyPatch,
        clock: Any) -> None:
    monkeypatch.setattr(auth, "FAILURE_DELAY_SECONDS", 0)
    first, second, _token = two_nodes
    guess = {"name": "tracer", "password": "wrong-pass"}
    for _ in range(auth.MAX_FAILURES):
        assert first.test_client().post("/signin", data=guess).status_code == 401
    right = {"name": "tracer", "password": "right-pass"}
    assert second.test_client().post("/signin", data=right).status_code == 429
    clock.advance(seconds=auth.FIRST_WAIT_SECONDS + 1)
    assert second.test_client().post("/signin", data=right).status_code == 302
    # a success clears the count for every node
    assert first.test_client().post("/signin", data=guess).status_code == 401


def test_counts_forget_after_their_window_and_keep_no_key_in_the_clear(
        app: BCOApplication) -> None:
    counts = SharedCounts(app)
    assert counts.incr("address:203.0.113.7", 60, now=1000.0) == 1
    assert counts.incr("address:203.0.113.7", 60, now=1030.0) == 2
    assert counts.peek("address:203.0.113.7", now=1059.0) is not None
    assert counts.peek("address:203.0.113.7", now=1061.0) is None
    assert counts.incr("address:203.0.113.7", 60, now=1061.0) == 1  # a new window
    assert counts.incr("slide", 60, now=1000.0, sliding=True) == 1
    assert counts.incr("slide", 60, now=1050.0, sliding=True) == 2
    found = counts.peek("slide", now=1100.0)
    assert found is not None and found.count == 2 and found.last_at == 1050.0
    keys = counts.keys_stored()
    assert len(keys) == 2 and not any("203.0.113" in key or "slide" in key for key in keys)
    # a second instance (another worker) sees the same counts
    assert SharedCounts(app).incr("slide", 60, now=1060.0, sliding=True) == 3
    assert counts.reset() == 2 and counts.keys_stored() == []


OTHER_PROCESS = """
import sys
from bco.config import Settings
from bco.web import auth, create_app
auth.FAILURE_DELAY_SECONDS = 0
web = create_app(Settings.from_env())
web.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
client = web.test_client()
token = sys.argv[1]
signins = [client.post("/signin", data={"name": "tracer", "password": "wrong-pass"}).status_code
           for _ in range(auth.MAX_FAILURES)]
failed_at = web.extensions["bco"].clock().timestamp()
api = [client.get("/api/cases", headers={"Authorization": "Bearer " + token}).status_code
       for _ in range(3)]
web.extensions["bco_runner"].stop()
web.extensions["bco"].close()
print(failed_at, signins, api)
"""


class HeldClock:
    """The real time, until the test holds it at a moment (so a wait of seconds earned in the
    other process is checked at a known moment, however slow the machine)."""

    def __init__(self) -> None:
        self.held: datetime | None = None

    def __call__(self) -> datetime:
        return self.held or datetime.now(tz=UTC)


def test_limits_reached_in_another_process_hold_here(settings: Settings) -> None:
    """A second worker is a second process: what it counted, this one sees. A day's limit,
    so no window turns over between the two processes' requests."""
    shared = settings.with_overrides(run_projections_in_web=False, api_rate_limit="3/day",
                                     secret_key_file=settings.data_dir / "session.key")
    clock = HeldClock()
    app = BCOApplication(shared, clock=clock)
    try:
        hashed = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("right-pass")
        app.add_user("tracer", role="tracer", team="north", password_hash=hashed,
                     actor="admin")
        token, _ = app.issue_api_token("ggd", role="authority", actor="admin")
        web = create_app(shared, app)
        web.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
        other = subprocess.run([sys.executable, "-c", OTHER_PROCESS, token],
                               env={**os.environ, **shared.to_env()}, capture_output=True,
                               text=True, timeout=120, check=False)
        assert other.returncode == 0, other.stderr
        failed_at, counted = other.stdout.splitlines()[-1].split(" ", 1)
        assert counted == f"{[401] * auth.MAX_FAILURES} [200, 200, 200]"
        clock.held = datetime.fromtimestamp(float(failed_at), tz=UTC) + timedelta(seconds=1)
        client = web.test_client()
        right = {"name": "tracer", "password": "right-pass"}
        assert client.post("/signin", data=right).status_code == 429
        refused = client.get("/api/cases", headers={"Authorization": f"Bearer {token}"})
        assert refused.status_code == 429 and refused.headers["X-RateLimit-Remaining"] == "0"
        web.extensions["bco_runner"].stop()
    finally:
        app.close()
