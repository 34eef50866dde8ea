"""The coaching rubric as data (`training/rubric.yaml`): the items a lead scores a completed
interview on, read with the guides' hardened YAML reader and checked against a schema."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from bco.guides.errors import GuideError, Location
from bco.guides.loader import _explain, _parse_yaml  # one reader for guides, scenarios, rubric

SCHEMA_PATH = Path(__file__).with_name("rubric.schema.json")
LANGUAGES = ("nl", "en")


class RubricError(GuideError):
    """The rubric file is invalid; `messages` say where (file:line: path) and what is expected."""


@dataclass(frozen=True)
class RubricItem:
    id: str
    label: dict[str, str]
    look_for: dict[str, str] | None


@dataclass(frozen=True)
class Rubric:
    id: str
    version: int
    title: dict[str, str]
    scale: tuple[tuple[int, dict[str, str]], ...]
    items: tuple[RubricItem, ...]

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(value for value, _label in self.scale)

    @property
    def best(self) -> int:
        return max(self.values)

    def allowed(self) -> dict[str, tuple[int, ...]]:
        """Every item with the values it may be scored, for the domain to check."""
        return {item.id: self.values for item in self.items}


def rubric_path(training_dir: Path) -> Path:
    return Path(training_dir) / "rubric.yaml"


def load_rubric(path: Path) -> Rubric:
    """Read and check the rubric, or raise RubricError listing every problem."""
    shown = str(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise RubricError([f"{shown}:1: (rubric): cannot read the file: {error.strerror}"]
                          ) from error
    except UnicodeDecodeError as error:
        raise RubricError([f"{shown}:1: (rubric): expected UTF-8 text"]) from error
    return parse_rubric(text, shown)


def parse_rubric(text: str, shown: str) -> Rubric:
    try:
        data, lines = _parse_yaml(text, shown)
    except GuideError as error:
        raise RubricError([m.replace("(guide)", "(rubric)") for m in error.messages]) from error
    where = Location(shown, lines)
    problems = [where.message(p, m) for p, m in _problems(data)]
    if problems:
        raise RubricError(problems)
    return Rubric(
        id=data["id"], version=data["version"], title=data["title"],
        scale=tuple((step["value"], step["label"]) for step in data["scale"]),
        items=tuple(RubricItem(item["id"], item["label"], item.get("look_for"))
                    for item in data["items"]))


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _problems(data: Any) -> list[tuple[tuple[str | int, ...], str]]:
    if not isinstance(data, dict):
        return [(("id",), "expected a rubric object (key: value lines)")]
    errors = sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    problems = [problem for error in errors for problem in _explain(error)]
    if not problems:
        for name, key in (("items", "id"), ("scale", "value")):
            seen: set[object] = set()
            for index, entry in enumerate(data[name]):
                if entry[key] in seen:
                    problems.append(((name, index, key), f"{entry[key]!r} appears twice"))
                seen.add(entry[key])
    return list(dict.fromkeys(problems))
