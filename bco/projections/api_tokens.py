"""API tokens: which tokens exist, for whom, until when; never a token or its hash."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from bco.domain.api_token import ApiToken
from bco.projections.readmodel import Batch, Handler, ReadModel, Row, id_text, utc_text

TABLE = "api_tokens"


class ApiTokens(ReadModel):
    """One row per token name: role, when issued and by whom, expiry, revocation."""

    name = "api_tokens"
    tables = (TABLE,)
    rebuild_cost = 0.1

    def create(self, db: Database) -> None:
        db.table(TABLE).create({"token_id": str, "name": str, "role": str, "issued_at": str,
                                "issued_by": str, "expires_at": str, "revoked_at": str},
                               pk="token_id", if_not_exists=True)

    def handlers(self) -> Mapping[type, Handler]:
        return {ApiToken.Issued: self._issued, ApiToken.Reissued: self._issued,
                ApiToken.Revoked: self._revoked}

    def _issued(self, rows: Batch, event: Any) -> None:
        key = id_text(event.originator_id)
        name = getattr(event, "name", None) or (rows.get(TABLE, key) or {}).get("name")
        rows.put(TABLE, {"token_id": key, "name": name, "role": event.role,
                         "issued_at": utc_text(event.timestamp), "issued_by": event.actor,
                         "expires_at": utc_text(event.expires_at), "revoked_at": None})

    def _revoked(self, rows: Batch, event: Any) -> None:
        found = rows.get(TABLE, id_text(event.originator_id))
        assert found is not None, "a revocation before the token was issued"
        rows.put(TABLE, {**found, "revoked_at": utc_text(event.timestamp)})


def api_tokens(db: Database) -> list[Row]:
    """Every token by name: name, role, issued_at, issued_by, expires_at, revoked_at."""
    cursor = db.execute(f"SELECT name, role, issued_at, issued_by, expires_at, revoked_at "
                        f"FROM {TABLE} ORDER BY name")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, found, strict=True)) for found in cursor.fetchall()]
