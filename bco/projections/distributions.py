"""The numbers behind the dashboard's charts: how long first calls took, contacts per case,
completeness scores, and cases per day against the first-call target, for one period; the
cases counted as the KPIs count them (by the timeline's team and disease)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlite_utils import Database

from bco.projections import completeness, timeline
from bco.projections.dashboard import Reach
from bco.projections.kpis import Period


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


def first_call_hours(db: Database, reach: Reach, period: Period) -> list[float]:
    """Hours from received to first call, for cases received in the period that had one."""
    low, high = period.utc_bounds()
    extra, values = _scoped(reach)
    return [seconds / 3600 for (seconds,) in db.execute(
        f"SELECT t.to_first_attempt_s FROM {timeline.TABLE} t "
        f"WHERE t.received_at >= ? AND t.received_at < ? "
        f"AND t.to_first_attempt_s IS NOT NULL{extra}", [low, high, *values])]


def contacts_per_case(db: Database, reach: Reach, period: Period) -> list[int]:
    """Live contacts of each interview completed in the period."""
    low, high = period.utc_bounds()
    extra, values = _scoped(reach)
    return [count for (count,) in db.execute(
        f"SELECT t.contacts_reported FROM {timeline.TABLE} t "
        f"WHERE t.interview_completed_at >= ? AND t.interview_completed_at < ?{extra}",
        [low, high, *values])]


def completeness_scores(db: Database, reach: Reach, period: Period) -> list[int]:
    """Completeness score of each interview completed in the period (when it has one)."""
    low, high = period.utc_bounds()
    extra, values = _scoped(reach)
    return [score for (score,) in db.execute(
        f"SELECT c.score FROM {timeline.TABLE} t "
        f"JOIN {completeness.TABLE} c ON c.interview_id = t.interview_id "
        f"WHERE t.interview_completed_at >= ? AND t.interview_completed_at < ? "
        f"AND c.score IS NOT NULL{extra}", [low, high, *values])]


def cases_per_day(db: Database, reach: Reach, period: Period, *, now: datetime,
                  target_hours: int) -> list[tuple[date, int, int, int]]:
    """Per local day of the period: cases received, first call within the target, and over
    it (called late, or not called while the target has passed)."""
    low, high = period.utc_bounds()
    extra, values = _scoped(reach)
    days = {period.start + timedelta(days=n): [0, 0, 0]
            for n in range((period.end - period.start).days + 1)}
    target = target_hours * 3600
    for received, seconds in db.execute(
            f"SELECT t.received_at, t.to_first_attempt_s FROM {timeline.TABLE} t "
            f"WHERE t.received_at >= ? AND t.received_at < ?{extra}", [low, high, *values]):
        moment = datetime.fromisoformat(received)
        counts = days.setdefault(moment.astimezone(period.zone).date(), [0, 0, 0])
        counts[0] += 1
        if seconds is not None and seconds <= target:
            counts[1] += 1
        elif seconds is not None or (now - moment).total_seconds() > target:
            counts[2] += 1
    return [(day, *counts) for day, counts in sorted(days.items())]  # type: ignore[misc]
