"""A command works on the process's cached copy without reading the store first; a copy that
another process has overtaken never costs a write, a wrong refusal or a missed change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from bco.application import BCOApplication
from bco.config import Settings
from bco.domain.case import IndexPerson

PERSON = IndexPerson(name="Sanne de Vries", phone="06 12345678", email="sanne@example.org")


class CountingApplication(BCOApplication):
    """The real application, counting how often a command reads an aggregate's events."""

    name = BCOApplication.name  # the same tables as the real application, on PostgreSQL too
    reads = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        select_events = self.recorder.select_events

        def counted(*a: Any, **k: Any) -> Any:
            self.reads += 1
            return select_events(*a, **k)

        self.recorder.select_events = counted  # type: ignore[method-assign]


@pytest.fixture
def two_processes(settings: Settings, clock: Any
                  ) -> Iterator[tuple[CountingApplication, BCOApplication]]:
    """Two applications on one store, each with its own cache, as two web workers are."""
    ours = CountingApplication(settings, clock=clock)
    theirs = BCOApplication(settings, clock=clock)
    yield ours, theirs
    ours.close()
    theirs.close()


def started(app: BCOApplication) -> UUID:
    case_id = app.register_case(person=PERSON, disease="covid-19", onset=date(2026, 11, 22),
                                actor="intake").aggregate_id
    app.assign_case(case_id, "tracer", "north", actor="lead")
    return app.start_interview(case_id, actor="tracer").aggregate_id


def test_an_answer_on_a_current_copy_reads_nothing_before_it_writes(
        two_processes: tuple[CountingApplication, BCOApplication]) -> None:
    ours, _ = two_processes
    interview_id = started(ours)
    ours.record_answer(interview_id, "has_symptoms", True, actor="tracer")
    ours.reads = 0

    ours.record_answer(interview_id, "household_size", 2, actor="tracer")
    ours.report_contact(interview_id, {"name": "Jan", "phone": "06 11112222"}, actor="tracer")

    assert ours.reads == 0
    assert ours.get_interview(interview_id).answers["household_size"] == 2


def test_an_answer_on_an_overtaken_copy_is_worked_out_again_and_both_answers_land(
        two_processes: tuple[CountingApplication, BCOApplication]) -> None:
    ours, theirs = two_processes
    interview_id = started(ours)
    ours.get_interview(interview_id)  # cached here
    theirs.record_answer(interview_id, "has_symptoms", True, actor="colleague")

    ours.record_answer(interview_id, "household_size", 3, actor="tracer")

    answers = theirs.get_interview(interview_id).answers
    assert (answers["has_symptoms"], answers["household_size"]) == (True, 3)


def test_the_same_answer_as_an_overtaken_copy_holds_is_still_recorded(
        two_processes: tuple[CountingApplication, BCOApplication]) -> None:
    """Our copy says 2 already; the store says 5 since a colleague changed it. Answering 2
    again must store 2, not be dropped as "nothing changed"."""
    ours, theirs = two_processes
    interview_id = started(ours)
    ours.record_answer(interview_id, "household_size", 2, actor="tracer")
    theirs.record_answer(interview_id, "household_size", 5, actor="colleague")

    recorded = ours.record_answer(interview_id, "household_size", 2, actor="tracer")

    assert recorded.position is not None
    assert theirs.get_interview(interview_id).answers["household_size"] == 2


def test_a_change_to_a_contact_our_copy_does_not_know_yet_is_not_refused(
        two_processes: tuple[CountingApplication, BCOApplication]) -> None:
    ours, theirs = two_processes
    interview_id = started(ours)
    ours.get_interview(interview_id)  # cached here, before the contact exists
    contact_id = theirs.report_contact(interview_id, {"name": "Jan", "phone": "06 11112222"},
                                       actor="colleague").aggregate_id

    ours.update_contact(interview_id, contact_id, {"relation": "partner"}, actor="tracer")

    assert theirs.get_interview(interview_id).contacts[str(contact_id)].relation == "partner"
