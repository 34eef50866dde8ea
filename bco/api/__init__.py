"""The export API under /api/: flask-smorest blueprints, bearer tokens, one error shape.

OpenAPI 3.0.3 at /api/openapi.json, drawn at /api/docs by Swagger UI from our own static files.
Requests are counted per token by Flask-Limiter (BCO_API_RATE_LIMIT) in a table of the event
store's database (bco.shared_counts), so every gunicorn worker and node counts them together.
"""

from __future__ import annotations

from typing import Any, cast

from flask import Flask, render_template, request
from flask_limiter import Limiter
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect

from bco.api import auth, cases, exports, intake, kpis
from bco.api.errors import ErrorSchema
from bco.config import Settings
from bco.shared_counts import LimitsStorage, SharedCounts

BLUEPRINTS = (cases.blueprint, intake.blueprint, exports.blueprint, kpis.blueprint)


class BCOApi(Api):
    """flask-smorest's Api, leaving the app's own error pages alone.

    Its stock handler would answer every HTTP error of the whole app (pages too) in its own
    shape; the API's blueprints answer theirs in bco.api.errors, and the app's handler in
    bco.web.errors answers the rest (JSON under /api/).
    """

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        return None


def init_app(flask_app: Flask, settings: Settings, csrf: CSRFProtect,
             counts: SharedCounts) -> None:
    """Register the API's blueprints, its OpenAPI description and docs page, and its limits."""
    flask_app.config.update(
        API_TITLE="BCO export API",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = BCOApi(flask_app, spec_kwargs={
        "info": {"description": "Cases and exports for health authorities. Send "
                                "`Authorization: Bearer TOKEN` with a token from "
                                "`bco token create`."},
        "security": [{"bearer": []}]})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    # Should the store be out of reach, count in memory until it is back rather than answer
    # 500 (the API's reads would fail then anyway, with their own error).
    limiter = Limiter(key_func=auth.rate_key, app=flask_app,
                      storage_uri=f"{LimitsStorage.STORAGE_SCHEME[0]}://",
                      # its options are typed as text or numbers; ours passes the object on
                      storage_options=cast("dict[str, str | int]", {"counts": counts}),
                      in_memory_fallback_enabled=True,
                      headers_enabled=True, default_limits=[])
    limited = {blueprint.name for blueprint in BLUEPRINTS}

    @limiter.request_filter
    def outside_the_api() -> bool:
        """Only the API is rate limited; working out limits costs every other request, the
        tracer's answers included, about half a millisecond for nothing."""
        return request.blueprint not in limited

    for blueprint in BLUEPRINTS:
        limiter.limit(settings.api_rate_limit)(blueprint)
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)

    @flask_app.get("/api/docs")
    def api_docs() -> Any:
        return render_template("api/docs.html")
