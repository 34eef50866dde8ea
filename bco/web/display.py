"""How things read on screen: labels, phone numbers, disease names, in the reader's language.

Registered as Jinja globals and filters, so every page (the tracer's and the interview
screen) says the same thing the same way.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import phonenumbers
from flask import Flask, current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from bco.config import Settings
from bco.domain.case import CaseStatus
from bco.domain.personal import REMOVED
from bco.web.auth import bco

STATUS_LABELS = {
    CaseStatus.NEW.value: _l("new"),
    CaseStatus.ASSIGNED.value: _l("assigned"),
    CaseStatus.IN_PROGRESS.value: _l("interview in progress"),
    CaseStatus.INTERVIEWED.value: _l("interviewed"),
    CaseStatus.UNREACHABLE.value: _l("unreachable"),
    CaseStatus.CLOSED.value: _l("closed"),
}


# In the order the worklist read model ranks its buckets, most urgent first.
BUCKET_LABELS = {
    "callback_due": _l("Callback due"),
    "handed_over": _l("Handed over: go on with the interview"),
    "waiting": _l("Waiting for a call"),
    "interview": _l("Interview in progress"),
    "callback_later": _l("Callback planned"),
    "unreachable": _l("Unreachable"),
}
BUCKET_LEVELS = {"callback_due": "bad", "handed_over": "bad", "interview": "ok"}
LANGUAGE_NAMES = {"nl": _l("Dutch"), "en": _l("English")}
# Form fields as their labels name them, so a refusal never shows a field's internal name
# ("override_reason"); a field not listed here is not named at all (its message says enough).
FIELD_LABELS = {
    "name": _l("Name"), "phone": _l("Phone"), "email": _l("E-mail"),
    "relation": _l("Relation"), "day": _l("Last contact"), "setting": _l("Setting"),
    "informs": _l("Who informs"), "unreachable_reason": _l("No phone or e-mail because"),
    "household": _l("In the bubble (household)"),
    "category_override": _l("Override the category"),
    "override_reason": _l("Reason for the override"), "reason": _l("Reason"),
    "summary": _l("Handover summary"), "value": _l("Answer"), "note": _l("Note"),
    "outcome": _l("Outcome"), "callback_at": _l("Call back at"), "tracer": _l("Tracer"),
    "priority": _l("Priority"), "from": _l("From"), "to": _l("To"), "team": _l("Team"),
    "disease": _l("Disease"), "language": _l("Language"), "term": _l("Search"),
}
# Diseases as guides name them (in English) and as the reader says them.
DISEASE_NAMES = {"Measles": _l("Measles"), "Tuberculosis": _l("Tuberculosis")}


def new_command_id() -> str:
    """A fresh id for one submission of a form, so a double click records it once."""
    return uuid4().hex


def bucket_label(bucket: str) -> str:
    return str(BUCKET_LABELS.get(bucket, bucket))


def bucket_level(bucket: str) -> str:
    return BUCKET_LEVELS.get(bucket, "")


def language_name(code: str) -> str:
    return str(LANGUAGE_NAMES.get(code, code))


def phone_display(number: str | None) -> str:
    """E.164 as people read it aloud: national form at home, international form abroad."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    home = phonenumbers.region_code_for_number(parsed) == _settings().phone_region
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if home
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return str(phonenumbers.format_number(parsed, style))


def disease_name(code: str) -> str:
    """The disease as its guide names it ('COVID-19'), from the code a case stores, in the
    reader's language."""
    name = bco().catalog.disease_name(code)
    return str(DISEASE_NAMES.get(name, name))


def field_label(field: str) -> str:
    """A form field as its label names it; empty for a field with no label of its own."""
    return str(FIELD_LABELS.get(field, ""))


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def _settings() -> Settings:
    found: Settings = current_app.extensions["bco_settings"]
    return found


def shown(value: Any) -> Any:
    """Every value a template prints: the marker of data erased after retention is shown in
    the reader's language, wherever the name, phone or note it replaces would have been."""
    if value == REMOVED:
        return gettext(REMOVED)
    return value


def is_erased(value: Any) -> bool:
    """Whether a name, phone number or note is the marker of data erased after retention (not
    to be dialled, linked or edited)."""
    return isinstance(value, str) and value == REMOVED


def init_app(app: Flask) -> None:
    app.jinja_env.finalize = shown
    app.jinja_env.globals.update(
        is_erased=is_erased,
        new_command_id=new_command_id, bucket_label=bucket_label, bucket_level=bucket_level,
        language_name=language_name, status_label=status_label, field_label=field_label)
    app.jinja_env.filters.update(phone=phone_display, disease=disease_name)
