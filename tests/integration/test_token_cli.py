"""`bco token` on SQLite and PostgreSQL: printed once, kept as a hash, listed, revoked."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result

from bco.application import BCOApplication
from bco.cli import main
from bco.config import Settings
from bco.domain.api_token import token_hash


def bco(settings: Settings, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=settings.to_env(), catch_exceptions=False)


def test_create_list_revoke(settings: Settings) -> None:
    created = bco(settings, "--as", "admin", "token", "create", "ggd-export",
                  "--role", "authority", "--expires", "30")
    assert created.exit_code == 0, created.output
    text = created.stdout.strip()
    assert text.startswith("bco.ggd-export.")
    app = BCOApplication(settings)
    try:
        assert app.api_token_for(text) is not None
        stored = app.recorder.select_notifications(start=1, limit=100)
        assert not any(text.encode() in n.state for n in stored)
        assert app.api_token_for(text).token_hash == token_hash(text)  # type: ignore[union-attr]
    finally:
        app.close()
    listed = json.loads(bco(settings, "token", "list", "--json").stdout)
    assert [(t["name"], t["role"], t["issued_by"], t["revoked_at"]) for t in listed] == [
        ("ggd-export", "authority", "admin", None)]
    assert listed[0]["expires_at"] > listed[0]["issued_at"]
    assert text not in bco(settings, "token", "list").output
    again = bco(settings, "token", "create", "ggd-export", "--role", "authority")
    assert again.exit_code == 1 and "revoke it first" in again.output
    assert bco(settings, "token", "revoke", "ggd-export").exit_code == 0
    assert json.loads(bco(settings, "token", "list", "--json").stdout)[0]["revoked_at"]
    unknown = bco(settings, "token", "revoke", "nobody")
    assert unknown.exit_code == 1 and "No API token named 'nobody'" in unknown.output
    bad = bco(settings, "token", "create", "Bad Name", "--role", "authority")
    assert bad.exit_code == 2
