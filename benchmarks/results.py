"""Rows of the result table, their targets, and the statistics every benchmark shares."""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Target:
    """A goal from issue 7; `check` sees the row so a goal can be on the value or the ratio."""

    text: str
    check: Callable[[Row], bool]

    def __and__(self, other: Target) -> Target:
        return Target(f"{self.text} and {other.text}",
                      lambda row: self.check(row) and other.check(row))


def ratio_at_least(minimum: float) -> Target:
    """Our speed as a share of the baseline's, measured in the same run."""
    return Target(f"ratio >= {minimum:g}", lambda row: row.ratio is not None
                  and row.ratio >= minimum)


def value_at_most(maximum: float, unit: str) -> Target:
    return Target(f"<= {maximum:g} {unit}", lambda row: row.value is not None
                  and row.value <= maximum)


def value_at_least(minimum: float, unit: str) -> Target:
    return Target(f">= {minimum:g} {unit}", lambda row: row.value is not None
                  and row.value >= minimum)


@dataclass
class Row:
    """One line of the table and one object in the JSON list.

    `ratio` is always "ours relative to the baseline, higher is better": throughput divided by
    the baseline's throughput, or the baseline's time divided by ours for latencies.
    """

    name: str
    value: float | None
    unit: str
    baseline: float | None = None
    ratio: float | None = None
    target: Target | None = None
    note: str = ""
    met: bool | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.value is not None and self.target is not None:
            self.met = self.target.check(self)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": _rounded(self.value),
            "unit": self.unit,
            "baseline": _rounded(self.baseline),
            "ratio": _rounded(self.ratio),
            "target": self.target.text if self.target else None,
            "met": self.met,
        }


def skipped(name: str, unit: str, target: Target | None, reason: str) -> Row:
    """A row whose feature is not built yet: no value, `met` null, and the reason printed."""
    return Row(name, None, unit, target=target, note=f"skipped: {reason}")


def throughput_row(name: str, ours: Sequence[float], raw: Sequence[float], unit: str,
                   target: Target | None, note: str = "") -> Row:
    """Median of several rounds for both sides; the ratio compares the two medians."""
    value, baseline = statistics.median(ours), statistics.median(raw)
    return Row(name, value, unit, baseline, value / baseline if baseline else None, target,
               note)


def latency_row(name: str, ours: Sequence[float], raw: Sequence[float] | None, unit: str,
                target: Target | None, note: str = "") -> Row:
    """Median over rounds of a per-round percentile; ratio is baseline time over ours."""
    value = statistics.median(ours)
    baseline = statistics.median(raw) if raw else None
    ratio = baseline / value if baseline is not None and value else None
    return Row(name, value, unit, baseline, ratio, target, note)


def percentile(samples: Sequence[float], pct: float) -> float:
    """Linear-interpolated percentile, so p99 of a few hundred samples is not just the max."""
    ordered = sorted(samples)
    if not ordered:
        return math.nan
    position = (len(ordered) - 1) * pct / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def interleaved(rounds: int, *measures: Callable[[], float]) -> list[list[float]]:
    """Run the measures in turn, round after round, so drift on a shared machine hits all."""
    results: list[list[float]] = [[] for _ in measures]
    for _ in range(rounds):
        for index, measure in enumerate(measures):
            results[index].append(measure())
    return results


def _rounded(value: float | None) -> float | None:
    if value is None or math.isnan(value):
        return None
    return float(f"{value:.4g}")


def _shown(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def format_table(rows: Sequence[Row]) -> str:
    """A plain-text table for the terminal; notes (skips, details) go under it."""
    header = ("name", "value", "unit", "baseline", "ratio", "target", "met")
    lines = [header]
    for row in rows:
        met = {True: "yes", False: "NO", None: "-"}[row.met]
        lines.append((row.name, _shown(row.value), row.unit, _shown(row.baseline),
                      _shown(row.ratio), row.target.text if row.target else "-", met))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
            .rstrip() for line in lines]
    text.insert(1, "  ".join("-" * width for width in widths))
    notes = [f"  {row.name}: {row.note}" for row in rows if row.note]
    if notes:
        text += ["", "notes:", *notes]
    return "\n".join(text)


def write_json(rows: Sequence[Row], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([row.as_json() for row in rows], indent=2) + "\n")
