"""`bco user add/disable`: accounts made on the command line sign in (or stop signing in)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result
from flask import Flask

from bco.application import BCOApplication
from bco.cli import main
from bco.config import Settings
from bco.web import auth, create_app


@pytest.fixture
def env(web_settings: Settings) -> dict[str, str]:
    return web_settings.to_env()


def bco(env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, input=stdin, catch_exceptions=False)


@pytest.fixture
def fresh_web(web_settings: Settings, env: dict[str, str]) -> Iterator[Flask]:
    """A web app opened after the CLI wrote, on the same store."""
    assert bco(env, "db", "init").exit_code == 0
    application = BCOApplication(web_settings)
    flask_app = create_app(web_settings, application)
    flask_app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    yield flask_app
    flask_app.extensions["bco_runner"].stop()
    application.close()


def test_add_sign_in_disable(env: dict[str, str], fresh_web: Flask,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "FAILURE_DELAY_SECONDS", 0)
    added = bco(env, "--as", "admin", "user", "add", "marit", "--role", "tracer", "--team",
                "west", "--language", "en", "--password-stdin",
                stdin="a long enough passphrase\n")
    assert added.exit_code == 0, added.output
    assert "marit" in added.output and "a long enough" not in added.output
    client = fresh_web.test_client()
    signed_in = client.post("/signin", data={"name": "marit",
                                             "password": "a long enough passphrase"})
    assert signed_in.status_code == 302
    page = client.get("/worklist").get_data(as_text=True)
    assert 'lang="en"' in page and "marit" in page
    disabled = bco(env, "--as", "admin", "user", "disable", "marit")
    assert disabled.exit_code == 0, disabled.output
    assert client.get("/worklist").status_code == 302
    refused = fresh_web.test_client().post(
        "/signin", data={"name": "marit", "password": "a long enough passphrase"})
    assert refused.status_code == 401


def test_add_refuses_bad_input_with_a_clear_message(env: dict[str, str],
                                                    fresh_web: Flask) -> None:
    short = bco(env, "user", "add", "kees", "--role", "tracer", "--password-stdin",
                stdin="short\n")
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    bad_role = CliRunner().invoke(main, ["user", "add", "kees", "--role", "boss",
                                         "--password-stdin"], env=env, input="x" * 12)
    assert bad_role.exit_code == 2 and "boss" in bad_role.output
    spaced = bco(env, "user", "add", "kees de vries", "--role", "tracer", "--password-stdin",
                 stdin="a long enough passphrase\n")
    assert spaced.exit_code != 0 and "one word" in spaced.output
    ok = bco(env, "user", "add", "kees", "--role", "team_lead", "--team", "north",
             "--password-stdin", stdin="a long enough passphrase\n")
    assert ok.exit_code == 0
    twice = bco(env, "user", "add", "Kees", "--role", "tracer", "--password-stdin",
                stdin="a long enough passphrase\n")
    assert twice.exit_code != 0 and "exists already" in twice.output
    no_flag = CliRunner().invoke(main, ["user", "add", "piet", "--role", "tracer"], env=env)
    assert no_flag.exit_code == 2 and "--password-stdin" in no_flag.output


def test_disable_unknown_or_twice(env: dict[str, str], fresh_web: Flask) -> None:
    assert bco(env, "user", "disable", "nobody").exit_code != 0
    bco(env, "user", "add", "jet", "--role", "authority", "--password-stdin",
        stdin="a long enough passphrase\n")
    assert bco(env, "user", "disable", "jet").exit_code == 0
    again = bco(env, "user", "disable", "jet")
    assert again.exit_code != 0 and "already disabled" in again.output
