"""A case's status: the rule, and the flags it follows from, for the aggregate and read models."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import NamedTuple


class CaseStatus(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    INTERVIEWED = "interviewed"
    UNREACHABLE = "unreachable"
    CLOSED = "closed"


class CaseFlags(NamedTuple):
    """What a case's status follows from, evolved alike by the aggregate and the read models."""

    tracer: str | None = None
    team: str | None = None
    unreachable: bool = False
    interview_started: bool = False
    interviewed: bool = False
    closed: bool = False
    callback_at: datetime | None = None

    @property
    def status(self) -> CaseStatus:
        """Derived from the flags, so no event has to remember to set it."""
        if self.closed:
            return CaseStatus.CLOSED
        if self.interviewed:
            return CaseStatus.INTERVIEWED
        if self.interview_started:
            return CaseStatus.IN_PROGRESS
        if self.unreachable:
            return CaseStatus.UNREACHABLE
        if self.tracer:
            return CaseStatus.ASSIGNED
        return CaseStatus.NEW

    def after(self, event: object) -> CaseFlags:
        """The flags once a case event happened: each event class says how, in `flags_after`."""
        move = getattr(event, "flags_after", None)
        return self if move is None else move(self)
