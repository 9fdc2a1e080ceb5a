"""The domain error base: each error has a kind the API turns into one HTTP status."""

from __future__ import annotations

from typing import ClassVar, Literal

ErrorKind = Literal[
    "validation",
    "not_found",
    "conflict",
    "rejected",
    "unauthorized",
    "forbidden",
    "rate_limited",
    "unavailable",
]


class DomainError(Exception):
    kind: ClassVar[ErrorKind] = "rejected"
    code: ClassVar[str] = "rejected"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    """Input that breaks a rule: answered 422 with the field named."""

    kind = "validation"
    code = "validation_error"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)


class NotFound(DomainError):
    """Missing, or another user's: both answer 404 so nothing leaks."""

    kind = "not_found"
    code = "not_found"


class Conflict(DomainError):
    kind = "conflict"
    code = "conflict"


class Unauthorized(DomainError):
    kind = "unauthorized"
    code = "unauthorized"


class Forbidden(DomainError):
    kind = "forbidden"
    code = "forbidden"


class TooManyRequests(DomainError):
    """Throttled (a rate limit, or a login lockout): answered 429 with Retry-After."""

    kind = "rate_limited"
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class Unavailable(DomainError):
    """The platform could not make the change durable (its database failed): nothing was
    done, and the same request may be sent again. Answered 503."""

    kind = "unavailable"
    code = "unavailable"
