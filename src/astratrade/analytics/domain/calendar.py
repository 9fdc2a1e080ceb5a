"""The daily P&L calendar: per UTC day, the trades closed that day and their net P&L (the
journal's view; the equity curve's days also carry open positions' mark changes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from astratrade.analytics.domain.numbers import ZERO
from astratrade.analytics.domain.trades import ClosedTrade


@dataclass(frozen=True, slots=True)
class CalendarDay:
    day: date
    trades: int
    net_pnl: Decimal


def pnl_calendar(trades: Iterable[ClosedTrade]) -> list[CalendarDay]:
    """The days a trade closed on, oldest first (a day without a close is not listed)."""
    counts: dict[date, int] = {}
    totals: dict[date, Decimal] = {}
    for trade in trades:
        day = trade.closed_at.date()
        counts[day] = counts.get(day, 0) + 1
        totals[day] = totals.get(day, ZERO) + trade.net_pnl
    return [CalendarDay(day, counts[day], totals[day]) for day in sorted(counts)]
