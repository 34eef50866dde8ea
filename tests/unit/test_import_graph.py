"""Imports between bco modules run one way: a circle means a layer reaches back into another."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "bco"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def bco_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The bco modules this module imports anywhere in it: at the top, in functions, for types."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in known else base)
    return {target for target in found if target in known and target != name}


def import_graph() -> dict[str, set[str]]:
    modules = bco_modules()
    known = set(modules)
    return {name: imported(name, path, known) for name, path in modules.items()}


def test_the_graph_sees_imports_at_every_level() -> None:
    graph = import_graph()
    assert "bco.application" in graph["bco.projections"]
    assert "bco.projections.worklist" in graph["bco.web.tracer"]
    assert "bco.projections.readmodel" in graph["bco.projections.worklist"]


def test_no_module_imports_itself_back_through_others() -> None:
    try:
        order = list(TopologicalSorter(import_graph()).static_order())
    except CycleError as circle:
        pytest.fail(f"Import circle: {' -> '.join(circle.args[1])}")
    assert "bco.domain.case" in order
