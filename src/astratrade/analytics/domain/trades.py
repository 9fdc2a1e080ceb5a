"""A closed trade as analytics sees it: one position from its opening fill to the fill that
closed it, with what it cost on the way. Assembled by the projection from trading's events
(OrderFilled, FundingPaid, PositionClosed); defined in docs/analytics.md."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from astratrade.analytics.domain.numbers import ZERO


class Side(StrEnum):
    LONG = "long"
    SHORT = "short"


class Outcome(StrEnum):
    WIN = "win"
    LOSS = "loss"
    BREAK_EVEN = "break_even"


@dataclass(frozen=True, slots=True)
class ClosedTrade:
    market: str
    side: Side  # the side the position was opened on
    opened_at: datetime
    closed_at: datetime
    realized_pnl: Decimal  # price P&L of every reduction, before fees and funding
    fees: Decimal  # every fill's fee over the position's life (paid > 0)
    funding: Decimal  # funding over the position's life: paid > 0, received < 0
    # |entry - stop trigger| x size when its first stop-loss was set; None: it never had one
    risk_at_stop: Decimal | None = None

    @property
    def net_pnl(self) -> Decimal:
        """What the trade did to the account: price P&L less fees and funding paid."""
        return self.realized_pnl - self.fees - self.funding

    @property
    def outcome(self) -> Outcome:
        if self.net_pnl > ZERO:
            return Outcome.WIN
        if self.net_pnl < ZERO:
            return Outcome.LOSS
        return Outcome.BREAK_EVEN

    @property
    def r_multiple(self) -> Decimal | None:
        """Net P&L in units of the risk taken at the initial stop; None without a stop."""
        if self.risk_at_stop is None or self.risk_at_stop <= ZERO:
            return None
        return self.net_pnl / self.risk_at_stop

    @property
    def hold_seconds(self) -> Decimal:
        return Decimal(str((self.closed_at - self.opened_at).total_seconds()))
