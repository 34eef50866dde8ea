"""Bar charts as plain SVG drawn by a template: no script (the CSP allows none), every number
in a <title> and a table, and over-target bars hatched so colour is never the only sign.

Chosen over pygal and Chart.js: pygal emits an inline script and no titles, Chart.js needs
script and a canvas that screen readers cannot read; a template-drawn SVG needs neither and
prints the same in WeasyPrint."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 18, 42  # room for the axis numbers and bar labels


@dataclass(frozen=True)
class Part:
    """One stacked piece of a bar: its value and its kind ('plain', 'over' the target and
    hatched, or 'open': not decided yet, drawn as an outline)."""

    value: float
    kind: str = "plain"
    # geometry, filled in by `laid_out`
    y: float = 0
    height: float = 0


@dataclass(frozen=True)
class Bar:
    label: str
    parts: tuple[Part, ...]
    title: str  # the bar's numbers in words, for screen readers and on hover
    x: float = 0
    width: float = 0
    show_label: bool = True
    text: str = ""  # the number written above the bar, when not its total

    @property
    def total(self) -> float:
        return sum(part.value for part in self.parts)


@dataclass(frozen=True)
class Chart:
    """A titled bar chart with the table of its numbers (column headers and rows)."""

    key: str
    title: str
    note: str
    bars: list[Bar]
    header: Sequence[str]
    rows: Sequence[Sequence[Any]]
    legend: tuple[str, ...] | None = None  # words for plain, hatched (and outlined) parts
    ticks: list[tuple[float, str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = HEIGHT - BOTTOM


def nice_top(value: float) -> float:
    """A round number at or above the tallest bar, so the axis reads easily."""
    for step in (0.25, 0.5, 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if value <= step * 4:
            return float(step * 4) if value > 0 else 4.0
    return float(value)


def laid_out(chart: Chart) -> Chart:
    """The chart with bar positions and heights computed for the SVG."""
    top = nice_top(max((bar.total for bar in chart.bars), default=0))
    plot_height = chart.height - TOP - BOTTOM
    slot = (chart.width - LEFT - RIGHT) / max(len(chart.bars), 1)
    every = max(1, -(-len(chart.bars) // 14))  # at most 14 labels under the bars
    bars = []
    for index, bar in enumerate(chart.bars):
        y = float(chart.height - BOTTOM)
        parts = []
        for part in bar.parts:
            height = plot_height * part.value / top
            y -= height
            parts.append(Part(part.value, part.kind, y=round(y, 1), height=round(height, 1)))
        bars.append(Bar(bar.label, tuple(parts), bar.title,
                        x=round(LEFT + index * slot + slot * 0.15, 1),
                        width=round(slot * 0.7, 1), show_label=index % every == 0,
                        text=bar.text or f"{bar.total:g}"))
    ticks = [(round(chart.height - BOTTOM - plot_height * n / 4, 1), f"{top * n / 4:g}")
             for n in range(5)]
    return Chart(chart.key, chart.title, chart.note, bars, chart.header, chart.rows,
                 chart.legend, ticks, chart.width, chart.height)


def histogram(values: Sequence[float], edges: Sequence[float]) -> list[int]:
    """Counts per bin [edges[i], edges[i+1]); the last bin takes everything from its edge."""
    counts = [0] * len(edges)
    for value in values:
        index = max(i for i, edge in enumerate(edges) if value >= edge or i == 0)
        counts[index] += 1
    return counts


def binned_chart(key: str, title: str, note: str, counts: Sequence[int],
                 labels: Sequence[str], *, hatched: Sequence[bool],
                 unit: str, legend: tuple[str, ...] | None, count_word: str) -> Chart:
    """A histogram of counts per bin (see `histogram`); the bins flagged in `hatched` are
    drawn as over (or under) the target."""
    bars = [Bar(label, (Part(count, "over" if flag else "plain"),),
                f"{label} {unit}: {count} {count_word}")
            for label, flag, count in zip(labels, hatched, counts, strict=True)]
    rows = [(f"{label} {unit}".strip(), count) for label, count in zip(labels, counts,
                                                                       strict=True)]
    return laid_out(Chart(key, title, note, bars, (unit or title, count_word), rows, legend))


def daily_chart(key: str, title: str, note: str, days: Sequence[tuple[date, int, int, int]],
                words: tuple[str, str, str, str]) -> Chart:
    """Cases per day, stacked: first call within the target, over it, and still open."""
    within_word, over_word, open_word, day_word = words
    bars, rows = [], []
    for day, received, within, over in days:
        waiting = received - within - over
        label = day.strftime("%d-%m")
        bars.append(Bar(label, (Part(within), Part(over, "over"), Part(waiting, "open")),
                        f"{day.isoformat()}: {within} {within_word}, {over} {over_word}, "
                        f"{waiting} {open_word}"))
        rows.append((day.isoformat(), within, over, waiting))
    return laid_out(Chart(key, title, note, bars, (day_word, within_word, over_word, open_word),
                          rows, (within_word, over_word, open_word)))


def ratio_chart(key: str, title: str, note: str, items: Sequence[tuple[str, str, float]],
                header: Sequence[str]) -> Chart:
    """One bar per item (short label, full name, value such as contacts per ask)."""
    bars = [Bar(short, (Part(value),), f"{name}: {value:g}", text=f"{value:g}")
            for short, name, value in items]
    rows = [(name, value) for _short, name, value in items]
    return laid_out(Chart(key, title, note, bars, header, rows))


def caseload_chart(key: str, title: str, note: str, days: Sequence[tuple[date, int, int]],
                   words: tuple[str, str, str]) -> Chart:
    """Per day two bars side by side: open cases at the day's end (plain) and the targets
    missed that day (hatched), each with its number in its title and in the table."""
    open_word, breach_word, day_word = words
    bars, rows = [], []
    for day, open_cases, breaches in days:
        label = day.strftime("%d-%m")
        bars.append(Bar(label, (Part(open_cases),),
                        f"{day.isoformat()}: {open_cases} {open_word}"))
        bars.append(Bar(label, (Part(breaches, "over"),),
                        f"{day.isoformat()}: {breaches} {breach_word}", show_label=False))
        rows.append((day.isoformat(), open_cases, breaches))
    chart = laid_out(Chart(key, title, note, bars, (day_word, open_word, breach_word), rows,
                           (open_word, breach_word)))
    # one label per day, under its pair of bars (laid_out spaces labels per bar)
    every = max(1, -(-len(days) // 14))
    shown = [Bar(bar.label, bar.parts, bar.title, x=bar.x, width=bar.width,
                 show_label=index % 2 == 0 and (index // 2) % every == 0, text=bar.text)
             for index, bar in enumerate(chart.bars)]
    return Chart(chart.key, chart.title, chart.note, shown, chart.header, chart.rows,
                 chart.legend, chart.ticks, chart.width, chart.height)
