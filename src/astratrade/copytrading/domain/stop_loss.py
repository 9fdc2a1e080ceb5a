"""The copy stop-loss.

SPEC 12: "Copy stop-loss (mandatory): a maximum loss of 10-90 % of the allocation (default
50 %); when the copy account's equity falls to allocation x (1 - max loss), every copy
position is closed and the copy stops."""

from __future__ import annotations

from decimal import Decimal

from astratrade.shared.money import ONE


def stop_loss_equity(allocation: Decimal, max_loss: Decimal) -> Decimal:
    """The equity at which the copy stops: allocation x (1 - max loss)."""
    return allocation * (ONE - max_loss)


def stop_loss_reached(equity: Decimal, allocation: Decimal, max_loss: Decimal) -> bool:
    """SPEC: "Falls to": equity at or below allocation x (1 - max loss)."""
    return equity <= stop_loss_equity(allocation, max_loss)
