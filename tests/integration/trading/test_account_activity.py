"""The account-activity read model: fed by events exactly once, rebuilt from the log."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete, func, select
from trading_platform import new_trader, set_mark

from astratrade.infrastructure import event_store
from astratrade.infrastructure.projections import rebuild
from astratrade.infrastructure.tracking import tracking
from astratrade.trading import views
from astratrade.trading.adapters import tables as t
from astratrade.trading.domain.commands import PlaceOrder
from astratrade.trading.domain.orders import OrderType, Side
from astratrade.trading.projections import AccountActivity


async def trade(platform, owner: str, account: str, side: Side, size: str) -> None:
    await platform.bus.execute(
        PlaceOrder(
            owner_id=owner,
            account_id=account,
            market="BTC-USD",
            side=side,
            type=OrderType.MARKET,
            size=Decimal(size),
        )
    )


async def test_activity_follows_fills_and_rebuilds_identically(platform) -> None:
    owner, account = await new_trader(platform, "ivy")
    await trade(platform, owner, account, Side.BUY, "0.1")
    await set_mark(platform, "BTC-USD", "61000")
    await trade(platform, owner, account, Side.SELL, "0.1")
    await platform.backbone.drain()

    activity = await views.activity_of(platform.read_db, account)
    orders = await views.orders_of(platform.read_db, [account], None, 10)
    fills = [f for o in orders for f in o.fills]
    assert activity["fills"] == 2
    assert activity["volume"] == sum(f.size * f.price for f in fills)
    assert activity["fees"] == sum(f.fee for f in fills)
    assert activity["realized_pnl"] == sum(f.realized_pnl for f in fills) != 0

    # Delivered again (as after a crash before the outbox was marked): no second effect.
    async with platform.read_db.connect() as conn:
        history = await event_store.history(conn, account)
    platform.backbone.committed(history)
    await platform.backbone.drain()
    assert await views.activity_of(platform.read_db, account) == activity

    # Lose the read model, rebuild it from the audit log: the same, to the last digit.
    await platform.writer.run(lambda conn: conn.execute(delete(t.account_activity)))
    projection = AccountActivity()
    rebuilt = await rebuild(platform.read_db, platform.writer, projection, platform.clock.now())
    assert rebuilt == 2
    assert await views.activity_of(platform.read_db, account) == activity
    async with platform.read_db.connect() as conn:
        tracked = await conn.scalar(
            select(func.count()).select_from(tracking).where(tracking.c.consumer == projection.name)
        )
    assert tracked == 2


async def test_an_account_that_never_traded_has_zero_activity(platform) -> None:
    _, account = await new_trader(platform, "jon")
    activity = await views.activity_of(platform.read_db, account)
    assert (activity["fills"], activity["volume"], activity["last_trade_at"]) == (0, 0, None)
