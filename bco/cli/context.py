"""What every command shares: settings, the acting user, and one application opened on demand."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import click

from bco.application import BCOApplication
from bco.audit.store import CLI_ROLE, ROLE_WIDE, AccessEntry
from bco.config import Settings
from bco.domain.errors import DomainError, NotFoundError
from bco.projections.rebuild import RebuildHelperFailed
from bco.projections.views_copy import ViewsCopyError
from bco.storage import StartupError

F = TypeVar("F", bound=Callable[..., Any])

# Domain fields whose names differ from the CLI option that feeds them.
OPTION_FOR_FIELD = {"onset": "--onset", "test_date": "--test-date", "birth_date": "--birth-date"}


@dataclass
class CliContext:
    settings: Settings
    actor: str
    _app: BCOApplication | None = field(default=None, repr=False)

    @property
    def guides_dir(self) -> Path:
        return self.settings.guides_dir

    @property
    def app(self) -> BCOApplication:
        if self._app is None:
            self._app = BCOApplication(self.settings)
        return self._app

    def log_reads(self, action: str, case_ids: Iterable[UUID | None], *,
                  detail: str = "") -> None:
        """Reads on the command line go to the access log too (one insert), under --as; a
        read of every case at once (a copy) is one entry with no case."""
        command = "bco " + click.get_current_context().command_path.partition(" ")[2]
        now = self.app.clock()
        self.app.access_log.append([
            AccessEntry(at=now, account=self.actor, role=CLI_ROLE, action=action,
                        purpose=command, address="command line", case_id=case_id,
                        relation=ROLE_WIDE, detail=detail) for case_id in case_ids])

    def close(self) -> None:
        if self._app is not None:
            self._app.close()
            self._app = None


def option_name(field_name: str | None) -> str:
    """The CLI option a domain field came from, for messages that name what to fix."""
    if not field_name:
        return "input"
    return OPTION_FOR_FIELD.get(field_name, "--" + field_name.replace("_", "-"))


@contextmanager
def user_errors() -> Iterator[None]:
    """The one place that turns BCO's errors into CLI messages and exit codes."""
    try:
        yield
    except (StartupError, RebuildHelperFailed, ViewsCopyError) as exc:
        raise click.ClickException(str(exc)) from None
    except NotFoundError as exc:
        raise click.ClickException(terminal_safe(exc.message)) from None
    except DomainError as exc:
        if exc.field:
            raise click.BadParameter(terminal_safe(exc.message),
                                     param_hint=option_name(exc.field)) from None
        raise click.ClickException(terminal_safe(exc.message)) from None


def mapped_errors(func: F) -> F:
    """Decorate a command so that its errors reach the user as one clear line."""
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with user_errors():
            return func(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


def terminal_safe(text: str) -> str:
    """Text with control and bidi-override characters written as escapes, so that what was
    stored before they were refused cannot move the cursor or reverse a terminal's line."""
    return "".join(char if char.isprintable() else json.dumps(char)[1:-1] for char in text)


def echo_json(value: Any) -> None:
    """JSON escapes control characters itself; bidi overrides are escaped here as well."""
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)
    click.echo("".join(char if char.isprintable() or char == "\n" else json.dumps(char)[1:-1]
                       for char in text))
