"""The web app: Flask factory, blueprints per user group."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify

from bco.application import BCOApplication
from bco.config import Settings


def create_app(settings: Settings | None = None, app: BCOApplication | None = None) -> Flask:
    """Build the Flask app around one BCOApplication shared by all requests."""
    settings = settings or Settings.from_env()
    application = app or BCOApplication(settings)
    flask_app = Flask(__name__)
    flask_app.extensions["bco"] = application

    @flask_app.get("/healthz")
    def healthz() -> Any:
        return jsonify(status="ok", store_position=application.store_position())

    return flask_app
