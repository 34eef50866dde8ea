"""The web app: Flask factory, one blueprint per user group, errors mapped in one place."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, jsonify
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from bco import api
from bco.application import BCOApplication
from bco.config import Settings
from bco.shared_counts import SharedCounts
from bco.web import (
    access_log,
    audit,
    auth,
    casefile,
    citizen,
    coaching,
    dashboard,
    display,
    errors,
    interview,
    lead,
    navigation,
    presence,
    readmodels,
    security,
    tracer,
    training,
)


def create_app(settings: Settings | None = None, app: BCOApplication | None = None) -> Flask:
    """Build the Flask app around one BCOApplication shared by all requests."""
    settings = settings or Settings.from_env()
    application = app or BCOApplication(settings)
    flask_app = Flask(__name__)
    if settings.trusted_proxies:
        # Behind a load balancer every request comes from its address: take the client's from
        # the X-Forwarded-For the trusted proxies added (only theirs, so a client cannot put
        # another address there), for the access log, sign-in waits and rate limits.
        flask_app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            flask_app.wsgi_app, x_for=settings.trusted_proxies, x_proto=0, x_host=0,
            x_port=0, x_prefix=0)
    flask_app.config.update(
        SECRET_KEY=security.session_secret(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE="nl",
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        MAX_CONTENT_LENGTH=1024 * 1024,
        # The signed cookie itself expires with the absolute lifetime, on the wall clock.
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_lifetime_hours),
    )
    flask_app.extensions["bco"] = application
    flask_app.extensions["bco_settings"] = settings
    csrf = CSRFProtect(flask_app)
    Babel(flask_app, locale_selector=auth.babel_locale,
          timezone_selector=lambda: settings.timezone)
    auth.install_template_translations(flask_app)
    counts = SharedCounts(application)  # rate limits and failed sign-ins, for every node
    flask_app.extensions["bco_shared_counts"] = counts
    auth.init_app(flask_app, counts)
    errors.init_app(flask_app)
    security.init_app(flask_app, settings)
    navigation.init_app(flask_app)
    display.init_app(flask_app)
    presence.init_app(flask_app, settings)
    readmodels.init_app(flask_app, application, settings)
    access_log.init_app(flask_app)
    flask_app.extensions["bco_recent_claims"] = tracer.RecentClaims()
    flask_app.register_blueprint(tracer.blueprint)
    flask_app.register_blueprint(lead.blueprint)
    flask_app.register_blueprint(interview.blueprint)
    flask_app.register_blueprint(dashboard.blueprint)
    flask_app.register_blueprint(casefile.blueprint)
    flask_app.register_blueprint(audit.blueprint)
    training.init_app(flask_app)
    coaching.init_app(flask_app)
    api.init_app(flask_app, settings, csrf, counts)
    citizen.init_app(flask_app, settings, counts)

    @flask_app.get("/healthz")
    def healthz() -> Any:
        """Alive, for anyone; how far the store has got only for admins and this machine."""
        if not auth.may_see_health_details():
            return jsonify(status="ok")
        return jsonify(status="ok", store_position=application.store_position())

    return flask_app
