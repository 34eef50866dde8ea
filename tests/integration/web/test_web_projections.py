"""The web process runs its own projection runner and shows a tracer their own writes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from web_support import sign_in

from bco.application import BCOApplication
from bco.config import Settings
from bco.domain.case import IndexPerson
from bco.web import create_app


@pytest.fixture
def following_web(web_settings: Settings, bco_app: BCOApplication) -> Iterator[Flask]:
    settings = web_settings.with_overrides(run_projections_in_web=True,
                                           projection_poll_seconds=0.05)
    flask_app = create_app(settings, bco_app)
    flask_app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    yield flask_app
    flask_app.extensions["bco_runner"].stop()


def test_runner_follows_in_the_background_and_stops(following_web: Flask) -> None:
    runner = following_web.extensions["bco_runner"]
    assert runner.following
    runner.stop()
    assert not runner.following


def test_after_a_command_the_next_page_already_shows_it(following_web: Flask,
                                                        bco_app: BCOApplication,
                                                        clock: Any) -> None:
    registered = bco_app.register_case(
        person=IndexPerson(name="Lotte Bos", phone="06 12345678"), disease="covid-19",
        onset=date(2026, 11, 23), received_at=clock.now - timedelta(hours=3),
        actor="intake")
    case_id = registered.aggregate_id
    assert following_web.extensions["bco_runner"].wait_for(registered.position, timeout=10)
    client = sign_in(following_web, "tracer2")
    taken = client.post("/next-case")
    assert taken.headers["Location"].endswith(f"/cases/{case_id}")
    worklist = client.get("/worklist").get_data(as_text=True)
    mine = worklist.split('id="mine-heading"')[1].split("</section>")[0]
    assert str(case_id) in mine
    client.post(f"/cases/{case_id}/calls", data={"outcome": "no_answer"})
    worklist = client.get("/worklist").get_data(as_text=True)
    assert "1 call attempt; last: No answer" in worklist
