"""The 'next case' button: the most urgent free case, never the same case for two tracers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from uuid import UUID

import pytest
from flask import Flask
from web_support import Cases, runner, sign_in

from bco.application import BCOApplication
from bco.config import Settings
from bco.domain.case import Case
from bco.web import create_app


def press_next_case(client: object, command_id: str | None = None) -> UUID | None:
    """Press the button; the case it gave, or None when the pool was empty."""
    data = {"command_id": command_id} if command_id else {}
    answer = client.post("/next-case", data=data)  # type: ignore[attr-defined]
    assert answer.status_code == 302
    location = answer.headers["Location"]
    if "/cases/" not in location:
        return None
    return UUID(location.rsplit("/", 1)[1])


def test_next_case_takes_the_longest_waiting_case(web: Flask, bco_app: BCOApplication,
                                                  cases: Cases) -> None:
    cases.register(hours_ago=2)
    oldest = cases.register(hours_ago=20)
    cases.register(hours_ago=5)
    cases.project()
    client = sign_in(web, "tracer")
    taken = press_next_case(client)
    assert taken == oldest
    case = bco_app.get_case(oldest)
    assert case.tracer == "tracer" and case.team == "north"
    page = client.get(f"/cases/{oldest}").get_data(as_text=True)
    assert "now yours" in page or "nu van jou" in page
    assert "Sanne de Vries" in page


def test_double_click_takes_one_case(web: Flask, bco_app: BCOApplication,
                                     cases: Cases) -> None:
    first, second = cases.register(hours_ago=3), cases.register(hours_ago=2)
    cases.project()
    client = sign_in(web, "tracer")
    assert press_next_case(client, "click-1") == first
    assert press_next_case(client, "click-1") == first
    assert bco_app.get_case(second).tracer is None


def test_empty_pool_says_so(web: Flask) -> None:
    client = sign_in(web, "tracer")
    assert press_next_case(client) is None
    page = client.get("/worklist").get_data(as_text=True)
    assert "No cases are waiting" in page or "Er wachten nu geen" in page


def test_a_lagging_read_model_never_hands_out_a_taken_case(web: Flask, cases: Cases,
                                                           bco_app: BCOApplication) -> None:
    taken_meanwhile, free = cases.register(hours_ago=9), cases.register(hours_ago=1)
    cases.project()
    cases.assign(taken_meanwhile, "tracer2")  # not projected yet: the pool still shows it
    assert press_next_case(sign_in(web, "tracer")) == free
    assert bco_app.get_case(taken_meanwhile).tracer == "tracer2"


def race(clients: list[object]) -> list[UUID | None]:
    """Every client presses 'next case' at the same moment."""
    barrier = threading.Barrier(len(clients))
    results: list[UUID | None] = [None] * len(clients)
    errors: list[BaseException] = []

    def press(index: int) -> None:
        try:
            barrier.wait()
            results[index] = press_next_case(clients[index])
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    return results


def assigned_once(app: BCOApplication, case_id: UUID) -> bool:
    events = [e for e in app.events.get(case_id) if isinstance(e, Case.Assigned)]
    return len(events) == 1


def test_two_tracers_pressing_at_once_get_different_cases(web: Flask, bco_app: BCOApplication,
                                                          cases: Cases) -> None:
    ids = [cases.register(hours_ago=10 - i) for i in range(3)]
    cases.project()
    for _round in range(3):
        got = race([sign_in(web, "tracer"), sign_in(web, "tracer2")])
        taken = [g for g in got if g is not None]
        assert len(taken) == len(set(taken)), got
    assert all(assigned_once(bco_app, case_id) for case_id in ids)


@pytest.fixture
def second_web(web_settings: Settings, clock: object) -> Iterator[Flask]:
    """Another web process on the same store, with its own application and runner."""
    other = BCOApplication(web_settings, clock=clock)  # type: ignore[arg-type]
    flask_app = create_app(web_settings, other)
    flask_app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    yield flask_app
    runner(flask_app).stop()
    other.close()


def test_two_web_processes_racing_for_the_last_case(web: Flask, second_web: Flask,
                                                    bco_app: BCOApplication,
                                                    cases: Cases) -> None:
    for _round in range(5):
        last = cases.register(hours_ago=1)
        cases.project()
        got = race([sign_in(web, "tracer"), sign_in(second_web, "tracer2")])
        assert got.count(last) == 1 and got.count(None) == 1, got
        assert assigned_once(bco_app, last)
