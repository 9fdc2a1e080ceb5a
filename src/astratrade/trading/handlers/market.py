"""What the market's time does to every account: quotes (triggers, fills, liquidations),
the end of tournaments' windows, funding on the hour."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from astratrade.shared.money import ZERO
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.account_terms import AccountKind
from astratrade.trading.domain.commands import ProcessQuotes
from astratrade.trading.domain.copies import stop_at_floor
from astratrade.trading.domain.events import OrderTriggered
from astratrade.trading.domain.execution import (
    end_window,
    enforce_loss_limit,
    fill_as_maker,
    fill_as_taker,
)
from astratrade.trading.domain.funding import FundingDue
from astratrade.trading.domain.liquidation import liquidate
from astratrade.trading.domain.orders import OrderType
from astratrade.trading.domain.shards import house_id
from astratrade.trading.domain.venue import SystemAccounts, Venue
from astratrade.trading.handlers.accounts import system_accounts
from astratrade.trading.ports import TradingUnitOfWork


async def process_quotes(
    cmd: ProcessQuotes, uow: TradingUnitOfWork, venue: Venue, at: datetime
) -> None:
    """New marks: stops and take-profits trigger, crossed limits fill, then copy accounts'
    floors and liquidations."""
    for quote in cmd.quotes:
        venue.update(quote)
    quoted = {quote.market for quote in cmd.quotes}
    systems: dict[int, SystemAccounts] = {}  # by shard
    for account in uow.accounts.active():
        if not _exposed(account, quoted) or _on_the_venue(account):
            continue
        shard = venue.shards.of(account.id)
        if shard not in systems:
            systems[shard] = await system_accounts(uow, venue, account.id)
        system = systems[shard]
        changed = False
        if account.open_orders:
            unlocked = await uow.limits.get(account.owner_id)
            changed = _run_orders(account, quoted, venue, system, at, unlocked)
        if _floor_or_liquidation(account, venue, system, at) or changed:
            uow.accounts.see(account)
    await uow.commit()


async def end_trading_windows(uow: TradingUnitOfWork, at: datetime) -> None:
    """Tournament accounts whose tournament has ended lose the orders that could add
    exposure (orders that only reduce stay)."""
    for account in uow.accounts.active():
        if end_window(account, at):
            uow.accounts.see(account)
    await uow.commit()


def _floor_or_liquidation(
    account: Account, venue: Venue, system: SystemAccounts, at: datetime
) -> bool:
    """A copy account at its floor is closed out before maintenance could liquidate it (the
    floor is the copier's own, milder stop); whatever is left is liquidated if it must be.
    Where maintenance comes before the floor (a market whose tier asks more margin than the
    copy's loss allows), the liquidation and its fee can take the equity below the floor
    with nothing left to price: the floor is looked at again, or the copy would never stop.
    Neither happens while one of the account's markets is stale: its equity is unknown."""
    if venue.liquidations_paused_for(account):
        return False
    is_copy = account.copy is not None
    stopped = is_copy and stop_at_floor(account, venue, system, at)
    liquidated = liquidate(account, venue, system, at)
    if liquidated and is_copy and not stopped:
        stopped = stop_at_floor(account, venue, system, at)
    return liquidated or stopped


def _on_the_venue(account: Account) -> bool:
    """A live account trades on Extended: its fills, funding and liquidations are the
    venue's to report, never the practice engine's to invent."""
    return account.kind is AccountKind.LIVE


def _exposed(account: Account, markets: set[str]) -> bool:
    return not markets.isdisjoint(account.positions) or any(
        o.market in markets for o in account.open_orders.values()
    )


def _run_orders(
    account: Account,
    markets: set[str],
    venue: Venue,
    system: SystemAccounts,
    at: datetime,
    unlocked: Decimal,
) -> bool:
    """Stops and take-profits first (the trader's protection), then resting limits."""
    changed = end_window(account, at)
    for order in [o for o in account.open_orders.values() if o.market in markets]:
        mark = venue.marks[order.market]
        still_open = order.id in account.open_orders  # an earlier fill may have cancelled it
        if still_open and order.type.is_trigger and order.is_triggered_by(mark):
            triggered = OrderTriggered(
                order_id=order.id, account_id=account.id, owner_id=account.owner_id, mark=mark
            )
            account.record(triggered)
            fill_as_taker(account, order, venue, system, at, unlocked)
            changed = True
    for order in [o for o in account.open_orders.values() if o.market in markets]:
        crossed = order.type is OrderType.LIMIT and order.is_crossed_by(venue.marks[order.market])
        if crossed and order.id in account.open_orders:
            fill_as_maker(account, order, venue, system, at, unlocked)
            changed = True
    return changed


async def pay_funding(
    due: list[FundingDue], uow: TradingUnitOfWork, venue: Venue, at: datetime
) -> None:
    """Each due funding once per market and hour; the house of the holder's shard is the
    other side."""
    shards = uow.held_shards()
    for funding in due:
        for market, rate in funding.rates.items():
            holders: dict[int, list[Account]] = {shard: [] for shard in shards}
            for account in uow.accounts.active():
                if market in account.positions and not _on_the_venue(account):
                    holders.setdefault(venue.shards.of(account.id), []).append(account)
            for shard in shards:  # each shard's holders, recorded once per shard
                await _pay(uow, venue, (market, rate, funding.at), holders[shard], shard, at)
    for account in uow.accounts.active():
        if _on_the_venue(account):
            continue
        system = await system_accounts(uow, venue, account.id)
        if _floor_or_liquidation(account, venue, system, at):
            uow.accounts.see(account)
    await uow.commit()


async def _pay(
    uow: TradingUnitOfWork,
    venue: Venue,
    due: tuple[str, Decimal, datetime],
    holders: list[Account],
    shard: int,
    at: datetime,
) -> None:
    """One market's funding for one hour to one shard's holders, unless already paid."""
    market, rate, funding_at = due
    mark = venue.marks[market]
    if not await uow.record_funding(market, funding_at, rate, mark, len(holders), shard):
        return
    if rate == ZERO:
        return
    system = await system_accounts(uow, venue, house_id(shard))
    for account in holders:
        system.house.adjust(account.pay_funding(market, rate, mark, at))
        enforce_loss_limit(account, at)
        uow.accounts.see(account)
