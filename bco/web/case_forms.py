"""The forms on the case page: shape checks here, the domain's rules in the aggregates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp

from bco.domain.case import CallOutcome

OUTCOME_LABELS = {
    CallOutcome.REACHED.value: _l("Reached — the index is on the line"),
    CallOutcome.NO_ANSWER.value: _l("No answer"),
    CallOutcome.VOICEMAIL.value: _l("Voicemail — message left"),
    CallOutcome.WRONG_NUMBER.value: _l("Wrong number"),
    CallOutcome.REFUSED.value: _l("Refused to talk"),
    CallOutcome.CALLBACK_REQUESTED.value: _l("Call back later — at a time agreed"),
}
# How far ahead a callback may be planned; further is almost always a typo in the date.
CALLBACK_HORIZON = timedelta(days=30)
COMMAND_ID = Regexp(r"^[A-Za-z0-9-]{1,64}$")


def outcome_label(outcome: str) -> str:
    return str(OUTCOME_LABELS.get(outcome, outcome))


class CommandForm(FlaskForm):
    """Every command form carries an id made at render time, so a double click records once."""

    command_id = HiddenField(validators=[Optional(), COMMAND_ID])


class CallForm(CommandForm):
    outcome = StringField(_l("Outcome of the call"), validators=[
        DataRequired(_l("Choose how the call went.")),
        AnyOf(list(OUTCOME_LABELS), message=_l("Choose how the call went."))])
    callback_at = StringField(_l("Call back at"), validators=[Optional(), Length(max=32)])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])


class UnreachableForm(CommandForm):
    reason = StringField(_l("Why stop calling?"), validators=[
        DataRequired(_l("Say why the index cannot be reached.")), Length(max=500)])


class TakeForm(CommandForm):
    expected_version = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])


class AssignForm(TakeForm):
    """A lead gives the case to someone (`assign`) or puts it back in the pool (`pool`)."""

    action = HiddenField(validators=[AnyOf(["assign", "pool"])])
    tracer = StringField(validators=[Optional(), Length(max=64)])
    # Where to go afterwards: the case page, or the team's list (filtered on one tracer).
    back = HiddenField(validators=[Optional(), AnyOf(["case", "team"])])
    back_tracer = HiddenField(validators=[Optional(), Length(max=64)])


def parse_callback(text: str, zone: ZoneInfo, now: datetime) -> tuple[datetime | None, str | None]:
    """A datetime-local value read in the service's time zone; (moment, None) or (None, why)."""
    try:
        local = datetime.fromisoformat(text.strip())
    except ValueError:
        return None, str(_l("Give the callback time as a date and a time, e.g. 2026-11-25 "
                            "14:30."))
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone)
    moment = local.astimezone(UTC)
    if moment <= now:
        return None, str(_l("That callback time has already passed; pick a later time."))
    if moment - now > CALLBACK_HORIZON:
        return None, str(_l("That is more than 30 days away; check the date."))
    return moment, None


def form_errors(form: FlaskForm) -> dict[str, list[str]]:
    """Field errors as plain strings, for the summary at the top of a form."""
    found: dict[str, Any] = form.errors
    return {name: [str(m) for m in messages] for name, messages in found.items()
            if isinstance(messages, list)}
