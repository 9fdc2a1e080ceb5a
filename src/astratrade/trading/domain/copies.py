"""Copy accounts' rules in trading: the equity floor and closing out at market (a leading
account's LeaderFilled is in leader_fills.py). Copy trading decides what a copy
does; these rules are what trading itself enforces (docs/copytrading.md "Copies in
trading")."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from astratrade.shared.money import ZERO, money
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.account_terms import CopyState
from astratrade.trading.domain.commands import PlaceOrder
from astratrade.trading.domain.events import CopyStopLossReached, ProfitShareDebited
from astratrade.trading.domain.execution import fill_as_taker
from astratrade.trading.domain.orders import OrderType, Side
from astratrade.trading.domain.venue import SystemAccounts, Venue, new_order

# Where money between two accounts is while it moves: a copy's allocation and return
# cross it within one transaction; a profit share rests in it from the copy account's
# debit until the leader's shard credits it. The ledger books it as an account of its own.
TRANSIT_ID = "copy-transit"


def equity_floor(allocation: Decimal, max_loss: Decimal) -> Decimal:
    """The equity at which a copy is closed out: allocation x (1 - max loss)."""
    return money(allocation * (1 - max_loss))


def floor_reached(account: Account, venue: Venue) -> bool:
    """An active copy account whose equity is at or below its floor."""
    terms = account.copy
    if terms is None or terms.state is not CopyState.ACTIVE:
        return False
    return account.margin(venue.marks, venue.markets).equity <= terms.floor


def stop_at_floor(account: Account, venue: Venue, system: SystemAccounts, at: datetime) -> bool:
    """At the floor: close everything at market, take no more openings, then say so."""
    terms = account.copy
    if terms is None or not floor_reached(account, venue):
        return False
    equity = money(account.margin(venue.marks, venue.markets).equity)
    close_out(account, venue, system, at, "copy stop-loss")
    account.set_copy_state(CopyState.STOPPING)
    account.record(
        CopyStopLossReached(
            copy_id=terms.copy_id, copy_account_id=account.id, equity=equity, floor=terms.floor
        )
    )
    return True


def close_out(
    account: Account, venue: Venue, system: SystemAccounts, at: datetime, reason: str
) -> None:
    """Cancel every open order (they hold margin and could add exposure), then close every
    position with a reduce-only market order, filled as any taker's."""
    for order in list(account.open_orders.values()):
        account.cancel_order(order, reason, at)
    for position in list(account.positions.values()):
        close_at_market(account, position.market, venue, system, at)


def close_at_market(
    account: Account,
    market: str,
    venue: Venue,
    system: SystemAccounts,
    at: datetime,
    client_order_id: str | None = None,
) -> None:
    """The whole position in `market` closed by a reduce-only market order (none held:
    nothing to do). A reduction needs no unlocked leverage, and a copy account holds no
    resting order that adds exposure (its owner may only reduce, copy trading sends market
    orders), so none is asked."""
    position = account.positions.get(market)
    if position is None:
        return
    closing = PlaceOrder(
        owner_id=account.owner_id or "",
        account_id=account.id,
        market=market,
        side=Side.SELL if position.size > 0 else Side.BUY,
        type=OrderType.MARKET,
        size=abs(position.size),
        reduce_only=True,
        client_order_id=client_order_id,
    )
    order = new_order(closing, venue, at, position.size)
    account.accept(order)
    fill_as_taker(account, order, venue, system, at, ZERO)


def move_through_transit(
    payer: Account, payee: Account, amount: Decimal, *, reason: str, transfer_id: str, at: datetime
) -> None:
    """Money from one account to another of the same shard, in one transaction: out of the
    payer into transit, out of transit into the payee (each leg its own ledgered fact)."""
    payer.withdraw(amount, destination=TRANSIT_ID, transfer_id=transfer_id, at=at, reason=reason)
    payee.deposit(amount, source=TRANSIT_ID, reason=reason, at=at, transfer_id=transfer_id)


def debit_profit_share(
    account: Account,
    asked: Decimal,
    free: Decimal,
    *,
    leader_account_id: str,
    transfer_id: str,
    at: datetime,
) -> Decimal:
    """At most `free` leaves the copy account for the leader (into transit until the
    leader's shard credits it); returns what left. `free` is what margin leaves available
    while positions are open (a share must never take the margin they stand on, or the
    next fee would take the account below zero), the collateral once it is flat. Like a
    withdrawal it lowers the capital returns are measured on rather than counting as a
    trading loss."""
    terms = account.copy
    amount = min(asked, max(free, ZERO))
    if terms is None or amount <= ZERO:
        return ZERO
    account.results.deposit(-amount, at, account.collateral)
    account.adjust(-amount)
    account.record(
        ProfitShareDebited(
            copy_id=terms.copy_id,
            copy_account_id=account.id,
            leader_account_id=leader_account_id,
            amount=amount,
            transfer_id=transfer_id,
        )
    )
    return amount
