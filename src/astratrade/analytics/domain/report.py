"""A trader's analytics for one account and period (SPEC 13): the trade metrics, overall, by
side and by market, the calendar, and the equity curve with what its daily returns say."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from astratrade.analytics.domain.calendar import CalendarDay, pnl_calendar
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
from astratrade.analytics.domain.trade_metrics import TradeMetrics, by_market, by_side
from astratrade.analytics.domain.trade_metrics import trade_metrics as metrics_of
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


def trader_report(
    trades: Sequence[ClosedTrade],
    closes: Sequence[DailyClose],
    period: Period,
    now: datetime,
) -> TraderReport:
    """The report of the `trades` and daily `closes` (any days; those outside the period are
    ignored, those before it give its opening equity)."""
    today = now.date()
    earliest = min((c.day for c in closes), default=None)
    first, last = period_days(period, today, earliest)
    in_period = [t for t in trades if first <= t.closed_at.date() <= last]
    before = [c for c in closes if c.day < first]
    opening = max(before, key=lambda c: c.day).equity if before else ZERO
    curve = every_day([c for c in closes if first <= c.day <= last], first, last, opening)
    returns = daily_returns(curve, opening)
    values = defined(returns)
    return TraderReport(
        first_day=first,
        last_day=last,
        metrics=metrics_of(in_period),
        by_side=by_side(in_period),
        by_market=by_market(in_period),
        calendar=pnl_calendar(in_period),
        equity_curve=curve,
        returns=returns,
        max_drawdown=max_drawdown(values),
        sharpe=sharpe(values),
        sortino=sortino(values),
    )
