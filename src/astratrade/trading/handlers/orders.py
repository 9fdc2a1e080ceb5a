"""Trading's order use cases: place, cancel, close a position."""

from __future__ import annotations

from datetime import datetime

from astratrade.shared.money import ZERO
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.account_terms import AccountKind
from astratrade.trading.domain.admission import admit
from astratrade.trading.domain.commands import (
    CancelLiveOrders,
    CancelOrder,
    ClosePosition,
    PlaceOrder,
)
from astratrade.trading.domain.errors import Conflict, NotFound, OrderRejected, VenueUnavailable
from astratrade.trading.domain.execution import fill_against_mark
from astratrade.trading.domain.live_orders import VenueMarketRules, check_live_order, live_order
from astratrade.trading.domain.orders import Order, OrderStatus, OrderType, Side
from astratrade.trading.domain.venue import Venue, new_order
from astratrade.trading.domain.venue_link import VenueLink
from astratrade.trading.handlers.accounts import owned_account, system_accounts
from astratrade.trading.handlers.live_steps import CancelOnVenue, LiveStep, RulesNeeded, SendToVenue
from astratrade.trading.ports import LiveTrading, OpenOrderLimitQuery, TradingUnitOfWork


async def place_order(
    cmd: PlaceOrder,
    uow: TradingUnitOfWork,
    venue: Venue,
    at: datetime,
    plan_limits: OpenOrderLimitQuery | None = None,
    live: LiveTrading | None = None,
    rules: VenueMarketRules | None = None,
) -> Order | LiveStep:
    """A live account's order answers a step for the LiveDesk (rules to read, an order to
    send), which asks the venue outside the writer."""
    account = await owned_account(uow, cmd.account_id, cmd.owner_id)
    if account.kind is AccountKind.LIVE:
        return await place_live(account, cmd, uow, venue, at, live, rules)
    if account.kind is AccountKind.COPY and not cmd.reduce_only:
        raise OrderRejected(
            "copy trading decides a copy account's openings: its owner may only reduce or "
            "close (send reduce_only: true)"
        )
    return await place_on(account, cmd, uow, venue, at, plan_limits)


async def place_on(
    account: Account,
    cmd: PlaceOrder,
    uow: TradingUnitOfWork,
    venue: Venue,
    at: datetime,
    plan_limits: OpenOrderLimitQuery | None = None,
    *,
    looked_up: bool = False,
) -> Order:
    """Place an order on an account already found to take it (its owner's, or copy
    trading's on a copy account): idempotent by client order id (`looked_up`: the caller
    looked for an earlier order of that client id already)."""
    if account.copy is not None and not account.copy.takes_openings and not cmd.reduce_only:
        raise OrderRejected(
            f"the copy account is {account.copy.state.value}: it takes reduce-only orders only"
        )
    if cmd.client_order_id is not None and not looked_up:
        earlier = await uow.orders.by_client_id(account.id, cmd.client_order_id)
        if earlier is not None:  # an idempotent retry: answer the original, do nothing else
            return account.open_orders.get(earlier.id, earlier)
    position = account.positions.get(cmd.market)
    order = new_order(cmd, venue, at, position.size if position else ZERO)
    # Only an order that may rest counts against the plan: market orders skip the lookup.
    plan_limit = None
    if plan_limits is not None and order.type is not OrderType.MARKET:
        plan_limit = await plan_limits(cmd.owner_id)
    unlocked = await uow.limits.get(account.owner_id)
    admit(account, order, venue, unlocked, plan_limit)
    account.accept(order)
    system = await system_accounts(uow, venue, account.id)
    fill_against_mark(account, order, venue, system, at, unlocked)
    await uow.commit()
    return order


async def place_live(
    account: Account,
    cmd: PlaceOrder,
    uow: TradingUnitOfWork,
    venue: Venue,
    at: datetime,
    live: LiveTrading | None,
    rules: VenueMarketRules | None,
) -> Order | LiveStep:
    """A live account's order: checked against Extended's market rules (`rules`, read by
    the caller outside the writer: RulesNeeded until then) and the trader's unlocked
    leverage, then recorded as pending, for the caller to send (SendToVenue). The practice
    engine never fills it. Idempotent by client order id here, and on the venue, which
    knows the order by that id."""
    if live is None:
        raise VenueUnavailable(
            "live orders go to Extended, and this deployment has no live venue configured"
        )
    earlier = None
    if cmd.client_order_id is not None:
        earlier = await uow.orders.by_client_id(account.id, cmd.client_order_id)
        if earlier is not None:
            earlier = account.open_orders.get(earlier.id, earlier)
            if earlier.status is not OrderStatus.PENDING:
                return earlier
    link = await live.links.get(account.id)
    if link is None:
        raise VenueUnavailable(
            f"account {account.id} is not connected to Extended: connect it first "
            "(PUT /accounts/{id}/venue)"
        )
    if earlier is not None:
        # A retry of an order whose answer never came (Extended was unreachable): send it
        # again. Same external id, so Extended takes it once (a second is 1134, "placed").
        return SendToVenue(earlier, link)
    if rules is None:
        return RulesNeeded(cmd.market)
    unlocked = await uow.limits.get(account.owner_id)
    check_live_order(cmd, rules, account.leverage[cmd.market], unlocked)
    order = live_order(cmd, venue.ids(), at)
    account.accept(order)  # pending: recorded before it is sent, so a crash loses nothing
    await uow.commit()
    return SendToVenue(order, link)


async def cancel_order(
    cmd: CancelOrder, uow: TradingUnitOfWork, at: datetime, live: LiveTrading | None = None
) -> Order | CancelOnVenue:
    """A live account's order is cancelled on the venue first (CancelOnVenue, for the
    LiveDesk, outside the writer), then here."""
    account_id = await uow.orders.account_of(cmd.order_id)
    account = await uow.accounts.get(account_id) if account_id else None
    if account is None or account.owner_id != cmd.owner_id:
        # Another trader's order reads exactly like a missing one.
        raise NotFound(f"order {cmd.order_id} not found")
    order = account.open_orders.get(cmd.order_id)
    if order is None:
        raise Conflict(f"order {cmd.order_id} is no longer open")
    if account.kind is AccountKind.LIVE:
        return CancelOnVenue(account.id, await _link(account, live), order)
    account.cancel_order(order, "cancelled by the trader", at)
    await uow.commit()
    return order


async def _link(account: Account, live: LiveTrading | None) -> VenueLink:
    link = await live.links.get(account.id) if live is not None else None
    if link is None:
        raise VenueUnavailable("the order rests on Extended, and no link to it is here now")
    return link


async def cancel_live_orders(
    cmd: CancelLiveOrders, uow: TradingUnitOfWork, live: LiveTrading | None
) -> int | CancelOnVenue:
    """A trader disconnecting the account: a mass cancel on the venue (CancelOnVenue, for
    the LiveDesk), then the account's open orders end here too (settle_cancel: how many)."""
    account = await owned_account(uow, cmd.account_id, cmd.owner_id)
    link = await live.links.get(account.id) if live is not None else None
    if live is None or link is None:
        return 0
    return CancelOnVenue(account.id, link)


async def close_position(
    cmd: ClosePosition,
    uow: TradingUnitOfWork,
    venue: Venue,
    at: datetime,
    live: LiveTrading | None = None,
    rules: VenueMarketRules | None = None,
) -> Order | LiveStep:
    account = await owned_account(uow, cmd.account_id, cmd.owner_id)
    position = account.positions.get(cmd.market)
    if position is None:
        raise NotFound(f"no open {cmd.market} position in account {cmd.account_id}")
    closing = PlaceOrder(
        owner_id=cmd.owner_id,
        account_id=cmd.account_id,
        market=cmd.market,
        side=Side.SELL if position.size > 0 else Side.BUY,
        type=OrderType.MARKET,
        size=abs(position.size),
        reduce_only=True,
    )
    return await place_order(closing, uow, venue, at, live=live, rules=rules)
