"""BCOApplication on SQLite and PostgreSQL: commands, history, conflicts, retries, snapshots."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from uuid import uuid4

import pytest

from bco.application import BCOApplication
from bco.config import Settings
from bco.domain.case import CallOutcome, Case, CaseStatus, IndexPerson
from bco.domain.errors import ConflictError, InvalidValueError, NotFoundError
from bco.domain.interview import Interview, InterviewStatus

PERSON = IndexPerson(name="Sanne de Vries", phone="06 12345678", email="sanne@example.org")


def register(app: BCOApplication, **overrides: object) -> Case:
    values: dict = dict(person=PERSON, disease="covid-19", onset=date(2026, 11, 22),
                        source="lab", actor="anna")
    values.update(overrides)
    return app.get_case(app.register_case(**values).aggregate_id)


def test_register_and_read_back(app: BCOApplication) -> None:
    case = register(app)
    assert case.person.phone == "+31612345678"
    assert case.status == CaseStatus.NEW
    assert app.store_position() >= 1


def test_unknown_disease_is_refused_naming_the_known_ones(app: BCOApplication) -> None:
    with pytest.raises(InvalidValueError, match="covid-19") as caught:
        register(app, disease="flu")
    assert caught.value.field == "disease"
    assert app.store_position() == 0


def test_unknown_case_is_not_found(app: BCOApplication) -> None:
    with pytest.raises(NotFoundError):
        app.get_case(uuid4())


def test_whole_flow_and_history_in_order(app: BCOApplication, clock) -> None:
    case = register(app)
    clock.advance(minutes=5)
    app.assign_case(case.id, "tom", "north", actor="lead")
    clock.advance(minutes=5)
    app.log_call_attempt(case.id, CallOutcome.NO_ANSWER, actor="tom")
    clock.advance(minutes=5)
    app.log_call_attempt(case.id, "reached", actor="tom")
    interview_id = app.start_interview(case.id, actor="tom").aggregate_id
    clock.advance(minutes=1)
    app.record_answer(interview_id, "household_size", 3, actor="tom")
    contact = app.report_contact(interview_id, {"name": "Jan", "day": date(2026, 11, 23)},
                                 actor="tom")
    app.complete_interview(interview_id, actor="tom")
    assert app.get_case(case.id).status == CaseStatus.INTERVIEWED
    app.log_inform_outcome(interview_id, contact.aggregate_id, "informed", actor="ggd")
    history = app.case_history(case.id)
    types = [e["type"] for e in history]
    assert types[:4] == ["Case.Registered", "Case.Assigned", "Case.CallAttemptLogged",
                         "Case.CallAttemptLogged"]
    assert "Interview.Started" in types and types[-1] == "Interview.ContactInformOutcomeLogged"
    assert [e["timestamp"] for e in history] == sorted(e["timestamp"] for e in history)
    assert history[0]["actor"] == "anna" and history[0]["version"] == 1
    assert history[0]["data"]["name"] == "Sanne de Vries"
    assert set(history[0]) >= {"type", "timestamp", "actor", "version", "data"}


def test_interview_keeps_guide_version_and_archives_it(app: BCOApplication) -> None:
    case = register(app)
    interview = app.get_interview(app.start_interview(case.id, actor="tom").aggregate_id)
    guide = app.catalog.guides["covid-19"]
    assert (interview.guide_id, interview.guide_hash) == ("covid-19", guide.content_hash)
    app.catalog.guides = {}  # as if the guide file had been replaced since
    archived = app.guide_for_interview(interview)
    assert archived.content_hash == guide.content_hash and archived.id == "covid-19"


def test_retried_command_records_nothing_twice(app: BCOApplication) -> None:
    first = app.register_case(person=PERSON, disease="covid-19", onset=date(2026, 11, 22),
                              actor="anna", command_id="import-42")
    again = app.register_case(person=PERSON, disease="covid-19", onset=date(2026, 11, 22),
                              actor="anna", command_id="import-42")
    assert first.aggregate_id == again.aggregate_id and again.position is None
    interview_id = app.start_interview(first.aggregate_id, actor="tom",
                                       command_id="s1").aggregate_id
    assert app.start_interview(first.aggregate_id, actor="tom",
                               command_id="s1").aggregate_id == interview_id
    for _ in range(2):
        app.report_contact(interview_id, {"name": "Jan"}, actor="tom", command_id="c-1")
        app.record_answer(interview_id, "has_symptoms", True, actor="tom", command_id="a-1")
    interview = app.get_interview(interview_id)
    assert len(interview.contacts) == 1
    assert [type(e).__name__ for e in app.events.get(interview_id)] == [
        "Started", "ContactReported", "AnswerRecorded"]


def test_a_command_hands_back_the_aggregate_as_stored(app: BCOApplication) -> None:
    case = register(app)
    interview_id = app.start_interview(case.id, actor="tom").aggregate_id
    recorded = app.record_answer(interview_id, "household_size", 3, actor="tom")
    again = app.record_answer(interview_id, "household_size", 3, actor="tom")  # nothing new
    stored = app.get_interview(interview_id)
    for result in (recorded, again):
        assert isinstance(result.saved, Interview)
        assert result.saved.version == stored.version == result.version
        assert result.saved.answers == stored.answers == {"household_size": 3}


def test_stale_edit_of_the_same_answer_conflicts_with_the_other_change(
        app: BCOApplication) -> None:
    case = register(app)
    interview_id = app.start_interview(case.id, actor="tom").aggregate_id
    loaded = app.get_interview(interview_id).version
    app.record_answer(interview_id, "household_size", 3, actor="tom", expected_version=loaded)
    app.record_answer(interview_id, "went_to_work", True, actor="eva",
                      expected_version=loaded)  # a different question: no conflict
    with pytest.raises(ConflictError) as caught:
        app.record_answer(interview_id, "household_size", 5, actor="eva",
                          expected_version=loaded)
    assert caught.value.other_change["actor"] == "tom"
    assert caught.value.other_change["data"]["value"] == 3
    assert isinstance(caught.value.current, Interview)
    assert app.get_interview(interview_id).answers["household_size"] == 3


def test_two_application_instances_one_wins_nothing_lost(settings: Settings, clock) -> None:
    first = BCOApplication(settings, clock=clock)
    second = BCOApplication(settings, clock=clock)
    try:
        case_id = register(first).id
        interview_id = first.start_interview(case_id, actor="tom").aggregate_id
        a = first.get_interview(interview_id)
        b = second.get_interview(interview_id)
        a.record_answer("q", 1, now=clock(), actor="tom")
        b.record_answer("q", 2, now=clock(), actor="eva")
        first._save(a)
        with pytest.raises(ConflictError) as caught:
            second._save(b)
        assert caught.value.current.answers == {"q": 1}
        events = list(second.events.get(interview_id))
        assert [type(e).__name__ for e in events] == ["Started", "AnswerRecorded"]
    finally:
        first.close()
        second.close()


def test_concurrent_threads_on_one_aggregate_lose_no_event(settings: Settings, clock) -> None:
    apps = [BCOApplication(settings, clock=clock) for _ in range(2)]
    try:
        case_id = register(apps[0]).id
        interview_id = apps[0].start_interview(case_id, actor="tom").aggregate_id
        accepted: list[str] = []
        lock = threading.Lock()

        guide = apps[0].catalog.guides["covid-19"]
        answers_of = {"yesno": True, "text": "Ja"}  # twenty questions of these two types
        pairs = [(q.id, answers_of[q.type]) for q in guide.questions.values()
                 if q.type in answers_of]

        def write(worker: int) -> None:
            for n in range(10):
                question, value = pairs[worker * 10 + n]
                for _attempt in range(20):
                    try:
                        apps[worker].record_answer(interview_id, question, value,
                                                   actor=f"t{worker}")
                    except ConflictError:
                        continue
                    with lock:
                        accepted.append(question)
                    break

        threads = [threading.Thread(target=write, args=(w,)) for w in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        answers = apps[1].get_interview(interview_id).answers
        assert len(accepted) == 20 and sorted(answers) == sorted(accepted)
        versions = [e.originator_version for e in apps[1].events.get(interview_id)]
        assert versions == list(range(1, len(versions) + 1))
    finally:
        for each in apps:
            each.close()


def test_long_interview_loads_from_snapshot(app: BCOApplication) -> None:
    case = register(app)
    interview_id = app.start_interview(case.id, actor="tom").aggregate_id
    for n in range(120):
        app.record_answer(interview_id, "open_questions", f"Nothing else ({n})", actor="tom")
    assert app.snapshots is not None
    snapshots = list(app.snapshots.get(interview_id))
    assert snapshots, "a snapshot is taken every snapshot_interval events"
    interview = app.get_interview(interview_id)
    assert interview.version == 121
    assert interview.answers["open_questions"] == "Nothing else (119)"


def test_callback_and_future_dates_refused_without_writing(app: BCOApplication, clock) -> None:
    case = register(app)
    position = app.store_position()
    with pytest.raises(InvalidValueError):
        app.log_call_attempt(case.id, "callback_requested", callback_at=clock() - timedelta(1),
                             actor="tom")
    with pytest.raises(InvalidValueError):
        app.log_call_attempt(case.id, "sang a song", actor="tom")
    with pytest.raises(InvalidValueError):
        register(app, onset=clock().date() + timedelta(days=2))
    assert app.store_position() == position


def test_interview_completion_moves_case_and_reopen_moves_back(app: BCOApplication) -> None:
    case = register(app)
    interview_id = app.start_interview(case.id, actor="tom").aggregate_id
    app.pause_interview(interview_id, "Index had to go; call back after 4.", actor="tom")
    app.resume_interview(interview_id, actor="eva")
    app.complete_interview(interview_id, actor="eva")
    assert app.get_interview(interview_id).status == InterviewStatus.COMPLETED
    app.reopen_interview(interview_id, "Remembered a colleague", actor="eva")
    assert app.get_case(case.id).status == CaseStatus.IN_PROGRESS
