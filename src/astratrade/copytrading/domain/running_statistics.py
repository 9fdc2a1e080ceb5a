"""A leader's statistics kept as running sums, so that a close is added to them without
reading the account's other closes again: what each window of `statistics_of`
(statistics.py) adds up over its closes, in the order they closed.

A close can be added while it is the newest (no earlier close may still be missing) and
no close has left a window since the sums were taken (their `next_change` has not come):
each window then holds what it held, plus the close. Otherwise the sums are taken again
from the closes (`of`). Either way they give exactly `statistics_of`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from astratrade.copytrading.domain.statistics import (
    DRAWDOWN_DAYS,
    ROI_WINDOWS,
    ZERO,
    ClosedTrade,
    TradeStatistics,
    fraction,
    within,
)

WINDOWS = tuple(sorted({*ROI_WINDOWS, DRAWDOWN_DAYS}))
SHORTEST = timedelta(days=WINDOWS[0])


@dataclass(frozen=True, slots=True)
class WindowSums:
    """One window's closes folded in the order they closed."""

    count: int = 0
    capital: Decimal = ZERO  # the equity at the opening of the window's first close
    pnl: Decimal = ZERO
    wins: int = 0
    held: timedelta = timedelta()
    equity: Decimal = ZERO  # capital + the P&L so far, its highest, the worst fall from it
    peak: Decimal = ZERO
    worst: Decimal = ZERO

    def add(self, trade: ClosedTrade) -> WindowSums:
        sums = self
        if not self.count:
            start = trade.equity_at_open
            sums = replace(self, capital=start, equity=start, peak=start)
        equity, peak, worst = sums.equity + trade.realized_pnl, sums.peak, sums.worst
        if equity > peak:
            peak = equity
        elif peak > 0:
            worst = max(worst, (peak - equity) / peak)
        return replace(
            sums,
            count=sums.count + 1,
            pnl=sums.pnl + trade.realized_pnl,
            wins=sums.wins + (trade.realized_pnl > 0),
            held=sums.held + (trade.closed_at - trade.opened_at),
            equity=equity,
            peak=peak,
            worst=worst,
        )

    def roi(self) -> Decimal:
        return fraction(self.pnl / self.capital) if self.count and self.capital > 0 else ZERO

    def max_drawdown(self) -> Decimal:
        return fraction(min(self.worst, Decimal(1)))

    def win_rate(self) -> Decimal:
        return fraction(Decimal(self.wins) / self.count) if self.count else ZERO

    def average_hold_seconds(self) -> int:
        return int(self.held.total_seconds()) // self.count if self.count else 0


@dataclass(frozen=True, slots=True)
class RunningStatistics:
    windows: dict[int, WindowSums]  # by the window's days

    @classmethod
    def of(cls, trades: Sequence[ClosedTrade], now: datetime) -> RunningStatistics:
        """The sums at now, from the closes (as `statistics_of` reads them)."""
        windows = {}
        for days in WINDOWS:
            sums = WindowSums()
            for trade in within(trades, now, days):
                sums = sums.add(trade)
            windows[days] = sums
        return cls(windows)

    def add(self, trade: ClosedTrade) -> RunningStatistics:
        """The sums with a close added, at its moment: it must be the newest close, and no
        close may have left a window between the sums' moment and it."""
        return RunningStatistics({days: s.add(trade) for days, s in self.windows.items()})

    def statistics(self) -> TradeStatistics:
        quarter = self.windows[ROI_WINDOWS[-1]]
        week, month = (self.windows[days] for days in ROI_WINDOWS[:2])
        return TradeStatistics(
            roi_7d=week.roi(),
            roi_30d=month.roi(),
            roi_90d=quarter.roi(),
            max_drawdown_30d=self.windows[DRAWDOWN_DAYS].max_drawdown(),
            win_rate=quarter.win_rate(),
            average_hold_seconds=quarter.average_hold_seconds(),
            closed_positions_90d=quarter.count,
        )


def can_add(
    trades: Sequence[ClosedTrade], as_of: datetime | None, refresh_at: datetime | None
) -> bool:
    """Whether closes (in the order they closed) can be added to sums taken at as_of whose
    next change is refresh_at: each at or after the one before, the first after as_of at
    the latest, all within the shortest window of the last, and no window changed by then."""
    if as_of is None or not trades:
        return False
    moments = [as_of, *(t.closed_at for t in trades)]
    if any(later < earlier for earlier, later in pairwise(moments)):
        return False
    now = moments[-1]
    return trades[0].closed_at > now - SHORTEST and (refresh_at is None or now < refresh_at)
