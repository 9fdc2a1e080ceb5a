"""A trader's analytics for one account and period (SPEC 13): the trade metrics, overall, by
side and by market, the calendar, and the equity curve with what its daily returns say."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from astratrade.analytics.domain.calendar import CalendarDay
from astratrade.analytics.domain.numbers import ZERO
from astratrade.analytics.domain.returns import (
    DailyClose,
    DailyReturn,
    daily_returns,
    defined,
    every_day,
    max_drawdown,
    sharpe,
    sortino,
)
from astratrade.analytics.domain.totals import TradeTotals, added
from astratrade.analytics.domain.trade_metrics import TradeMetrics, metrics_of
from astratrade.analytics.domain.trades import ClosedTrade, Side


class Period(StrEnum):
    WEEK = "7d"
    MONTH = "30d"
    QUARTER = "90d"
    ALL = "all"

    @property
    def days(self) -> int | None:
        return None if self is Period.ALL else int(self.value.removesuffix("d"))


@dataclass(frozen=True, slots=True)
class TraderReport:
    first_day: date
    last_day: date
    metrics: TradeMetrics
    by_side: dict[Side, TradeMetrics]
    by_market: dict[str, TradeMetrics]
    calendar: list[CalendarDay]
    equity_curve: list[DailyClose]
    returns: list[DailyReturn]
    max_drawdown: Decimal
    sharpe: Decimal | None
    sortino: Decimal | None


def period_days(period: Period, today: date, first_activity: date | None) -> tuple[date, date]:
    """The UTC days a period covers, today included: `7d` is today and the 6 before; `all`
    starts on the account's first day (today when it has none)."""
    opened = first_activity or today
    if period.days is None:
        return opened, today
    return max(opened, today - timedelta(days=period.days - 1)), today


@dataclass(frozen=True, slots=True)
class DayTotals:
    """The totals of an account's trades closed on one UTC day, in one market, on one side:
    what the read model keeps (a trade belongs to the day it closed on)."""

    day: date
    market: str
    side: Side
    totals: TradeTotals


def day_totals(trades: Iterable[ClosedTrade]) -> list[DayTotals]:
    grouped: dict[tuple[date, str, Side], TradeTotals] = {}
    for trade in trades:
        key = (trade.closed_at.date(), trade.market, trade.side)
        grouped[key] = grouped.get(key, TradeTotals()) + TradeTotals.of(trade)
    return [DayTotals(d, m, s, t) for (d, m, s), t in sorted(grouped.items())]


def trader_report(
    trades: Sequence[ClosedTrade],
    closes: Sequence[DailyClose],
    period: Period,
    now: datetime,
) -> TraderReport:
    """The report of the `trades` and daily `closes` (any days; those outside the period are
    ignored, those before it give its opening equity)."""
    return report_of_days(day_totals(trades), closes, period, now)


def report_of_days(
    days: Sequence[DayTotals],
    closes: Sequence[DailyClose],
    period: Period,
    now: datetime,
) -> TraderReport:
    """The report from the trades' totals per day, market and side."""
    first, _ = period_days(period, now.date(), min((c.day for c in closes), default=None))
    in_period = [d for d in days if first <= d.day <= now.date()]
    grouped: dict[tuple[str, Side], list[TradeTotals]] = {}
    calendar: dict[date, tuple[int, Decimal]] = {}
    for d in in_period:
        grouped.setdefault((d.market, d.side), []).append(d.totals)
        trades, net = calendar.get(d.day, (0, ZERO))
        calendar[d.day] = (trades + d.totals.trades, net + d.totals.net_pnl)
    return report_of(
        {key: added(parts) for key, parts in grouped.items()},
        [CalendarDay(day, *calendar[day]) for day in sorted(calendar)],
        closes,
        period,
        now,
    )


def report_of(
    totals: Mapping[tuple[str, Side], TradeTotals],
    calendar: Sequence[CalendarDay],
    closes: Sequence[DailyClose],
    period: Period,
    now: datetime,
) -> TraderReport:
    """The report from the period's trade totals per market and side and its calendar, as
    the read model keeps them (running totals: a period's are two rows' difference)."""
    today = now.date()
    earliest = min((c.day for c in closes), default=None)
    first, last = period_days(period, today, earliest)
    before = [c for c in closes if c.day < first]
    opening = max(before, key=lambda c: c.day).equity if before else ZERO
    curve = every_day([c for c in closes if first <= c.day <= last], first, last, opening)
    returns = daily_returns(curve, opening)
    values = defined(returns)
    traded = {key: t for key, t in totals.items() if t.trades}
    by_side = {side: added(t for (_, s), t in traded.items() if s == side) for side in Side}
    markets = sorted({market for market, _ in traded})
    return TraderReport(
        first_day=first,
        last_day=last,
        metrics=metrics_of(added(by_side.values())),
        by_side={side: metrics_of(total) for side, total in by_side.items()},
        by_market={
            m: metrics_of(added(t for (market, _), t in traded.items() if market == m))
            for m in markets
        },
        calendar=list(calendar),
        equity_curve=curve,
        returns=returns,
        max_drawdown=max_drawdown(values),
        sharpe=sharpe(values),
        sortino=sortino(values),
    )
