"""Signing in and out, who is who, and which role may open which page."""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from babel import Locale
from babel.support import Translations
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_login import (
    LoginManager,
    current_user,
    login_required,
    login_url,
    login_user,
    logout_user,
)
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from bco.application import BCOApplication
from bco.config import Settings
from bco.domain.account import Account, Role
from bco.domain.personal import REMOVED
from bco.passwords import decoy_hash, verify_password
from bco.removed_marker import translate_in_sentences
from bco.shared_counts import SharedCounts
from bco.web.errors import error_response, wants_json

F = TypeVar("F", bound=Callable[..., Any])

blueprint = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.signin"
login_manager.login_message = ""
login_manager.session_protection = "strong"

# Failed sign-ins an account and source get before each further try has to wait, the waits
# doubling from the first to the longest; failures older than the memory are forgotten.
MAX_FAILURES = 3
FIRST_WAIT_SECONDS = 2
LONGEST_WAIT_SECONDS = 300
FAILURE_MEMORY_SECONDS = 900
FAILURE_DELAY_SECONDS = 0.5
# When the session began and when it was last used (seconds on the application's clock).
SESSION_STARTED = "bco_started"
SESSION_SEEN = "bco_seen"
# The last-used time is rewritten at most this often, so not every answer sets a cookie.
SEEN_PRECISION_SECONDS = 60


@dataclass(frozen=True)
class User:
    """The signed-in account as Flask-Login sees it."""

    name: str
    role: str
    team: str | None
    language: str
    is_active: bool = True
    is_authenticated: bool = True
    is_anonymous: bool = False
    session_generation: int = 0

    def get_id(self) -> str:
        """Name and session generation: signing out anywhere raises the account's generation,
        so every session cookie holding the old one stops working in every process."""
        return f"{self.name}:{self.session_generation}"

    @classmethod
    def from_account(cls, account: Account) -> User:
        return cls(name=account.name, role=account.role, team=account.team,
                   language=account.language, is_active=not account.disabled,
                   session_generation=account.session_generation)


class SignInForm(FlaskForm):
    name = StringField("name", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=256)])


class FailedSignIns:
    """Failed sign-ins per account and source, to slow down guessing without locking out the
    account's owner: each failure past the first few makes that source wait twice as long
    for that account, while the owner signing in from elsewhere is not held up.

    Counted in the event store's database (bco.shared_counts), so every worker and node sees
    the same count: a guesser spread over them gets no more tries. The failures of a pair are
    forgotten FAILURE_MEMORY_SECONDS after the last one.
    """

    def __init__(self, counts: SharedCounts) -> None:
        self._counts = counts

    def wait_for(self, name: str, source: str, now: float) -> float:
        """Seconds until this source may try `name` again (0 when it may now)."""
        found = self._counts.peek(_pair(name, source), now=now)
        if found is None:
            return 0.0
        beyond = found.count - MAX_FAILURES
        if beyond < 0:
            return 0.0
        wait = min(FIRST_WAIT_SECONDS * 2 ** min(beyond, 16), LONGEST_WAIT_SECONDS)
        return max(0.0, found.last_at + wait - now)

    def failed(self, name: str, source: str, now: float) -> None:
        self._counts.incr(_pair(name, source), FAILURE_MEMORY_SECONDS, now=now, sliding=True)

    def succeeded(self, name: str, source: str) -> None:
        self._counts.clear(_pair(name, source))


def _pair(name: str, source: str) -> str:
    return f"signin:{name}\x00{source}"


def bco() -> BCOApplication:
    app: BCOApplication = current_app.extensions["bco"]
    return app


def current_language() -> str:
    chosen = g.get("bco_language")  # a page without an account (the self-report link) sets it
    if chosen:
        return str(chosen)
    if current_user and current_user.is_authenticated:
        return str(current_user.language)
    return request.accept_languages.best_match(["nl", "en"]) or "nl"


def babel_locale() -> Locale:
    """The request's locale for Flask-Babel, as a Locale it need not parse: parsing the
    language code again looks for locale files on disk on every request."""
    return _locale(current_language())


@functools.lru_cache(maxsize=64)
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def request_translations() -> Translations:
    """The request's catalogue, looked up once per request: Flask-Babel looks it up again for
    every string a template translates, which cost an answer's redraw about a tenth of its
    time. The language cannot change within a request (a switch takes effect on the next)."""
    try:
        found: Translations = g.bco_translations
    except AttributeError:
        found = g.bco_translations = get_translations()
    return found


def install_template_translations(app: Flask) -> None:
    """Templates translate with the request's catalogue (`request_translations`)."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda text: request_translations().ugettext(text),
        ngettext=lambda one, many, n: request_translations().ungettext(one, many, n),
        pgettext=lambda context, text: request_translations().upgettext(context, text),
        npgettext=lambda context, one, many, n: request_translations().unpgettext(
            context, one, many, n),
        newstyle=True)
    # A name or note erased after retention, put into a sentence, in the reader's language.
    translate_in_sentences(app.jinja_env,
                           lambda: request_translations().ugettext(REMOVED))


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    name, _sep, generation = user_id.rpartition(":")
    account = bco().find_account(name) if name else None
    if account is None or account.disabled or str(account.session_generation) != generation:
        return None
    return User.from_account(account)


@login_manager.unauthorized_handler
def signed_out() -> Any:
    """Pages go to the sign-in page; htmx and API calls get 401, so that no sign-in form is
    swapped into a part of a page and nothing typed there is thrown away."""
    if request.headers.get("HX-Request") or wants_json():
        return error_response(401, "signed_out", _(
            "You are signed out, so this was not saved. Sign in again in a new tab, then "
            "repeat it here; what you typed is still on the screen."))
    return redirect(login_url("auth.signin", next_url=request.url))


def role_required(*roles: Role) -> Callable[[F], F]:
    """Only these roles may open the page; others get 403, anonymous users the sign-in page."""
    allowed = {r.value for r in roles}

    def decorate(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in allowed:
                abort(403, _("Your role does not give access to this page."))
            return view(*args, **kwargs)
        return wrapper  # type: ignore[return-value]
    return decorate


@blueprint.route("/signin", methods=["GET", "POST"])
def signin() -> Any:
    form = SignInForm()
    failures: FailedSignIns = current_app.extensions["bco_failed_signins"]
    if form.validate_on_submit():
        name = (form.name.data or "").strip().lower()
        source = request.remote_addr or ""
        wait = failures.wait_for(name, source, _clock_seconds())
        if wait > 0:
            flash(_("Too many failed attempts. Wait %(seconds)d seconds, then try again.",
                    seconds=max(1, math.ceil(wait))), "error")
            return render_template("auth/signin.html", form=form), 429
        account = bco().find_account(name)
        usable = account is not None and not account.disabled
        # An unknown name costs a hash check too, so timing does not tell which names exist.
        matches = verify_password(account.password_hash if account is not None and usable
                                  else decoy_hash(), form.password.data or "")
        if account is None or not usable or not matches:
            failures.failed(name, source, _clock_seconds())
            time.sleep(FAILURE_DELAY_SECONDS)
            flash(_("That name and password do not match an active account."), "error")
            return render_template("auth/signin.html", form=form), 401
        failures.succeeded(name, source)
        login_user(User.from_account(account))
        session[SESSION_STARTED] = session[SESSION_SEEN] = _clock_seconds()
        return redirect(_safe_next(request.args.get("next")) or url_for("home"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/signin.html", form=form), status


@blueprint.post("/signout")
@login_required
def signout() -> Any:
    bco().end_sessions(current_user.name, actor=current_user.name)
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.signin"))


@blueprint.post("/language")
@login_required
def switch_language() -> Any:
    """Switch the interface language, kept on the account (so it holds after signing out and
    on other devices), and go back to the page it was switched on."""
    bco().change_language(current_user.name, request.form.get("language", ""),
                          actor=current_user.name)
    return redirect(_safe_next(request.form.get("next")) or url_for("home"))


LOOPBACK = frozenset({"127.0.0.1", "::1"})


def may_see_health_details() -> bool:
    """Signed-in admins, or a request from this machine itself that no proxy passed on."""
    if current_user.is_authenticated and current_user.role == Role.ADMIN:
        return True
    return request.remote_addr in LOOPBACK and "X-Forwarded-For" not in request.headers


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths, so a link cannot send someone elsewhere after signing in."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


def _clock_seconds() -> float:
    """The application's clock, so that tests move session time by hand."""
    return bco().clock().timestamp()


def end_stale_session() -> None:
    """End a session idle longer than the idle timeout or older than the absolute lifetime."""
    if "_user_id" not in session:
        return
    settings: Settings = current_app.extensions["bco_settings"]
    now = _clock_seconds()
    started, seen = session.get(SESSION_STARTED), session.get(SESSION_SEEN)
    if (not isinstance(started, float) or not isinstance(seen, float)
            or now - seen > settings.session_idle_minutes * 60
            or now - started > settings.session_lifetime_hours * 3600):
        logout_user()
        session.pop(SESSION_STARTED, None)
        session.pop(SESSION_SEEN, None)
        flash(_("Your session has ended; sign in again."), "info")
    elif now - seen >= SEEN_PRECISION_SECONDS:
        session[SESSION_SEEN] = now


def init_app(app: Flask, counts: SharedCounts) -> None:
    app.extensions["bco_failed_signins"] = FailedSignIns(counts)
    login_manager.init_app(app)
    app.register_blueprint(blueprint)
    app.before_request(end_stale_session)

    @app.get("/")
    @login_required
    def home() -> Any:
        """Each role starts where its work is."""
        start = {
            Role.TRACER.value: "tracer.worklist",
            Role.TEAM_LEAD.value: "tracer.worklist",
            Role.AUTHORITY.value: "tracer.inform_list",
            Role.ADMIN.value: "lead.caseload",
        }.get(current_user.role)
        if start and start.split(".")[0] in app.blueprints:
            return redirect(url_for(start))
        return render_template("home.html")
