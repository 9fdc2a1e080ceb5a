"""Registers financial's commands on the bus; returns what runs as the clock moves."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.financial.adapters.subscription_store import EmbeddedPayments, SqlSubscriptionStore
from astratrade.financial.adapters.transfer_book import SqlTransferBook
from astratrade.financial.domain.commands import CancelSubscription, ChangePlan, RequestTransfer
from astratrade.financial.domain.subscriptions import Subscription
from astratrade.financial.domain.transfers import Transfer
from astratrade.financial.handlers import subscriptions, transfers
from astratrade.financial.ports import FundsQuery, PaymentCollector
from astratrade.shared.bus import EventPublisher, MessageBus
from astratrade.shared.clock import Clock
from astratrade.shared.delivery import Delivery
from astratrade.shared.ids import IdFactory
from astratrade.shared.messages import Envelope


def wire(
    bus: MessageBus,
    *,
    engine: AsyncEngine,
    read_db: AsyncEngine,
    publisher: EventPublisher,
    clock: Clock,
    funds_of: FundsQuery,
    ids: IdFactory,
    payments: PaymentCollector | None = None,
) -> Callable[[], Awaitable[None]]:
    book = SqlTransferBook(engine, read_db, publisher, clock)
    store = SqlSubscriptionStore(engine, read_db, publisher, clock)
    collector = payments or EmbeddedPayments()

    async def request_transfer(cmd: RequestTransfer) -> Transfer:
        return await transfers.request_transfer(cmd, book, funds_of, ids(), clock.now())

    async def change_plan(cmd: ChangePlan) -> Subscription:
        return await subscriptions.change_plan(cmd, store, collector, ids, clock.now())

    async def cancel(cmd: CancelSubscription) -> Subscription:
        return await subscriptions.cancel(cmd, store, clock.now())

    async def on_registered(envelope: Envelope, delivery: Delivery) -> None:
        user_id = str(envelope.payload["user_id"])
        await subscriptions.join(user_id, store.handling(delivery), clock.now())

    async def renew() -> None:
        await subscriptions.renew_due(store, collector, ids, clock.now())

    bus.subscribe("UserRegistered", on_registered, source="users", consumer="financial")
    bus.register(RequestTransfer, request_transfer)
    bus.register(ChangePlan, change_plan)
    bus.register(CancelSubscription, cancel)
    return renew
