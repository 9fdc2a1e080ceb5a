"""Trading's persistence on SQLite and PostgreSQL: what is answered is committed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from trading_platform import new_trader, set_mark

from astratrade.infrastructure import event_store
from astratrade.shared.clock import ManualClock
from astratrade.shared.errors import Unavailable
from astratrade.trading.adapters import tables as t
from astratrade.trading.domain.commands import (
    ClosePosition,
    PlaceOrder,
    SetDailyLossLimit,
    SetLeverageLimit,
)
from astratrade.trading.domain.errors import LossLimitReached
from astratrade.trading.domain.orders import OrderStatus, OrderType, Side
from astratrade.trading.engine import TradingEngine
from astratrade.trading.handlers import HOUSE_ID, INSURANCE_ID


async def _balances(platform) -> dict[str, Decimal]:
    async with platform.db.connect() as conn:
        rows = await conn.execute(select(t.accounts.c.id, t.accounts.c.collateral))
        return {row.id: row.collateral for row in rows}


def _order(owner: str, account: str, **fields) -> PlaceOrder:
    defaults = {"market": "BTC-USD", "side": Side.BUY, "type": OrderType.MARKET}
    return PlaceOrder(owner_id=owner, account_id=account, **{**defaults, **fields})


async def test_sign_up_opens_a_funded_practice_account_and_money_sums_to_zero(platform) -> None:
    _, account = await new_trader(platform, "ada")
    balances = await _balances(platform)
    assert balances[account] == Decimal(10_000)
    assert balances[INSURANCE_ID] == Decimal(1_000_000)
    assert balances[HOUSE_ID] == Decimal(-1_010_000)
    assert sum(balances.values()) == 0


async def test_state_survives_a_restart_exactly(make_platform) -> None:
    first = make_platform()
    await first.start()
    owner, account = await new_trader(first, "bob")
    await first.bus.execute(_order(owner, account, size=Decimal("0.1")))
    await first.bus.execute(
        _order(
            owner,
            account,
            side=Side.SELL,
            type=OrderType.STOP_LOSS,
            size=Decimal("0.1"),
            trigger_price=Decimal(58_000),
        )
    )
    await first.bus.execute(
        _order(owner, account, type=OrderType.LIMIT, size=Decimal("0.05"), price=Decimal(59_000))
    )
    before = await first.port(TradingEngine).run(lambda uow: uow.accounts.get(account))
    snapshot = (before.collateral, dict(before.positions), sorted(before.open_orders))
    await first.stop()

    second = make_platform()
    await second.start()
    try:
        after = await second.port(TradingEngine).run(lambda uow: uow.accounts.get(account))
        assert after is not before
        assert (after.collateral, dict(after.positions), sorted(after.open_orders)) == snapshot
        # Both restored orders still work: the stop closes the 0.1 long, and the resting
        # limit buy at 59,000 fills as the mark falls through it.
        await set_mark(second, "BTC-USD", "57990")
        position = after.positions["BTC-USD"]
        assert (position.size, position.entry_price) == (Decimal("0.05"), Decimal(59_000))
        assert after.open_orders == {}
    finally:
        await second.stop()


async def test_a_failed_commit_leaves_no_partial_state(platform, monkeypatch) -> None:
    owner, account = await new_trader(platform, "cyd")
    before = await _balances(platform)

    def broken_append(*_args: object) -> None:
        # State rows are already written in this transaction: they must roll back too.
        raise ConnectionError("database went away mid-commit")

    monkeypatch.setattr(event_store, "append_sync", broken_append)
    with pytest.raises(Unavailable):  # answered 503: nothing done, may be sent again
        await platform.bus.execute(_order(owner, account, size=Decimal("0.1")))
    monkeypatch.undo()

    assert await _balances(platform) == before
    reloaded = await platform.port(TradingEngine).run(lambda uow: uow.accounts.get(account))
    assert reloaded.positions == {}
    assert reloaded.collateral == Decimal(10_000)
    async with platform.db.connect() as conn:
        assert (await conn.scalar(select(func.count()).select_from(t.fills))) == 0


async def test_events_are_numbered_per_aggregate_and_published(platform) -> None:
    owner, account = await new_trader(platform, "dee")
    await platform.bus.execute(_order(owner, account, size=Decimal("0.1")))
    await platform.backbone.drain()
    async with platform.db.connect() as conn:
        history = await event_store.history(conn, account)
        unpublished = await event_store.unpublished(conn)
    assert [e.aggregate_version for e in history] == list(range(1, len(history) + 1))
    assert [e.type for e in history][:4] == [
        "AccountOpened",
        "CollateralDeposited",
        "OrderAccepted",
        "OrderFilled",
    ]
    assert unpublished == []


async def test_liquidation_is_recorded_and_conserves_money(platform) -> None:
    owner, account = await new_trader(platform, "eve")
    await platform.bus.execute(SetLeverageLimit(owner_id=owner, max_leverage=Decimal(20)))
    assert await platform.port(TradingEngine).run(lambda uow: uow.limits.get(owner)) == Decimal(20)
    await platform.bus.execute(_order(owner, account, size=Decimal("0.8")))  # ~4.8x
    await set_mark(platform, "BTC-USD", "40000")  # a loss far beyond the collateral
    balances = await _balances(platform)
    assert balances[account] == 0
    assert balances[INSURANCE_ID] < Decimal(1_000_000)  # it covered the shortfall
    assert sum(balances.values()) == 0
    async with platform.db.connect() as conn:
        positions = await conn.scalar(select(func.count()).select_from(t.positions))
        liquidity = await conn.scalars(select(t.fills.c.liquidity).order_by(t.fills.c.at))
        types = [e.type for e in await event_store.history(conn, account)]
    assert positions == 0
    assert list(liquidity) == ["taker", "liquidation"]
    assert "AccountLiquidated" in types
    assert "ShortfallCovered" in types


async def test_funding_is_paid_once_per_hour(platform, clock: ManualClock) -> None:
    owner, account = await new_trader(platform, "fay")
    await platform.bus.execute(_order(owner, account, size=Decimal("0.1")))
    await set_mark(platform, "BTC-USD", "60060", index="60000")  # premium 0.1%
    clock.advance(60)
    await platform.port(TradingEngine).on_time()  # one premium sample
    before = (await _balances(platform))[account]
    clock.advance(3600)
    await platform.port(TradingEngine).on_time()
    await platform.port(TradingEngine).on_time()  # nothing more is due
    paid = before - (await _balances(platform))[account]
    rate = Decimal("0.001") / 8
    assert paid == (Decimal("0.1") * Decimal(60060) * rate).quantize(Decimal("0.000001"))
    async with platform.db.connect() as conn:
        rows = list(await conn.execute(select(t.funding_payments)))
    assert {(r.market, r.rate) for r in rows if r.market == "BTC-USD"} == {("BTC-USD", rate)}


async def test_client_order_id_is_idempotent_in_the_database(platform) -> None:
    owner, account = await new_trader(platform, "gus")
    order = _order(owner, account, size=Decimal("0.01"), client_order_id="retry-1")
    first = await platform.bus.execute(order)
    again = await platform.bus.execute(order)
    assert again.id == first.id
    assert again.status is OrderStatus.FILLED
    assert [f.id for f in again.fills] == [f.id for f in first.fills]
    assert len(again.fills) == 1
    async with platform.db.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(t.fills)) == 1


async def test_the_loss_limit_and_the_days_results_survive_a_restart(make_platform) -> None:
    first = make_platform()
    await first.start()
    owner, account = await new_trader(first, "cyd")
    await first.bus.execute(
        SetDailyLossLimit(owner_id=owner, account_id=account, daily_loss_limit=Decimal(50))
    )
    await first.bus.execute(_order(owner, account, size=Decimal("0.1")))
    await set_mark(first, "BTC-USD", "59000")
    await first.bus.execute(ClosePosition(owner_id=owner, account_id=account, market="BTC-USD"))
    before = await first.port(TradingEngine).run(lambda uow: uow.accounts.get(account))
    await first.stop()

    second = make_platform()
    await second.start()
    try:
        after = await second.port(TradingEngine).run(lambda uow: uow.accounts.get(account))
        assert after is not before
        assert (after.daily_loss_limit, after.results) == (Decimal(50), before.results)
        assert after.results.day_pnl < -100
        with pytest.raises(LossLimitReached):
            await second.bus.execute(_order(owner, account, size=Decimal("0.01")))
    finally:
        await second.stop()
