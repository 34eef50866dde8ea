"""The numbers behind the dashboard's charts: how long first calls took, contacts per case,
completeness scores, cases per day against the first-call target, and open cases per day with
the targets missed that day, for one period; the cases counted as the KPIs count them (by the
timeline's team and disease).

SQLite counts and bins along the timeline's (team, moment) indexes; Python sees one row per
bin or per hour, never one per case, so a month of a big team costs a few index ranges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlite_utils import Database

from bco.projections import completeness, timeline
from bco.projections.dashboard import Reach
from bco.projections.kpis import Period
from bco.projections.readmodel import utc_text


def _scoped(reach: Reach) -> tuple[str, list[object]]:
    """The team's and disease's cases as the KPIs count them (the timeline's own columns)."""
    clauses: list[str] = []
    values: list[object] = []
    if reach.team is not None:
        clauses.append("t.team = ?")
        values.append(reach.team)
    if reach.disease is not None:
        clauses.append("t.disease = ?")
        values.append(reach.disease)
    return "".join(f" AND {c}" for c in clauses), values


def _bin_of(expression: str, edges: Sequence[float]) -> str:
    """SQL for the bin index of a value: [edges[i], edges[i+1]); the last bin takes everything
    from its edge, the first everything below its upper edge (as charts.histogram does)."""
    whens = " ".join(f"WHEN {expression} >= {float(edge)!r} THEN {index}"
                     for index, edge in reversed(list(enumerate(edges))) if index > 0)
    return f"CASE {whens} ELSE 0 END"


def _binned(db: Database, sql: str, values: list[object], bins: int) -> list[int]:
    counts = [0] * bins
    for index, count in db.execute(sql, values):
        counts[index] += count
    return counts


def first_call_counts(db: Database, reach: Reach, period: Period,
                      edges: Sequence[float]) -> list[int]:
    """Per bin of hours (edges), cases received in the period whose first call took that long."""
    low, high = period.utc_bounds()
    extra, values = _scoped(reach)
    return _binned(db, (
        f"SELECT {_bin_of('t.to_first_attempt_s / 3600.0', edges)} AS bin, count(*) "
        f"FROM {timeline.TABLE} t WHERE t.received_at >= ? AND t.received_at < ? "
        f"AND t.to_first_attempt_s IS NOT NULL{extra} GROUP BY bin"),
        [low, high, *values], len(edges))


def contacts_counts(db: Database, reach: Reach, period: Period,
                    edges: Sequence[float]) -> list[int]:
    """Per bin of live contacts, interviews completed in the period with that many."""
    low, high = period.utc_bounds()
    extra, values = _scoped(reach)
    return _binned(db, (
        f"SELECT {_bin_of('t.contacts_reported', edges)} AS bin, count(*) "
        f"FROM {timeline.TABLE} t WHERE t.interview_completed_at >= ? "
        f"AND t.interview_completed_at < ?{extra} GROUP BY bin"),
        [low, high, *values], len(edges))


def completeness_counts(db: Database, reach: Reach, period: Period,
                        edges: Sequence[float]) -> list[int]:
    """Per bin of completeness score, interviews completed in the period (that have one)."""
    low, high = period.utc_bounds()
    extra, values = _scoped(reach)
    return _binned(db, (
        f"SELECT {_bin_of('c.score', edges)} AS bin, count(*) FROM {timeline.TABLE} t "
        f"JOIN {completeness.TABLE} c ON c.interview_id = t.interview_id "
        f"WHERE t.interview_completed_at >= ? AND t.interview_completed_at < ? "
        f"AND c.score IS NOT NULL{extra} GROUP BY bin"), [low, high, *values], len(edges))


def _days(period: Period) -> list[date]:
    return [period.start + timedelta(days=n) for n in range((period.end - period.start).days + 1)]


def _slice_width(period: Period) -> int:
    """How much of a stored timestamp to group by: the hour ('2026-11-20T23') when the zone
    is a whole number of hours from UTC around the period, else the minute."""
    low, high = period.utc_bounds()
    whole = all(datetime.fromisoformat(moment).astimezone(period.zone).minute == 0
                for moment in (low, high))
    return 13 if whole else 16


def _local_day(prefix: str, period: Period) -> date:
    """The local day a grouped timestamp prefix ('2026-11-20T23' or '…T23:30') falls on."""
    return _slice_start(prefix).astimezone(period.zone).date()


def cases_per_day(db: Database, reach: Reach, period: Period, *, now: datetime,
                  target_hours: int) -> list[tuple[date, int, int, int]]:
    """Per local day of the period: cases received, first call within the target, and over
    it (called late, or not called while the target has passed)."""
    low, high = period.utc_bounds()
    extra, values = _scoped(reach)
    target = target_hours * 3600
    passed = utc_text(now - timedelta(seconds=target))
    width = _slice_width(period)
    days = {day: [0, 0, 0] for day in _days(period)}
    for prefix, received, within, over in db.execute(
            f"SELECT substr(t.received_at, 1, {width}) AS slice, count(*), "
            f"coalesce(sum(t.to_first_attempt_s <= {target}), 0), "
            f"coalesce(sum(t.to_first_attempt_s > {target} OR (t.to_first_attempt_s IS NULL "
            f"AND t.received_at < ?)), 0) FROM {timeline.TABLE} t "
            f"WHERE t.received_at >= ? AND t.received_at < ?{extra} GROUP BY slice",
            [passed, low, high, *values]):
        counts = days.setdefault(_local_day(prefix, period), [0, 0, 0])
        counts[0] += received
        counts[1] += within
        counts[2] += over
    return [(day, *counts) for day, counts in sorted(days.items())]  # type: ignore[misc]


@dataclass(frozen=True)
class CaseloadDay:
    """One local day: cases open at its end, and the targets missed during it."""

    day: date
    open_cases: int
    breaches: int


def caseload_per_day(db: Database, reach: Reach, period: Period, *, now: datetime,
                     targets: Sequence[int]) -> list[CaseloadDay]:
    """Per local day of the period: the cases received by the end of the day and not closed by
    then (a reopened case counts as never closed), and how many of the received-based targets
    (hours in `targets`: first call, index reached, interview complete) ran out that day for a
    case that had not made it by then; a day still to come shows no breaches yet."""
    low, high = period.utc_bounds()
    extra, values = _scoped(reach)
    width = _slice_width(period)
    # open at the start of the period: received before it, not closed before it
    (received_before,) = db.execute(
        f"SELECT count(*) FROM {timeline.TABLE} t WHERE t.received_at < ?{extra}",
        [low, *values]).fetchone()
    (closed_before,) = db.execute(
        f"SELECT count(*) FROM {timeline.TABLE} t WHERE t.closed_at < ?{extra}",
        [low, *values]).fetchone()
    change = dict.fromkeys(_days(period), 0)
    for moment, sign in (("received_at", 1), ("closed_at", -1)):
        for prefix, count in db.execute(
                f"SELECT substr(t.{moment}, 1, {width}) AS slice, count(*) "
                f"FROM {timeline.TABLE} t WHERE t.{moment} >= ? AND t.{moment} < ?{extra} "
                f"GROUP BY slice", [low, high, *values]):
            day = _local_day(prefix, period)
            change[day] = change.get(day, 0) + sign * count
    breaches = dict.fromkeys(change, 0)
    for hours, column in zip(targets, ("to_first_attempt_s", "to_reached_s",
                                       "to_interview_completed_s"), strict=False):
        # the target ran out at received + hours: in the period, and by now
        earliest, latest, passed = (utc_text(moment - timedelta(hours=hours)) for moment in (
            datetime.fromisoformat(low), datetime.fromisoformat(high), now))
        for received, count in db.execute(
                f"SELECT substr(t.received_at, 1, {width}) AS slice, count(*) "
                f"FROM {timeline.TABLE} t WHERE t.received_at >= ? AND t.received_at < ? "
                f"AND t.received_at <= ? AND (t.{column} IS NULL OR t.{column} > {hours * 3600})"
                f"{extra} GROUP BY slice", [earliest, latest, passed, *values]):
            day = (_slice_start(received) + timedelta(hours=hours)).astimezone(
                period.zone).date()
            if day in breaches:
                breaches[day] += count
    found, running = [], received_before - closed_before
    for day in sorted(change):
        running += change[day]
        found.append(CaseloadDay(day, running, breaches[day]))
    return found


def _slice_start(prefix: str) -> datetime:
    return datetime.fromisoformat(prefix + (":00" if len(prefix) == 13 else "")).replace(
        tzinfo=UTC)
