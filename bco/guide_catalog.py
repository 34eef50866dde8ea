"""Which guide a case gets: the guides on disk, matched to a case's disease code."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from bco.domain.errors import InvalidValueError, NotFoundError
from bco.domain.errors import translatable as _t
from bco.guides.loader import load_guides, parse_guide
from bco.guides.model import Guide


def disease_code(name: str) -> str:
    """The code a case uses for a disease, from the name a guide gives it."""
    return "-".join(name.lower().split())


class GuideCatalog:
    """The guides of one folder, reloaded when a file changes, plus archived versions.

    An interview keeps the exact version it started with, so a guide whose file has changed
    since is parsed from the text archived in the event store (passed in by the caller,
    which owns the store) and kept here by content hash.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.guides: dict[str, Guide] = load_guides(directory)
        self._archived: dict[str, Guide] = {}

    @property
    def known_diseases(self) -> list[str]:
        """Disease codes that have a guide, e.g. 'covid-19' for a guide on 'COVID-19'."""
        return sorted({disease_code(guide.disease) for guide in self.guides.values()})

    def disease_name(self, disease: str) -> str:
        """The disease as its guide names it ('COVID-19'), from the code a case stores."""
        for guide in self.guides.values():
            if disease_code(guide.disease) == disease:
                return guide.disease
        return disease

    def for_disease(self, disease: str, region: str = "") -> Guide:
        """The guide a new interview would use: the first guide (by id) for the disease that
        lists the case's region, else the one named after the disease, else the first."""
        if region:
            for guide in sorted(self.guides.values(), key=lambda g: g.id):
                if region in guide.regions and disease_code(guide.disease) == disease:
                    return guide
        if disease in self.guides:
            return self.guides[disease]
        for guide in sorted(self.guides.values(), key=lambda g: g.id):
            if disease_code(guide.disease) == disease:
                return guide
        raise NotFoundError(_t("No interview guide for disease '%(disease)s'."),
                            disease=disease)

    def all_for_disease(self, disease: str, region: str = "") -> list[Guide]:
        """Every guide for the disease, the default for the region first (e.g. the Dutch and
        the Flemish COVID-19 guide), so the tracer can pick the scheme that applies."""
        default = self.for_disease(disease, region)
        others = sorted((g for g in self.guides.values()
                         if g.id != default.id and disease_code(g.disease) == disease),
                        key=lambda g: g.id)
        return [default, *others]

    def chosen(self, disease: str, guide_id: str | None, region: str = "") -> Guide:
        """The guide a tracer picked for a case (or the region's default); one for another
        disease is refused with the guides that would do."""
        guide = self.guides.get(guide_id) if guide_id else self.for_disease(disease, region)
        if guide is None or disease_code(guide.disease) != disease:
            raise InvalidValueError(
                _t("There is no guide '%(guide)s' for this disease; choose one of: "
                   "%(guides)s."), field="guide_id", guide=guide_id,
                guides=", ".join(g.id for g in self.all_for_disease(disease, region)))
        return guide

    def current_version(self, guide: Guide) -> tuple[Guide, str]:
        """The guide as its file is now, with its text; a changed file is reloaded first."""
        raw = guide.path.read_bytes()
        if hashlib.sha256(raw).hexdigest() != guide.content_hash:
            self.guides = load_guides(self.directory)
            guide = self.guides[guide.id]
            raw = guide.path.read_bytes()
        return guide, raw.decode("utf-8")

    def version(self, guide_id: str, content_hash: str,
                archived_source: Callable[[], tuple[str, str]]) -> Guide:
        """The guide with this content hash: the current file when it still matches, else
        the archived text, given as (label, source) by `archived_source`."""
        current = self.guides.get(guide_id)
        if current is not None and current.content_hash == content_hash:
            return current
        cached = self._archived.get(content_hash)
        if cached is None:
            label, source = archived_source()
            cached = parse_guide(source, label)
            self._archived[content_hash] = cached
        return cached
