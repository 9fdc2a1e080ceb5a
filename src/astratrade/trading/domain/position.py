"""A position in one market: signed size (+long, -short) and average entry price."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from astratrade.shared.money import ZERO


@dataclass(slots=True)
class Position:
    market: str
    size: Decimal
    entry_price: Decimal
    opened_at: datetime
    realized_pnl: Decimal = ZERO

    @property
    def side_sign(self) -> int:
        return 1 if self.size > 0 else -1

    def notional(self, mark: Decimal) -> Decimal:
        return abs(self.size) * mark

    def unrealized_pnl(self, mark: Decimal) -> Decimal:
        return self.size * (mark - self.entry_price)

    def apply(self, delta: Decimal, price: Decimal) -> Decimal:
        """Add a signed fill of `delta` at `price`; return the P&L it realizes (unrounded).

        Increases average the entry price by size; reductions realize
        closed size * (exit - entry) * side; a fill larger than the position flips it,
        and the new side's entry is the fill price."""
        if self.size == ZERO or (self.size > 0) == (delta > 0):
            new_size = self.size + delta
            self.entry_price = (self.size * self.entry_price + delta * price) / new_size
            self.size = new_size
            return ZERO
        closed = min(abs(delta), abs(self.size))
        realized = closed * (price - self.entry_price) * self.side_sign
        self.size += delta
        if self.size != ZERO and (self.size > 0) == (delta > 0):
            self.entry_price = price  # flipped: the remainder opened at this fill
        return realized
