"""The one click type for a case on the command line: a whole id or the short reference."""

from __future__ import annotations

from uuid import UUID

import click

from bco.cli.context import CliContext, user_errors
from bco.projections import people, runner_for

SHOWN_MATCHES = 5


class CaseId(click.ParamType):
    """A case id as `bco case register` prints it, or the reference the screens show
    (C-1c58eac0, or its start), resolved through the read models after catching up."""

    name = "ID"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> UUID:
        if isinstance(value, UUID):
            return value
        text = str(value).strip()
        try:
            return UUID(text)
        except ValueError:
            pass
        if people.reference_prefix(text) is None:
            self.fail(f"'{text}' is not a case id or reference; give the id (3f2b8c1e-…) "
                      "or the reference shown on screen (C-3f2b8c1e).", param, ctx)
        matches = self._resolve(text, ctx)
        if not matches:
            self.fail(f"no case has the reference '{text}'.", param, ctx)
        if len(matches) > 1:
            more = "" if len(matches) <= SHOWN_MATCHES else ", …"
            listed = ", ".join(matches[:SHOWN_MATCHES]) + more
            count = f"{SHOWN_MATCHES}+" if len(matches) > SHOWN_MATCHES else str(len(matches))
            self.fail(f"'{text}' matches {count} cases ({listed}); give more characters "
                      "or the whole id.", param, ctx)
        return UUID(matches[0])

    @staticmethod
    def _resolve(text: str, ctx: click.Context | None) -> list[str]:
        """Case ids the reference can mean; the read models are brought up to date first,
        so a case registered a moment ago is found."""
        found = ctx.find_object(CliContext) if ctx is not None else None
        if found is None:
            raise click.UsageError("A case reference needs the BCO command context.")
        with user_errors():
            runner = runner_for(found.app)
            runner.catch_up()
            with runner.reading() as db:
                return people.cases_by_reference(db, text, limit=SHOWN_MATCHES + 1)
