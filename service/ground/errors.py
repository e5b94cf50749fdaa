"""The one exception tree: a root and a few families, raised by the core in domain terms.

Nothing here knows HTTP: ``service.web.problems`` maps each family to a status and RFC 9457
problem details in one place. Raise the family that says what went wrong (``NotFound``,
``Conflict``...), with a detail a person can act on and, for bad input, the field.
"""

from __future__ import annotations


class ChartReadyError(Exception):
    """Root of every error ChartReady raises on purpose."""

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class InvalidInput(ChartReadyError):
    """Well-formed but unacceptable input; names the field."""


class Unauthorized(ChartReadyError):
    """No credentials, or credentials that do not identify anyone."""


class Forbidden(ChartReadyError):
    """Known caller, not allowed to do this."""


class PasswordChangeRequired(Forbidden):
    """Signed in with a password an administrator set: only choosing one's own is allowed."""


class NotFound(ChartReadyError):
    """No such thing in the caller's organization (another tenant's ids look the same)."""


class Conflict(ChartReadyError):
    """The request conflicts with stored state (a duplicate, a step taken out of order);
    ``existing_id`` names the record a duplicate collides with, when there is one."""

    def __init__(
        self, detail: str, *, field: str | None = None, existing_id: str | None = None
    ) -> None:
        super().__init__(detail, field=field)
        self.existing_id = existing_id


class Gone(ChartReadyError):
    """It existed but is no longer usable (an expired link, a closed attempt)."""


class RateLimited(ChartReadyError):
    """The caller used up an allowance; ``retry_after`` seconds until it returns."""

    def __init__(self, detail: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(detail, field=field)
        self.retry_after = retry_after


class Unavailable(ChartReadyError):
    """Something we depend on is down; retry later."""


__all__ = [
    "ChartReadyError",
    "Conflict",
    "Forbidden",
    "Gone",
    "InvalidInput",
    "NotFound",
    "RateLimited",
    "Unauthorized",
    "Unavailable",
]
