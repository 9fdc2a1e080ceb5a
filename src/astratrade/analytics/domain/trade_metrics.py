"""Metrics of a set of closed trades (SPEC 13), each defined in docs/analytics.md: counts by
outcome, win rate with break-evens apart, profit factor, expectancy, average win and loss,
average R, average hold, and the same per side and per market."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from astratrade.analytics.domain.numbers import ratio, reported
from astratrade.analytics.domain.totals import TradeTotals, added
from astratrade.analytics.domain.trades import ClosedTrade, Side


@dataclass(frozen=True, slots=True)
class TradeMetrics:
    trades: int
    wins: int
    losses: int
    break_evens: int
    win_rate: Decimal | None  # wins / (wins + losses); None: no win and no loss
    gross_profit: Decimal  # net P&L of the wins, added up
    gross_loss: Decimal  # net P&L of the losses, added up (<= 0)
    net_pnl: Decimal
    profit_factor: Decimal | None  # gross profit / |gross loss|; None: no loss
    expectancy: Decimal | None  # mean net P&L per trade, break-evens included
    average_win: Decimal | None
    average_loss: Decimal | None  # negative
    trades_with_stop: int
    average_r: Decimal | None  # mean R-multiple of the trades that had a stop
    average_hold_seconds: Decimal | None
    fees: Decimal
    funding: Decimal  # paid > 0, received < 0, over the trades' lives


def trade_metrics(trades: Iterable[ClosedTrade]) -> TradeMetrics:
    return metrics_of(added(TradeTotals.of(t) for t in trades))


def _mean(total: Decimal, count: int) -> Decimal | None:
    """total / count, rounded: the mean of `count` values adding up to `total`."""
    return reported(total / count) if count else None


def metrics_of(t: TradeTotals) -> TradeMetrics:
    """The metrics of trades whose totals are `t` (the same however they were added up)."""
    return TradeMetrics(
        trades=t.trades,
        wins=t.wins,
        losses=t.losses,
        break_evens=t.break_evens,
        win_rate=ratio(Decimal(t.wins), Decimal(t.wins + t.losses)),
        gross_profit=t.gross_profit,
        gross_loss=t.gross_loss,
        net_pnl=t.net_pnl,
        profit_factor=ratio(t.gross_profit, -t.gross_loss),
        expectancy=_mean(t.net_pnl, t.trades),
        average_win=_mean(t.gross_profit, t.wins),
        average_loss=_mean(t.gross_loss, t.losses),
        trades_with_stop=t.trades_with_stop,
        average_r=_mean(t.r_sum, t.trades_with_stop),
        average_hold_seconds=_mean(t.hold_seconds, t.trades),
        fees=t.fees,
        funding=t.funding,
    )


def by_side(trades: Iterable[ClosedTrade]) -> dict[Side, TradeMetrics]:
    """Long and short apart (both always present, an empty side with zero trades)."""
    listed = list(trades)
    return {side: trade_metrics([t for t in listed if t.side == side]) for side in Side}


def by_market(trades: Iterable[ClosedTrade]) -> dict[str, TradeMetrics]:
    """One entry per market traded, by market id."""
    grouped: dict[str, list[ClosedTrade]] = {}
    for trade in trades:
        grouped.setdefault(trade.market, []).append(trade)
    return {market: trade_metrics(grouped[market]) for market in sorted(grouped)}
