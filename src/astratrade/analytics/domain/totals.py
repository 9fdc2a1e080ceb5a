"""What the trade metrics are made of, added up: counts, sums of net P&L, R, hold, fees and
funding. Totals add exactly (in any grouping: a day's, a market's, a period's), so the
read model keeps them per account, day, market and side, and a report sums a few hundred
rows rather than reading every trade; the metrics of the sum are those of the trades."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext

from astratrade.analytics.domain.numbers import ZERO
from astratrade.analytics.domain.trades import ClosedTrade, Outcome

EXACT_DIGITS = 80  # an R-multiple has up to 28 significant digits: sums of them stay exact


@dataclass(frozen=True, slots=True)
class TradeTotals:
    trades: int = 0
    wins: int = 0
    losses: int = 0
    break_evens: int = 0
    gross_profit: Decimal = ZERO  # net P&L of the wins
    gross_loss: Decimal = ZERO  # net P&L of the losses (<= 0)
    net_pnl: Decimal = ZERO
    trades_with_stop: int = 0  # those with a risk at the stop > 0
    r_sum: Decimal = ZERO  # their R-multiples, added up
    hold_seconds: Decimal = ZERO
    fees: Decimal = ZERO
    funding: Decimal = ZERO

    @classmethod
    def of(cls, trade: ClosedTrade) -> TradeTotals:
        net = trade.net_pnl
        outcome = trade.outcome
        r = trade.r_multiple
        return cls(
            trades=1,
            wins=int(outcome is Outcome.WIN),
            losses=int(outcome is Outcome.LOSS),
            break_evens=int(outcome is Outcome.BREAK_EVEN),
            gross_profit=net if outcome is Outcome.WIN else ZERO,
            gross_loss=net if outcome is Outcome.LOSS else ZERO,
            net_pnl=net,
            trades_with_stop=int(r is not None),
            r_sum=ZERO if r is None else r,
            hold_seconds=trade.hold_seconds,
            fees=trade.fees,
            funding=trade.funding,
        )

    def __add__(self, other: TradeTotals) -> TradeTotals:
        return added((self, other))

    def __sub__(self, earlier: TradeTotals) -> TradeTotals:
        """What was added since `earlier` (running totals at two days: a period's)."""
        with localcontext() as exact:
            exact.prec = EXACT_DIGITS
            return TradeTotals(
                self.trades - earlier.trades,
                self.wins - earlier.wins,
                self.losses - earlier.losses,
                self.break_evens - earlier.break_evens,
                self.gross_profit - earlier.gross_profit,
                self.gross_loss - earlier.gross_loss,
                self.net_pnl - earlier.net_pnl,
                self.trades_with_stop - earlier.trades_with_stop,
                self.r_sum - earlier.r_sum,
                self.hold_seconds - earlier.hold_seconds,
                self.fees - earlier.fees,
                self.funding - earlier.funding,
            )


def added(totals: Iterable[TradeTotals]) -> TradeTotals:
    """The totals added up, exactly (a report adds a few thousand: one pass, one context)."""
    trades = wins = losses = break_evens = with_stop = 0
    profit = loss = net = r_sum = hold = fees = funding = ZERO
    with localcontext() as exact:
        exact.prec = EXACT_DIGITS
        for t in totals:
            trades += t.trades
            wins += t.wins
            losses += t.losses
            break_evens += t.break_evens
            with_stop += t.trades_with_stop
            profit += t.gross_profit
            loss += t.gross_loss
            net += t.net_pnl
            r_sum += t.r_sum
            hold += t.hold_seconds
            fees += t.fees
            funding += t.funding
    return TradeTotals(
        trades, wins, losses, break_evens, profit, loss, net, with_stop, r_sum, hold, fees, funding
    )
