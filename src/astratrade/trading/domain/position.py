"""A position in one market: signed size (+long, -short) and average entry price.

It also keeps the facts progression rewards discipline with: how long it went without a
stop-loss, the risk at its stop, and the equity when it opened. Trading reports them when
the position closes; gamification decides what they are worth."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from astratrade.shared.money import ZERO


@dataclass(slots=True)
class Position:
    market: str
    size: Decimal
    entry_price: Decimal
    opened_at: datetime
    realized_pnl: Decimal = ZERO
    equity_at_open: Decimal = ZERO
    # Since when no stop-loss guards it (None: one does), and its longest such stretch.
    unprotected_since: datetime | None = None
    longest_unprotected: timedelta = timedelta(0)
    risk_at_stop: Decimal | None = None  # |entry - trigger| x size when its stop was set
    funding_paid: Decimal = ZERO  # since it opened (or flipped); negative when received

    @property
    def side_sign(self) -> int:
        return 1 if self.size > 0 else -1

    def notional(self, mark: Decimal) -> Decimal:
        return abs(self.size) * mark

    def unrealized_pnl(self, mark: Decimal) -> Decimal:
        return self.size * (mark - self.entry_price)

    def reopen(self, at: datetime, equity: Decimal, stop_trigger: Decimal | None) -> None:
        """A new position starts here (opened, or flipped to the other side)."""
        self.realized_pnl = ZERO
        self.funding_paid = ZERO
        self.opened_at = at
        self.equity_at_open = equity
        self.longest_unprotected = timedelta(0)
        self.risk_at_stop = None
        self.unprotected_since = at
        if stop_trigger is not None:
            self.protect(stop_trigger, at)

    def protect(self, stop_trigger: Decimal, at: datetime) -> None:
        """A stop-loss now guards the position."""
        if self.unprotected_since is not None:
            self.longest_unprotected = max(self.longest_unprotected, at - self.unprotected_since)
            self.unprotected_since = None
        if self.risk_at_stop is None:
            self.risk_at_stop = abs(self.entry_price - stop_trigger) * abs(self.size)

    def unprotect(self, at: datetime) -> None:
        """Its last stop-loss went away."""
        if self.unprotected_since is None:
            self.unprotected_since = at

    def unprotected_for(self, at: datetime) -> timedelta:
        """The longest stretch without a stop-loss, up to `at`."""
        current = at - self.unprotected_since if self.unprotected_since else timedelta(0)
        return max(self.longest_unprotected, current)

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
