"""The self-report pages: the index prepares their contact list on a phone, without an account.

The only thing in the address is the link's token (`/r/<token>`); steps go in the query string
as numbers, everything typed in a POST body. The token is never logged: the request log filter
below blanks it, and the rate limits count the link by its hash (kept as a keyed hash again by
bco.shared_counts). Pages are never cached and
send no referrer (bco.web.security), and show only what was entered through this link.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, cast
from uuid import UUID

from babel.dates import format_date
from babel.numbers import format_decimal
from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter import Limiter
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from bco.application import SelfReportLink
from bco.config import Settings
from bco.domain.case import LANGUAGES
from bco.domain.errors import DomainError
from bco.domain.invitation import invitation_hash
from bco.domain.phone import normalise_phone
from bco.domain.text import checked_text
from bco.guides.model import Fact, Guide, Text
from bco.shared_counts import LimitsStorage, SharedCounts
from bco.web.auth import bco
from bco.web.errors import translated

blueprint = Blueprint("citizen", __name__)
LANGUAGE_KEY = "bco_citizen_language"
TOKEN_IN_PATH = re.compile(r"/r/[^/?\s\"]+")
ADDRESS_FACTOR = 10  # requests per address: this many times those per link
MAX_NUMBER = 100_000  # minutes, metres or hours: beyond this it is a typing slip
FIELDS = ("name", "phone", "relation", "day", "setting")


@dataclass(frozen=True)
class Step:
    """One screen of the walk: the explanation, a day of the window, the places, the list."""

    kind: str  # intro, day, settings, done
    day: date | None = None


def steps(link: SelfReportLink) -> list[Step]:
    return [Step("intro"), *(Step("day", d) for d in link.days), Step("settings"),
            Step("done")]


def page_language(link: SelfReportLink) -> str:
    """The case's language, or the one the index switched to on these pages."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session[LANGUAGE_KEY] = chosen
    kept = session.get(LANGUAGE_KEY)
    if kept not in LANGUAGES:
        kept = session[LANGUAGE_KEY] = link.invitation.language  # for the pages without a link
    return str(kept)


def guide_text(guide: Guide, text: Text, language: str) -> str:
    return text.in_language(language if language in guide.languages else guide.languages[0])


def asked_facts(guide: Guide) -> list[Fact]:
    """The facts about a contact the index can tell (how long, how close…), in the guide's
    terms; the household flag has its own box and the age is for the tracer to ask."""
    return [f for f in guide.facts
            if f.id != "household" and f.unit != "years" and f.type in ("number", "boolean")]


def _link_or_gone(token: str) -> SelfReportLink | Response:
    link = bco().open_link(token)
    if link is None:
        return _gone("unknown", None)
    g.bco_language = page_language(link)
    if not link.usable:
        return _gone(link.state, link)
    return link


def _gone(state: str, link: SelfReportLink | None) -> Response:
    """An unknown, expired, withdrawn or finished link: say so, and how to reach the service."""
    if link is None:
        g.bco_language = session.get(LANGUAGE_KEY) or (
            request.accept_languages.best_match(list(LANGUAGES)) or "nl")
    status = 404 if state == "unknown" else 410
    body = render_template("citizen/gone.html", state=state, **_service_phone())
    return Response(body, status=status, mimetype="text/html")


def _service_phone() -> dict[str, str]:
    """The health service's number (BCO_SERVICE_PHONE) as shown and as a tel: address."""
    configured: Settings = current_app.extensions["bco_settings"]
    shown = configured.service_phone
    return {"service_phone": shown, "service_tel": re.sub(r"[ -]", "", shown)}


@blueprint.get("/r/<token>")
def page(token: str) -> Any:
    found = _link_or_gone(token)
    if isinstance(found, Response):
        return found
    return _render(token, found, _step_number(found), {}, {})


@blueprint.post("/r/<token>")
def submit(token: str) -> Any:
    """Add an entry, take one back, or finish a day; refused input comes back beside its field
    with everything typed still in the form."""
    found = _link_or_gone(token)
    if isinstance(found, Response):
        return found
    link, app = found, bco()
    number = _step_number(found, request.form.get("step"))
    action = request.form.get("action", "")
    try:
        if action == "add":
            values, errors = _read_contact(link)
            if errors:
                return _render(token, link, number, values, errors, status=422)
            try:
                app.propose_contact(token, _details(link, values))
            except DomainError as exc:
                return _render(token, link, number, values,
                               {exc.field or "form": translated(exc)}, status=422)
            return _back(token, number, "entered", done="saved")
        if action == "remove":
            app.withdraw_proposal(token, UUID(request.form.get("contact_id", "")))
            return _back(token, number, "entered", done="removed")
        if action == "day_done":
            app.walk_day(token, date.fromisoformat(request.form.get("day", "")))
            return _back(token, min(number + 1, len(steps(link)) - 1), None)
    except (ValueError, DomainError) as exc:
        message = translated(exc) if isinstance(exc, DomainError) else _(
            "This was not understood; go back and try again.")
        return _render(token, link, number, {}, {"form": message}, status=422)
    return _render(token, link, number, {}, {"form": _(
        "This was not understood; go back and try again.")}, status=422)


def _step_number(link: SelfReportLink, raw: str | None = None) -> int:
    text = raw if raw is not None else request.args.get("step", "0")
    try:
        number = int(text or "0")
    except ValueError:
        number = 0
    return max(0, min(number, len(steps(link)) - 1))


def _back(token: str, number: int, anchor: str | None, done: str | None = None) -> Response:
    """See the page again after a change; `done` says what was just done (never whom)."""
    target = (url_for(".page", token=token, step=number, done=done) if done
              else url_for(".page", token=token, step=number))
    return redirect(target + (f"#{anchor}" if anchor else ""), code=303)


def _read_contact(link: SelfReportLink) -> tuple[dict[str, str], dict[str, str]]:
    """What was typed, kept as typed, and a message per field that cannot be right."""
    form = request.form
    values = {name: form.get(name, "") for name in FIELDS}
    values["household"] = "1" if form.get("household") else ""
    values["informs_self"] = "1" if form.get("informs_self") else ""
    errors: dict[str, str] = {}
    for fact in asked_facts(link.guide):
        key = f"fact_{fact.id}"
        values[key] = form.get(key, "").strip()
        if fact.type == "number" and values[key]:
            try:
                number = float(values[key].replace(",", "."))
            except ValueError:
                number = math.nan
            if not math.isfinite(number) or not 0 <= number <= MAX_NUMBER:
                errors[key] = _("Type a number from 0 to %(most)d, or leave it empty.",
                                most=MAX_NUMBER)
    if not values["name"].strip():
        errors["name"] = _("Type a name, or a description such as 'the woman from the choir'.")
    # Every field is checked at once, so one round trip shows all there is to fix.
    checks = {"name": lambda v: checked_text(v, "name"),
              "relation": lambda v: checked_text(v, "relation"),
              "phone": lambda v: normalise_phone(v, bco().settings.phone_region)}
    for name, check in checks.items():
        if values[name].strip() and name not in errors:
            try:
                check(values[name])
            except DomainError as exc:
                errors[name] = translated(exc)
    if values["day"] and values["day"] not in {d.isoformat() for d in link.days}:
        errors["day"] = _("Choose one of the days in the list.")
    if values["setting"] and values["setting"] not in link.guide.setting_ids:
        errors["setting"] = _("Choose one of the places in the list.")
    order = [*FIELDS, *(f"fact_{fact.id}" for fact in asked_facts(link.guide))]
    return values, {name: errors[name] for name in sorted(errors, key=order.index)}


def _details(link: SelfReportLink, values: dict[str, str]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for fact in asked_facts(link.guide):
        raw = values.get(f"fact_{fact.id}", "")
        if fact.type == "number" and raw:
            number = float(raw.replace(",", "."))
            facts[fact.id] = int(number) if number.is_integer() else number
        elif fact.type == "boolean" and raw:
            facts[fact.id] = True
    return {
        "name": values["name"], "phone": values["phone"] or None,
        "relation": values["relation"],
        "day": date.fromisoformat(values["day"]) if values["day"] else None,
        "setting": values["setting"] or None, "household": bool(values["household"]),
        "facts": facts, "informs": "index" if values["informs_self"] else None,
    }


def _render(token: str, link: SelfReportLink, number: int, values: dict[str, str],
            errors: dict[str, str], status: int = 200) -> Any:
    all_steps = steps(link)
    step = all_steps[number]
    language = g.bco_language
    guide = link.guide
    entered = link.invitation.entered
    shown = [p for p in entered if step.kind != "day" or p.contact.day == step.day]
    day_text = cues = None
    if step.kind == "day" and guide.probing.days is not None and step.day is not None:
        day_text = guide_text(guide, guide.probing.days.text, language).replace(
            "{day}", _day_name(step.day, language))
        cues = guide.probing.days.cues.in_language(
            language if language in guide.languages else guide.languages[0])
    defaults = dict(values) or {"day": step.day.isoformat() if step.day else "",
                                "setting": _offered_setting(link)}
    body = render_template(
        "citizen/page.html", token=token, link=link, step=step, number=number,
        total=len(all_steps), shown=shown, entered=entered, values=defaults, errors=errors,
        day_text=day_text, cues=cues, facts=asked_facts(guide), language=language,
        other_language="en" if language == "nl" else "nl",
        day_name=lambda d: _day_name(d, language),
        day_title=lambda d: _sentence_start(_day_name(d, language)),
        fact_value=lambda fact, value: _fact_value(fact, value, language),
        text=lambda t: guide_text(guide, t, language),
        cues_of=lambda c: c.in_language(language if language in guide.languages
                                        else guide.languages[0]),
        setting_label=lambda s: _setting_label(guide, s, language),
        walked=step.day in link.invitation.walked_days if step.day else False,
        done=request.args.get("done") if request.method == "GET" else None,
        expires_at=link.invitation.expires_at, **_service_phone())
    return Response(body, status=status, mimetype="text/html")


def _offered_setting(link: SelfReportLink) -> str:
    """The place chosen by following "add someone from here" on the places step."""
    chosen = request.args.get("setting", "")
    return chosen if chosen in link.guide.setting_ids else ""


def _sentence_start(text: str) -> str:
    """A heading starts with a capital ("zondag 6 december" is "Zondag 6 december" on top)."""
    return text[:1].upper() + text[1:]


def _fact_value(fact: Fact, value: Any, language: str) -> str:
    """What the index said about a contact, as they see it in their list ("45 min")."""
    if value is True:
        return ""
    shown = format_decimal(value, locale=language)
    return f"{shown} {fact.unit}" if fact.unit else shown


def _setting_label(guide: Guide, setting_id: str | None, language: str) -> str:
    found = guide.setting(setting_id) if setting_id else None
    return guide_text(guide, found.label, language) if found else ""


def _day_name(day: date, language: str) -> str:
    return format_date(day, "EEEE d MMMM", locale=language)


class TokenFilter(logging.Filter):
    """Blank a link's token in request log lines (the development server logs every path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "/r/" in record.msg:
            record.msg = TOKEN_IN_PATH.sub("/r/…", record.msg)
        if record.args:
            record.args = tuple(TOKEN_IN_PATH.sub("/r/…", a) if isinstance(a, str) else a
                                for a in (record.args if isinstance(record.args, tuple)
                                          else (record.args,)))
        return True


def _link_key() -> str:
    """Count a link by its hash, so the token never sits in the limiter's store."""
    token = (request.view_args or {}).get("token", "")
    return "link:" + invitation_hash(str(token))[:32]


def _address_key() -> str:
    return "address:" + (request.remote_addr or "")


def address_rate(per_link: str) -> str:
    """Ten times the rate of one link: many people share an address (a mobile network, an
    office), and one of them guessing links still meets the limit soon."""
    count, rest = re.match(r"\s*(\d+)(.*)", per_link).groups()  # type: ignore[union-attr]
    return f"{int(count) * ADDRESS_FACTOR}{rest}"


def init_app(app: Flask, settings: Settings, counts: SharedCounts) -> None:
    """Register the pages, their rate limits (per link and per address, counted with every
    worker and node in the store's database, as the API's) and the log filter."""
    limiter = Limiter(key_func=_address_key, app=app,
                      storage_uri=f"{LimitsStorage.STORAGE_SCHEME[0]}://",
                      # its options are typed as text or numbers; ours passes the object on
                      storage_options=cast("dict[str, str | int]", {"counts": counts}),
                      in_memory_fallback_enabled=True, headers_enabled=True,
                      default_limits=[])

    @limiter.request_filter
    def outside_the_link() -> bool:
        return request.blueprint != blueprint.name

    limiter.limit(settings.citizen_rate_limit, key_func=_link_key, scope="citizen-link")(
        blueprint)
    limiter.limit(address_rate(settings.citizen_rate_limit), key_func=_address_key,
                  scope="citizen-address")(blueprint)
    app.register_blueprint(blueprint)
    logging.getLogger("werkzeug").addFilter(TokenFilter())
    logging.getLogger("gunicorn.access").addFilter(TokenFilter())


@blueprint.errorhandler(413)
def too_large(exc: HTTPException) -> Any:
    """More text than any entry needs (a paste gone wrong, or a script): refused on the
    citizen's own page, saying nothing was saved."""
    found = bco().open_link(str((request.view_args or {}).get("token", "")))
    g.setdefault("bco_language", session.get(LANGUAGE_KEY) or (
        found.invitation.language if found else None) or (
        request.accept_languages.best_match(list(LANGUAGES)) or "nl"))
    body = render_template("citizen/gone.html", state="too_large", **_service_phone())
    return Response(body, status=413, mimetype="text/html")


@blueprint.errorhandler(429)
def too_many(exc: HTTPException) -> Any:
    """Too many tries on this link or from this address: say when to try again."""
    g.setdefault("bco_language", session.get(LANGUAGE_KEY) or (
        request.accept_languages.best_match(list(LANGUAGES)) or "nl"))
    body = render_template("citizen/gone.html", state="busy", **_service_phone())
    response = Response(body, status=429, mimetype="text/html")
    retry = getattr(exc, "retry_after", None)
    response.headers["Retry-After"] = str(retry or 60)
    return response
