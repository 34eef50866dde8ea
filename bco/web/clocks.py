"""Waiting times and callbacks in plain words, so a tracer sees at a glance what is late."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_datetime
from flask_babel import gettext as _

# A case is "nearly late" when less than this share of the first-call target is left.
NEARLY_LATE_SHARE = 0.25
# A callback is "due" from this long before its time.
CALLBACK_DUE_BEFORE = timedelta(minutes=15)


@dataclass(frozen=True)
class Clock:
    """A sentence and how urgent it is: 'ok', 'warn' or 'bad' (also its badge colour)."""

    text: str
    level: str


def duration_words(span: timedelta) -> str:
    """'12 min', '26 h', '3 days': the precision a tracer needs, no more."""
    minutes = max(0, int(span.total_seconds() // 60))
    if minutes < 60:
        return _("%(n)d min", n=minutes)
    hours = minutes // 60
    if hours < 48:
        return _("%(n)d h", n=hours)
    return _("%(n)d days", n=hours // 24)


def waiting_clock(received_at: datetime, first_call_at: datetime | None, now: datetime,
                  target_hours: int) -> Clock:
    """Time from notification to first call, measured against the target (DOMAIN lesson 3)."""
    target = timedelta(hours=target_hours)
    target_words = _("%(n)d h", n=target_hours)
    if first_call_at is not None:
        took = first_call_at - received_at
        words = duration_words(took)
        if took > target:
            return Clock(_("first call %(took)s after notification — over the %(target)s "
                           "target", took=words, target=target_words), "warn")
        return Clock(_("first call %(took)s after notification — within the %(target)s "
                       "target", took=words, target=target_words), "ok")
    waited = now - received_at
    ago = duration_words(waited)
    if waited > target:
        return Clock(_("received %(ago)s ago — over the %(target)s target, not called yet",
                       ago=ago, target=target_words), "bad")
    left = duration_words(target - waited)
    level = "warn" if target - waited < target * NEARLY_LATE_SHARE else "ok"
    return Clock(_("received %(ago)s ago — %(left)s left of the %(target)s target",
                   ago=ago, left=left, target=target_words), level)


def callback_clock(callback_at: datetime | None, now: datetime) -> Clock | None:
    """'callback at 14:30 — in 20 min' or 'callback overdue by 15 min'."""
    if callback_at is None:
        return None
    at = format_datetime(callback_at, "EEE d MMM HH:mm")
    if callback_at <= now:
        return Clock(_("callback was due at %(at)s — overdue by %(late)s",
                       at=at, late=duration_words(now - callback_at)), "bad")
    level = "warn" if callback_at - now <= CALLBACK_DUE_BEFORE else "ok"
    return Clock(_("callback at %(at)s — in %(wait)s", at=at,
                   wait=duration_words(callback_at - now)), level)
