"""The short case reference people say and print instead of a name (e.g. C-1c58eac0)."""

from __future__ import annotations

from uuid import UUID


def case_reference(case_id: UUID) -> str:
    """A short reference to say to a colleague, show on a list or print on a case file."""
    return f"C-{str(case_id)[:8]}"
