"""A web app on SQLite with the demo accounts, and test clients signed in as each of them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from web_support import PASSWORDS, Cases, runner, sign_in

from bco.application import BCOApplication
from bco.config import Settings
from bco.demo import DEMO_ACCOUNTS
from bco.web import create_app


@pytest.fixture(scope="session")
def password_hashes() -> dict[str, str]:
    """argon2 is slow on purpose; cheap parameters keep signing in fast in tests.

    verify_password reads the parameters from the hash, so the real code path is tested.
    """
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return {password: cheap.hash(password) for password in set(PASSWORDS.values())}


@pytest.fixture
def web_settings(sqlite_settings: Settings) -> Settings:
    """Projections caught up on demand (runner.catch_up or read-your-writes), not by a thread."""
    sqlite_settings.data_dir.mkdir(parents=True, exist_ok=True)
    return sqlite_settings.with_overrides(
        run_projections_in_web=False,
        secret_key_file=sqlite_settings.data_dir / "session.key")


@pytest.fixture
def bco_app(web_settings: Settings, clock: Any, password_hashes: dict[str, str]
            ) -> Iterator[BCOApplication]:
    application = BCOApplication(web_settings, clock=clock)
    for name, role, team, language, password in DEMO_ACCOUNTS:
        application.add_user(name, role=role, team=team, language=language,
                             password_hash=password_hashes[password], actor="test")
    yield application
    application.close()


@pytest.fixture
def web(web_settings: Settings, bco_app: BCOApplication) -> Iterator[Flask]:
    flask_app = create_app(web_settings, bco_app)
    flask_app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    yield flask_app
    runner(flask_app).stop()


@pytest.fixture
def client_for(web: Flask) -> Callable[[str], FlaskClient]:
    """A test client signed in as one of the demo accounts."""
    return lambda name: sign_in(web, name)


@pytest.fixture
def cases(bco_app: BCOApplication, web: Flask, clock: Any) -> Cases:
    return Cases(bco_app, web, clock)
