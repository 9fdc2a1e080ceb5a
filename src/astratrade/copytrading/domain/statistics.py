"""A leader's statistics, from the closed positions of their practice account (SPEC 12:
"copiers, allocated total, ROI 7/30/90 days, max drawdown 30 days, win rate, average hold,
profit share earned"). Each is defined in docs/copytrading.md; in short, over the
positions closed in a window ending now, in the order they closed:

- capital: the account's equity when the window's first closed position opened;
- ROI: the positions' realized P&L added up, over that capital;
- max drawdown: the largest fall from a peak of capital + cumulative P&L, over the peak;
- win rate: the share of positions closed with a realized P&L above 0 (90 days);
- average hold: from open to close, averaged (90 days), in whole seconds.

Copiers, allocated and profit share earned come from copies and settlements, not from
here. Fractions are rounded to 6 decimals, half-even."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

ZERO = Decimal(0)
FRACTION = Decimal("0.000001")
ROI_WINDOWS = (7, 30, 90)
DRAWDOWN_DAYS = 30
LONGEST_WINDOW = timedelta(days=max(ROI_WINDOWS))


@dataclass(frozen=True, slots=True)
class ClosedTrade:
    opened_at: datetime
    closed_at: datetime
    realized_pnl: Decimal
    equity_at_open: Decimal


@dataclass(frozen=True, slots=True)
class TradeStatistics:
    roi_7d: Decimal
    roi_30d: Decimal
    roi_90d: Decimal
    max_drawdown_30d: Decimal
    win_rate: Decimal
    average_hold_seconds: int
    closed_positions_90d: int


def fraction(value: Decimal) -> Decimal:
    return value.quantize(FRACTION, rounding=ROUND_HALF_EVEN)


def within(trades: Sequence[ClosedTrade], now: datetime, days: int) -> list[ClosedTrade]:
    """The trades closed in the `days` before now (a close exactly `days` ago is out), in
    the order they closed."""
    start = now - timedelta(days=days)
    return sorted((t for t in trades if start < t.closed_at <= now), key=lambda t: t.closed_at)


def capital(trades: Sequence[ClosedTrade]) -> Decimal:
    """The equity the window started with: at the opening of its first closed position."""
    return trades[0].equity_at_open if trades else ZERO


def roi(trades: Sequence[ClosedTrade]) -> Decimal:
    base = capital(trades)
    if base <= 0:
        return ZERO
    return fraction(sum((t.realized_pnl for t in trades), ZERO) / base)


def max_drawdown(trades: Sequence[ClosedTrade]) -> Decimal:
    """The largest fall from a peak, over the peak, of capital + cumulative P&L after each
    close (the capital itself the first peak); 0 when it never fell."""
    equity = peak = capital(trades)
    worst = ZERO
    for trade in trades:
        equity += trade.realized_pnl
        if equity > peak:
            peak = equity
        elif peak > 0:
            worst = max(worst, (peak - equity) / peak)
    return fraction(min(worst, Decimal(1)))


def win_rate(trades: Sequence[ClosedTrade]) -> Decimal:
    if not trades:
        return ZERO
    return fraction(Decimal(sum(1 for t in trades if t.realized_pnl > 0)) / len(trades))


def average_hold_seconds(trades: Sequence[ClosedTrade]) -> int:
    if not trades:
        return 0
    held = sum(((t.closed_at - t.opened_at) for t in trades), timedelta())
    return int(held.total_seconds()) // len(trades)


def statistics_of(trades: Sequence[ClosedTrade], now: datetime) -> TradeStatistics:
    week, month, quarter = (within(trades, now, days) for days in ROI_WINDOWS)
    return TradeStatistics(
        roi_7d=roi(week),
        roi_30d=roi(month),
        roi_90d=roi(quarter),
        max_drawdown_30d=max_drawdown(within(trades, now, DRAWDOWN_DAYS)),
        win_rate=win_rate(quarter),
        average_hold_seconds=average_hold_seconds(quarter),
        closed_positions_90d=len(quarter),
    )


def next_change(trades: Sequence[ClosedTrade], now: datetime) -> datetime | None:
    """The first moment after now at which the statistics change with no new close: a close
    leaves a window (N days after it, as `within` counts) or, closed after now, enters them.
    None when nothing is in a window or ahead. Until then, `statistics_of` at any moment
    equals `statistics_of` at now, so a copy kept until then is exact."""
    moments = [t.closed_at for t in trades if t.closed_at > now]
    for days in sorted({*ROI_WINDOWS, DRAWDOWN_DAYS}):
        moments += [t.closed_at + timedelta(days=days) for t in within(trades, now, days)]
    return min(moments, default=None)
