"""A trade share: one of the author's own closed positions as others may see it. Market,
side, entry, exit, ROI and hold time only: never a size, a balance or a dollar figure.

Built on the server from trading's facts (the social read model of closed positions),
never from what a client sends, so a share cannot claim a trade that did not happen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

PRICE_PLACES = Decimal("0.00000001")  # averages of several fills: 8 places, half-even
ROI_PLACES = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class TradeShare:
    position_id: str
    market: str
    side: str  # "long" or "short"
    entry_price: Decimal  # size-weighted over the closed parts
    exit_price: Decimal
    roi_pct: Decimal  # the price move in the position's favour, in % of the entry (no leverage)
    hold_seconds: int


@dataclass(frozen=True, slots=True)
class ClosedPosition:
    """What the read model keeps of an owner's closed position (sizes stay in it)."""

    position_id: str
    owner_id: str
    market: str
    side: str
    entry_price: Decimal
    exit_price: Decimal
    opened_at: datetime
    closed_at: datetime

    def share(self) -> TradeShare:
        return TradeShare(
            position_id=self.position_id,
            market=self.market,
            side=self.side,
            entry_price=self.entry_price,
            exit_price=self.exit_price,
            roi_pct=roi_pct(self.side, self.entry_price, self.exit_price),
            hold_seconds=max(0, int((self.closed_at - self.opened_at).total_seconds())),
        )


def average_price(value: Decimal, size: Decimal) -> Decimal:
    """Σ size x price over Σ size, to 8 places."""
    return (value / size).quantize(PRICE_PLACES, rounding=ROUND_HALF_EVEN)


def roi_pct(side: str, entry: Decimal, exit_price: Decimal) -> Decimal:
    """(exit - entry) / entry in %, the sign turned for a short: +2.5 is a 2.5 % move in the
    trader's favour. Unleveraged on purpose: a share shows the call, not the bet size."""
    if entry <= 0:
        return Decimal(0)
    move = (exit_price - entry) / entry * 100
    if side == "short":
        move = -move
    return move.quantize(ROI_PLACES, rounding=ROUND_HALF_EVEN)
