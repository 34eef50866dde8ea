"""The practice sandbox: the same application, commands and rules as real work, on an event
store of its own, so nothing practised can reach a worklist, report, export or statistic.

On SQLite it is its own file (`<BCO_DATA_DIR>/training.db`); on PostgreSQL its own table
(`bcotraining_events`, named after the application), beside the real `bco_events`. The read
models follow only the real store's notification log, so they never see a practice event;
the sandbox keeps what its screens need on its own aggregates (a trainee's record).
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.utils import Environment

from bco.application import BCOApplication, Recorded
from bco.domain.case import IndexPerson
from bco.domain.errors import NotFoundError
from bco.domain.errors import translatable as _t
from bco.domain.practice import Practice, TrainingRecord
from bco.guide_catalog import disease_code
from bco.side_store import SideStore, open_side_store
from bco.training.feedback import Feedback, assess
from bco.training.scenarios import Scenario, ScenarioError, load_scenarios, scenario_files

SANDBOX_SOURCE = "practice"
log = logging.getLogger(__name__)


class TrainingApplication(BCOApplication):
    """BCO's application on the sandbox store, with the commands of practice on top."""

    name = "BCOTraining"

    def construct_env(self, name: str, env: Any = None) -> Environment:
        """The real store's settings, pointed at the sandbox's own file on SQLite."""
        values = dict(env or {})
        if "SQLITE_DBNAME" in values:
            values["SQLITE_DBNAME"] = str(self.settings.training_events_path)
        return Environment(name, values)

    # Its case keys apart too: a practice's key is no row of the real store's key table.
    case_keys_table = "bcotraining_case_keys"

    def open_side_store(self) -> SideStore:
        """On SQLite in training.db beside the sandbox's events, not in the real events.db."""
        return open_side_store(self.settings, self.settings.training_events_path)

    def store_description(self) -> str:
        if self.settings.uses_postgres:
            return f"{super().store_description()}, table bcotraining_events"
        return f"at {self.settings.training_events_path}"

    # -- scenarios ----------------------------------------------------------------------

    @property
    def scenarios(self) -> dict[str, Scenario]:
        """The scenarios as their files are now, checked against the current guides; read
        again only when a file or a guide changed (every practice page asks for them)."""
        directory = Path(self.settings.training_dir) / "scenarios"
        files = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size)
                      for p in scenario_files(directory))
        key = (files, tuple(sorted((g.id, g.content_hash)
                                   for g in self.catalog.guides.values())))
        cached = self.__dict__.get("_scenarios")
        if cached is None or cached[0] != key:
            try:
                cached = (key, load_scenarios(directory, self.catalog.guides), [])
            except ScenarioError as error:
                # A broken file must not stop practice: keep the last good set, and say why.
                log.warning("Practice scenarios refused: %d problem(s); run bco training check",
                            len(error.messages))
                cached = (key, cached[1] if cached else {}, error.messages)
            self.__dict__["_scenarios"] = cached
        found: dict[str, Scenario] = cached[1]
        return found

    @property
    def scenario_problems(self) -> list[str]:
        """Why the scenario files were refused when last read (empty when they are fine)."""
        self.scenarios  # noqa: B018  (reads the files again if they changed)
        problems: list[str] = self.__dict__["_scenarios"][2]
        return problems

    def scenario(self, scenario_id: str) -> Scenario:
        found = self.scenarios.get(scenario_id)
        if found is None:
            raise NotFoundError(_t("There is no practice scenario '%(scenario)s'."),
                                scenario=scenario_id)
        return found

    def today(self) -> date:
        return self.clock().astimezone(self.settings.zone).date()

    # -- commands -----------------------------------------------------------------------

    def start_practice(self, scenario_id: str, *, trainee: str, team: str | None) -> Recorded:
        """A case from the scenario's index, given to the trainee, its interview started with
        the index on the line."""
        scenario = self.scenario(scenario_id)
        guide = self.catalog.guides[scenario.guide_id]
        onset, test_date = scenario.dates(self.today())
        person = IndexPerson(name=scenario.index_name, phone=scenario.index_phone,
                             birth_date=scenario.birth_date, postcode=scenario.postcode,
                             language=scenario.language)
        case_id = self.register_case(person=person, disease=disease_code(guide.disease),
                                     onset=onset, test_date=test_date, source=SANDBOX_SOURCE,
                                     actor=trainee).aggregate_id
        self.assign_case(case_id, trainee, team, actor=trainee)
        interview_id = self.start_interview(case_id, actor=trainee, guide_id=guide.id,
                                            reached=True).aggregate_id
        now = self.clock()
        practice = Practice.start(trainee=trainee, team=team, scenario_id=scenario.id,
                                  guide_id=guide.id, case_id=case_id, interview_id=interview_id,
                                  now=now)
        record = self._record_for(trainee, now)
        record.begun(practice, now=now)
        self._save(practice, record)
        return Recorded(practice.id, practice.version, None)

    def _record_for(self, trainee: str, now: datetime) -> TrainingRecord:
        found = self._find(TrainingRecord.id_for(trainee), TrainingRecord)
        return found if found is not None else TrainingRecord.open(trainee, now=now)

    def get_practice(self, practice_id: UUID) -> Practice:
        return self._get(practice_id, Practice)

    def practice_for(self, interview_id: UUID) -> Practice | None:
        return self._find(Practice.id_for(interview_id), Practice)

    def mark_asked(self, practice_id: UUID, prompt: str, *, actor: str) -> Recorded:
        return self._change(practice_id, Practice, None, None, set(),
                            lambda practice, now: practice.ask(prompt, now=now, actor=actor))

    def feedback(self, practice: Practice) -> Feedback:
        """The feedback on the practice as it stands now."""
        interview = self.get_interview(practice.interview_id)
        case = self.get_case(practice.case_id)
        guide = self.guide_for_interview(interview)
        language = self.scenario(practice.scenario_id).language
        seconds = int((self.clock() - practice.started_at).total_seconds())
        return assess(self.scenario(practice.scenario_id), guide,
                      self.interview_state(interview, case), self.today(), language, seconds,
                      asked=frozenset(practice.asked))

    def finish_practice(self, practice_id: UUID, *, actor: str) -> Recorded:
        """Complete the practice interview if still open, then keep the feedback on the
        practice and on the trainee's record, in one save."""
        practice = self.get_practice(practice_id)
        interview = self.get_interview(practice.interview_id)
        if interview.status != "completed":
            self.complete_interview(interview.id, actor=actor)
        practice = self.get_practice(practice_id)
        result = self.feedback(practice).to_result()
        now = self.clock()
        practice.finish(result, now=now, actor=actor)
        record = self._record_for(practice.trainee, now)
        record.scored(practice, now=now)
        self._save(practice, record)
        return Recorded(practice.id, practice.version, None)

    def record_of(self, trainee: str) -> TrainingRecord | None:
        return self._find(TrainingRecord.id_for(trainee), TrainingRecord)
