"""KPIs for a period, team and disease, computed from the timeline and contacts read models
exactly as DOMAIN.md defines them, so that a hand calculation can check every number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bco.domain.interview import Informer
from bco.projections import contacts as contacts_model
from bco.projections import timeline as timeline_model
from bco.projections.readmodel import utc_text

DAY_SECONDS = 24 * 3600
KPI_KEYS = ("reached_within_24h", "interviewed_within_24h", "first_call_hours_median",
            "contacts_per_case_median", "cases_without_contacts",
            "contacts_informed_within_24h", "handovers_per_interview")


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

    Counted by SQLite over the timeline's (team, moment) indexes, never row by row in Python:
    a month of a big team is one index range per question."""
    low, high = period.utc_bounds()
    extra, values = scope.where()
    cutoff = utc_text(now - timedelta(hours=24))
    # Cases whose first 24 h have passed; a case never reached counts as not within.
    total, ripe, reached, interviewed, called = db.execute(
        f"SELECT count(*), coalesce(sum(received_at <= ?), 0), "
        f"coalesce(sum(received_at <= ? AND to_reached_s <= {DAY_SECONDS}), 0), "
        f"coalesce(sum(received_at <= ? AND to_interview_completed_s <= {DAY_SECONDS}), 0), "
        f"count(to_first_attempt_s) FROM {timeline_model.TABLE} "
        f"WHERE received_at >= ? AND received_at < ?{extra}",
        [cutoff, cutoff, cutoff, low, high, *values]).fetchone()
    first_call = _median_of(db, "to_first_attempt_s", "received_at", called, low, high,
                            extra, values)
    completed, without, handovers = db.execute(
        f"SELECT count(*), coalesce(sum(contacts_reported = 0), 0), "
        f"coalesce(sum(handovers), 0) FROM {timeline_model.TABLE} "
        f"WHERE interview_completed_at >= ? AND interview_completed_at < ?{extra}",
        [low, high, *values]).fetchone()
    contacts = _median_of(db, "contacts_reported", "interview_completed_at", completed, low,
                          high, extra, values)
    informed, to_inform = _informed_within_day(db, low, high, extra, values)
    return {
        "cases": total,
        "cases_past_24h": ripe,
        "interviews_completed": completed,
        "reached_within_24h": share(reached, ripe),
        "interviewed_within_24h": share(interviewed, ripe),
        "first_call_hours_median": None if first_call is None else first_call / 3600,
        "contacts_per_case_median": contacts,
        "cases_without_contacts": share(without, completed),
        "contacts_to_inform": to_inform,
        "contacts_informed_within_24h": share(informed, to_inform),
        "handovers_per_interview": handovers / completed if completed else None,
    }


def _median_of(db: Database, column: str, moment: str, count: int, low: str, high: str,
               extra: str, values: list[Any]) -> float | None:
    """The median of a column over the scope's rows whose `moment` is in [low, high) and
    that have a value (`count` of them), read as the one or two middle values in order."""
    if not count:
        return None
    middle = [float(value) for (value,) in db.execute(
        f"SELECT {column} FROM {timeline_model.TABLE} WHERE {moment} >= ? AND {moment} < ? "
        f"AND {column} IS NOT NULL{extra} ORDER BY {column} LIMIT ? OFFSET ?",
        [low, high, *values, 2 - count % 2, (count - 1) // 2])]
    return middle[0] if len(middle) == 1 else (middle[0] + middle[1]) / 2


def _informed_within_day(db: Database, low: str, high: str, extra: str,
                         values: list[Any]) -> tuple[int, int]:
    """Of the live contacts the health service informs, from interviews completed in the
    period: how many were informed within 24 h of completion, and how many there are."""
    scoped = extra.replace("team", "t.team").replace("disease", "t.disease")
    rows = db.execute(
        f"SELECT t.interview_completed_at, tc.informed_at "
        f"FROM {timeline_model.TABLE} t "
        f"JOIN {timeline_model.CONTACTS} tc ON tc.case_id = t.case_id AND tc.removed = 0 "
        f"JOIN {contacts_model.TABLE} c ON c.contact_id = tc.contact_id "
        f"WHERE t.interview_completed_at >= ? AND t.interview_completed_at < ?{scoped} "
        f"AND c.informs = ?", [low, high, *values, Informer.AUTHORITY.value]).fetchall()
    hits = 0
    for completed_at, informed_at in rows:  # informed_at: the first "informed" outcome
        if informed_at is None:
            continue
        gap = datetime.fromisoformat(informed_at) - datetime.fromisoformat(completed_at)
        hits += gap <= timedelta(hours=24)
    return hits, len(rows)


def known_teams(db: Database) -> list[str]:
    """Teams that have cases, for choosing one and for refusing a name that is none."""
    return [team for (team,) in db.execute(
        f"SELECT DISTINCT team FROM {timeline_model.TABLE} WHERE team IS NOT NULL "
        "ORDER BY team")]


def known_diseases(db: Database) -> list[str]:
    return [disease for (disease,) in db.execute(
        f"SELECT DISTINCT disease FROM {timeline_model.TABLE} ORDER BY disease")]
