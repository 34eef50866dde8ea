"""Case files written to disk: one PDF or a zip of many, never half-written.

Everything is written to a temporary file beside the target and renamed over it only when
complete, so an interrupted or failed run leaves the old file (or none), never a partial one.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import BinaryIO
from uuid import UUID

from bco.application import BCOApplication
from bco.domain.errors import NotFoundError
from bco.reports.casefile import build_case_file
from bco.reports.pdf import render_pdf


def write_atomically(target: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write through `write` into a temporary file beside `target`, then rename it over."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def case_file_pdf(app: BCOApplication, case_id: UUID, *, as_of: datetime | None,
                  language: str) -> bytes:
    """One case file as PDF bytes, as the case stood at `as_of` (default: now)."""
    case_file = build_case_file(app, case_id, as_of=as_of, language=language)
    return render_pdf(case_file, zone=app.settings.zone, phone_region=app.settings.phone_region)


def zip_name(case_id: UUID) -> str:
    """A member's name starts with the case reference and holds the whole id (no names)."""
    return f"C-{case_id}.pdf"


def write_case_files_zip(app: BCOApplication, case_ids: Iterable[UUID], target: Path, *,
                         as_of: datetime | None, language: str) -> list[UUID]:
    """Every case file in one zip, atomically; cases not yet registered at `as_of` are left
    out and returned."""
    skipped: list[UUID] = []

    def write(stream: BinaryIO) -> None:
        with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED) as archive:
            for case_id in case_ids:
                try:
                    pdf = case_file_pdf(app, case_id, as_of=as_of, language=language)
                except NotFoundError:
                    skipped.append(case_id)
                else:
                    archive.writestr(zip_name(case_id), pdf)

    write_atomically(target, write)
    return skipped
