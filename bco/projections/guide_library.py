"""The guide version an interview ran with, found without reading the event store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from bco.guides.errors import GuideError
from bco.guides.loader import parse_guide
from bco.guides.model import Guide
from bco.projections.readmodel import Batch


class GuideLibrary:
    """Current guide files by content hash, else the archived source a read model kept itself.

    Each read model that needs guides keeps archived sources in a table of its own, filled
    from GuideVersion.Archived events, so a rebuild of one read model needs no other.
    """

    def __init__(self, current: Mapping[str, Guide], table: str) -> None:
        self.table = table
        self._by_hash: dict[str, Guide | None] = {g.content_hash: g for g in current.values()}

    def create(self, db: Database) -> None:
        db.table(self.table).create({"content_hash": str, "guide_id": str, "version": str,
                               "source": str}, pk="content_hash", if_not_exists=True)

    def keep(self, rows: Batch, event: Any) -> None:
        """Remember an archived guide version's source (GuideVersion.Archived)."""
        rows.put(self.table, {"content_hash": event.content_hash,
                              "guide_id": event.guide_id, "version": event.guide_version,
                              "source": event.source})

    def find(self, rows: Batch, content_hash: str | None) -> Guide | None:
        """The guide with this content hash, or None when it is nowhere to be found."""
        if content_hash is None:
            return None
        if content_hash in self._by_hash:
            return self._by_hash[content_hash]
        row = rows.get(self.table, content_hash)
        if row is None:
            return None
        try:
            guide: Guide | None = parse_guide(row["source"],
                                              f"{row['guide_id']} {row['version']}")
        except GuideError:
            guide = None
        self._by_hash[content_hash] = guide
        return guide
