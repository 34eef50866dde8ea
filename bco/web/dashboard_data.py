"""The dashboard's filters (period, team, disease) read from a query string, and the tables
gathered for them, in one shape shared by the page, its CSV downloads and the KPI JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import abort
from flask_babel import gettext as _
from sqlite_utils import Database

from bco.config import Settings
from bco.domain.account import Role
from bco.projections import dashboard as queries
from bco.projections.accounts import colleagues
from bco.projections.activity import last_activity
from bco.projections.kpis import (
    FIRST_DAY,
    LAST_DAY,
    Period,
    Scope,
    compute_kpis,
    known_diseases,
    known_teams,
)
from bco.projections.readmodel import parse_utc

DEFAULT_DAYS = 7
LONGEST_PERIOD_DAYS = 366


class FilterError(ValueError):
    """A query parameter BCO cannot use; `errors` maps each parameter to what is wrong."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Filters:
    """What the lead chose: a period of local dates, a team (None: all) and a disease."""

    start: date
    end: date
    team: str | None
    disease: str | None

    def args(self) -> dict[str, str]:
        """As query-string arguments, so refreshes and downloads keep the same choice."""
        found = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.team:
            found["team"] = self.team
        if self.disease:
            found["disease"] = self.disease
        return found


def _date(args: Any, name: str, default: date, errors: dict[str, list[str]]) -> date:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        errors.setdefault(name, []).append(
            _("'%(value)s' is not a date; use YYYY-MM-DD, e.g. 2026-11-20.", value=raw[:20]))
        return default
    if not FIRST_DAY <= day <= LAST_DAY:
        errors.setdefault(name, []).append(
            _("Give a day from %(first)s to %(last)s.", first=FIRST_DAY.isoformat(),
              last=LAST_DAY.isoformat()))
        return default
    return day


def parse_filters(args: Any, person: Any, db: Database, today: date,
                  diseases: list[str]) -> Filters:
    """Filters from a query string; a lead's team is theirs (another team: 403), a
    malformed date, an inverted period or an unknown team or disease raises FilterError."""
    errors: dict[str, list[str]] = {}
    end = _date(args, "to", today, errors)
    start = _date(args, "from", end - timedelta(days=DEFAULT_DAYS - 1), errors)
    if not errors and start > end:
        errors["from"] = [_("The period starts after it ends; choose a 'from' date on or "
                            "before %(end)s.", end=end.isoformat())]
    elif not errors and (end - start).days >= LONGEST_PERIOD_DAYS:
        errors["to"] = [_("Choose a period of at most %(days)d days.",
                          days=LONGEST_PERIOD_DAYS)]
    team = (args.get("team") or "").strip() or None
    teams = set(known_teams(db)) | {c.team for c in colleagues(db) if c.team}
    if team is not None and team not in teams:
        errors["team"] = [_("There is no team called '%(team)s'.", team=team[:40])]
    elif person.role == Role.TEAM_LEAD:
        if team is not None and team != person.team:
            abort(403, _("Team %(team)s is not your team; you see your own team's "
                         "dashboard.", team=team))
        team = person.team or ""
    disease = (args.get("disease") or "").strip() or None
    if disease is not None and disease not in set(diseases) | set(known_diseases(db)):
        errors["disease"] = [_("There is no disease '%(disease)s'; choose one from the list.",
                               disease=disease[:40])]
    if errors:
        raise FilterError(errors)
    return Filters(start=start, end=end, team=team, disease=disease)


def choices(db: Database, person: Any, diseases: list[str]) -> dict[str, list[str]]:
    """What the filter form offers: the reader's own team, or every team; every disease."""
    teams = sorted(set(known_teams(db)) | {c.team for c in colleagues(db) if c.team})
    if person.role == Role.TEAM_LEAD:
        teams = [person.team] if person.team else []
    return {"teams": teams, "diseases": sorted(set(diseases) | set(known_diseases(db)))}


def targets(settings: Settings) -> queries.Targets:
    return queries.Targets(
        first_call=settings.first_call_target_hours, reached=settings.reached_target_hours,
        interview=settings.interview_target_hours, informed=settings.informed_target_hours,
        warning=settings.target_warning_hours)


def kpis(db: Database, filters: Filters, settings: Settings, now: datetime) -> dict[str, Any]:
    period = Period(filters.start, filters.end, settings.zone)
    return compute_kpis(db, period, now=now,
                        scope=Scope(team=filters.team, disease=filters.disease))


def gather(db: Database, filters: Filters, settings: Settings, now: datetime,
           person: Any) -> dict[str, Any]:
    """Every table of the dashboard for these filters, as of `now`."""
    reach = queries.Reach(team=filters.team, disease=filters.disease)
    period = Period(filters.start, filters.end, settings.zone)
    waiting, clock_counts = queries.waiting_cases(db, reach, targets(settings), now=now)
    return {
        "waiting": waiting,
        "clock_counts": clock_counts,
        "caseload": caseload(db, reach, filters, settings, now),
        "stuck": queries.stuck_interviews(db, reach, now=now, hours=settings.stuck_hours),
        "thin": queries.thin_interviews(db, reach, period, below=settings.thin_score),
        "yield": queries.probing_yield(db, reach, period),
        "kpis": kpis(db, filters, settings, now),
    }


def caseload(db: Database, reach: queries.Reach, filters: Filters, settings: Settings,
             now: datetime) -> list[dict[str, Any]]:
    """Per active tracer of the team (also without open cases) and anyone else holding
    cases: load and last activity; nothing recorded for BCO_AWAY_HOURS marks them away."""
    loads = {row["tracer"]: row for row in queries.caseload_per_tracer(db, reach)}
    people = {c.name: c for c in colleagues(db)}
    names = set(loads) | {c.name for c in people.values()
                          if c.role == Role.TRACER.value and not c.disabled
                          and (filters.team is None or c.team == filters.team)}
    seen = last_activity(db)
    away_after = now - timedelta(hours=settings.away_hours)
    rows = []
    for name in sorted(names):
        load = loads.get(name, {})
        last = parse_utc(seen.get(name))
        colleague = people.get(name)
        rows.append({
            "tracer": name, "team": colleague.team if colleague else None,
            "open_cases": load.get("open_cases", 0), "in_progress": load.get("in_progress", 0),
            "paused": load.get("paused", 0),
            "oldest_waiting": parse_utc(load.get("oldest_waiting")),
            "last_activity": last, "away": last is None or last < away_after,
            "inactive": colleague is None or colleague.disabled,
        })
    return rows


def hand_out_choices(db: Database, person: Any, settings: Settings,
                     now: datetime) -> list[dict[str, Any]]:
    """Whom a lead may give cases to: the active tracers and leads of their own team, each
    marked away when they recorded nothing for BCO_AWAY_HOURS."""
    seen = last_activity(db)
    away_after = now - timedelta(hours=settings.away_hours)
    found = []
    for colleague in colleagues(db):
        if (colleague.disabled or colleague.team is None or colleague.team != person.team
                or colleague.role not in (Role.TRACER.value, Role.TEAM_LEAD.value)):
            continue
        last = parse_utc(seen.get(colleague.name))
        found.append({"name": colleague.name, "last_activity": last,
                      "away": last is None or last < away_after})
    return found
