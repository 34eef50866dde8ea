"""Domain errors: every refusal a user can meet, each saying what to do instead.

A refusal keeps its English template and parameters apart, so the CLI can print the English
while the web shows the same template translated; the domain itself stays free of any UI.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


class Translatable(str):
    """A fixed English phrase (not typed input) that an interface may show translated."""

    __slots__ = ()


def translatable(text: str) -> Translatable:
    """Mark `text` for extraction into the translation catalog (keyword `_t` in babel.cfg).

    It returns the same text; the marking only tells a fixed phrase from a typed value, so a
    parameter such as a date's label is translated and a name someone typed never is.
    """
    return Translatable(text)


def english(template: str, params: dict[str, Any]) -> str:
    """The template filled in with %(name)s parameters, as the CLI and logs show it.

    A datetime parameter is a time of day; it is shown in UTC here, in the reader's zone on
    the web.
    """
    if not params:
        return template
    return template % {key: f"{value:%H:%M:%S}" if isinstance(value, datetime) else value
                       for key, value in params.items()}


class DomainError(Exception):
    """A command was refused because it would break a rule of the domain."""

    code = "domain_error"

    def __init__(self, template: str, *, field: str | None = None, **params: Any) -> None:
        message = english(template, params)
        super().__init__(message)
        self.message = message
        self.template = template
        self.params = params
        self.field = field


class InvalidValueError(DomainError):
    """A value given to a command is malformed or impossible."""

    code = "invalid_value"


class FutureDateError(InvalidValueError):
    """A date that can only lie in the past was given in the future."""

    code = "future_date"


class InvalidPhoneError(InvalidValueError):
    """A phone number could not be understood."""

    code = "invalid_phone"


class InvalidTransitionError(DomainError):
    """The aggregate is in a state where this command makes no sense."""

    code = "invalid_transition"


class InterviewCompletedError(InvalidTransitionError):
    """A completed interview takes no new facts until it is reopened."""

    code = "interview_completed"


class CaseClosedError(InvalidTransitionError):
    """A closed case takes no new facts until it is reopened."""

    code = "case_closed"


class UnknownContactError(DomainError):
    """A command names a contact that the interview does not have."""

    code = "unknown_contact"


class ContactRemovedError(InvalidTransitionError):
    """A removed contact stays removed; report a new one instead."""

    code = "contact_removed"


class NotFoundError(DomainError):
    """The case, interview or account asked for does not exist."""

    code = "not_found"


class ConflictError(DomainError):
    """Someone else changed the same thing first; carries what is there now."""

    code = "conflict"

    def __init__(self, template: str, *, current: Any = None, other_change: Any = None,
                 **params: Any) -> None:
        super().__init__(template, **params)
        self.current = current
        self.other_change = other_change
