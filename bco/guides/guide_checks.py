"""Checks that span several parts of a guide: every probe placed once, and every completeness
requirement something the guide can measure."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bco.guides.errors import PathKey
from bco.guides.model import PROBE_KINDS, Probing, Section

Problem = tuple[PathKey, str]


def requirement_problems(weights: Mapping[str, int], probing: Probing,
                         sections: tuple[Section, ...], has_settings: bool) -> Iterator[Problem]:
    """Refuse a completeness requirement the guide cannot measure."""
    path: PathKey = ("completeness", "weights")
    if "days" in weights and probing.days is None:
        yield (*path, "days"), "requires day probing; add probing.days or drop 'days'"
    if "household" in weights and probing.household is None:
        yield ((*path, "household"),
               "requires probing.household with a size_question; add it or drop 'household'")
    if "settings" in weights and not has_settings:
        yield (*path, "settings"), "requires at least one setting"
    if "questions" in weights and not any(q.required for s in sections for q in s.questions):
        yield (*path, "questions"), "the guide has no required questions"


def placement_problems(sections: tuple[Section, ...], probing: Probing,
                       has_settings: bool) -> Iterator[Problem]:
    """Require each probe kind to sit in exactly one section when the guide defines it."""
    placed: dict[str, int] = {}
    for index, section in enumerate(sections):
        for kind in section.probes:
            if kind in placed:
                yield (("sections", index, "probes"),
                       f"{kind!r} probing is already placed in sections[{placed[kind]}]")
            placed[kind] = index
    defined = {
        "days": probing.days is not None, "settings": has_settings,
        "household": probing.household is not None, "consistency": bool(probing.consistency),
        "final": True,
    }
    for kind in PROBE_KINDS:
        if defined[kind] and kind not in placed:
            yield (("sections",),
                   f"no section lists {kind!r} under probes; add it where the tracer should probe")
        if not defined[kind] and kind in placed:
            yield (("sections", placed[kind], "probes"),
                   f"{kind!r} probing is placed but not defined under 'probing'")
