"""Subscription billing on both databases: charges land on the ledger as subscription
revenue (once, rebuildable), renewals follow the clock, and reconciliation stays proven."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from trading_platform import new_trader, reconcile

from astratrade.financial import views
from astratrade.financial.adapters.tables import entries
from astratrade.financial.domain.commands import CancelSubscription, ChangePlan
from astratrade.financial.domain.revenue import SUBSCRIPTION_REVENUE
from astratrade.financial.domain.subscriptions import Plan
from astratrade.financial.projections import LEDGER
from astratrade.infrastructure.projections import rebuild
from astratrade.platform import Platform

DAY = 86_400


async def revenue(platform: Platform) -> Decimal:
    async with platform.read_db.connect() as conn:
        return (await views.ledger_balances(conn)).get(SUBSCRIPTION_REVENUE, Decimal(0))


async def charges(platform: Platform) -> int:
    async with platform.read_db.connect() as conn:
        found = await conn.scalar(
            select(func.count()).select_from(entries).where(entries.c.kind == "subscription")
        )
        return int(found or 0)


async def test_charges_renewals_and_the_end_of_a_cancelled_plan(platform: Platform) -> None:
    ann, _ = await new_trader(platform, "ann")
    bob, _ = await new_trader(platform, "bob")
    await platform.bus.execute(ChangePlan(user_id=ann, plan=Plan.PRO))
    await platform.bus.execute(ChangePlan(user_id=bob, plan=Plan.ELITE))
    await platform.bus.execute(CancelSubscription(user_id=bob))
    await platform.backbone.drain()
    assert await revenue(platform) == Decimal("64.98")

    platform.clock.advance(32 * DAY)  # type: ignore[attr-defined]
    await platform.on_time()  # ann renews; bob's elite ends
    await platform.backbone.drain()
    assert await revenue(platform) == Decimal("79.97")
    assert await charges(platform) == 3
    assert (await reconcile(platform)).findings == []

    await rebuild(platform.read_db, platform.writer, LEDGER, platform.clock.now())
    assert (await revenue(platform), await charges(platform)) == (Decimal("79.97"), 3)
    assert (await reconcile(platform)).findings == []
