"""The Account aggregate: who may sign in, in which role, team and language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bco.domain.account import Account, Role
from bco.domain.errors import InvalidTransitionError, InvalidValueError
from bco.domain.guide_version import GuideVersion

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def register(**overrides: object) -> Account:
    values: dict = dict(name="anna", role="tracer", team="north", language="nl",
                        password_hash="$argon2id$fake", now=NOW, actor="admin")
    values.update(overrides)
    return Account.register(**values)


def test_registered_account_has_role_team_and_language() -> None:
    account = register(name="  anna  ")
    assert (account.name, account.role, account.team, account.language) == (
        "anna", Role.TRACER, "north", "nl")
    assert not account.disabled
    assert account.id == Account.id_for("ANNA")


@pytest.mark.parametrize(("field", "value", "fragment"), [
    ("name", "", "one word"), ("name", "anna de vries", "one word"), ("name", "x" * 65, "64"),
    ("role", "superuser", "Unknown role"), ("language", "fr", "Language"),
])
def test_bad_account_details_are_refused(field: str, value: str, fragment: str) -> None:
    with pytest.raises(InvalidValueError, match=fragment) as caught:
        register(**{field: value})
    assert caught.value.field == field


def test_empty_team_is_no_team() -> None:
    assert register(team="").team is None


def test_disable_and_enable() -> None:
    account = register()
    account.disable(now=NOW, actor="admin")
    assert account.disabled
    with pytest.raises(InvalidTransitionError):
        account.disable(now=NOW, actor="admin")
    account.enable(now=NOW, actor="admin")
    assert not account.disabled
    with pytest.raises(InvalidTransitionError):
        account.enable(now=NOW, actor="admin")


def test_password_change_keeps_only_the_new_hash() -> None:
    account = register()
    account.change_password("$argon2id$new", now=NOW, actor="anna")
    assert account.password_hash == "$argon2id$new"
    assert account.pending_events[-1].actor == "anna"


def test_guide_version_id_follows_the_content_hash() -> None:
    archived = GuideVersion.archive(guide_id="covid-19", version="1", content_hash="abc",
                                    source="id: covid-19\n", now=NOW, actor="tom")
    assert archived.id == GuideVersion.id_for("abc") != GuideVersion.id_for("abd")
    assert (archived.guide_id, archived.guide_version, archived.source) == (
        "covid-19", "1", "id: covid-19\n")
    assert archived.version == 1
