"""Reading what a tracer typed on the interview screen into values the domain accepts.

Every refusal is an InvalidValueError naming the field, so errors.py can show it next to that
field while the typed text stays on screen; its English text is marked (`_t`) and translated
there, like the domain's.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict

from bco.domain.errors import InvalidValueError
from bco.domain.errors import translatable as _t
from bco.domain.interview import Informer, refuse_implausible_day
from bco.guides.model import Guide, Question
from bco.guides.state import probe_id_known

MAX_TEXT = 2000
MAX_SHORT = 200


def text(form: MultiDict[str, str], name: str, *, limit: int = MAX_SHORT) -> str:
    """A trimmed text field; over-long input is refused rather than silently cut."""
    value = (form.get(name) or "").strip()
    if len(value) > limit:
        raise InvalidValueError(_t("This is too long: keep it under %(limit)d characters."),
                                field=name, limit=limit)
    return value


def parse_day(raw: str, name: str, today: date, *, recent: bool = False) -> date | None:
    """A YYYY-MM-DD day (as a date input sends it), not in the future, its year plausible."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidValueError(_t("Give the date as day-month-year, e.g. with the date picker."),
                                field=name) from None
    if day > today:
        raise InvalidValueError(_t("This date lies in the future; check the day."), field=name)
    refuse_implausible_day(day, today, name, recent=recent)
    return day


def parse_number(raw: str, name: str) -> int | float:
    """A non-negative number, such as a contact's distance or minutes; whole numbers stay whole."""
    cleaned = raw.strip().replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        raise InvalidValueError(_t("Type a number, e.g. 2."), field=name) from None
    if not math.isfinite(number) or number < 0 or number > 100_000:
        raise InvalidValueError(_t("Type a number of 0 or more."), field=name)
    return int(number) if number.is_integer() else number


def answer_value(question: Question | None, form: MultiDict[str, str]) -> Any:
    """What was typed as the Python value the application checks: yes/no as a bool, a count
    as a number, ticked options as a list. Text that is not what its question asks for is
    passed on as typed, so the application refuses it with the reason."""
    if question is None:
        return form.get("value")
    kind = question.type
    if kind == "multichoice":
        return [v for v in form.getlist("value") if v]
    if kind == "contacts":
        return None  # the application counts the contacts listed under the question
    raw = (form.get("value") or "").strip()
    if kind == "yesno":
        return {"yes": True, "no": False}.get(raw, raw)
    if kind == "number":
        try:
            number = float(raw.replace(",", "."))
        except ValueError:
            return raw
        return int(number) if number.is_integer() else number
    return raw


def parse_prompt(guide: Guide, raw: str | None) -> str | None:
    """A prompt id the guide knows (probe, script or contacts question), or nothing."""
    prompt = (raw or "").strip()
    if not prompt:
        return None
    if probe_id_known(guide, prompt) or prompt in guide.questions:
        return prompt
    raise InvalidValueError(_t("That prompt is not part of this interview's guide."),
                            field="prompt")


def parse_setting(guide: Guide, raw: str | None) -> str | None:
    setting = (raw or "").strip()
    if not setting:
        return None
    if setting not in guide.setting_ids:
        raise InvalidValueError(_t("Pick one of the settings shown."), field="setting")
    return setting


def parse_contact_row(guide: Guide, form: MultiDict[str, str], today: date) -> dict[str, Any]:
    """One fast-entry line: name, phone, relation, day, setting, bubble, and its prompt."""
    name = text(form, "name")
    if not name:
        raise InvalidValueError(_t("Type at least a name (or a description) for the contact."),
                                field="name")
    details: dict[str, Any] = {
        "name": name,
        "relation": text(form, "relation"),
        "household": form.get("household") in ("1", "on", "true", "yes"),
        "prompt": parse_prompt(guide, form.get("prompt")),
        "setting": parse_setting(guide, form.get("setting")),
    }
    phone = text(form, "phone", limit=40)
    if phone:
        details["phone"] = phone
    day = parse_day(form.get("day") or "", "day", today, recent=True)
    if day is not None:
        details["day"] = day
    quick = parse_facts(guide, form, only={f.id for f in guide.facts if f.quick_entry})
    if quick:
        details["facts"] = quick
    return details


def parse_contact_details(guide: Guide, form: MultiDict[str, str],
                          today: date) -> dict[str, Any]:
    """The whole details form of one contact; the domain records only what really changed."""
    name = text(form, "name")
    if not name:
        raise InvalidValueError(_t("A contact cannot lose its name."), field="name")
    phone = text(form, "phone", limit=40)
    email = text(form, "email")
    informs = text(form, "informs")
    if informs and informs not in {i.value for i in Informer}:
        raise InvalidValueError(_t("Pick who informs the contact."), field="informs")
    override = text(form, "category_override")
    if override and guide.category(override) is None:
        raise InvalidValueError(_t("Pick one of the categories shown."), field="category_override")
    changes: dict[str, Any] = {
        "name": name,
        "phone": phone or None,
        "email": email or None,
        "relation": text(form, "relation"),
        "day": parse_day(form.get("day") or "", "day", today, recent=True),
        "setting": parse_setting(guide, form.get("setting")),
        "household": form.get("household") in ("1", "on", "true", "yes"),
        "informs": informs or None,
        "unreachable_reason": text(form, "unreachable_reason") or None,
        "category_override": override or None,
        "override_reason": text(form, "override_reason", limit=MAX_TEXT) or None,
        "facts": parse_facts(guide, form),
    }
    return changes


def parse_facts(guide: Guide, form: MultiDict[str, str],
                only: set[str] | None = None) -> dict[str, Any]:
    """The facts the category rules look at; a blank field means 'not known yet'. `only`: the
    facts a form shows (the quick-entry line asks a few)."""
    facts: dict[str, Any] = {}
    for fact in guide.facts:
        if fact.id == "household" or (only is not None and fact.id not in only):
            continue  # the bubble checkbox says this; the engine reads it from the contact
        raw = (form.get(f"fact_{fact.id}") or "").strip()
        if not raw:
            continue
        if fact.type == "boolean":
            if raw not in ("yes", "no"):
                raise InvalidValueError(_t("Answer yes, no, or leave it unknown."),
                                        field=f"fact_{fact.id}")
            facts[fact.id] = raw == "yes"
        elif fact.type == "number":
            facts[fact.id] = parse_number(raw, f"fact_{fact.id}")
        else:
            if len(raw) > MAX_SHORT:
                raise InvalidValueError(_t("This is too long."), field=f"fact_{fact.id}")
            facts[fact.id] = raw
    return facts


def expected_version(form: MultiDict[str, str]) -> int | None:
    """The interview version the editor saw; without it no conflict can be detected."""
    raw = (form.get("expected_version") or "").strip()
    if not raw:
        return None
    try:
        version = int(raw)
    except ValueError:
        raise InvalidValueError(_t("The form is out of date; reload the page."),
                                field="expected_version") from None
    if version < 0:
        raise InvalidValueError(_t("The form is out of date; reload the page."),
                                field="expected_version")
    return version
