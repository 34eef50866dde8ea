"""KPIs for a period, team and disease, computed from the timeline and contacts read models
exactly as DOMAIN.md defines them, so that a hand calculation can check every number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bco.projections import timeline as timeline_model
from bco.projections import timeline_days
from bco.projections.readmodel import utc_text

DAY_SECONDS = 24 * 3600
KPI_KEYS = ("reached_within_24h", "interviewed_within_24h", "first_call_hours_median",
            "contacts_per_case_median", "cases_without_contacts",
            "contacts_informed_within_24h", "handovers_per_interview",
            "known_contacts_among_new_cases")


# Days a period may name: midnight of any of them converts to UTC and back without overflow.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9998, 12, 31)


@dataclass(frozen=True)
class Period:
    """Local dates in the service's zone, both included; stored times are UTC."""

    start: date
    end: date
    zone: ZoneInfo

    def utc_bounds(self) -> tuple[str, str]:
        """The period as [from, to) in stored-timestamp text, midnight to midnight locally."""
        first = datetime.combine(self.start, time(0), self.zone)
        after = datetime.combine(self.end + timedelta(days=1), time(0), self.zone)
        low, high = utc_text(first), utc_text(after)
        assert low is not None and high is not None
        return low, high


@dataclass(frozen=True)
class Scope:
    """Which cases count: a team (None: every team) and a disease (None: every disease)."""

    team: str | None = None
    disease: str | None = None

    def where(self) -> tuple[str, list[Any]]:
        clauses, values = [], []
        if self.team is not None:
            clauses.append("team = ?")
            values.append(self.team)
        if self.disease is not None:
            clauses.append("disease = ?")
            values.append(self.disease)
        return "".join(f" AND {c}" for c in clauses), values


def share(hits: int, total: int) -> float | None:
    """A share from 0 to 1; over an empty denominator there is no share, not zero."""
    return hits / total if total else None


def compute_kpis(db: Database, period: Period, *, now: datetime,
                 scope: Scope = Scope()) -> dict[str, Any]:
    """Every KPI of DOMAIN.md for cases of `scope` in `period`, as of `now` (the 24 h rule).

    Read from the timeline's sums per local day (bco.projections.timeline_days): a month is
    a few dozen rows. Only the cases of the day on which 24 h ago falls are read one by one,
    to tell those whose first 24 h have passed from those whose have not."""
    _low, high = period.utc_bounds()
    extra, values = scope.where()
    first, last = period.start.isoformat(), period.end.isoformat()
    received = timeline_days.sums(db, "received", first, last, extra, values)
    cutoff_moment = now - timedelta(hours=24)
    cutoff = utc_text(cutoff_moment)
    assert cutoff is not None
    cutoff_day = cutoff_moment.astimezone(period.zone).date()
    # Days that ended by the cutoff are wholly past their first 24 h ...
    ripe = timeline_days.sums(db, "received", first,
                              min(period.end, cutoff_day - timedelta(days=1)).isoformat(),
                              extra, values, ("n", "reached_24h", "interviewed_24h"))
    # ... and of the cutoff's own day, the cases received by then.
    if period.start <= cutoff_day <= period.end:
        midnight = utc_text(datetime.combine(cutoff_day, time(0), period.zone))
        more = db.execute(
            f"SELECT count(*), coalesce(sum(to_reached_s <= {DAY_SECONDS}), 0), "
            f"coalesce(sum(to_interview_completed_s <= {DAY_SECONDS}), 0) "
            f"FROM {timeline_model.TABLE} WHERE received_at >= ? AND received_at <= ? "
            f"AND received_at < ?{extra}", [midnight, cutoff, high, *values]).fetchone()
        ripe = {key: ripe[key] + count for key, count in zip(ripe, more, strict=True)}
    first_call = timeline_days.median_of(
        timeline_days.histogram(db, "first_call", first, last, extra, values))
    completed = timeline_days.sums(db, "completed", first, last, extra, values,
                                   ("n", "no_contacts", "handovers", "to_inform",
                                    "informed_24h"))
    contacts = timeline_days.median_of(
        timeline_days.histogram(db, "contacts", first, last, extra, values))
    done = completed["n"]
    return {
        "cases": received["n"],
        "cases_past_24h": ripe["n"],
        "interviews_completed": done,
        "reached_within_24h": share(ripe["reached_24h"], ripe["n"]),
        "interviewed_within_24h": share(ripe["interviewed_24h"], ripe["n"]),
        # stored in tenths of an hour, rounded up
        "first_call_hours_median": None if first_call is None else first_call / 10,
        "contacts_per_case_median": contacts,
        "cases_without_contacts": share(completed["no_contacts"], done),
        "contacts_to_inform": completed["to_inform"],
        "contacts_informed_within_24h": share(completed["informed_24h"],
                                              completed["to_inform"]),
        "handovers_per_interview": completed["handovers"] / done if done else None,
        "known_contacts_among_new_cases": share(received["known"], received["n"]),
    }


def known_teams(db: Database) -> list[str]:
    """Teams that have cases, for choosing one and for refusing a name that is none."""
    return [team for (team,) in db.execute(
        f"SELECT DISTINCT team FROM {timeline_days.BY_DAY} WHERE team != '' ORDER BY team")]


def known_diseases(db: Database) -> list[str]:
    return [disease for (disease,) in db.execute(
        f"SELECT DISTINCT disease FROM {timeline_days.BY_DAY} ORDER BY disease")]
