"""What a team lead's dashboard reads: cases against the waiting-time targets, caseload per
tracer, stuck and thin interviews and probing yield, for one team (or all) and a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from bco.domain.interview import InterviewStatus
from bco.projections import activity, completeness, contacts, prompt_yield, timeline, worklist
from bco.projections.kpis import Period
from bco.projections.readmodel import Row, parse_utc, utc_text

# The clocks in the order a case passes them; each runs from `start` until `stop` is set.
CLOCKS = ("first_call", "reached", "interview", "informed")


@dataclass(frozen=True)
class Targets:
    """Hours allowed per clock, and how close to a target a case counts as due soon."""

    first_call: int = 24
    reached: int = 24
    interview: int = 24
    informed: int = 24
    warning: int = 4

    def hours(self, clock: str) -> int:
        value: int = getattr(self, clock)
        return value


@dataclass(frozen=True)
class Reach:
    """Whose cases a reader may see: one team and the shared pool, or everyone's."""

    team: str | None = None  # None: every team (administrators)
    disease: str | None = None


def _rows(db: Database, sql: str, values: list[Any]) -> list[Row]:
    cursor = db.execute(sql, values)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, found, strict=True)) for found in cursor.fetchall()]


def waiting_cases(db: Database, reach: Reach, targets: Targets, *, now: datetime,
                  limit: int = 100) -> tuple[list[Row], dict[str, dict[str, int]]]:
    """Cases past or near the target of the step they wait for (each case once, longest
    overdue first), and per clock how many of them are over the target or due soon.

    The timeline keeps the step each unclosed case waits for and since when; per clock
    SQLite counts one range of the (team, waiting_clock, waiting_since) index, and only the
    cases listed are read whole. Whose cases: the team's and the pool's (no team yet)."""
    counts = {clock: {"breached": 0, "soon": 0} for clock in CLOCKS}
    candidates: list[tuple[datetime, str, str, int]] = []  # (due, case, clock, outstanding)
    for extra, values in _timeline_reach(reach):
        for clock in CLOCKS:
            hours = targets.hours(clock)
            over = utc_text(now - timedelta(hours=hours))
            soon = utc_text(now - timedelta(hours=hours - targets.warning))
            if clock == "informed":  # only cases with contacts the service has yet to inform
                source = (f"(SELECT t.case_id, t.waiting_since, t.contacts_outstanding "
                          f"AS outstanding FROM {timeline.TABLE} t "
                          f"WHERE t.waiting_clock = 'informing' AND t.waiting_since < ?{extra})")
                arguments: list[Any] = [soon, *values]
            else:
                source = (f"(SELECT t.case_id, t.waiting_since, 0 AS outstanding "
                          f"FROM {timeline.TABLE} t WHERE t.waiting_clock = ? "
                          f"AND t.waiting_since < ?{extra})")
                arguments = [clock, soon, *values]
            breached, near = db.execute(
                f"SELECT coalesce(sum(waiting_since < ?), 0), count(*) FROM {source}",
                [over, *arguments]).fetchone()
            counts[clock]["breached"] += breached
            counts[clock]["soon"] += near - breached
            for case_id, since, outstanding in db.execute(
                    f"SELECT case_id, waiting_since, outstanding FROM {source} "
                    f"ORDER BY waiting_since, case_id LIMIT ?", [*arguments, limit]):
                moment = parse_utc(since)
                assert moment is not None
                candidates.append((moment + timedelta(hours=hours), case_id, clock,
                                   outstanding))
    candidates.sort()
    chosen = candidates[:limit]
    if not chosen:
        return [], counts
    marks = ", ".join("?" for _ in chosen)
    details = {row["case_id"]: row for row in _rows(db, (
        f"SELECT t.case_id, w.tracer, t.team, t.disease, w.status, w.interview_status, "
        f"w.open, w.priority, t.received_at, t.first_attempt_at, t.reached_at, "
        f"t.interview_completed_at, a.case_version FROM {timeline.TABLE} t "
        f"LEFT JOIN {worklist.TABLE} w ON w.case_id = t.case_id "
        f"LEFT JOIN {activity.CASES} a ON a.case_id = t.case_id "
        f"WHERE t.case_id IN ({marks})"), [case_id for _due, case_id, _c, _o in chosen])}
    listed: list[Row] = []
    for due, case_id, clock, outstanding in chosen:
        hours = targets.hours(clock)
        listed.append({**details[case_id], "clock": clock,
                       "state": "breached" if now > due else "soon",
                       "since": due - timedelta(hours=hours), "due": due,
                       "target_hours": hours, "outstanding": outstanding})
    return listed, counts


def _ranges(reach: Reach, alias: str, pool: str) -> list[tuple[str, list[Any]]]:
    """The reach as separate conditions on `alias`'s columns: the team's cases, then the
    pool's (`pool`: the team's column empty, and whatever else makes a case the pool's), so
    that each is one range of an index that starts with the team."""
    disease, values = ("", []) if reach.disease is None else (f" AND {alias}.disease = ?",
                                                               [reach.disease])
    if reach.team is None:
        return [(disease, values)]
    return [(f" AND {alias}.team = ?{disease}", [reach.team, *values]),
            (f" AND {pool}{disease}", values)]


def _timeline_reach(reach: Reach) -> list[tuple[str, list[Any]]]:
    """On the timeline, a case without a team is the pool's."""
    return _ranges(reach, "t", "t.team IS NULL")


def _worklist_reach(reach: Reach) -> list[tuple[str, list[Any]]]:
    """On the worklist, the pool's cases have neither a team nor a tracer."""
    return _ranges(reach, "w", "w.team IS NULL AND w.tracer IS NULL")


def caseload_per_tracer(db: Database, reach: Reach) -> list[Row]:
    """Per tracer with open cases: how many, interviews going on, and the oldest waiting.

    Only cases with a tracer count, so the pool's (no team, no tracer) are left out of the
    reach: the team alone is one range of the open cases' index, read without the table."""
    extra, values = _worklist_reach(reach)[0]
    return _rows(db, (
        f"SELECT w.tracer, count(*) AS open_cases, "
        f"coalesce(sum(w.interview_status = '{InterviewStatus.IN_PROGRESS.value}'), 0) "
        f"AS in_progress, "
        f"coalesce(sum(w.interview_status = '{InterviewStatus.PAUSED.value}'), 0) AS paused, "
        f"min(CASE WHEN w.lane = 'waiting' THEN w.received_at END) AS oldest_waiting "
        f"FROM {worklist.TABLE} w WHERE w.open = 1 AND w.tracer IS NOT NULL{extra} "
        f"GROUP BY w.tracer ORDER BY w.tracer"), values)


def stuck_interviews(db: Database, reach: Reach, *, now: datetime, hours: int,
                     limit: int = 100) -> list[Row]:
    """Open interviews in which nothing was recorded for `hours`, longest silent first.

    The worklist keeps when its case last had an event, so the silent ones of a team (and
    of the pool) are the start of a range of one index, read without the table; only the
    `limit` listed are read whole."""
    cutoff = utc_text(now - timedelta(hours=hours))
    ranges, arguments = [], []
    for extra, values in _worklist_reach(reach):
        ranges.append(f"SELECT * FROM (SELECT w.case_id, w.last_at FROM {worklist.TABLE} w "
                      f"WHERE {worklist.INTERVIEW_UNDER_WAY} AND w.last_at < ?{extra} "
                      f"ORDER BY w.last_at, w.case_id LIMIT ?)")
        arguments += [cutoff, *values, limit]
    return _rows(db, (
        f"SELECT w.case_id, w.interview_id, w.tracer, w.disease, w.interview_status, "
        f"w.priority, w.last_at, a.last_actor, a.case_version "
        f"FROM ({' UNION ALL '.join(ranges)}) s "
        f"JOIN {worklist.TABLE} w ON w.case_id = s.case_id "
        f"LEFT JOIN {activity.CASES} a ON a.case_id = w.case_id "
        f"ORDER BY s.last_at, s.case_id LIMIT ?"), [*arguments, limit])


def thin_interviews(db: Database, reach: Reach, period: Period, *, below: int,
                    limit: int = 100) -> list[Row]:
    """Interviews completed in the period that scored below `below`, recorded fewer
    household contacts than the household size given, or no contact outside the household.

    The team is the timeline's (as for the KPIs), so SQLite walks the (team, completed)
    index in order and stops at the `limit`-th thin interview."""
    extra, values = _timeline_reach(reach)[0]
    low, high = period.utc_bounds()
    rows = _rows(db, (
        f"SELECT * FROM (SELECT t.case_id, t.interview_id, w.tracer, w.disease, "
        f"t.interview_completed_at, c.score, t.contacts_reported, "
        f"(SELECT count(*) FROM {contacts.TABLE} k WHERE k.interview_id = t.interview_id "
        f" AND k.removed = 0 AND k.household = 0) AS outside, "
        # the engine's gap "household contacts fewer than stated" (json.dumps keeps key order)
        f"(SELECT instr(m.items, '\"item\": \"household\", \"step\": \"household\"') > 0 "
        f" FROM {completeness.MISSING} m WHERE m.interview_id = t.interview_id "
        f" AND m.language = 'en') AS household_short "
        f"FROM {timeline.TABLE} t JOIN {worklist.TABLE} w ON w.case_id = t.case_id "
        f"LEFT JOIN {completeness.TABLE} c ON c.interview_id = t.interview_id "
        f"WHERE t.interview_completed_at >= ? AND t.interview_completed_at < ?{extra} "
        f"ORDER BY t.interview_completed_at, t.case_id) "
        # SQLite stops at the first `limit` thin ones instead of handing over every interview
        f"WHERE score < ? OR household_short OR outside = 0 LIMIT ?"),
        [low, high, *values, below, limit])
    thin = []
    for row in rows:
        reasons = []
        if row["score"] is not None and row["score"] < below:
            reasons.append("low_score")
        if row["household_short"]:
            reasons.append("household_short")
        if row["outside"] == 0:
            reasons.append("no_outside_contact")
        if reasons:
            thin.append({**row, "reasons": reasons})
    return thin[:limit]


def probing_yield(db: Database, reach: Reach, period: Period) -> list[Row]:
    """Per guide and prompt, over interviews completed in the period: times asked, live
    contacts it surfaced, and contacts per ask (free recall is the '(unprompted)' row).
    Read from prompt_yield's sums per local day of completion, team and disease."""
    asked: dict[tuple[str, str], int] = {}
    found: dict[tuple[str, str], int] = {}
    for guide_id, prompt, times, contacts_found in prompt_yield.yield_by_day(
            db, period.start.isoformat(), period.end.isoformat(), reach.team, reach.disease):
        asked[guide_id, prompt] = times
        found[guide_id, prompt] = contacts_found
    rows: list[Row] = []
    for guide_id, prompt in sorted(set(asked) | set(found)):
        times, surfaced = asked.get((guide_id, prompt), 0), found.get((guide_id, prompt), 0)
        rows.append({"guide_id": guide_id, "prompt": prompt, "asked": times,
                     "contacts": surfaced,
                     "contacts_per_ask": round(surfaced / times, 2) if times else None})
    rows.sort(key=lambda r: (r["guide_id"], -(r["contacts_per_ask"] or 0), r["prompt"]))
    return rows
