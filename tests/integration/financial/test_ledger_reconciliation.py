"""The ledger follows trading exactly once and proves every account's collateral: grants,
trades, fees, funding, a liquidation with its fee and the insurance payout."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete, select
from trading_platform import new_trader, reconcile, round_trip, set_mark

from astratrade.financial.adapters.tables import entries, postings
from astratrade.financial.projections import Ledger
from astratrade.infrastructure.projections import rebuild
from astratrade.platform import Platform
from astratrade.trading.domain.commands import PlaceOrder, SetLeverageLimit
from astratrade.trading.domain.orders import OrderType, Side


async def busy_day(platform: Platform) -> None:
    owner, account = await new_trader(platform, "ned")
    for exit_mark in ("3050", "2950", "3000"):
        await round_trip(platform, owner, account, exit_mark)
    risky, risky_account = await new_trader(platform, "ola")
    await platform.bus.execute(SetLeverageLimit(owner_id=risky, max_leverage=Decimal(20)))
    await platform.bus.execute(
        PlaceOrder(
            owner_id=risky,
            account_id=risky_account,
            market="BTC-USD",
            side=Side.BUY,
            type=OrderType.MARKET,
            size=Decimal("0.8"),
        )
    )
    platform.clock.advance(3600)  # type: ignore[attr-defined]
    await set_mark(platform, "BTC-USD", "60100", "60000")  # a premium: longs pay funding
    platform.clock.advance(3600)  # type: ignore[attr-defined]
    await platform.on_time()
    await set_mark(platform, "BTC-USD", "45000")  # far below: liquidated, with a shortfall
    await platform.backbone.drain()


async def test_the_ledger_proves_every_account_after_a_busy_day(platform: Platform) -> None:
    await busy_day(platform)
    report = await reconcile(platform)
    assert report.findings == []
    assert report.accounts == 4  # house, insurance, two traders
    async with platform.read_db.connect() as conn:
        kinds = set(await conn.scalars(select(entries.c.kind)))
    assert {
        "practice_grant",
        "insurance_seed",
        "trade",
        "liquidation_fee",
        "insurance_payout",
    } <= kinds


async def test_a_missing_entry_is_named_with_its_event_and_a_rebuild_restores_it(
    platform: Platform,
) -> None:
    owner, account = await new_trader(platform, "pia")
    await round_trip(platform, owner, account, "3100")
    async with platform.read_db.connect() as conn:
        lost = await conn.scalar(
            select(postings.c.entry_id)
            .where(postings.c.account == account)
            .order_by(postings.c.id.desc())
            .limit(1)
        )

    def lose(conn: object) -> None:
        conn.execute(delete(postings).where(postings.c.entry_id == lost))  # type: ignore[attr-defined]
        conn.execute(delete(entries).where(entries.c.entry_id == lost))  # type: ignore[attr-defined]

    await platform.writer.run(lose)
    report = await reconcile(platform)
    mine = [f for f in report.findings if f.discrepancy.account == account]
    assert len(mine) == 1
    assert mine[0].unposted_events == [f"OrderFilled {lost}"]

    await rebuild(platform.read_db, platform.writer, Ledger(), platform.clock.now())
    assert (await reconcile(platform)).findings == []
