"""A malformed or wrong events key ends the command with one line naming the setting, exit 1."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from eventsourcing.cryptography import AESCipher

from bco.cli import main
from bco.config import Settings


def bco(settings: Settings, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=settings.to_env())


def one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return lines[0]


@pytest.fixture
def file_settings(sqlite_settings: Settings) -> Settings:
    """Settings that take the key from BCO_KEY_FILE, not BCO_CIPHER_KEY."""
    return replace(sqlite_settings, cipher_key="")


@pytest.mark.parametrize(("content", "words"), [
    ("not-a-key!!", "does not hold an events key"),
    ("AAAAAAA=", "holds a key of 5 bytes"),
    ("\udcff", "does not hold an events key"),
])
def test_a_malformed_key_file_is_named(file_settings: Settings, content: str,
                                       words: str) -> None:
    key_file = file_settings.key_file
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_bytes(content.encode("utf-8", "surrogateescape"))
    line = one_line_error(bco(file_settings, "db", "status"))
    assert f"BCO_KEY_FILE {key_file}" in line and words in line


def test_a_key_path_that_is_a_directory_is_named(file_settings: Settings) -> None:
    file_settings.key_file.mkdir(parents=True)
    line = one_line_error(bco(file_settings, "db", "init"))
    assert "BCO_KEY_FILE" in line and "is a directory" in line


@pytest.mark.parametrize("key", ["%%%%", "c2hvcnQ="])
def test_a_malformed_cipher_key_is_named(sqlite_settings: Settings, key: str) -> None:
    line = one_line_error(bco(replace(sqlite_settings, cipher_key=key), "db", "status"))
    assert "BCO_CIPHER_KEY" in line and "key file" not in line.lower()


def test_a_wrong_cipher_key_is_reported_as_that_setting(file_settings: Settings,
                                                        tmp_path: Path) -> None:
    assert bco(file_settings, "db", "init").exit_code == 0
    registered = bco(file_settings, "case", "register", "--name", "Sanne", "--phone",
                     "0612345678", "--disease", "covid-19", "--onset", "2026-11-20")
    assert registered.exit_code == 0, registered.output
    wrong = replace(file_settings, cipher_key=AESCipher.create_key(16))
    line = one_line_error(bco(wrong, "db", "status"))
    assert "BCO_CIPHER_KEY does not open the event store" in line
    assert str(file_settings.key_file) not in line
