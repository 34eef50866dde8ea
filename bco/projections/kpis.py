"""KPIs for a period, team and disease, computed from the timeline and contacts read models
exactly as DOMAIN.md defines them, so that a hand calculation can check every number."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
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


def median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def compute_kpis(db: Database, period: Period, *, now: datetime,
                 scope: Scope = Scope()) -> dict[str, Any]:
    """Every KPI of DOMAIN.md for cases of `scope` in `period`, as of `now` (the 24 h rule)."""
    low, high = period.utc_bounds()
    extra, values = scope.where()
    received = db.execute(
        f"SELECT received_at, to_first_attempt_s, to_reached_s, to_interview_completed_s "
        f"FROM {timeline_model.TABLE} WHERE received_at >= ? AND received_at < ?{extra}",
        [low, high, *values]).fetchall()
    cutoff = utc_text(now - timedelta(hours=24))
    # Cases whose first 24 h have passed; a case never reached counts as not within.
    ripe = [row for row in received if cutoff is not None and row[0] <= cutoff]
    reached = sum(1 for row in ripe if row[2] is not None and row[2] <= DAY_SECONDS)
    interviewed = sum(1 for row in ripe if row[3] is not None and row[3] <= DAY_SECONDS)
    first_calls = [row[1] / 3600 for row in received if row[1] is not None]

    completed = db.execute(
        f"SELECT case_id, contacts_reported, handovers FROM {timeline_model.TABLE} "
        f"WHERE interview_completed_at >= ? AND interview_completed_at < ?{extra}",
        [low, high, *values]).fetchall()
    counts = [row[1] for row in completed]
    informed, to_inform = _informed_within_day(db, low, high, extra, values)
    return {
        "cases": len(received),
        "cases_past_24h": len(ripe),
        "interviews_completed": len(completed),
        "reached_within_24h": share(reached, len(ripe)),
        "interviewed_within_24h": share(interviewed, len(ripe)),
        "first_call_hours_median": median(first_calls),
        "contacts_per_case_median": median(counts),
        "cases_without_contacts": share(sum(1 for n in counts if n == 0), len(counts)),
        "contacts_to_inform": to_inform,
        "contacts_informed_within_24h": share(informed, to_inform),
        "handovers_per_interview": (sum(row[2] for row in completed) / len(completed)
                                    if completed else None),
    }


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
