"""Exposure windows at their boundaries, per disease."""

from __future__ import annotations

from datetime import date

import pytest

from bco.guides.model import Guide
from bco.guides.windows import DateRange, WindowError, add_months, exposure_windows

D = date.fromisoformat


def optional_day(text: str | None) -> date | None:
    return None if text is None else D(text)


@pytest.mark.parametrize(
    ("guide_id", "onset", "test_date", "infectious", "source"),
    [
        ("covid-19", "2026-11-20", None, ("2026-11-18", "2026-11-30"),
         ("2026-11-06", "2026-11-20")),
        ("covid-19", None, "2026-11-20", ("2026-11-18", "2026-11-30"),
         ("2026-11-06", "2026-11-20")),
        ("covid-19", "2026-11-20", "2026-11-25", ("2026-11-18", "2026-11-30"),
         ("2026-11-06", "2026-11-20")),
        ("covid-19", "2026-03-01", None, ("2026-02-27", "2026-03-11"),
         ("2026-02-15", "2026-03-01")),
        ("covid-19-vl", "2026-11-20", None, ("2026-11-18", "2026-11-30"),
         ("2026-11-06", "2026-11-20")),
        ("measles", "2026-11-20", None, ("2026-11-16", "2026-11-24"), ("2026-10-30", "2026-11-13")),
        ("measles", "2027-01-02", None, ("2026-12-29", "2027-01-06"), ("2026-12-12", "2026-12-26")),
        ("tuberculosis", "2026-11-20", None, ("2026-08-20", "2026-11-20"), None),
        ("tuberculosis", "2026-11-20", "2026-12-01", ("2026-08-20", "2026-12-01"), None),
        ("tuberculosis", None, "2026-12-01", ("2026-09-01", "2026-12-01"), None),
        ("tuberculosis", "2026-05-31", None, ("2026-02-28", "2026-05-31"), None),
    ],
)
def test_windows(shipped: dict[str, Guide], guide_id: str, onset: str | None,
                 test_date: str | None, infectious: tuple[str, str],
                 source: tuple[str, str] | None) -> None:
    windows = exposure_windows(shipped[guide_id], optional_day(onset), optional_day(test_date))
    assert windows.infectious == DateRange(D(infectious[0]), D(infectious[1]))
    assert windows.source == (source and DateRange(D(source[0]), D(source[1])))


def test_json_leaves_out_a_missing_source(shipped: dict[str, Guide]) -> None:
    shape = exposure_windows(shipped["tuberculosis"], D("2026-11-20")).to_json()
    assert shape == {"infectious": {"start": "2026-08-20", "end": "2026-11-20"}}


def test_anchor_prefers_onset_over_test_date(covid: Guide) -> None:
    assert exposure_windows(covid, D("2026-11-20"), D("2026-11-22")).anchor == "onset"
    assert exposure_windows(covid, None, D("2026-11-22")).anchor == "test_date"


def test_no_dates_is_refused(covid: Guide) -> None:
    with pytest.raises(WindowError, match="onset or test date"):
        exposure_windows(covid)


def test_days_are_inclusive() -> None:
    days = DateRange(D("2026-11-16"), D("2026-11-24")).days()
    assert (days[0], days[-1], len(days)) == (D("2026-11-16"), D("2026-11-24"), 9)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [("2026-05-31", -3, "2026-02-28"), ("2024-05-31", -3, "2024-02-29"),
     ("2026-01-15", -3, "2025-10-15"), ("2026-11-30", 3, "2027-02-28"),
     ("2026-11-20", 0, "2026-11-20")],
)
def test_add_months_keeps_the_day_or_the_last_of_the_month(day: str, months: int,
                                                          expected: str) -> None:
    assert add_months(D(day), months) == D(expected)
