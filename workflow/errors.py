"""The project's error hierarchy: every refusal carries a stable snake_case code."""

from __future__ import annotations


class IcpsimError(Exception):
    """A refusal the user can act on: a stable ``code`` and a human ``message``.

    ``field`` names the form field the error belongs to, when there is one, so the
    console can show the message next to it.
    """

    code: str = "error"
    http_status: int = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class NotFound(IcpsimError):
    """An object that does not exist, or belongs to another account (never say which)."""

    http_status = 404


class Conflict(IcpsimError):
    """The request is valid but the object changed, or its state does not allow it."""

    http_status = 409


class InvalidTransition(Conflict):
    code = "invalid_transition"


class InvalidData(IcpsimError):
    code = "invalid_data"


class UnknownFiling(NotFound):
    code = "unknown_filing"


class UnknownAccount(NotFound):
    code = "unknown_account"


class StaleFiling(Conflict):
    """Optimistic concurrency: the filing changed since it was read."""

    code = "conflict"
