"""The dashboard's charts for a period, in the reader's language, from the read models."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from typing import Any

from flask_babel import gettext as _
from sqlite_utils import Database

from bco.config import Settings
from bco.projections import distributions
from bco.projections.dashboard import Reach, probing_yield
from bco.projections.kpis import Period
from bco.web.charts import Chart, binned_chart, caseload_chart, daily_chart, ratio_chart
from bco.web.dashboard_data import Filters

PROMPTS_SHOWN = 12


def build_charts(db: Database, filters: Filters, settings: Settings, now: datetime,
                 yield_rows: list[dict[str, Any]] | None = None) -> list[Chart]:
    """Waiting time against the target, cases per day, contacts per case, completeness and
    probing yield, for the filters' period, team and disease."""
    reach = Reach(team=filters.team, disease=filters.disease)
    period = Period(filters.start, filters.end, settings.zone)
    target = settings.first_call_target_hours
    edges = [0, target / 4, target / 2, target * 3 / 4, target, target * 1.5, target * 2]
    labels = [f"{a:g}–{b:g}" for a, b in pairwise(edges)]
    labels.append(f"≥{edges[-1]:g}")
    within, over = _("within the target"), _("over the target")
    daily = distributions.cases_per_day(db, reach, period, now=now, target_hours=target)
    charts = [
        binned_chart(
            "waiting", _("Hours to first call"),
            _("cases received in the period; target %(n)d h", n=target),
            distributions.first_call_counts(db, reach, period, edges), labels,
            hatched=[edge >= target for edge in edges], unit=_("h"),
            legend=(within, over), count_word=_("cases")),
        daily_chart(
            "daily", _("Cases received per day"), _("and their first call against the target"),
            daily,
            (_("first call within the target"), _("first call over the target"),
             _("not called yet, target not passed"), _("day"))),
        caseload_chart(
            "caseload", _("Open cases per day"),
            _("at the end of each day, beside the cases received that day that missed the "
              "first-call target"),
            [(day.day, day.open_cases, day.breaches) for day in distributions.caseload_per_day(
                db, reach, period, now=now, target_hours=target, daily=daily)],
            (_("open cases"), _("first-call target missed"), _("day"))),
        binned_chart(
            "contacts", _("Contacts per case"), _("interviews completed in the period"),
            distributions.contacts_counts(db, reach, period, list(range(11))),
            [str(n) for n in range(10)] + ["10+"], hatched=[True] + [False] * 10, unit="",
            legend=(_("one or more contacts"), _("no contacts")), count_word=_("cases")),
        binned_chart(
            "completeness", _("Completeness"),
            _("interviews completed in the period; thin below %(n)d", n=settings.thin_score),
            distributions.completeness_counts(db, reach, period, list(range(0, 100, 10))),
            [f"{n}–{n + 9 if n < 90 else 100}" for n in range(0, 100, 10)],
            hatched=[n + 10 <= settings.thin_score for n in range(0, 100, 10)], unit="",
            legend=(_("at or above the threshold"), _("below the threshold")),
            count_word=_("interviews")),
    ]
    if yield_rows is None:  # the dashboard passes the yield table it already has
        yield_rows = probing_yield(db, reach, period)
    charts.append(ratio_chart(
        "yield", _("Contacts found per time asked"), _("the best prompts in the period"),
        [(prompt.split(":")[-1][:9], f"{prompt} ({', '.join(guides)})", per_ask)
         for prompt, guides, per_ask in best_prompts(yield_rows)[:PROMPTS_SHOWN]],
        (_("Prompt"), _("Per ask"))))
    return charts


def best_prompts(yield_rows: list[dict[str, Any]]) -> list[tuple[str, list[str], float]]:
    """Prompts by contacts found per time asked, each once: the same prompt in several guides
    (a school is a school whatever the disease) is summed, so no bar's label repeats; the
    table beside the chart keeps them per guide."""
    asked: dict[str, int] = {}
    found: dict[str, int] = {}
    guides: dict[str, list[str]] = {}
    for row in yield_rows:
        prompt = row["prompt"]
        asked[prompt] = asked.get(prompt, 0) + row["asked"]
        found[prompt] = found.get(prompt, 0) + row["contacts"]
        guides.setdefault(prompt, []).append(row["guide_id"])
    ranked = [(prompt, sorted(guides[prompt]), round(found[prompt] / asked[prompt], 2))
              for prompt in asked if asked[prompt] and found[prompt]]
    ranked.sort(key=lambda item: (-item[2], item[0]))
    return ranked
