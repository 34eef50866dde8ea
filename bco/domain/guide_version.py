"""A guide version as it was when an interview started, kept after its file changes."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from bco.domain.stamped import StampedAggregate


class GuideVersion(StampedAggregate):
    """The source text of one guide version, stored once per content hash."""

    class Archived(StampedAggregate.Created):
        guide_id: str
        guide_version: str
        content_hash: str
        source: str

        def apply_facts(self, aggregate: GuideVersion) -> None:
            aggregate.guide_id = self.guide_id
            aggregate.guide_version = self.guide_version
            aggregate.content_hash = self.content_hash
            aggregate.source = self.source

    def __init__(self) -> None:
        self.guide_id: str
        self.guide_version: str
        self.content_hash: str
        self.source: str

    @staticmethod
    def id_for(content_hash: str) -> UUID:
        """Deterministic, so archiving the same version twice is refused by the store."""
        return uuid5(NAMESPACE_URL, f"bco:guide-version:{content_hash}")

    @classmethod
    def archive(
        cls, *, guide_id: str, version: str, content_hash: str, source: str,
        now: datetime, actor: str,
    ) -> GuideVersion:
        """Keep the text an interview was run with."""
        return cls._create(
            cls.Archived, id=cls.id_for(content_hash), timestamp=now, actor=actor,
            command_id=None, guide_id=guide_id, guide_version=version,
            content_hash=content_hash, source=source,
        )
