"""Trading's queries on SQLite and PostgreSQL: committed state, read beside the engine (a
read made while a command is under way answers without waiting for it, and never sees it
half done)."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

import pytest
from trading_platform import new_trader, set_mark

from astratrade.infrastructure import event_store
from astratrade.platform import Platform
from astratrade.shared.errors import NotFound
from astratrade.trading.domain.commands import CancelOrder, PlaceOrder
from astratrade.trading.domain.orders import OrderType, Side
from astratrade.trading.domain.prices import Quote
from astratrade.trading.engine import TradingEngine
from astratrade.trading.handlers import HOUSE_ID
from astratrade.trading.ports import TradingUnitOfWork


def engine(platform: Platform) -> TradingEngine:
    return platform.port(TradingEngine)


def _order(owner: str, account: str, **fields) -> PlaceOrder:
    defaults = {"market": "BTC-USD", "side": Side.BUY, "type": OrderType.MARKET}
    return PlaceOrder(owner_id=owner, account_id=account, **{**defaults, **fields})


async def test_a_read_during_a_command_answers_the_last_commit(platform) -> None:
    owner, account = await new_trader(platform, "gus")
    queries = engine(platform).queries
    during = {}

    async def change_then_read(uow: TradingUnitOfWork) -> None:
        found = await uow.accounts.get(account)
        found.adjust(Decimal(5))  # changed, not yet committed
        during["view"] = await queries.account_view(account)
        during["funds"] = await queries.account_funds(account)
        await uow.commit()

    await engine(platform).run(change_then_read)  # a read taking the lock would never return
    assert during["view"].collateral == Decimal(10_000)
    assert (during["funds"].owner_id, during["funds"].collateral) == (owner, Decimal(10_000))
    assert (await queries.account_view(account)).collateral == Decimal(10_005)


async def test_memory_and_database_answer_the_same_figures(platform) -> None:
    owner, account = await new_trader(platform, "hal")
    await platform.bus.execute(_order(owner, account, size=Decimal("0.1")))
    await platform.bus.execute(
        _order(owner, account, type=OrderType.LIMIT, size=Decimal("0.05"), price=Decimal(50_000))
    )
    queries = engine(platform).queries

    async def reads() -> tuple[object, ...]:
        return (
            asdict(await queries.account_view(account)),
            [(a, p.size, p.unrealized_pnl) for a, p in await queries.positions_of(owner)],
            [asdict(o) for o in await queries.open_orders_of(owner)],
        )

    settled = await reads()  # between commands: the engine's accounts
    under_way = await engine(platform).run(lambda _uow: reads())  # the database's
    assert under_way == settled
    assert settled[1] == [(account, Decimal("0.1"), settled[1][0][2])]
    assert [o["price"] for o in settled[2]] == [Decimal(50_000)]


async def test_positions_are_valued_at_the_marks_of_the_last_finished_batch(platform) -> None:
    owner, account = await new_trader(platform, "ida")
    await platform.bus.execute(_order(owner, account, size=Decimal("0.1")))
    queries = engine(platform).queries
    before = (await queries.position_views(account, owner))[0]
    lower = (before.mark_price * Decimal("0.95")).quantize(Decimal(1))

    async def half_a_tick(_uow: TradingUnitOfWork):
        venue = engine(platform).venue  # a batch's marks, its fills not yet applied
        venue.update(Quote("BTC-USD", lower, lower, platform.clock.now()))
        return await queries.position_views(account, owner)

    during = (await engine(platform).run(half_a_tick))[0]
    assert (during.mark_price, during.unrealized_pnl) == (before.mark_price, before.unrealized_pnl)
    await set_mark(platform, "BTC-USD", str(lower))
    after = (await queries.position_views(account, owner))[0]
    assert after.mark_price == lower
    assert after.unrealized_pnl < before.unrealized_pnl


async def test_owners_and_what_another_owner_cannot_read(platform) -> None:
    owner, account = await new_trader(platform, "jan")
    other, _ = await new_trader(platform, "kim")
    queries = engine(platform).queries
    assert await queries.owner_of(account) == owner
    assert await queries.owner_of(HOUSE_ID) is None
    assert await queries.owner_of("no-such-account") is None
    assert await queries.account_ids_of(owner) == [account]
    assert await queries.account_view("no-such-account") is None
    with pytest.raises(NotFound):
        await queries.owned_account_view(account, other)
    with pytest.raises(NotFound):
        await queries.position_views(account, other)
    assert await queries.open_orders_of(other) == []


async def test_order_events_carry_the_owner(platform) -> None:
    owner, account = await new_trader(platform, "lou")
    await platform.bus.execute(_order(owner, account, size=Decimal("0.1")))
    resting = await platform.bus.execute(
        _order(owner, account, type=OrderType.LIMIT, size=Decimal("0.05"), price=Decimal(50_000))
    )
    await platform.bus.execute(CancelOrder(owner_id=owner, order_id=resting.id))
    await platform.bus.execute(
        _order(
            owner,
            account,
            side=Side.SELL,
            type=OrderType.STOP_LOSS,
            size=Decimal("0.1"),
            trigger_price=Decimal(50_000),
        )
    )
    await set_mark(platform, "BTC-USD", "49000")
    async with platform.db.connect() as conn:
        history = await event_store.history(conn, account)
    kinds = ("OrderAccepted", "OrderCancelled", "OrderTriggered")
    assert [(e.type, e.version, e.payload["owner_id"]) for e in history if e.type in kinds] == [
        ("OrderAccepted", 2, owner),
        ("OrderAccepted", 2, owner),
        ("OrderCancelled", 2, owner),
        ("OrderAccepted", 2, owner),
        ("OrderTriggered", 2, owner),
    ]
