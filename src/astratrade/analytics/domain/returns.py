"""The equity curve and what daily returns say of it (SPEC 13), each defined in
docs/analytics.md. Money moved in or out (deposits, faucet top-ups, transfers, copy
allocations) is a flow, never a return: a day's return is its P&L over the capital it
started with, the day's flows counted as arrived at its start."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, localcontext

from astratrade.analytics.domain.numbers import ONE, ZERO, reported

DAYS_A_YEAR = 365  # crypto trades every day of the year


@dataclass(frozen=True, slots=True)
class DailyClose:
    """An account at the end of a UTC day: its equity then, and the money that moved in
    (> 0) or out (< 0) during the day."""

    day: date
    equity: Decimal
    flows: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class DailyReturn:
    day: date
    pnl: Decimal  # equity change less flows
    capital: Decimal  # the previous close plus the day's flows
    value: Decimal | None  # pnl / capital; None when there was no capital


def every_day(
    closes: Sequence[DailyClose], first: date, last: date, opening_equity: Decimal = ZERO
) -> list[DailyClose]:
    """One close per day from `first` to `last`: a day nothing was recorded on keeps the
    equity of the day before (no trade, no mark change seen), with no flows.
    `opening_equity` is the close of the day before `first`."""
    recorded = {close.day: close for close in closes}
    filled: list[DailyClose] = []
    equity = opening_equity
    day = first
    while day <= last:
        close = recorded.get(day) or DailyClose(day, equity)
        filled.append(close)
        equity = close.equity
        day += timedelta(days=1)
    return filled


def daily_returns(closes: Sequence[DailyClose], opening_equity: Decimal) -> list[DailyReturn]:
    """Each day's return: (equity - previous equity - flows) / (previous equity + flows)."""
    returns: list[DailyReturn] = []
    previous = opening_equity
    for close in closes:
        capital = previous + close.flows
        pnl = close.equity - previous - close.flows
        returns.append(DailyReturn(close.day, pnl, capital, pnl / capital if capital > 0 else None))
        previous = close.equity
    return returns


def defined(returns: Sequence[DailyReturn]) -> list[Decimal]:
    """The returns that have a value (days that started with capital)."""
    return [r.value for r in returns if r.value is not None]


def sharpe(returns: Sequence[Decimal]) -> Decimal | None:
    """mean / sample standard deviation x sqrt(365), risk-free 0; None under 2 returns or
    with no dispersion."""
    if len(returns) < 2:
        return None
    with localcontext() as exact:
        exact.prec = 40
        average = sum(returns, ZERO) / len(returns)
        variance = sum(((r - average) ** 2 for r in returns), ZERO) / (len(returns) - 1)
        if not variance:
            return None
        return reported(average / variance.sqrt() * Decimal(DAYS_A_YEAR).sqrt())


def sortino(returns: Sequence[Decimal]) -> Decimal | None:
    """mean / downside deviation x sqrt(365), target 0; the downside deviation is
    sqrt(mean over every day of min(return, 0)^2). None under 2 returns or with no losing day."""
    if len(returns) < 2:
        return None
    with localcontext() as exact:
        exact.prec = 40
        average = sum(returns, ZERO) / len(returns)
        downside = sum((min(r, ZERO) ** 2 for r in returns), ZERO) / len(returns)
        if not downside:
            return None
        return reported(average / downside.sqrt() * Decimal(DAYS_A_YEAR).sqrt())


def max_drawdown(returns: Sequence[Decimal]) -> Decimal:
    """The largest fall of the compounded returns from a running peak, over that peak
    (0.25: a quarter lost from the best point); the start is the first peak. Compounding the
    returns, rather than reading equity, keeps deposits and withdrawals out of it."""
    with localcontext() as exact:
        exact.prec = 40
        growth = peak = ONE
        worst = ZERO
        for value in returns:
            growth *= ONE + value
            peak = max(peak, growth)
            worst = max(worst, (peak - growth) / peak)
        return reported(worst)
