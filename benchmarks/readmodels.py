"""Finding BCO's read models and built views, for `rebuild` and `worklist`.

The projections are being written while these benchmarks are; each piece is looked up when a
benchmark runs, and a missing module is reported as a reason to skip, never as a failure.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import pkgutil
import shutil
from pathlib import Path
from typing import Any

from benchmarks.stores import Store
from benchmarks.workspace import ROOT, opened

RUNNER = "bco.projections.runner"
REBUILD = "bco.projections.rebuild"


class Missing(Exception):
    """A module a benchmark needs is not built yet; the message says which."""


def need(module: str) -> Any:
    """Import `module`, or raise Missing when it (or its package) does not exist yet."""
    try:
        found = importlib.util.find_spec(module)
    except ModuleNotFoundError:
        found = None
    if found is None:
        raise Missing(f"{module} does not exist yet")
    return importlib.import_module(module)


def all_read_models(app: Any) -> list[Any]:
    """Every read model in bco.projections: the package's own list when it has one, else each
    concrete ReadModel subclass of its modules, built from what the application holds (its
    guides, settings, or itself) so a new read model is rebuilt without editing this file.
    """
    package = need("bco.projections")
    own = getattr(package, "all_read_models", None)
    if callable(own):
        return list(own(app) if inspect.signature(own).parameters else own())
    base = need("bco.projections.readmodel").ReadModel
    found: dict[str, Any] = {}
    for info in pkgutil.iter_modules(package.__path__, "bco.projections."):
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            name = getattr(cls, "name", None)
            if (issubclass(cls, base) and cls is not base and cls.__module__ == info.name
                    and name and not inspect.isabstract(cls)):
                found[str(name)] = _construct(cls, app)
    if not found:
        raise Missing("bco.projections has no read models yet")
    return [found[name] for name in sorted(found)]


def _construct(cls: type, app: Any) -> Any:
    """Pass each constructor argument by name from the application or its settings."""
    arguments: dict[str, Any] = {}
    for name, parameter in inspect.signature(cls).parameters.items():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if name in ("app", "application"):
            arguments[name] = app
        elif hasattr(app.settings, name):
            arguments[name] = getattr(app.settings, name)
        elif hasattr(app, name):
            arguments[name] = getattr(app, name)
        elif parameter.default is inspect.Parameter.empty:
            raise Missing(f"cannot build read model {cls.__name__}: it needs '{name}'")
    return cls(**arguments)


def projections_fingerprint() -> str:
    """Changes whenever a projection's code does, so kept views are never stale."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "bco" / "projections").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def kept_views(store: Store) -> Path:
    return store.data_dir / f"views-{projections_fingerprint()}.db"


def keep_views(store: Store, built: Path) -> None:
    """Keep a finished rebuild beside its store (moved, not copied: it can be gigabytes)."""
    for old in store.data_dir.glob("views-*"):
        old.unlink()
    shutil.move(built, kept_views(store))


def views_for(store: Store, scratch: Path) -> Path:
    """Read models built from `store`: kept from an earlier rebuild, or rebuilt now."""
    kept = kept_views(store)
    if kept.exists():
        return kept
    runner_module, rebuild_module = need(RUNNER), need(REBUILD)
    scratch.mkdir(parents=True, exist_ok=True)
    views = scratch / "views.db"
    with opened(store.settings()) as app:
        runner = runner_module.ReadModelRunner(app, views, all_read_models(app))
        rebuild_module.Rebuilder(runner).rebuild()
    keep_views(store, views)
    return kept
