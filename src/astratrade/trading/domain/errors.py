"""Trading's domain errors."""

from __future__ import annotations

from astratrade.shared.errors import Conflict, DomainError, NotFound, ValidationFailed

__all__ = [
    "Conflict",
    "InsufficientMargin",
    "InvalidOrder",
    "LossLimitReached",
    "NotFound",
    "OrderRejected",
    "VenueUnavailable",
]


class InvalidOrder(ValidationFailed):
    """An order or setting that breaks a market or account rule."""


class OrderRejected(DomainError):
    """A valid order the account cannot take now (limits, reduce-only with nothing to reduce)."""

    code = "order_rejected"


class InsufficientMargin(OrderRejected):
    code = "insufficient_margin"


class VenueUnavailable(Conflict):
    code = "venue_unavailable"


class LossLimitReached(OrderRejected):
    code = "daily_loss_limit_reached"
