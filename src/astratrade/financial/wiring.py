"""Financial's module: transfers, subscriptions and their renewals, and the ledger."""

from __future__ import annotations

from astratrade.financial.adapters.subscription_store import EmbeddedPayments, SqlSubscriptionStore
from astratrade.financial.adapters.transfer_book import SqlTransferBook
from astratrade.financial.api.subscriptions import router as subscription_router
from astratrade.financial.api.transfers import router
from astratrade.financial.domain.commands import CancelSubscription, ChangePlan, RequestTransfer
from astratrade.financial.domain.subscriptions import Subscription
from astratrade.financial.domain.transfers import Transfer
from astratrade.financial.handlers import subscriptions, transfers
from astratrade.financial.ports import CollateralQuery, FundsQuery, PaymentCollector
from astratrade.financial.projections import PROJECTIONS
from astratrade.financial.reconciliation import Report, reconciliation
from astratrade.financial.reconciliation_gauges import keep_checking
from astratrade.modules import Infrastructure, Module
from astratrade.shared import bus
from astratrade.shared.delivery import Delivery
from astratrade.shared.messages import Envelope

ROUTERS = (router, subscription_router)


def wire(
    infra: Infrastructure,
    *,
    funds_of: FundsQuery,
    collateral_of: CollateralQuery,
    payments: PaymentCollector | None = None,
) -> Module:
    """`funds_of` and `collateral_of` are trading's word on an account's funds and on every
    account's collateral (trading here, or the trading service)."""
    clock, ids = infra.clock, infra.ids
    book = SqlTransferBook(infra.db, infra.read_db, infra.publisher, clock)
    store = SqlSubscriptionStore(infra.db, infra.read_db, infra.publisher, clock)
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

    async def reconcile() -> Report:
        return await reconciliation(infra.read_db, collateral_of)

    async def check_ledger() -> None:
        await keep_checking(reconcile, infra.settings.reconciliation_check_seconds)

    return Module(
        "financial",
        routers=ROUTERS,
        commands={
            RequestTransfer: request_transfer,
            ChangePlan: change_plan,
            CancelSubscription: cancel,
        },
        subscriptions=(bus.Subscription("UserRegistered", "users", "financial", on_registered),),
        projections=PROJECTIONS,
        on_time=(renew,),
        background=(check_ledger,),
        provides={"reconcile": reconcile},
    )
