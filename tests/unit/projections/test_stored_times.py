"""Timestamps in read models: fixed-width UTC text, so text order is time order in SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from bco.projections.readmodel import parse_utc, utc_text

moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                       timezones=st.just(UTC))
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


@given(moment=moments, zone=offsets)
def test_the_same_instant_gives_the_same_text_from_any_zone(moment: datetime,
                                                           zone: timezone) -> None:
    text = utc_text(moment)
    assert text == utc_text(moment.astimezone(zone))
    assert text is not None and len(text) == 27 and text.endswith("Z")
    assert parse_utc(text) == moment


@given(first=moments, second=moments)
def test_text_order_is_time_order(first: datetime, second: datetime) -> None:
    assert (utc_text(first) < utc_text(second)) == (first < second)  # type: ignore[operator]
