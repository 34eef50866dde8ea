"""What a team lead's dashboard reads: cases against the waiting-time targets, caseload per
tracer, stuck and thin interviews and probing yield, for one team (or all) and a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from bco.domain.interview import Informer, InterviewStatus
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

    def where(self, alias: str = "w") -> tuple[str, list[Any]]:
        clauses, values = [], []
        if self.team is not None:
            clauses.append(f"({alias}.team = ? OR ({alias}.team IS NULL "
                           f"AND {alias}.tracer IS NULL))")
            values.append(self.team)
        if self.disease is not None:
            clauses.append(f"{alias}.disease = ?")
            values.append(self.disease)
        return "".join(f" AND {c}" for c in clauses), values


def _rows(db: Database, sql: str, values: list[Any]) -> list[Row]:
    cursor = db.execute(sql, values)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, found, strict=True)) for found in cursor.fetchall()]


def waiting_cases(db: Database, reach: Reach, targets: Targets, *, now: datetime,
                  limit: int = 100) -> tuple[list[Row], dict[str, dict[str, int]]]:
    """Cases past or near the target of the step they wait for (each case once, longest
    overdue first), and per clock how many of them are over the target or due soon.

    SQLite decides each case's clock and state and counts them; only the listed cases come
    back as rows."""
    extra, _values = reach.where()
    stamp = {clock: (utc_text(now - timedelta(hours=targets.hours(clock))),
                     utc_text(now - timedelta(hours=targets.hours(clock) - targets.warning)))
             for clock in CLOCKS}
    # The step a case waits for now (later ones wait on it); contacts the service informs
    # are counted only for interviewed cases whose earlier clocks have all stopped.
    outstanding = (f"(SELECT count(*) FROM {contacts.TABLE} c WHERE c.case_id = w.case_id "
                   f"AND c.removed = 0 AND c.informs = :authority AND c.inform_outcome IS NULL)")
    state = " ".join(
        f"WHEN clock = '{clock}' THEN CASE WHEN since < :over_{clock} THEN 'breached' "
        f"WHEN since < :soon_{clock} THEN 'soon' END" for clock in CLOCKS)
    sql = (
        f"WITH running AS MATERIALIZED (SELECT w.case_id, w.tracer, w.team, w.disease, "
        f"w.status, w.interview_status, w.open, w.priority, t.received_at, "
        f"t.first_attempt_at, t.reached_at, t.interview_completed_at, a.case_version, "
        f"CASE WHEN w.open = 1 AND (t.first_attempt_at IS NULL OR t.reached_at IS NULL "
        f"OR t.interview_completed_at IS NULL) THEN 0 "
        f"WHEN t.interview_completed_at IS NOT NULL THEN {outstanding} ELSE 0 END "
        f"AS outstanding FROM {worklist.TABLE} w "
        f"JOIN {timeline.TABLE} t ON t.case_id = w.case_id "
        f"LEFT JOIN {activity.CASES} a ON a.case_id = w.case_id "
        f"WHERE w.closed = 0 AND (w.open = 1 OR w.interviewed = 1){_named(extra)}), "
        f"clocked AS MATERIALIZED (SELECT *, CASE "
        f"WHEN open = 1 AND first_attempt_at IS NULL THEN 'first_call' "
        f"WHEN open = 1 AND reached_at IS NULL THEN 'reached' "
        f"WHEN open = 1 AND interview_completed_at IS NULL THEN 'interview' "
        f"WHEN outstanding > 0 THEN 'informed' END AS clock, "
        f"CASE WHEN open = 1 AND (first_attempt_at IS NULL OR reached_at IS NULL "
        f"OR interview_completed_at IS NULL) THEN received_at "
        f"ELSE interview_completed_at END AS since FROM running), "
        f"judged AS MATERIALIZED (SELECT *, CASE {state} END AS state FROM clocked "
        f"WHERE clock IS NOT NULL) "
        f"SELECT 'count' AS part, clock, state, count(*) AS n, NULL AS case_id "
        f"FROM judged WHERE state IS NOT NULL GROUP BY clock, state "
        f"UNION ALL SELECT * FROM (SELECT 'row', clock, state, 0, case_id FROM judged "
        f"WHERE state IS NOT NULL ORDER BY julianday(since) + CASE clock "
        + " ".join(f"WHEN '{clock}' THEN {targets.hours(clock) / 24!r}" for clock in CLOCKS)
        + " END, case_id LIMIT :limit)")
    parameters: dict[str, Any] = {"authority": Informer.AUTHORITY.value, "limit": limit,
                                  **_named_values(reach)}
    for clock, (over, soon) in stamp.items():
        parameters[f"over_{clock}"], parameters[f"soon_{clock}"] = over, soon
    counts = {clock: {"breached": 0, "soon": 0} for clock in CLOCKS}
    chosen: list[str] = []
    for part, clock, state_name, count, case_id in db.execute(sql, parameters).fetchall():
        if part == "count":
            counts[clock][state_name] = count
        else:
            chosen.append(case_id)
    if not chosen:
        return [], counts
    marks = ", ".join("?" for _ in chosen)
    rows = {row["case_id"]: row for row in _rows(db, (
        f"SELECT w.case_id, w.tracer, w.team, w.disease, w.status, w.interview_status, "
        f"w.open, w.priority, t.received_at, t.first_attempt_at, t.reached_at, "
        f"t.interview_completed_at, a.case_version FROM {worklist.TABLE} w "
        f"JOIN {timeline.TABLE} t ON t.case_id = w.case_id "
        f"LEFT JOIN {activity.CASES} a ON a.case_id = w.case_id "
        f"WHERE w.case_id IN ({marks})"), chosen)}
    outstanding_of = dict(db.execute(
        f"SELECT case_id, count(*) FROM {contacts.TABLE} WHERE case_id IN ({marks}) "
        f"AND removed = 0 AND informs = ? AND inform_outcome IS NULL GROUP BY case_id",
        [*chosen, Informer.AUTHORITY.value]).fetchall())
    listed: list[Row] = []
    for case_id in chosen:
        case = rows[case_id]
        outstanding_count = outstanding_of.get(case_id, 0)
        clock, since = _running_clocks(case, outstanding_count)[0]
        due = since + timedelta(hours=targets.hours(clock))
        state_name = "breached" if now > due else "soon"
        listed.append({**case, "clock": clock, "state": state_name, "since": since,
                       "due": due, "target_hours": targets.hours(clock),
                       "outstanding": outstanding_count})
    return listed, counts


def _running_clocks(case: Row, outstanding: int) -> list[tuple[str, datetime]]:
    """The clocks still running for a case, each with the moment it started."""
    received = parse_utc(case["received_at"])
    assert received is not None
    running = []
    if case["open"]:
        if case["first_attempt_at"] is None:
            running.append(("first_call", received))
        if case["reached_at"] is None:
            running.append(("reached", received))
        if case["interview_completed_at"] is None:
            running.append(("interview", received))
    completed = parse_utc(case["interview_completed_at"])
    if completed is not None and outstanding:
        running.append(("informed", completed))
    return running


def _named(extra: str) -> str:
    """Reach.where's clauses with named parameters."""
    return extra.replace("team = ?", "team = :team").replace("disease = ?",
                                                             "disease = :disease")


def _named_values(reach: Reach) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if reach.team is not None:
        found["team"] = reach.team
    if reach.disease is not None:
        found["disease"] = reach.disease
    return found


def caseload_per_tracer(db: Database, reach: Reach) -> list[Row]:
    """Per tracer with open cases: how many, interviews going on, and the oldest waiting."""
    extra, values = reach.where()
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
    """Open interviews in which nothing was recorded for `hours`, longest silent first."""
    extra, values = reach.where()
    return _rows(db, (
        f"SELECT w.case_id, w.interview_id, w.tracer, w.disease, w.interview_status, "
        f"w.priority, a.last_at, a.last_actor, a.case_version FROM {worklist.TABLE} w "
        f"JOIN {activity.CASES} a ON a.case_id = w.case_id "
        f"WHERE w.open = 1 AND w.interview_status IN (?, ?) AND a.last_at < ?{extra} "
        f"ORDER BY a.last_at, w.case_id LIMIT ?"),
        [InterviewStatus.IN_PROGRESS.value, InterviewStatus.PAUSED.value,
         utc_text(now - timedelta(hours=hours)), *values, limit])


def thin_interviews(db: Database, reach: Reach, period: Period, *, below: int,
                    limit: int = 100) -> list[Row]:
    """Interviews completed in the period that scored below `below`, recorded fewer
    household contacts than the household size given, or no contact outside the household."""
    extra, values = reach.where()
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
