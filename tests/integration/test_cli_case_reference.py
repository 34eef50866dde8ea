"""The command line takes the short case reference the screens show wherever it takes an id."""

from __future__ import annotations

import json
from uuid import NAMESPACE_URL, uuid5

import pytest
from click.testing import CliRunner, Result

from bco.cli import main
from bco.config import Settings


@pytest.fixture
def env(settings: Settings) -> dict[str, str]:
    return settings.to_env()


def bco(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def register(env: dict[str, str], command_id: str | None = None) -> str:
    extra = ["--command-id", command_id] if command_id else []
    created = bco(env, "case", "register", "--name", "Sanne de Vries", "--phone",
                  "06 12345678", "--disease", "covid-19", "--onset", "2026-11-20", "--json",
                  *extra)
    assert created.exit_code == 0, created.output
    return str(json.loads(created.output)["id"])


def sharing_a_start() -> tuple[str, str, str]:
    """Two command ids whose case ids start with the same four characters, and that start."""
    seen: dict[str, str] = {}
    number = 0
    while True:
        command_id = f"same-start-{number}"
        start = str(uuid5(NAMESPACE_URL, f"bco:case:{command_id}"))[:4]
        if start in seen:
            return seen[start], command_id, start
        seen[start] = command_id
        number += 1


def test_show_and_history_take_the_reference(env: dict[str, str]) -> None:
    case_id = register(env)
    register(env)
    reference = f"C-{case_id[:8]}"
    for given in (reference, reference.lower(), case_id[:8], f"C-{case_id[:6]}", case_id):
        shown = bco(env, "case", "show", given, "--json")
        assert shown.exit_code == 0, (given, shown.output)
        assert json.loads(shown.output)["id"] == case_id
    history = json.loads(bco(env, "case", "history", reference, "--json").output)
    assert history[0]["type"] == "Case.Registered"


def test_an_ambiguous_reference_names_how_many_cases_it_matches(env: dict[str, str]) -> None:
    first, second, start = sharing_a_start()
    ids = sorted([register(env, first), register(env, second)])
    answer = bco(env, "case", "show", f"C-{start}")
    assert answer.exit_code == 2
    assert f"'C-{start}' matches 2 cases ({ids[0]}, {ids[1]})" in answer.output
    assert "give more characters or the whole id" in answer.output
    assert json.loads(bco(env, "case", "show", f"C-{ids[0][:8]}", "--json").output)[
        "id"] == ids[0]


def test_unknown_and_malformed_references_are_refused(env: dict[str, str]) -> None:
    register(env)
    unknown = bco(env, "case", "show", "C-ffffffff")
    malformed = bco(env, "case", "history", "Sanne")
    assert unknown.exit_code == 2 and "no case has the reference 'C-ffffffff'" in unknown.output
    assert malformed.exit_code == 2 and "is not a case id or reference" in malformed.output
