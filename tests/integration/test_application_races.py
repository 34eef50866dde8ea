"""A save that loses a race to another writer: edits of different things both land; only an
edit of the same thing is a conflict, and it names the other change."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from bco.application import BCOApplication, Recorded
from bco.config import Settings
from bco.domain.case import IndexPerson
from bco.domain.errors import ConflictError
from bco.domain.stamped import StampedAggregate

PERSON = IndexPerson(name="Sanne de Vries", phone="06 12345678", email="sanne@example.org")


class RacedApplication(BCOApplication):
    """An application whose next save is preceded by another writer's command, in the window
    between loading the case and storing the change, as two people saving at once would."""

    name = BCOApplication.name  # the same tables as the real application, on PostgreSQL too
    rival: Callable[[], Any] | None = None

    def _save(self, *aggregates: StampedAggregate) -> Recorded:
        rival, self.rival = self.rival, None
        if rival is not None:
            rival()
        return super()._save(*aggregates)


@pytest.fixture
def pair(settings: Settings, clock: Any) -> Iterator[tuple[RacedApplication, BCOApplication]]:
    ours = RacedApplication(settings, clock=clock)
    theirs = BCOApplication(settings, clock=clock)
    yield ours, theirs
    ours.close()
    theirs.close()


def registered(app: BCOApplication) -> UUID:
    return app.register_case(person=PERSON, disease="covid-19", onset=date(2026, 11, 22),
                             actor="intake").aggregate_id


def test_edits_of_different_fields_at_the_same_moment_both_land(
        pair: tuple[RacedApplication, BCOApplication]) -> None:
    ours, theirs = pair
    case_id = registered(ours)
    seen = ours.get_case(case_id).version
    ours.rival = lambda: theirs.correct_case_details(case_id, {"postcode": "1011AB"},
                                                     actor="lead", expected_version=seen)

    ours.correct_case_details(case_id, {"email": "sanne@elders.example"}, actor="tracer",
                              expected_version=seen)

    case = theirs.get_case(case_id)
    assert (case.person.postcode, case.person.email) == ("1011AB", "sanne@elders.example")
    assert [e["actor"] for e in theirs.case_history(case_id)[-2:]] == ["lead", "tracer"]


def test_edits_of_the_same_field_at_the_same_moment_are_a_conflict_with_the_other_change(
        pair: tuple[RacedApplication, BCOApplication]) -> None:
    ours, theirs = pair
    case_id = registered(ours)
    seen = ours.get_case(case_id).version
    ours.rival = lambda: theirs.correct_case_details(case_id, {"email": "lead@example.org"},
                                                     actor="lead", expected_version=seen)

    with pytest.raises(ConflictError) as refused:
        ours.correct_case_details(case_id, {"email": "tracer@example.org"}, actor="tracer",
                                  expected_version=seen)

    assert refused.value.other_change["actor"] == "lead"
    assert refused.value.other_change["data"]["changes"]["email"] == "lead@example.org"
    assert theirs.get_case(case_id).person.email == "lead@example.org"


def test_a_command_without_a_version_lands_after_the_rival_write(
        pair: tuple[RacedApplication, BCOApplication]) -> None:
    ours, theirs = pair
    case_id = registered(ours)
    ours.rival = lambda: theirs.log_call_attempt(case_id, "no_answer", actor="tracer2")

    ours.log_call_attempt(case_id, "voicemail", actor="tracer")

    attempts = [a.outcome for a in theirs.get_case(case_id).call_attempts]
    assert [str(a) for a in attempts][-2:] == ["no_answer", "voicemail"]


def test_many_writers_on_one_interview_lose_no_write_and_meet_no_conflict(
        settings: Settings, clock: Any) -> None:
    """The concurrency audit: every acknowledged note is in the history, none was refused."""
    apps = [BCOApplication(settings, clock=clock) for _ in range(4)]
    try:
        case_id = registered(apps[0])
        interview_id = apps[0].start_interview(case_id, actor="tom").aggregate_id
        acknowledged: list[str] = []
        refused: list[Exception] = []
        lock = threading.Lock()

        def write(worker: int) -> None:
            for n in range(8):
                text = f"note {worker}-{n}"
                try:
                    apps[worker].add_note(interview_id, text, actor=f"t{worker}")
                except ConflictError as conflict:
                    with lock:
                        refused.append(conflict)
                    continue
                with lock:
                    acknowledged.append(text)

        threads = [threading.Thread(target=write, args=(w,)) for w in range(len(apps))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stored = [note.text for note in apps[0].get_interview(interview_id).notes]
        assert refused == []
        assert sorted(stored) == sorted(acknowledged) and len(stored) == 32
    finally:
        for each in apps:
            each.close()
