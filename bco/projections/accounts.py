"""Accounts: who works in BCO, in which role and team, for choosing whom to give a case to.

Staff names, roles and teams only; never a password hash and nothing about citizens.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from bco.domain.account import Account
from bco.projections.readmodel import Batch, Handler, ReadModel, id_text

TABLE = "accounts"


@dataclass(frozen=True)
class Colleague:
    """An account as colleagues see it: who, in which role and team, and whether it is active."""

    name: str
    role: str
    team: str | None
    disabled: bool = False


class Accounts(ReadModel):
    """One row per account: name, role, team, disabled."""

    name = "accounts"
    tables = (TABLE,)
    rebuild_cost = 0.1

    def create(self, db: Database) -> None:
        db.table(TABLE).create({"account_id": str, "name": str, "role": str, "team": str,
                                "disabled": int}, pk="account_id", if_not_exists=True)
        db.table(TABLE).create_index(["team"], if_not_exists=True)

    def handlers(self) -> Mapping[type, Handler]:
        return {Account.Registered: self._registered, Account.Disabled: self._disabled,
                Account.Enabled: self._enabled}

    def _registered(self, rows: Batch, event: Any) -> None:
        rows.put(TABLE, {"account_id": id_text(event.originator_id), "name": event.name,
                         "role": str(event.role), "team": event.team, "disabled": 0})

    def _disabled(self, rows: Batch, event: Any) -> None:
        self._flag(rows, event, disabled=1)

    def _enabled(self, rows: Batch, event: Any) -> None:
        self._flag(rows, event, disabled=0)

    @staticmethod
    def _flag(rows: Batch, event: Any, *, disabled: int) -> None:
        found = rows.get(TABLE, id_text(event.originator_id))
        assert found is not None, "an account event before its registration"
        rows.put(TABLE, {**found, "disabled": disabled})


def colleagues(db: Database) -> list[Colleague]:
    """Every account, by team and name."""
    cursor = db.execute(f"SELECT name, role, team, disabled FROM {TABLE} "
                        "ORDER BY team IS NOT NULL, team, name")
    return [Colleague(name=name, role=role, team=team, disabled=bool(disabled))
            for name, role, team, disabled in cursor.fetchall()]
