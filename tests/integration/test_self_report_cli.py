"""`bco case invite` and `revoke-invite` on SQLite and PostgreSQL, and a link on registration."""

from __future__ import annotations

import json
from pathlib import Path

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
    text = bco(env, "case", "invite", case["id"]).output  # local time, for a person
    assert "it works until " in text and "(Europe/Amsterdam):" in text and "+00:00" not in text
    assert text.splitlines()[1].startswith("https://bco.example.org/r/")
    revoked = bco(env, "case", "revoke-invite", case["id"], "--reason", "wrong number")
    assert revoked.exit_code == 0
    again = bco(env, "case", "revoke-invite", case["id"], "--reason", "wrong number")
    assert again.exit_code != 0 and "no link that still works" in again.output


def test_a_link_on_registration_when_the_setting_says_so(settings: Settings) -> None:
    env = settings.with_overrides(invite_on_register=True).to_env()
    case = register(env)
    assert case["invitation"]["url"].startswith(f"http://{settings.host}:{settings.port}/r/")


def test_an_import_lists_a_link_beside_each_case_it_created(settings: Settings,
                                                            tmp_path: Path) -> None:
    env = settings.with_overrides(invite_on_register=True).to_env()
    csv = tmp_path / "cases.csv"
    csv.write_text("notification_id,name,phone,disease,onset\n"
                   "N-1,Sanne de Vries,06 12345678,covid-19,2026-11-20\n"
                   "N-1,Sanne de Vries,06 12345678,covid-19,2026-11-20\n", encoding="utf-8")
    dry = json.loads(bco(env, "case", "import", str(csv), "--json", "--dry-run").stdout)
    assert [("invitation" in row) for row in dry] == [False, False]  # nothing written
    rows = json.loads(bco(env, "case", "import", str(csv), "--json").stdout)
    assert [row["result"] for row in rows] == ["created", "duplicate"]
    assert set(rows[0]["invitation"]) == {"url", "expires_at"} and "invitation" not in rows[1]
    assert "Sanne" not in rows[0]["invitation"]["url"]
    shown = json.loads(bco(env, "case", "show", rows[0]["case_id"], "--json").output)
    history = bco(env, "case", "history", shown["id"], "--json").output
    assert history.count('"Invitation.Issued"') == 1
    again = bco(env, "case", "import", str(csv)).output  # the text report, a retry: no link
    assert "/r/" not in again
    other = tmp_path / "more.csv"
    other.write_text("notification_id,name,phone,disease,onset\n"
                     "N-2,Jan Peeters,06 87654321,covid-19,2026-11-21\n", encoding="utf-8")
    text = bco(env, "case", "import", str(other)).output
    assert "row 2: created C-" in text and ", self-report link http://" in text
