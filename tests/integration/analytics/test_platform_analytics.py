"""Platform analytics on a whole platform (SQLite and PostgreSQL): the tables as the
migration makes them, the read models fed by users' and trading's events over three days
(sign-ups, orders, a liquidation), the figures computed by hand, and a rebuild from the
audit log giving the same rows as the live path."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from migrated_tables import differences
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncEngine
from trading_platform import market_order, new_trader, set_mark

from astratrade.analytics import views
from astratrade.analytics.adapters import platform_tables
from astratrade.analytics.projections import PLATFORM_PROJECTIONS
from astratrade.infrastructure.projections import rebuild
from astratrade.platform import Platform
from astratrade.shared.clock import ManualClock
from astratrade.trading.domain.orders import Side

D = Decimal
DAY_1 = date(2026, 3, 2)  # the fixtures' clock starts on Monday 2026-03-02 09:00:30 UTC


async def test_the_migrated_tables_are_what_the_code_declares(
    migrated_engine: AsyncEngine,
) -> None:
    async with migrated_engine.connect() as conn:
        assert await conn.run_sync(differences, "analytics_platform_") == []


async def three_days(platform: Platform, clock: ManualClock) -> dict[str, Any]:
    """Day 1: ana and bob sign up, ana buys 0.1 BTC; day 2: cyd signs up, ana sells 0.04,
    bob buys 0.5 BTC then is liquidated; day 3: nobody trades."""
    await set_mark(platform, "BTC-USD", "60000")
    ana, ana_account = await new_trader(platform, "ana")
    bob, bob_account = await new_trader(platform, "bob")
    await platform.bus.execute(market_order(ana, ana_account, size="0.1"))
    clock.advance(86400)
    await set_mark(platform, "BTC-USD", "60000")
    await new_trader(platform, "cyd")
    await platform.bus.execute(market_order(ana, ana_account, size="0.04", side=Side.SELL))
    await platform.bus.execute(market_order(bob, bob_account, size="0.5"))
    await set_mark(platform, "BTC-USD", "40100")  # below bob's liquidation price, equity left
    clock.advance(86400)
    await platform.backbone.drain()
    return {"ana": ana, "bob": bob}


async def stored(platform: Platform) -> dict[str, list[tuple[Any, ...]]]:
    tables: list[Table] = [t for t in vars(platform_tables).values() if isinstance(t, Table)]
    async with platform.read_db.connect() as conn:
        return {t.name: sorted(tuple(r) for r in await conn.execute(select(t))) for t in tables}


async def test_the_figures_of_three_days_and_their_rebuild(
    platform: Platform, clock: ManualClock
) -> None:
    await three_days(platform, clock)

    found = await views.platform_report(
        platform.read_db, DAY_1, DAY_1 + timedelta(days=2), clock.now().date()
    )

    one, two, three = found.days
    assert [d.sign_ups for d in found.days] == [2, 1, 0]
    assert [(d.active.daily, d.active.weekly, d.active.monthly) for d in found.days] == [
        (1, 1, 1),
        (2, 2, 2),
        (0, 2, 2),
    ]
    assert [d.liquidations for d in found.days] == [0, 1, 0]
    assert [m.market for m in one.markets] == ["BTC-USD"]
    [btc_1], [btc_2], [btc_3] = one.markets, two.markets, three.markets
    assert (btc_1.fills, btc_1.open_interest) == (1, D("0.1"))
    # ana's sell, bob's buy and his liquidation; ana still holds 0.06.
    assert (btc_2.fills, btc_2.liquidation_fills, btc_2.open_interest) == (3, 1, D("0.06"))
    assert (btc_3.fills, btc_3.volume, btc_3.open_interest) == (0, D(0), D("0.06"))
    # The fills' notional at their prices: 60000 plus the taker's slippage.
    assert D(6000) < btc_1.volume < D(6010)
    assert btc_1.fees == (btc_1.volume * D("0.00025")).quantize(D("0.000001"))
    assert (two.volume, two.fees) == (btc_2.volume, btc_2.fees)
    assert two.liquidation_fees > 0
    [cohort] = found.cohorts
    assert (cohort.week, cohort.size, cohort.retained) == (DAY_1, 3, {1: None, 4: None})

    live = await stored(platform)
    for projection in PLATFORM_PROJECTIONS:
        await rebuild(platform.read_db, platform.writer, projection, clock.now())
    assert await stored(platform) == live
    assert len(live["analytics_platform_activity"]) == 3  # ana on days 1 and 2, bob on 2
