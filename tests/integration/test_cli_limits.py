"""The command line refuses what the web refuses, in one line that names the option."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from bco.cli import main
from bco.config import Settings

BASE = {"--name": "Sanne de Vries", "--phone": "06 12345678", "--disease": "covid-19",
        "--onset": "2026-11-20"}


def register(settings: Settings, **changes: str) -> Result:
    options = {**BASE, **{f"--{k.replace('_', '-')}": v for k, v in changes.items()}}
    args = [part for pair in options.items() for part in pair]
    return CliRunner().invoke(main, ["case", "register", "--json", *args],
                              env=settings.to_env())


def one_line(result: Result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize(("changes", "option", "words"), [
    ({"onset": "1800-01-01"}, "--onset", "1800"),
    ({"birth_date": "0001-01-01"}, "--birth-date", "0001"),
    ({"email": "@"}, "--email", "not an e-mail address"),
    ({"email": "a@b@c"}, "--email", "not an e-mail address"),
    ({"name": "esc\x1b[2J"}, "--name", "control character"),
    ({"name": "x" * 100_000}, "--name", "too long"),
    ({"onset": "2026-02-31"}, "--onset", "does not exist"),
    ({"onset": "20-11-2026"}, "--onset", "YYYY-MM-DD"),
    ({"disease": "plague"}, "--disease", "Unknown disease"),
])
def test_refused_in_one_line_naming_the_option(sqlite_settings: Settings,
                                               changes: dict[str, str], option: str,
                                               words: str) -> None:
    result = register(sqlite_settings, **changes)
    assert result.exit_code == 2, result.output
    line = one_line(result)
    assert option in line and words in line
    assert "\x1b" not in line


def test_a_guide_display_name_is_a_disease(sqlite_settings: Settings) -> None:
    result = register(sqlite_settings, disease="COVID-19")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["disease"] == "covid-19"


def test_a_command_id_reused_for_other_details_is_refused(sqlite_settings: Settings) -> None:
    first = register(sqlite_settings, command_id="lab-1")
    again = register(sqlite_settings, command_id="lab-1")
    assert first.exit_code == again.exit_code == 0
    assert json.loads(first.output)["id"] == json.loads(again.output)["id"]
    other = register(sqlite_settings, command_id="lab-1", name="Someone Else")
    assert other.exit_code == 2
    assert "--command-id" in one_line(other)
