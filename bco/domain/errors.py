"""Domain errors: every refusal a user can meet, each saying what to do instead."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A command was refused because it would break a rule of the domain."""

    code = "domain_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
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

    def __init__(self, message: str, *, current: Any = None, other_change: Any = None) -> None:
        super().__init__(message)
        self.current = current
        self.other_change = other_change
