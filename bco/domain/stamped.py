"""The base of every BCO aggregate: events say who acted, and retried commands are recognised."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from eventsourcing.domain import Aggregate

from bco.domain.errors import FutureDateError, Translatable
from bco.domain.errors import translatable as _t

_CONTAINERS = (dict, list, set)


class StampedAggregate(Aggregate):
    """An aggregate whose events carry the acting user and the client's command id."""

    class Event(Aggregate.Event):
        actor: str
        command_id: str | None

        def apply(self, aggregate: Any) -> None:
            if self.command_id:
                aggregate.seen_commands[self.command_id] = self.originator_version
            self.apply_facts(aggregate)
            aggregate.follow(self)

        def apply_facts(self, aggregate: Any) -> None:
            """Evolve the aggregate; each event class says how."""

        def targets(self) -> frozenset[str]:
            """What this event changed that an editor may be holding an older copy of, so that
            edits of different things never conflict; most events change no such thing."""
            return frozenset()

    def __base_init__(
        self, originator_id: Any, originator_version: int, timestamp: datetime
    ) -> None:
        super().__base_init__(originator_id, originator_version, timestamp)
        self.seen_commands: dict[str, int] = {}

    def __deepcopy__(self, memo: dict[int, Any]) -> StampedAggregate:
        """A copy for one command (the repository copies its cached aggregate every time).

        Events only ever put new values into the aggregate's dicts and lists; the values
        themselves are immutable (frozen dataclasses, strings, dates, numbers) or never
        changed in place. So new containers holding the same values are as independent as a
        full deep copy, at a fraction of its cost: copy.deepcopy was a quarter of a command.
        """
        duplicate = object.__new__(type(self))
        duplicate.__dict__.update({
            name: value.copy() if type(value) in _CONTAINERS else value
            for name, value in self.__dict__.items()})
        memo[id(self)] = duplicate
        return duplicate

    def follow(self, event: Any) -> None:
        """Keep what the aggregate derives from every event of its own (a case: its flags)."""

    def already_done(self, command_id: str | None) -> bool:
        """True when a retried command has been recorded before, so it records nothing twice."""
        return bool(command_id) and command_id in self.seen_commands

    def _record(
        self, event_class: type[Any], *, now: datetime, actor: str,
        command_id: str | None = None, **facts: Any,
    ) -> None:
        self.trigger_event(
            event_class, timestamp=now, actor=actor, command_id=command_id, **facts
        )


def refuse_future(value: date | None, today: date, field: str, label: Translatable) -> None:
    """Refuse a date that can only lie in the past when it lies after `today`."""
    if value is not None and value > today:
        raise FutureDateError(
            _t("%(label)s %(date)s lies in the future (today is %(today)s); "
               "check the date with the person."),
            field=field, label=label, date=value.isoformat(), today=today.isoformat(),
        )
