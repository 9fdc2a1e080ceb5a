"""Liquidation: close at mark, largest loss first, until equity exceeds maintenance."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from astratrade.shared.money import MONEY_QUANTUM, ZERO, money, round_to
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.events import AccountLiquidated
from astratrade.trading.domain.execution import cover_shortfall
from astratrade.trading.domain.leader_fills import announce_leader_fill
from astratrade.trading.domain.margin import equity_and_maintenance
from astratrade.trading.domain.orders import Liquidity, Side
from astratrade.trading.domain.venue import SystemAccounts, Venue


def is_liquidatable(account: Account, venue: Venue) -> bool:
    if not account.positions:
        return False
    equity, maintenance = equity_and_maintenance(
        account.collateral, account.positions.values(), venue.marks, venue.markets
    )
    return equity <= maintenance


def liquidate(account: Account, venue: Venue, system: SystemAccounts, at: datetime) -> bool:
    """Liquidate if equity <= maintenance margin; return whether it happened.

    Open orders are cancelled first (they hold margin and could add exposure). Each close
    pays a fee of 1% of its notional to the insurance fund, never more than the equity
    left; a negative balance at the end is covered by the insurance fund."""
    if not is_liquidatable(account, venue):
        return False
    before = account.margin(venue.marks, venue.markets)
    for order in list(account.open_orders.values()):
        account.cancel_order(order, "liquidation", at)
    marks = venue.marks
    by_loss = sorted(account.positions.values(), key=lambda p: p.unrealized_pnl(marks[p.market]))
    closed: list[str] = []
    fees = ZERO
    for position in by_loss:
        if closed and not is_liquidatable(account, venue):
            break
        mark = marks[position.market]
        notional = abs(position.size) * mark
        fill = account.fill(
            fill_id=venue.ids(),
            order=None,
            market=position.market,
            side=_closing_side(position.size),
            size=abs(position.size),
            price=mark,
            fee_rate=ZERO,
            liquidity=Liquidity.LIQUIDATION,
            at=at,
        )
        system.house.adjust(fill.fee - fill.realized_pnl)
        if account.leading:
            announce_leader_fill(account, fill, marks, venue.markets)
        equity_left = account.margin(marks, venue.markets).equity
        # Capped by the equity left rounded down: with other positions open that equity is
        # not on the micro grid, and rounding it to nearest could charge half a micro-dollar
        # more than is there (found by the Z3 proof, docs/verification.md).
        cap = max(round_to(equity_left, MONEY_QUANTUM, up=False), ZERO)
        fee = min(money(notional * venue.rules.liquidation_fee_rate), cap)
        account.settle(-fee, at)
        system.insurance.adjust(fee)
        fees += fee
        closed.append(position.market)
    cover_shortfall(account, system, at)
    account.record(
        AccountLiquidated(
            account_id=account.id,
            owner_id=account.owner_id,
            markets=closed,
            equity_before=money(before.equity),
            maintenance_before=money(before.maintenance_margin),
            liquidation_fee=fees,
            account_kind=account.kind.value,
            collateral=account.collateral,
            week_pnl=account.results.week_pnl,
            week_capital=account.results.week_capital,
        )
    )
    return True


def _closing_side(size: Decimal) -> Side:
    return Side.SELL if size > 0 else Side.BUY
