"""Live orders without venue I/O in the writer. The engine's single writer decides and
records (a live order is recorded `pending` before it is sent); the venue is asked outside
it; a second command records the venue's answer. So a slow venue answer delays only the
trader who waits for it, never the practice traders on the same shard.

Why nothing is lost or doubled: the order's external id on the venue is its client order id
(or our id), fixed when it is recorded; a crash after "recorded" and before "answered" leaves
a pending order, which the account stream's re-sync settles by that id (found on the venue:
open; not found: rejected). The venue's fills for a pending order apply as for an open one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from astratrade.trading.domain.errors import NotFound
from astratrade.trading.domain.live_orders import VenueRefused
from astratrade.trading.domain.orders import Order
from astratrade.trading.domain.venue_link import VenueLink
from astratrade.trading.ports import LiveTrading, TradingUnitOfWork

Run = Callable[[Callable[[TradingUnitOfWork], Awaitable[Any]]], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class RulesNeeded:
    """The live order needs the venue's rules for its market, read outside the writer."""

    market: str


@dataclass(frozen=True, slots=True)
class SendToVenue:
    """A live order recorded as pending, to send now."""

    order: Order
    link: VenueLink


@dataclass(frozen=True, slots=True)
class CancelOnVenue:
    """A live order to cancel on the venue first; `order` is None for a mass cancel."""

    account_id: str
    link: VenueLink
    order: Order | None = None


LiveStep = RulesNeeded | SendToVenue | CancelOnVenue


class LiveDesk:
    """The venue's side of live orders, run between two writer commands. `sending`: the
    orders on their way now, which a re-sync must not settle (their answer is coming)."""

    def __init__(self, live: LiveTrading | None, now: Callable[[], datetime]) -> None:
        self.live, self.now = live, now
        self.sending: set[str] = set()

    async def place(self, run: Run, decide: Callable[..., Awaitable[Any]]) -> Any:
        """`decide(uow, rules)`: the writer's part, answering an order or a step."""
        step = await run(lambda uow: decide(uow, None))
        if isinstance(step, RulesNeeded) and self.live is not None:
            rules = await self.live.venue.market_rules(step.market)
            step = await run(lambda uow: decide(uow, rules))
        if not isinstance(step, SendToVenue) or self.live is None:
            return step
        order = step.order
        self.sending.add(order.id)
        try:
            try:
                await self.live.venue.place(step.link, order)
            except VenueRefused as refused:
                reason = str(refused)
                await run(lambda uow: settle_placement(uow, order, self.now(), reason))
                raise
            # Extended unreachable (Unavailable): the order stays pending, and the re-sync
            # after the account stream's next connection settles it.
            return await run(lambda uow: settle_placement(uow, order, self.now(), None))
        finally:
            self.sending.discard(order.id)

    async def cancel(self, run: Run, decide: Callable[[TradingUnitOfWork], Awaitable[Any]]) -> Any:
        step = await run(decide)
        if not isinstance(step, CancelOnVenue) or self.live is None:
            return step
        if step.order is None:
            await self.live.venue.cancel_all(step.link)
        else:
            await self.live.venue.cancel(step.link, step.order)
        return await run(lambda uow: settle_cancel(uow, step, self.now()))


async def settle_placement(
    uow: TradingUnitOfWork, sent: Order, at: datetime, refusal: str | None
) -> Order:
    """The venue's answer to a pending order: taken (open here) or refused (rejected here,
    with the venue's reason, which the trader reads in the order's history). An order the
    venue's reports have already ended or filled stays as they left it."""
    account = await uow.accounts.get(sent.account_id)
    order = account.open_orders.get(sent.id) if account is not None else None
    if account is None or order is None:
        return sent
    if refusal is None:
        account.confirm_order(order, at)
    else:
        account.reject_order(order, refusal, at)
    uow.accounts.see(account)
    await uow.commit()
    return order


async def settle_cancel(uow: TradingUnitOfWork, step: CancelOnVenue, at: datetime) -> Any:
    """The venue cancelled: the order (or every open order, for a mass cancel) ends here."""
    account = await uow.accounts.get(step.account_id)
    if account is None:
        raise NotFound(f"account {step.account_id} not found")
    if step.order is None:
        orders = list(account.open_orders.values())
        reason = "cancelled on Extended: the account was disconnected"
    else:
        found = account.open_orders.get(step.order.id)
        orders = [found] if found is not None else []
        reason = "cancelled by the trader"
    for order in orders:
        account.cancel_order(order, reason, at)
    uow.accounts.see(account)
    await uow.commit()
    if step.order is None:
        return len(orders)
    return orders[0] if orders else step.order
