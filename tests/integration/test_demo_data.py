"""Demo data answers every question as the interview screen would record it."""

from __future__ import annotations

from datetime import date
from typing import Any

from bco.application import BCOApplication
from bco.demo import load_demo
from bco.domain.interview import Interview

FITS = {
    "yesno": lambda v, q: isinstance(v, bool),
    "number": lambda v, q: isinstance(v, int) and not isinstance(v, bool),
    "date": lambda v, q: isinstance(v, str) and bool(date.fromisoformat(v)),
    "choice": lambda v, q: v in {o.value for o in q.options},
    "multichoice": lambda v, q: isinstance(v, list) and bool(v)
    and set(v) <= {o.value for o in q.options},
    "contacts": lambda v, q: isinstance(v, int) and not isinstance(v, bool),
    "text": lambda v, q: isinstance(v, str) and bool(v.strip()),
    "phone": lambda v, q: isinstance(v, str) and bool(v.strip()),
}


def test_demo_answers_fit_their_questions(app: BCOApplication, clock: Any) -> None:
    load_demo(app, cases=25, now=clock(), seed=3)
    checked = 0
    for notification in app.recorder.select_notifications(start=1, limit=100_000):
        event = app.mapper.to_domain_event(notification)
        if not isinstance(event, Interview.AnswerRecorded):
            continue
        interview = app.get_interview(event.originator_id)
        question = app.guide_for_interview(interview).questions[event.question_id]
        assert FITS[question.type](event.value, question), (question.id, question.type,
                                                            event.value)
        checked += 1
    assert checked > 50


def test_demo_events_are_stamped_before_the_moment_it_is_loaded(app: BCOApplication,
                                                               clock: Any) -> None:
    """Later versions stamped after now would break every case file as of now."""
    load_demo(app, cases=40, now=clock(), seed=3)
    stamps: dict[Any, list[Any]] = {}
    for notification in app.recorder.select_notifications(start=1, limit=100_000):
        event = app.mapper.to_domain_event(notification)
        stamps.setdefault(event.originator_id, []).append(event.timestamp)
    assert len(stamps) > 40
    assert all(times == sorted(times) and times[-1] < clock() for times in stamps.values())
