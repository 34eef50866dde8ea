"""An event stored under an old class version still loads after the class changed."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.utils import clear_topic_cache, register_topic

from bco.application import BCOApplication
from bco.domain.case import Case, IndexPerson
from bco.domain.stamped import StampedAggregate


class CaseV1(StampedAggregate):
    """The case as an earlier release stored it: a call attempt without a note."""

    class Registered(StampedAggregate.Created):
        def apply_facts(self, aggregate: Any) -> None:
            aggregate.calls = []

    class CallAttemptLogged(StampedAggregate.Event):
        outcome: str

        def apply_facts(self, aggregate: Any) -> None:
            aggregate.calls.append(self.outcome)


class CaseV2(StampedAggregate):
    """Today's shape: every call attempt carries a note; old ones are upcast to an empty one."""

    class Registered(StampedAggregate.Created):
        def apply_facts(self, aggregate: Any) -> None:
            aggregate.calls = []

    class CallAttemptLogged(StampedAggregate.Event):
        class_version = 2
        outcome: str
        note: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["note"] = ""

        def apply_facts(self, aggregate: Any) -> None:
            aggregate.calls.append((self.outcome, self.note))


def test_old_event_version_is_upcast_on_load(app: BCOApplication, clock) -> None:
    old = CaseV1._create(CaseV1.Registered, id=Case.create_id(), timestamp=clock(),
                         actor="a", command_id=None)
    old.trigger_event(CaseV1.CallAttemptLogged, timestamp=clock(), actor="a", command_id=None,
                      outcome="no_answer")
    app.save(old)
    prefix = f"{__name__}:"
    clear_topic_cache()  # forget that the old topics resolved to the old classes
    for name in ("", ".Registered", ".CallAttemptLogged"):
        register_topic(f"{prefix}CaseV1{name}", _resolve(f"CaseV2{name}"))
    try:
        loaded = app.repository.get(old.id)
        assert isinstance(loaded, CaseV2)
        assert loaded.calls == [("no_answer", "")]
        # New events of the changed class are stored and read at version 2.
        loaded.trigger_event(CaseV2.CallAttemptLogged, timestamp=clock(), actor="a",
                             command_id=None, outcome="reached", note="spoke to index")
        app.save(loaded)
        assert app.repository.get(old.id).calls[-1] == ("reached", "spoke to index")
    finally:
        clear_topic_cache()


def test_a_real_case_event_round_trips_with_dates(app: BCOApplication) -> None:
    recorded = app.register_case(person=IndexPerson(name="A B", phone="0612345678",
                                                    birth_date=date(1980, 1, 2)),
                                 disease="covid-19", onset=date(2026, 11, 20), actor="x")
    case = app.get_case(recorded.aggregate_id)
    assert case.person.birth_date == date(1980, 1, 2) and case.onset == date(2026, 11, 20)


def _resolve(dotted: str) -> Any:
    target: Any = globals()[dotted.split(".")[0]]
    for part in dotted.split(".")[1:]:
        target = getattr(target, part)
    return target
