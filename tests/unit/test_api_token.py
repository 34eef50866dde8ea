"""API tokens: kept only as a hash, opened only by their own text, until revoked or expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bco.domain.api_token import ApiToken, name_in, token_hash, token_text
from bco.domain.errors import InvalidTransitionError, InvalidValueError

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TEXT = token_text("ggd-export", "s3cr3t-value")


def issued(expires_at: datetime | None = None) -> ApiToken:
    return ApiToken.create(name="ggd-export", role="authority", hashed=token_hash(TEXT),
                           expires_at=expires_at, now=NOW, actor="admin")


def test_only_the_hash_is_kept_and_only_the_text_opens_it() -> None:
    token = issued()
    assert "s3cr3t-value" not in repr(token.__dict__)
    assert token.opens_with(TEXT, NOW)
    assert not token.opens_with(token_text("ggd-export", "guess"), NOW)
    assert name_in(TEXT) == "ggd-export"
    for malformed in ("", "bco.ggd-export", "xyz.ggd-export.s", "bco.Bad Name.s", "bco..s"):
        assert name_in(malformed) is None


def test_a_revoked_or_expired_token_opens_nothing() -> None:
    token = issued(NOW + timedelta(days=1))
    assert token.opens_with(TEXT, NOW + timedelta(hours=23))
    assert not token.opens_with(TEXT, NOW + timedelta(days=1))
    token.revoke(now=NOW, actor="admin")
    assert not token.opens_with(TEXT, NOW)
    with pytest.raises(InvalidTransitionError):
        token.revoke(now=NOW, actor="admin")


def test_a_new_secret_only_after_revocation_or_expiry() -> None:
    token = issued()
    with pytest.raises(InvalidTransitionError, match="revoke it first"):
        token.reissue(role="authority", hashed=token_hash("x"), expires_at=None, now=NOW,
                      actor="admin")
    token.revoke(now=NOW, actor="admin")
    newer = token_text("ggd-export", "newer")
    token.reissue(role="authority", hashed=token_hash(newer), expires_at=None,
                  now=NOW + timedelta(minutes=1), actor="admin")
    assert token.opens_with(newer, NOW + timedelta(minutes=2))
    assert not token.opens_with(TEXT, NOW + timedelta(minutes=2))


@pytest.mark.parametrize(("changes", "field"), [
    ({"name": "Has Spaces"}, "name"), ({"name": ""}, "name"), ({"role": "king"}, "role"),
    ({"expires_at": NOW}, "expires"),
])
def test_bad_values_are_refused_naming_the_field(changes: dict[str, object],
                                                  field: str) -> None:
    values: dict[str, object] = {"name": "ggd-export", "role": "authority",
                                 "hashed": "h", "expires_at": None, **changes}
    with pytest.raises(InvalidValueError) as refused:
        ApiToken.create(now=NOW, actor="admin", **values)  # type: ignore[arg-type]
    assert refused.value.field == field
