"""The app with its API on SQLite and PostgreSQL, and tokens for an authority and a tracer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from api_support import Api
from flask import Flask

from bco.application import BCOApplication
from bco.config import Settings
from bco.web import create_app


@pytest.fixture
def api_settings(settings: Settings) -> Settings:
    """Read models caught up on demand, not by a thread; a generous rate limit."""
    return settings.with_overrides(run_projections_in_web=False,
                                   secret_key_file=settings.data_dir / "session.key",
                                   pseudonym_key_file=settings.data_dir / "pseudonym.key",
                                   api_rate_limit="1000/minute")


@pytest.fixture
def bco_app(api_settings: Settings, clock: Any) -> Iterator[BCOApplication]:
    application = BCOApplication(api_settings, clock=clock)
    yield application
    application.close()


@pytest.fixture
def flask_app(api_settings: Settings, bco_app: BCOApplication) -> Iterator[Flask]:
    made = create_app(api_settings, bco_app)
    made.config.update(TESTING=True)
    yield made
    made.extensions["bco_runner"].stop()


@pytest.fixture
def api(flask_app: Flask, bco_app: BCOApplication, clock: Any) -> Api:
    return Api.started(flask_app, bco_app, clock)
