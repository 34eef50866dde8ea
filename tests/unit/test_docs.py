"""The README documents every setting and every CLI command, and names only what exists."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import click

from bco.cli import main
from bco.config import Settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
PACKAGE_PATH = re.compile(r"\bbco/[\w./*-]*\w/?")


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


def test_every_path_the_readme_names_under_bco_exists() -> None:
    named = set(PACKAGE_PATH.findall(README))
    assert "bco/config.py" in named
    missing = sorted(path for path in named if not any(ROOT.glob(path.rstrip("/"))))
    assert missing == []


def test_every_package_data_pattern_matches_a_file() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["bco"]
    assert patterns
    unmatched = [p for p in patterns if not any(f.is_file() for f in (ROOT / "bco").glob(p))]
    assert unmatched == []
