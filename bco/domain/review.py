"""Coaching on real work: a lead's rubric scores of a completed interview, and the feedback
its tracer reads. Scores are for leads; the tracer's inbox holds the words only."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from bco.domain.errors import InvalidTransitionError, InvalidValueError
from bco.domain.errors import translatable as _t
from bco.domain.stamped import StampedAggregate
from bco.domain.text import MAX_TEXT, checked_text


class Review(StampedAggregate):
    """The coaching reviews of one interview, each a lead's scores on the rubric of its day."""

    class Opened(StampedAggregate.Created):
        interview_id: UUID
        case_id: UUID
        tracer: str | None

        def apply_facts(self, aggregate: Review) -> None:
            aggregate.interview_id = self.interview_id
            aggregate.case_id = self.case_id
            aggregate.tracer = self.tracer

    class Scored(StampedAggregate.Event):
        rubric_id: str
        rubric_version: int
        scores: dict[str, int]
        feedback: str

        def apply_facts(self, aggregate: Review) -> None:
            aggregate.reviews.append({
                "by": self.actor, "at": self.timestamp, "rubric_id": self.rubric_id,
                "rubric_version": self.rubric_version, "scores": dict(self.scores),
                "feedback": self.feedback})

    def __init__(self) -> None:
        self.interview_id: UUID
        self.case_id: UUID
        self.tracer: str | None
        self.reviews: list[dict[str, Any]] = []

    @staticmethod
    def id_for(interview_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"bco:review:{interview_id}")

    @classmethod
    def open(cls, *, interview_id: UUID, case_id: UUID, tracer: str | None, now: datetime,
             actor: str) -> Review:
        return cls._create(cls.Opened, id=cls.id_for(interview_id), timestamp=now, actor=actor,
                           command_id=None, interview_id=interview_id, case_id=case_id,
                           tracer=tracer)

    def score(self, *, rubric_id: str, rubric_version: int,
              allowed: Mapping[str, tuple[int, ...]], scores: Mapping[str, object],
              feedback: str, now: datetime, actor: str, command_id: str | None = None) -> None:
        """Every rubric item scored with a value of its scale, or nothing is recorded."""
        if actor == self.tracer:
            raise InvalidTransitionError(_t("A lead coaches others' interviews, not their own."))
        unknown = sorted(set(scores) - set(allowed))
        if unknown:
            raise InvalidValueError(_t("'%(item)s' is not an item of the rubric."),
                                    field=unknown[0], item=unknown[0])
        checked: dict[str, int] = {}
        for item, values in allowed.items():
            value = scores.get(item)
            if isinstance(value, bool) or not isinstance(value, int) or value not in values:
                raise InvalidValueError(
                    _t("Score '%(item)s' with one of: %(values)s."), field=item, item=item,
                    values=", ".join(str(v) for v in values))
            checked[item] = value
        text = checked_text(feedback, "feedback", limit=MAX_TEXT, multiline=True) \
            if feedback.strip() else ""
        self._record(self.Scored, now=now, actor=actor, command_id=command_id,
                     rubric_id=rubric_id, rubric_version=rubric_version, scores=checked,
                     feedback=text)


class FeedbackInbox(StampedAggregate):
    """What leads told one tracer about their interviews: the words, not the scores."""

    class Opened(StampedAggregate.Created):
        tracer: str

        def apply_facts(self, aggregate: FeedbackInbox) -> None:
            aggregate.tracer = self.tracer

    class FeedbackGiven(StampedAggregate.Event):
        interview_id: UUID
        case_id: UUID
        feedback: str

        def apply_facts(self, aggregate: FeedbackInbox) -> None:
            aggregate.items.append({"by": self.actor, "at": self.timestamp,
                                    "interview_id": self.interview_id,
                                    "case_id": self.case_id, "feedback": self.feedback})

    def __init__(self) -> None:
        self.tracer: str
        self.items: list[dict[str, Any]] = []

    @staticmethod
    def id_for(tracer: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"bco:feedback-inbox:{tracer.strip().lower()}")

    @classmethod
    def open(cls, tracer: str, *, now: datetime, actor: str) -> FeedbackInbox:
        return cls._create(cls.Opened, id=cls.id_for(tracer), timestamp=now, actor=actor,
                           command_id=None, tracer=tracer)

    def give(self, review: Review, *, now: datetime, actor: str) -> None:
        if not review.reviews:
            raise InvalidTransitionError(_t("Score the interview before sending feedback."))
        self._record(self.FeedbackGiven, now=now, actor=actor,
                     interview_id=review.interview_id, case_id=review.case_id,
                     feedback=review.reviews[-1]["feedback"])
