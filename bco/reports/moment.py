"""The moment a case file is printed 'as of', as people type it on the command line or a form."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MOMENT_FORMATS = "YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] or either with an offset such as +01:00"


class MomentError(ValueError):
    """The text is no moment, or a moment a case file cannot be printed at."""


def parse_moment(text: str, zone: ZoneInfo, now: datetime) -> datetime:
    """A moment as typed: a whole day means its end; a time without offset is local time;
    the future is refused, since a case file shows only what was recorded."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day + timedelta(days=1), time(), zone) - timedelta(
                microseconds=1)
            moment = min(moment, now) if day == now.astimezone(zone).date() else moment
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise MomentError(f"'{text}' is not a date or time; use {MOMENT_FORMATS}.") from None
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
    if moment > now:
        raise MomentError(f"'{text}' lies in the future; a case file shows what was recorded "
                          "up to a moment that has passed.")
    return moment
