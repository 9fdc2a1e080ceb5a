"""Metrics of a set of closed trades (SPEC 13), each defined in docs/analytics.md: counts by
outcome, win rate with break-evens apart, profit factor, expectancy, average win and loss,
average R, average hold, and the same per side and per market."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from astratrade.analytics.domain.numbers import ZERO, mean, ratio
from astratrade.analytics.domain.trades import ClosedTrade, Outcome, Side


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


def trade_metrics(trades: Sequence[ClosedTrade]) -> TradeMetrics:
    by_outcome: dict[Outcome, list[Decimal]] = {outcome: [] for outcome in Outcome}
    for trade in trades:
        by_outcome[trade.outcome].append(trade.net_pnl)
    wins, losses = by_outcome[Outcome.WIN], by_outcome[Outcome.LOSS]
    gross_profit, gross_loss = sum(wins, ZERO), sum(losses, ZERO)
    r_multiples = [r for r in (t.r_multiple for t in trades) if r is not None]
    return TradeMetrics(
        trades=len(trades),
        wins=len(wins),
        losses=len(losses),
        break_evens=len(by_outcome[Outcome.BREAK_EVEN]),
        win_rate=ratio(Decimal(len(wins)), Decimal(len(wins) + len(losses))),
        gross_profit=gross_profit,
        gross_loss=gross_loss,
        net_pnl=sum((t.net_pnl for t in trades), ZERO),
        profit_factor=ratio(gross_profit, -gross_loss),
        expectancy=mean([t.net_pnl for t in trades]),
        average_win=mean(wins),
        average_loss=mean(losses),
        trades_with_stop=len(r_multiples),
        average_r=mean(r_multiples),
        average_hold_seconds=mean([t.hold_seconds for t in trades]),
        fees=sum((t.fees for t in trades), ZERO),
        funding=sum((t.funding for t in trades), ZERO),
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
