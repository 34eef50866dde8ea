"""What a guide file may use of YAML: plain data of bounded size, depth and number length.

Guides need no anchors, aliases or tags, so they are refused while the file is still a stream
of parser events, before anything is built from it: a file of nested aliases (a "billion
laughs") would otherwise expand to gigabytes, deep nesting would exhaust the recursion of the
composer, and a huge number or an impossible date would fail inside the YAML library.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import yaml

from bco.guides.errors import GuideError

MAX_BYTES = 512 * 1024
MAX_DEPTH = 32
MAX_NUMBER_CHARS = 20
STANDARD_TAGS = frozenset(f"tag:yaml.org,2002:{name}"
                          for name in ("str", "int", "float", "bool", "null", "seq", "map"))
_RESOLVER = yaml.resolver.Resolver()
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


def refuse_unsafe_yaml(text: str, shown: str, loader: Any = yaml.SafeLoader) -> None:
    """Raise GuideError (file:line: …) for anything beyond plain, bounded data."""
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise GuideError([f"{shown}:1: (guide): the file is {size} bytes; a guide may be at "
                          f"most {MAX_BYTES} bytes"])
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        line = event.start_mark.line + 1 if event.start_mark else 1
        problem = _problem(event)
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                problem = f"nested more than {MAX_DEPTH} levels deep"
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        if problem:
            raise GuideError([f"{shown}:{line}: (guide): {problem}"])


def _problem(event: Any) -> str | None:
    """What is wrong with one parser event, if anything."""
    if isinstance(event, yaml.AliasEvent):
        return f"uses the alias *{event.anchor}; guides may not use anchors or aliases, " \
               "write the text out"
    if getattr(event, "anchor", None):
        return f"defines the anchor &{event.anchor}; guides may not use anchors or aliases"
    tag = getattr(event, "tag", None)
    if tag and tag != "!" and tag not in STANDARD_TAGS:
        return f"uses the tag {tag!r}; guides hold plain text, numbers, lists and objects only"
    if isinstance(event, yaml.ScalarEvent) and not event.style and not tag:
        return _plain_scalar_problem(event.value)
    return None


def _plain_scalar_problem(value: str) -> str | None:
    """An unquoted number too long to be meant, or a date that does not exist."""
    kind = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
    if kind in _NUMBER_TAGS and len(value) > MAX_NUMBER_CHARS:
        return f"a number of {len(value)} characters; numbers in a guide have at most " \
               f"{MAX_NUMBER_CHARS}"
    if kind == "tag:yaml.org,2002:timestamp":
        found = _DATE.match(value)
        if found is not None:
            try:
                date(*(int(part) for part in found.groups()))
            except ValueError:
                return f"{value} is not a date that exists; quote it if it is meant as text"
    return None
