"""Practice interviews and each trainee's record of them: kept in the sandbox store only."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from bco.domain.errors import InvalidTransitionError, InvalidValueError
from bco.domain.errors import translatable as _t
from bco.domain.stamped import StampedAggregate

MAX_PROMPT = 120


class Practice(StampedAggregate):
    """One practice interview: which scenario, whose, and the prompts the trainee put."""

    class Started(StampedAggregate.Created):
        trainee: str
        team: str | None
        scenario_id: str
        guide_id: str
        case_id: UUID
        interview_id: UUID

        def apply_facts(self, aggregate: Practice) -> None:
            aggregate.trainee = self.trainee
            aggregate.team = self.team
            aggregate.scenario_id = self.scenario_id
            aggregate.guide_id = self.guide_id
            aggregate.case_id = self.case_id
            aggregate.interview_id = self.interview_id
            aggregate.started_at = self.timestamp

    class PromptAsked(StampedAggregate.Event):
        """The trainee marked a question or prompt as put to the simulated index."""

        prompt: str

        def apply_facts(self, aggregate: Practice) -> None:
            aggregate.asked.append(self.prompt)

    class Finished(StampedAggregate.Event):
        """The feedback as it was given: what was found and missed, against the scenario of
        that moment (a later edit of the scenario does not rewrite a trainee's history)."""

        result: dict[str, Any]

        def apply_facts(self, aggregate: Practice) -> None:
            aggregate.result = self.result
            aggregate.finished_at = self.timestamp

    def __init__(self) -> None:
        self.trainee: str
        self.team: str | None
        self.scenario_id: str
        self.guide_id: str
        self.case_id: UUID
        self.interview_id: UUID
        self.started_at: datetime
        self.asked: list[str] = []
        self.result: dict[str, Any] | None = None
        self.finished_at: datetime | None = None

    @staticmethod
    def id_for(interview_id: UUID) -> UUID:
        """One practice per practice interview: found from the interview screen."""
        return uuid5(NAMESPACE_URL, f"bco:practice:{interview_id}")

    @classmethod
    def start(cls, *, trainee: str, team: str | None, scenario_id: str, guide_id: str,
              case_id: UUID, interview_id: UUID, now: datetime) -> Practice:
        return cls._create(cls.Started, id=cls.id_for(interview_id), timestamp=now,
                           actor=trainee, command_id=None, trainee=trainee, team=team,
                           scenario_id=scenario_id, guide_id=guide_id, case_id=case_id,
                           interview_id=interview_id)

    @property
    def finished(self) -> bool:
        return self.result is not None

    def ask(self, prompt: str, *, now: datetime, actor: str) -> None:
        """Mark a prompt as put; asking again records nothing (the reply is the same)."""
        self._refuse_finished()
        if not prompt or len(prompt) > MAX_PROMPT:
            raise InvalidValueError(_t("Choose a question or prompt shown on screen."),
                                    field="prompt")
        if prompt not in self.asked:
            self._record(self.PromptAsked, now=now, actor=actor, prompt=prompt)

    def finish(self, result: dict[str, Any], *, now: datetime, actor: str) -> None:
        self._refuse_finished()
        self._record(self.Finished, now=now, actor=actor, result=result)

    def _refuse_finished(self) -> None:
        if self.finished:
            raise InvalidTransitionError(_t("This practice interview is finished; start a new "
                                            "one to practise again."))


class TrainingRecord(StampedAggregate):
    """A trainee's scores over time, one entry per finished practice: their history and what
    their lead reads, without searching the sandbox."""

    class Opened(StampedAggregate.Created):
        trainee: str

        def apply_facts(self, aggregate: TrainingRecord) -> None:
            aggregate.trainee = self.trainee

    class PracticeBegun(StampedAggregate.Event):
        """A practice started and not finished yet: the trainee finds it again on /practice."""

        practice_id: UUID
        scenario_id: str
        interview_id: UUID

        def apply_facts(self, aggregate: TrainingRecord) -> None:
            aggregate.in_progress[str(self.practice_id)] = {
                "practice_id": str(self.practice_id), "scenario_id": self.scenario_id,
                "interview_id": str(self.interview_id), "at": self.timestamp.isoformat()}

    class PracticeScored(StampedAggregate.Event):
        practice_id: UUID
        scenario_id: str
        team: str | None
        result: dict[str, Any]

        def apply_facts(self, aggregate: TrainingRecord) -> None:
            aggregate.in_progress.pop(str(self.practice_id), None)
            aggregate.entries.append({"practice_id": str(self.practice_id),
                                      "scenario_id": self.scenario_id, "team": self.team,
                                      "at": self.timestamp.isoformat(), **self.result})

    def __init__(self) -> None:
        self.trainee: str
        self.entries: list[dict[str, Any]] = []
        self.in_progress: dict[str, dict[str, str]] = {}

    @staticmethod
    def id_for(trainee: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"bco:training-record:{trainee.strip().lower()}")

    @classmethod
    def open(cls, trainee: str, *, now: datetime) -> TrainingRecord:
        return cls._create(cls.Opened, id=cls.id_for(trainee), timestamp=now, actor=trainee,
                           command_id=None, trainee=trainee)

    def begun(self, practice: Practice, *, now: datetime) -> None:
        self._record(self.PracticeBegun, now=now, actor=practice.trainee,
                     practice_id=practice.id, scenario_id=practice.scenario_id,
                     interview_id=practice.interview_id)

    def scored(self, practice: Practice, *, now: datetime) -> None:
        assert practice.result is not None
        self._record(self.PracticeScored, now=now, actor=practice.trainee,
                     practice_id=practice.id, scenario_id=practice.scenario_id,
                     team=practice.team, result=practice.result)
