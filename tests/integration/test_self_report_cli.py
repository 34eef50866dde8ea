"""`bco case invite` and `revoke-invite` on SQLite and PostgreSQL, and a link on registration."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result

from bco.cli import main
from bco.config import Settings


def bco(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def register(env: dict[str, str]) -> dict:
    created = bco(env, "case", "register", "--name", "Sanne de Vries", "--phone",
                  "06 12345678", "--disease", "covid-19", "--onset", "2026-11-20", "--json")
    assert created.exit_code == 0, created.output
    found: dict = json.loads(created.output)
    return found


def test_invite_prints_the_url_and_expiry_and_revoke_stops_it(settings: Settings) -> None:
    env = settings.with_overrides(public_url="https://bco.example.org", invite_hours=48).to_env()
    case = register(env)
    assert "invitation" not in case
    made = bco(env, "case", "invite", case["id"][:8], "--json")
    assert made.exit_code == 0, made.output
    link = json.loads(made.output)
    assert set(link) == {"url", "expires_at"}
    assert link["url"].startswith("https://bco.example.org/r/")
    assert case["id"] not in link["url"] and "Sanne" not in link["url"]
    history = bco(env, "case", "history", case["id"], "--json").output
    assert link["url"].rsplit("/", 1)[1] not in history  # the token is kept nowhere
    assert "Invitation.Issued" in history and "Case.InviteSent" in history
    revoked = bco(env, "case", "revoke-invite", case["id"], "--reason", "wrong number")
    assert revoked.exit_code == 0
    again = bco(env, "case", "revoke-invite", case["id"], "--reason", "wrong number")
    assert again.exit_code != 0 and "no link that still works" in again.output


def test_a_link_on_registration_when_the_setting_says_so(settings: Settings) -> None:
    env = settings.with_overrides(invite_on_register=True).to_env()
    case = register(env)
    assert case["invitation"]["url"].startswith(f"http://{settings.host}:{settings.port}/r/")
