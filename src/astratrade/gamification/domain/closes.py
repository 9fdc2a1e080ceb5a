"""A closed position as trading reports it, and the XP the close itself is worth."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal, get_args

from astratrade.gamification.domain.rules import ProgressionRules

AccountKind = Literal["practice", "live", "tournament"]
ACCOUNT_KINDS: tuple[AccountKind, ...] = get_args(AccountKind)


@dataclass(frozen=True, kw_only=True, slots=True)
class ClosedPosition:
    """The facts of one closed position.

    stop_protected: a stop-loss order protected the position for its whole life.
    risk_at_stop: |entry - stop trigger| x size when the stop was set (None: no stop).
    equity_at_open: the account's equity when the position opened."""

    position_id: str
    account_kind: AccountKind
    market: str
    opened_at: datetime
    closed_at: datetime
    realized_pnl: Decimal
    liquidated: bool
    stop_protected: bool
    risk_at_stop: Decimal | None
    equity_at_open: Decimal

    def __post_init__(self) -> None:
        if self.account_kind not in ACCOUNT_KINDS:
            raise ValueError(
                f"account_kind must be one of {ACCOUNT_KINDS}, got {self.account_kind!r}"
            )
        for name in ("opened_at", "closed_at"):
            moment: datetime = getattr(self, name)
            if moment.tzinfo is None:
                raise ValueError(f"{name} must be timezone-aware, got {moment.isoformat()}")

    @property
    def won(self) -> bool:
        return self.realized_pnl > 0


def close_xp(close: ClosedPosition, rules: ProgressionRules) -> int:
    """What the close is worth before the daily cap. Only the stop-loss and the size of the
    risk behind it count: never P&L (its sign included), size or leverage. A liquidation is
    worth nothing."""
    if close.liquidated:
        return 0
    xp = rules.xp_per_close
    if close.stop_protected:
        xp += rules.stop_loss_bonus
        risk = close.risk_at_stop
        if risk is not None and risk <= rules.small_risk_ratio * close.equity_at_open:
            xp += rules.small_risk_bonus
    return xp
