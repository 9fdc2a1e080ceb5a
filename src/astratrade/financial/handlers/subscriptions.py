"""Subscription use cases: load, decide with the pure rules, collect, save."""

from __future__ import annotations

import logging
from datetime import datetime

from astratrade.financial.domain.commands import CancelSubscription, ChangePlan
from astratrade.financial.domain.subscriptions import Subscription
from astratrade.financial.ports import PaymentCollector, PaymentDeclined, SubscriptionStore
from astratrade.shared.errors import Conflict
from astratrade.shared.ids import IdFactory

logger = logging.getLogger(__name__)


class PaymentFailed(Conflict):
    code = "payment_declined"


async def _collect(sub: Subscription, payments: PaymentCollector, at: datetime) -> None:
    for charge in sub.charges:
        reference = await payments.collect(sub.user_id, charge)
        sub.charged(charge, reference, at)
    sub.charges.clear()


async def change_plan(
    cmd: ChangePlan,
    store: SubscriptionStore,
    payments: PaymentCollector,
    ids: IdFactory,
    at: datetime,
) -> Subscription:
    sub = await store.get(cmd.user_id)
    sub.change(cmd.plan, at, ids())
    try:
        await _collect(sub, payments, at)
    except PaymentDeclined as error:  # nothing changes
        raise PaymentFailed(f"the payment was declined: {error}") from error
    await store.save(sub)
    return sub


async def join(user_id: str, store: SubscriptionStore, at: datetime) -> None:
    sub = await store.get(user_id)
    sub.join(at)
    if sub.pending_events:
        await store.save(sub)


async def cancel(cmd: CancelSubscription, store: SubscriptionStore, at: datetime) -> Subscription:
    sub = await store.get(cmd.user_id)
    sub.cancel(at)
    await store.save(sub)
    return sub


async def renew_due(
    store: SubscriptionStore, payments: PaymentCollector, ids: IdFactory, now: datetime
) -> int:
    """Renew (or end) every subscription whose period ended; how many were due. Each commits
    alone, so one that fails waits for the next tick without holding up the others."""
    due = await store.due(now)
    for user_id in due:
        sub = await store.get(user_id)
        sub.renew_due(now, ids)
        try:
            await _collect(sub, payments, now)
        except PaymentDeclined:
            logger.info("renewal of %s declined: back to free", user_id)
            sub.end_unpaid(now)
        try:
            await store.save(sub)
        except Conflict:
            logger.info("subscription of %s changed while renewing; next tick", user_id)
    return len(due)
