"""Starting an interview records the 'reached' call and the interview together, or nothing."""

from __future__ import annotations

import threading
from uuid import UUID

import pytest
from flask import Flask
from web_support import Cases, sign_in

from bco.application import BCOApplication
from bco.config import Settings
from bco.domain.errors import DomainError


@pytest.fixture
def case_id(cases: Cases) -> UUID:
    found = cases.register()
    cases.assign(found, "tracer")
    cases.project()
    return found


def kinds(app: BCOApplication, case_id: UUID) -> list[str]:
    return [event["type"] for event in app.case_history(case_id)]


def test_an_unknown_guide_writes_nothing_not_even_the_reached_call(
        web: Flask, bco_app: BCOApplication, case_id: UUID) -> None:
    before = bco_app.store_position()
    answer = sign_in(web, "tracer").post(f"/cases/{case_id}/interview",
                                         data={"guide_id": "no-such-guide", "command_id": "s-1"})
    assert answer.status_code == 302
    assert bco_app.store_position() == before
    assert bco_app.get_case(case_id).reached_at is None


def test_a_start_logs_one_reached_call_with_the_interview(
        web: Flask, bco_app: BCOApplication, case_id: UUID) -> None:
    client = sign_in(web, "tracer")
    assert client.post(f"/cases/{case_id}/interview", data={"command_id": "s-2"}
                       ).status_code == 302
    assert client.post(f"/cases/{case_id}/interview", data={"command_id": "s-2"}
                       ).status_code == 302
    history = kinds(bco_app, case_id)
    assert history.count("Case.CallAttemptLogged") == 1
    assert history.count("Case.InterviewStarted") == 1
    assert bco_app.get_case(case_id).reached_at is not None


def test_two_starts_at_once_leave_one_reached_call_and_one_interview(
        web_settings: Settings, bco_app: BCOApplication, cases: Cases) -> None:
    others = [BCOApplication(web_settings, clock=bco_app.clock) for _ in range(2)]
    try:
        for _round in range(5):
            case_id = cases.register()
            cases.assign(case_id, "tracer")
            start = threading.Barrier(2)
            refused: list[DomainError] = []

            def press_start(app: BCOApplication, case: UUID = case_id,
                            barrier: threading.Barrier = start,
                            refused: list[DomainError] = refused) -> None:
                app.get_case(case)
                barrier.wait()
                try:
                    app.start_interview(case, actor="tracer", reached=True)
                except DomainError as exc:
                    refused.append(exc)

            threads = [threading.Thread(target=press_start, args=(app,)) for app in others]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            history = kinds(bco_app, case_id)
            assert history.count("Case.InterviewStarted") == 1
            assert history.count("Case.CallAttemptLogged") == 1
            assert len(refused) <= 1
    finally:
        for app in others:
            app.close()


def test_a_handover_that_cannot_return_the_case_does_not_pause_either(
        web: Flask, bco_app: BCOApplication, case_id: UUID) -> None:
    interview_id = bco_app.start_interview(case_id, actor="tracer", reached=True).aggregate_id
    bco_app.close_case(case_id, "registered twice", actor="lead")
    before = bco_app.store_position()
    answer = sign_in(web, "tracer").post(f"/interviews/{interview_id}/pause", data={
        "summary": "Stopped at day 2.", "handover": "1"}, headers={"Accept": "application/json"})
    assert answer.status_code >= 400
    assert bco_app.store_position() == before
    assert bco_app.get_interview(interview_id).status == "in_progress"


def test_a_handover_and_taking_it_each_save_case_and_interview_together(
        web: Flask, bco_app: BCOApplication, case_id: UUID) -> None:
    interview_id = bco_app.start_interview(case_id, actor="tracer", reached=True).aggregate_id
    paused = bco_app.pause_interview(interview_id, "Stopped at day 2.", actor="tracer",
                                     hand_over=True)
    case = bco_app.get_case(case_id)
    assert case.tracer is None and bco_app.get_interview(interview_id).status == "paused"
    assert paused.position == bco_app.store_position()
    taken = bco_app.take_interview(interview_id, "tracer2", "north", actor="tracer2",
                                   expected_case_version=case.version)
    assert bco_app.get_case(case_id).tracer == "tracer2"
    assert bco_app.get_interview(interview_id).status == "in_progress"
    assert taken.position == bco_app.store_position()
