"""The numbers behind the dashboard's charts: how long first calls took, contacts per case,
completeness scores, cases per day against the first-call target, and open cases per day with
the targets missed that day, for one period; the cases counted as the KPIs count them (by the
timeline's team and disease).

SQLite counts and bins along the timeline's (team, moment) indexes; Python sees one row per
bin or per hour, never one per case, so a month of a big team costs a few index ranges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlite_utils import Database

from bco.projections import completeness, timeline, timeline_days
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


def _day_scope(reach: Reach) -> tuple[str, list[object]]:
    """The scope on the day tables' own team and disease columns."""
    extra, values = _scoped(reach)
    return extra.replace("t.", ""), values


def _binned_histogram(counted: list[tuple[int, int]], scale: float,
                      edges: Sequence[float]) -> list[int]:
    """Counts per bin (as charts.histogram bins) of stored values times `scale`."""
    counts = [0] * len(edges)
    for value, count in counted:
        index = max(i for i, edge in enumerate(edges) if value * scale >= edge or i == 0)
        counts[index] += count
    return counts


def first_call_counts(db: Database, reach: Reach, period: Period,
                      edges: Sequence[float]) -> list[int]:
    """Per bin of hours (edges), cases received in the period whose first call took that long
    (to the tenth of an hour, rounded up, as the day tables keep it)."""
    extra, values = _day_scope(reach)
    return _binned_histogram(timeline_days.histogram(
        db, "first_call", period.start.isoformat(), period.end.isoformat(), extra, values),
        0.1, edges)


def contacts_counts(db: Database, reach: Reach, period: Period,
                    edges: Sequence[float]) -> list[int]:
    """Per bin of live contacts, interviews completed in the period with that many."""
    extra, values = _day_scope(reach)
    return _binned_histogram(timeline_days.histogram(
        db, "contacts", period.start.isoformat(), period.end.isoformat(), extra, values),
        1, edges)


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


def cases_per_day(db: Database, reach: Reach, period: Period, *, now: datetime,
                  target_hours: int) -> list[tuple[date, int, int, int]]:
    """Per local day of the period: cases received, first call within the target, and over
    it (called late, or not called while the target has passed)."""
    extra, values = _day_scope(reach)
    first, last = period.start.isoformat(), period.end.isoformat()
    received = timeline_days.per_day(db, "received", first, last, extra, values, ("n",
                                                                                  "called"))
    within: dict[str, int] = {}
    for day, count in db.execute(
            f"SELECT day, sum(n) FROM {timeline_days.VALUES} WHERE kind = 'first_call' "
            f"AND day >= ? AND day <= ? AND value <= ?{extra} GROUP BY day",
            [first, last, target_hours * 10, *values]):
        within[day] = count
    passed = now - timedelta(hours=target_hours)
    passed_day = passed.astimezone(period.zone).date()
    uncalled_passed: dict[str, int] = {}
    if period.start <= passed_day <= period.end:  # that day's cases one by one
        midnight = utc_text(datetime.combine(passed_day, time(0), period.zone))
        (count,) = db.execute(
            f"SELECT count(*) FROM {timeline.TABLE} t WHERE t.received_at >= ? "
            f"AND t.received_at < ? AND t.to_first_attempt_s IS NULL{_scoped(reach)[0]}",
            [midnight, utc_text(passed), *values]).fetchone()
        uncalled_passed[passed_day.isoformat()] = count
    found = []
    for day in _days(period):
        key = day.isoformat()
        sums = received.get(key, {"n": 0, "called": 0})
        in_time = within.get(key, 0)
        late = sums["called"] - in_time
        if day < passed_day:
            late += sums["n"] - sums["called"]
        else:
            late += uncalled_passed.get(key, 0)
        found.append((day, sums["n"], in_time, late))
    return found


@dataclass(frozen=True)
class CaseloadDay:
    """One local day: cases open at its end, and cases received that day that missed the
    first-call target."""

    day: date
    open_cases: int
    breaches: int


def caseload_per_day(db: Database, reach: Reach, period: Period, *, now: datetime,
                     target_hours: int,
                     daily: list[tuple[date, int, int, int]] | None = None
                     ) -> list[CaseloadDay]:
    """Per local day of the period: the cases received by the end of the day and not closed by
    then (a reopened case counts as never closed), and of the cases received that day how many
    missed the first-call target (called late, or not called while it has passed)."""
    extra, values = _day_scope(reach)
    first = period.start.isoformat()
    before = {kind: timeline_days.sums(db, kind, "0000-01-01", (
        period.start - timedelta(days=1)).isoformat(), extra, values, ("n",))["n"]
        for kind in ("received", "closed")}
    change = {kind: timeline_days.per_day(db, kind, first, period.end.isoformat(), extra,
                                          values, ("n",)) for kind in ("received", "closed")}
    running = before["received"] - before["closed"]
    found = []
    if daily is None:  # the cases_per_day of the same period, when the caller has them
        daily = cases_per_day(db, reach, period, now=now, target_hours=target_hours)
    for day, _received, _within, over in daily:
        key = day.isoformat()
        running += (change["received"].get(key, {}).get("n", 0)
                    - change["closed"].get(key, {}).get("n", 0))
        found.append(CaseloadDay(day, running, over))
    return found
