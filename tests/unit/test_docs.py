"""The README documents every setting and every CLI command, so nothing is hidden."""

from __future__ import annotations

from pathlib import Path

import click

from bco.cli import main
from bco.config import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _command_paths(group: click.Group, prefix: str = "bco") -> list[str]:
    paths = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            paths.extend(_command_paths(command, path))
        else:
            paths.append(path)
    return paths


def test_every_setting_is_in_the_readme() -> None:
    missing = [env for env in Settings.ENV_NAMES.values() if f"`{env}`" not in README]
    assert missing == []


def test_every_setting_has_an_environment_name() -> None:
    assert set(Settings.ENV_NAMES) == set(Settings.__dataclass_fields__)


def test_every_cli_command_is_in_the_readme() -> None:
    paths = _command_paths(main)
    assert "bco case register" in paths
    missing = [p for p in paths if f"`{p}" not in README]
    assert missing == []
