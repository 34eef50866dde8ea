"""Timestamps in read models: fixed-width UTC text, so text order is time order in SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bco.projections import readmodel
from bco.projections.readmodel import key_text, parse_utc, utc_text

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


def test_remembered_texts_stay_right_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """utc_text and key_text remember what they made; when full they start again, never
    returning another value's text."""
    monkeypatch.setattr(readmodel, "_TEXTS_KEPT", 8)
    start = datetime(2026, 12, 1, tzinfo=UTC)
    for _round in range(2):
        for minute in range(20):
            moment = start + timedelta(minutes=minute)
            assert utc_text(moment) == f"2026-12-01T00:{minute:02d}:00.000000Z"
            assert key_text(UUID(int=minute)) == str(UUID(int=minute))
            assert len(readmodel._utc_texts) <= 8 and len(readmodel._key_texts) <= 8
    same_moment_elsewhere = datetime(2026, 12, 1, 1, 0, tzinfo=timezone(timedelta(hours=1)))
    assert utc_text(same_moment_elsewhere) == "2026-12-01T00:00:00.000000Z"
