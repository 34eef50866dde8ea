"""Exposure windows as dates, derived from symptom onset or, without symptoms, the test date."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bco.guides.model import Bound, Guide, WindowRule

Anchor = Literal["onset", "test_date"]


class WindowError(ValueError):
    """Neither symptom onset nor test date is known, so no window can be placed."""


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of calendar days."""

    start: date
    end: date

    def days(self) -> list[date]:
        """List every day from start to end, both included."""
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def __contains__(self, day: object) -> bool:
        """Tell whether `day` falls inside the range."""
        return isinstance(day, date) and self.start <= day <= self.end

    def to_json(self) -> dict[str, str]:
        """Return the range as ISO dates."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True)
class Windows:
    """The infectious window (contacts to warn) and, where the guide has one, the source window."""

    infectious: DateRange
    source: DateRange | None
    anchor: Anchor

    def to_json(self) -> dict[str, dict[str, str]]:
        """Return the CLI/API shape: infectious always, source only when the guide defines it."""
        shape = {"infectious": self.infectious.to_json()}
        if self.source is not None:
            shape["source"] = self.source.to_json()
        return shape


def exposure_windows(guide: Guide, onset: date | None = None,
                     test_date: date | None = None) -> Windows:
    """Place the windows around symptom onset, or the test date when there are no symptoms."""
    if onset is None and test_date is None:
        raise WindowError("symptom onset or test date is needed to place the exposure window")
    anchor: Anchor = "onset" if onset is not None else "test_date"
    known = {"onset": onset, "test_date": test_date}
    rules = guide.windows
    return Windows(
        infectious=_place(rules.infectious, known, anchor),
        source=None if rules.source is None else _place(rules.source, known, anchor),
        anchor=anchor,
    )


def _place(rule: WindowRule, known: dict[str, date | None], anchor: Anchor) -> DateRange:
    """Turn one window rule into dates; an end before the start collapses onto the start."""
    start = _edge(rule.start, known, anchor)
    end = _edge(rule.end, known, anchor)
    return DateRange(start, max(start, end))


def _edge(bound: Bound, known: dict[str, date | None], anchor: Anchor) -> date:
    """Offset the preferred date of a bound, falling back to the anchor date."""
    base = known.get(bound.origin) if bound.origin else None
    if base is None:
        base = known[anchor]
    assert base is not None
    return add_months(base, bound.months) + timedelta(days=bound.days)


def add_months(day: date, months: int) -> date:
    """Shift by whole calendar months, keeping the day or the month's last day."""
    if months == 0:
        return day
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
