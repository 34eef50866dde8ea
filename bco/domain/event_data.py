"""Events as plain JSON-ready data, for the case history, conflicts and CLI/API output."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID


def event_as_dict(event: Any) -> dict[str, Any]:
    """An event as plain JSON-ready data: type, time, actor, version, and its facts."""
    hidden = {"originator_id", "originator_version", "timestamp", "actor", "command_id",
              "originator_topic"}
    data = {k: plain(v) for k, v in vars(event).items() if k not in hidden}
    return {
        "type": type(event).__qualname__,
        "timestamp": event.timestamp.isoformat(),
        "actor": event.actor,
        "version": event.originator_version,
        "aggregate_id": str(event.originator_id),
        "data": data,
    }


def plain(value: Any) -> Any:
    """JSON-ready form of dates, ids and value objects, for CLI and API output."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    return value
