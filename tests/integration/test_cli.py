"""The `bco` command line on SQLite and PostgreSQL: the contract scripts rely on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bco.cli import main
from bco.config import Settings


@pytest.fixture
def env(settings: Settings) -> dict[str, str]:
    """The environment that points the CLI at this test's store, on either backend."""
    return settings.to_env()


def bco(env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, input=stdin, catch_exceptions=False)


def register(env: dict[str, str], *extra: str) -> Result:
    return bco(env, "--as", "anna", "case", "register", "--name", "Sanne de Vries",
               "--phone", "06 12345678", "--disease", "covid-19", "--onset", "2026-11-20",
               "--json", *extra)


def position(env: dict[str, str]) -> int:
    return int(json.loads(bco(env, "db", "status", "--json").output)["store_position"])


def test_db_init_is_idempotent(env: dict[str, str]) -> None:
    first = bco(env, "db", "init")
    second = bco(env, "db", "init")
    assert first.exit_code == 0 and second.exit_code == 0
    assert "0 events" in second.output


def test_register_show_history(env: dict[str, str]) -> None:
    created = register(env, "--birth-date", "1990-05-01", "--email", "s@example.org")
    assert created.exit_code == 0, created.output
    case = json.loads(created.output)
    assert case["phone"] == "+31612345678" and case["status"] == "new"
    shown = json.loads(bco(env, "case", "show", case["id"], "--json").output)
    assert shown["id"] == case["id"] and shown["birth_date"] == "1990-05-01"
    history = json.loads(bco(env, "case", "history", case["id"], "--json").output)
    assert isinstance(history, list) and len(history) == 1
    assert set(history[0]) >= {"type", "timestamp", "actor", "version", "data"}
    assert history[0]["actor"] == "anna" and history[0]["type"] == "Case.Registered"
    text = bco(env, "case", "show", case["id"])
    assert "Sanne de Vries" in text.output


def test_retry_with_command_id_registers_once(env: dict[str, str]) -> None:
    first = json.loads(register(env, "--command-id", "lab-77").output)
    again = json.loads(register(env, "--command-id", "lab-77").output)
    assert first["id"] == again["id"]
    assert position(env) == 1


@pytest.mark.parametrize(("args", "names"), [
    (["--disease", "flu"], "--disease"),
    (["--onset", "2026-13-01"], "--onset"),
    (["--onset", "2026-02-30"], "--onset"),
    (["--onset", "2099-01-01"], "--onset"),
    (["--phone", "not a number"], "--phone"),
    (["--birth-date", "yesterday"], "--birth-date"),
    (["--language", "de"], "--language"),
])
def test_bad_arguments_exit_2_naming_the_option(env: dict[str, str], args: list[str],
                                                names: str) -> None:
    base = {"--name": "A B", "--phone": "0612345678", "--disease": "covid-19",
            "--onset": "2026-11-20"}
    for key, value in zip(args[::2], args[1::2], strict=True):
        base[key] = value
    flat = [item for pair in base.items() for item in pair]
    result = bco(env, "case", "register", *flat)
    assert result.exit_code == 2, result.output
    assert names in result.output
    assert "Traceback" not in result.output
    assert position(env) == 0


def test_refusals_stay_english_whatever_the_locale(env: dict[str, str]) -> None:
    """The web translates refusals for Dutch accounts; the CLI prints the English text."""
    dutch = {**env, "LANG": "nl_NL.UTF-8", "LANGUAGE": "nl", "LC_ALL": "nl_NL.UTF-8"}
    phone = bco(dutch, "case", "register", "--name", "A B", "--phone", "geen nummer",
                "--disease", "covid-19", "--onset", "2026-11-20")
    assert phone.exit_code == 2
    assert ("'geen nummer' is not a phone number (it has letters or too few digits); give it as "
            "06 12345678 or +31 6 12345678.") in " ".join(phone.output.split())
    short = bco(dutch, "user", "add", "jan", "--role", "tracer", "--language", "nl",
                "--password-stdin", stdin="kort\n")
    assert short.exit_code == 2
    assert "A password needs at least 10 characters" in " ".join(short.output.split())
    missing = bco(dutch, "case", "show", "00000000-0000-0000-0000-000000000000")
    assert "No case with id 00000000-0000-0000-0000-000000000000." in missing.output


def test_onset_and_test_date_are_exclusive(env: dict[str, str]) -> None:
    result = register(env, "--test-date", "2026-11-20")
    assert result.exit_code == 2 and "exactly one" in result.output


def test_unknown_case_id_is_a_clear_error(env: dict[str, str]) -> None:
    assert bco(env, "case", "show", "nope").exit_code == 2
    missing = bco(env, "case", "show", "00000000-0000-0000-0000-000000000000")
    assert missing.exit_code == 1 and "No case" in missing.output


def test_demo_twice_adds_nothing_twice(env: dict[str, str]) -> None:
    assert bco(env, "demo", "--cases", "8").exit_code == 0
    after_first = position(env)
    again = bco(env, "demo", "--cases", "8")
    assert again.exit_code == 0 and "8 existed already" in again.output
    assert position(env) == after_first
    assert "demo-tracer-pass" in again.output


def test_user_add_and_disable(env: dict[str, str]) -> None:
    added = bco(env, "user", "add", "eva", "--role", "tracer", "--team", "north",
                "--password-stdin", stdin="correct horse battery\n")
    assert added.exit_code == 0, added.output
    twice = bco(env, "user", "add", "eva", "--role", "tracer", "--password-stdin",
                stdin="correct horse battery\n")
    assert twice.exit_code == 2 and "exists already" in twice.output
    short = bco(env, "user", "add", "bob", "--role", "tracer", "--password-stdin",
                stdin="short\n")
    assert short.exit_code == 2 and "10 characters" in short.output
    assert bco(env, "user", "disable", "eva").exit_code == 0
    assert bco(env, "user", "disable", "eva").exit_code == 1


def test_missing_key_refuses_with_a_message(tmp_path: Path) -> None:
    env = {"BCO_DATA_DIR": str(tmp_path / "data"), "BCO_KEY_FILE": str(tmp_path / "k.key")}
    assert bco(env, "db", "init").exit_code == 0
    assert (tmp_path / "k.key").exists()
    assert register(env).exit_code == 0
    (tmp_path / "k.key").unlink()
    refused = bco(env, "db", "status")
    assert refused.exit_code == 1 and "key is missing" in refused.output


def test_python_dash_m_and_help_work() -> None:
    done = subprocess.run([sys.executable, "-m", "bco", "case", "register", "--help"],
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "BCO_DATA_DIR": "/nonexistent"})
    assert done.returncode == 0 and "--test-date" in done.stdout
