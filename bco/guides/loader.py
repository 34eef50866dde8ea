"""Read guide files and refuse invalid ones with messages that name file, line and path."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, cast

import jsonschema
import yaml

from bco.guides.building import build_guide
from bco.guides.errors import GuideError, Location
from bco.guides.model import Guide
from bco.guides.yaml_limits import refuse_unsafe_yaml

__all__ = [
    "GuideError", "default_guides_dir", "guide_files", "load_guide", "load_guides", "parse_guide",
]

SCHEMA_PATH = Path(__file__).with_name("guide.schema.json")
GUIDE_SUFFIXES = (".yaml", ".yml")


def default_guides_dir() -> Path:
    """Return the shipped `interview_guides` folder next to the `bco` package."""
    return Path(__file__).resolve().parents[2] / "interview_guides"


def guide_files(directory: Path) -> list[Path]:
    """List the guide files in `directory` in a stable order, so new guides are picked up."""
    return sorted(p for p in Path(directory).iterdir() if p.suffix in GUIDE_SUFFIXES)


def load_guides(directory: Path | str) -> dict[str, Guide]:
    """Load every guide in `directory`, keyed by id; any invalid file refuses the whole set."""
    guides: dict[str, Guide] = {}
    messages: list[str] = []
    for path in guide_files(Path(directory)):
        try:
            guide = load_guide(path)
        except GuideError as error:
            messages.extend(error.messages)
            continue
        if guide.id in guides:
            other = _display(guides[guide.id].path)
            messages.append(
                f"{_display(path)}:1: id: guide id {guide.id!r} is also used by {other}"
            )
            continue
        guides[guide.id] = guide
    if messages:
        raise GuideError(messages)
    return guides


def load_guide(path: Path | str) -> Guide:
    """Parse, validate and build one guide file, or raise GuideError listing every problem."""
    path = Path(path)
    shown = _display(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise GuideError([f"{shown}:1: (guide): cannot read the file: {error.strerror}"]) from error
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise GuideError([f"{shown}:1: (guide): expected UTF-8 text"]) from error
    return parse_guide(text, shown, path)


def parse_guide(text: str, shown: str, path: Path | None = None) -> Guide:
    """Build a guide from its YAML text, e.g. a version archived when an interview started."""
    data, lines = _parse_yaml(text, shown)
    location = Location(shown, lines)
    schema_messages = [location.message(p, m) for p, m in _schema_problems(data)]
    if schema_messages:
        raise GuideError(schema_messages)
    content_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return build_guide(data, location, content_hash, path or Path(shown))


def _display(path: Path) -> str:
    """Show a path relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# libyaml's parser when PyYAML has it (its wheels do): the same safe loading, many times
# faster, and every process (web worker, CLI command, rebuild helper) loads every guide
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse_yaml(text: str, shown: str) -> tuple[Any, dict[tuple[str | int, ...], int]]:
    """Parse YAML and remember the line of every key and item, refusing duplicate keys."""
    try:
        refuse_unsafe_yaml(text, shown, YAML_LOADER)
        node = yaml.compose(text, Loader=YAML_LOADER)
        data = yaml.load(text, Loader=YAML_LOADER)  # a safe loader, C or Python
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise GuideError([f"{shown}:{line}: (guide): not valid YAML: {error.problem}"]) from error
    except GuideError:
        raise
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        raise GuideError([f"{shown}:1: (guide): not valid YAML ({type(error).__name__})"]
                         ) from error
    if node is None:
        raise GuideError([f"{shown}:1: (guide): the file is empty; expected a guide object"])
    lines: dict[tuple[str | int, ...], int] = {(): 1}
    duplicates: list[str] = []
    _record_lines(node, (), lines, duplicates, shown)
    if duplicates:
        raise GuideError(duplicates)
    return data, lines


def _record_lines(
    node: yaml.Node,
    path: tuple[str | int, ...],
    lines: dict[tuple[str | int, ...], int],
    duplicates: list[str],
    shown: str,
) -> None:
    """Walk the YAML node tree, mapping each path to the line where it is written."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = (*path, key)
            if key in seen:
                where = Location(shown, {}).format_path(child)
                duplicates.append(
                    f"{shown}:{key_node.start_mark.line + 1}: {where}: key {key!r} appears twice"
                )
            seen.add(key)
            lines[child] = key_node.start_mark.line + 1
            _record_lines(value_node, child, lines, duplicates, shown)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            lines[child] = item.start_mark.line + 1
            _record_lines(item, child, lines, duplicates, shown)


@cache
def _validator() -> jsonschema.Draft202012Validator:
    """Compile the guide schema once per process."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _schema_problems(data: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """Turn schema errors into (path, what was expected) pairs a guide author can act on."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for error in errors:
        problems.extend(_explain(error))
    return list(dict.fromkeys(problems))


def _explain(error: jsonschema.ValidationError) -> Iterable[tuple[tuple[str | int, ...], str]]:
    """Explain one schema error, descending into a branch that failed deeper inside."""
    path = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    expected = schema.get("description")
    if error.validator in ("oneOf", "anyOf"):
        deeper = [e for e in error.context or () if e.relative_path]
        if deeper:
            best = jsonschema.exceptions.best_match(deeper)
            if best is not None:
                yield from _explain(best)
                return
        yield path, f"expected {expected}" if expected else "does not match any accepted form"
        return
    instance = error.instance
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "a key"
        hint = f"; expected {expected}" if expected else ""
        yield path, f"missing required key {missing!r}{hint}"
    elif error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(schema.get("properties", {}))
        known = set(allowed)
        pattern_keys = bool(schema.get("patternProperties"))
        for key in instance:
            if key not in known and not (pattern_keys and _matches_pattern(schema, key)):
                choice = ", ".join(allowed) if allowed else "language codes such as nl, en"
                yield (*path, key), f"unknown key {key!r}; expected one of: {choice}"
    elif error.validator == "type":
        wanted = expected or _type_words(cast(str | list[str], error.validator_value))
        yield path, f"expected {wanted}, got {instance!r}"
    elif error.validator == "enum":
        options = ", ".join(str(v) for v in cast(list[object], error.validator_value))
        yield path, f"expected one of: {options}; got {instance!r}"
    elif error.validator == "pattern":
        yield path, f"expected {expected or 'text matching ' + str(error.validator_value)}, " \
            f"got {instance!r}"
    elif error.validator in ("contains", "allOf") and expected:
        yield path, f"expected {expected}"
    else:
        yield path, error.message if not expected else f"{error.message}; expected {expected}"


def _matches_pattern(schema: dict[str, Any], key: str) -> bool:
    """Tell whether `key` is allowed by one of the schema's patternProperties."""
    return any(re.search(p, key) for p in schema.get("patternProperties", {}))


def _type_words(value: str | Sequence[str]) -> str:
    """Say a JSON type the way a guide author would."""
    words = {
        "string": "text", "integer": "a whole number", "number": "a number",
        "boolean": "true or false", "object": "an object (key: value lines)",
        "array": "a list (lines starting with '-')", "null": "nothing",
    }
    names = [value] if isinstance(value, str) else list(value)
    return " or ".join(words.get(n, n) for n in names)
