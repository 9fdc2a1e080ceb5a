"""A connected live account followed on the local Extended stand-in: a market order fills
there and the fill reaches the account from the account stream; while Extended is slow to
answer an order, a practice order on the same engine completes; a fill whose stream
updates are lost with the connection is found by the re-sync after the reconnect, once;
deposits and a funding payment are recorded once, however often they are read; another
reconnect finds nothing new; reconciliation finds no gap."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from pathlib import Path

import pytest
from extended_platform import connected_live_account, eventually, live_platform, stand_in_holding
from trading_platform import market_order

from astratrade.platform import Platform
from astratrade.trading.adapters.extended_accounts import stark_public_key
from astratrade.trading.adapters.extended_orders import ExtendedOrders
from astratrade.trading.domain.commands import PlaceOrder
from astratrade.trading.domain.orders import OrderStatus, OrderType, Side
from astratrade.trading.engine import TradingEngine
from astratrade.trading.live_reconciliation import live_gaps
from extended_exchange import ExtendedStandIn

PRIVATE = 0x3C1D2E4F5061728394A5B6C7D8E9F0A1B2C3D4E5F60718293A4B5C6D7E8F9A
PUBLIC = stark_public_key(PRIVATE)
API_KEY = "stand-in-stream-key-01"
KEY = base64.urlsafe_b64encode(bytes(range(2, 34))).decode()


@pytest.fixture
async def stand_in() -> AsyncIterator[ExtendedStandIn]:
    async with stand_in_holding(API_KEY, account_id=31, vault=700_001, public_key=PUBLIC) as venue:
        yield venue


@pytest.fixture
async def platform(stand_in: ExtendedStandIn, tmp_path: Path) -> AsyncIterator[Platform]:
    async with live_platform(stand_in, tmp_path, KEY) as running:
        yield running


async def test_fills_arrive_from_the_stream_and_the_resync_finds_a_lost_one_once(
    platform: Platform, stand_in: ExtendedStandIn
) -> None:
    engine = platform.port(TradingEngine)
    owner, practice_id, live, link = await connected_live_account(
        platform,
        "lia",
        api_key=API_KEY,
        vault=700_001,
        venue_account_id=31,
        public_key=PUBLIC,
        private_key=PRIVATE,
    )
    await eventually(lambda: _subscribed(stand_in))

    async def held() -> Decimal:
        account = await engine.run(lambda uow: uow.accounts.get(live.id))
        assert account is not None
        position = account.positions.get("ETH-USD")
        return Decimal(0) if position is None else position.size

    def buy(cid: str) -> PlaceOrder:
        return PlaceOrder(
            owner_id=owner,
            account_id=live.id,
            market="ETH-USD",
            side=Side.BUY,
            type=OrderType.MARKET,
            size=Decimal("0.5"),
            client_order_id=cid,
        )

    await platform.bus.execute(buy("first"))
    await eventually(lambda: _equals(held, Decimal("0.5")))

    # Extended slow to answer: the live order waits, recorded as pending; a practice order
    # on the same engine completes meanwhile (the engine never waits for Extended).
    stand_in.answer_after = 2.0
    slow = asyncio.create_task(platform.bus.execute(buy("slow")))

    async def pending() -> bool:
        account = await engine.run(lambda uow: uow.accounts.get(live.id))
        assert account is not None
        return any(o.status is OrderStatus.PENDING for o in account.open_orders.values())

    await eventually(pending)
    started = time.monotonic()
    await platform.bus.execute(market_order(owner, practice_id, "0.01"))
    assert time.monotonic() - started < 1.0
    assert not slow.done()
    stand_in.answer_after = 0.0
    assert (await slow).client_order_id == "slow"
    await eventually(lambda: _equals(held, Decimal("1.0")))

    stand_in.drop_next_fill = True  # the fill happens; its updates are lost with the stream
    await platform.bus.execute(buy("second"))
    await eventually(lambda: _equals(held, Decimal("1.5")))

    async def collateral() -> Decimal:
        account = await engine.run(lambda uow: uow.accounts.get(live.id))
        assert account is not None
        return account.collateral

    before = await collateral()
    await stand_in.deposit(API_KEY, Decimal("250.5"))  # more USDC deposited on Extended
    before += Decimal("250.5")
    await eventually(lambda: _equals(collateral, before))
    await stand_in.pay_funding("ETH-USD", Decimal("0.0001"))  # the long pays
    [paid] = stand_in.book.accounts[API_KEY].funding
    await eventually(lambda: _equals(collateral, before - Decimal(paid["fundingFee"])))
    connections = stand_in.connections
    await stand_in.drop()  # and once more: the re-sync finds nothing new
    await eventually(lambda: _more(stand_in, connections))
    await asyncio.sleep(0.3)
    assert await held() == Decimal("1.5")
    trades = stand_in.book.accounts[API_KEY].trades
    recorded = [
        await engine.run(lambda uow, t=t: uow.orders.fill_recorded(f"x10-{t.id}")) for t in trades
    ]
    assert recorded == [True, True, True]
    assert await collateral() == before - Decimal(paid["fundingFee"])  # funding: once

    # Reconciliation: the deposits, fills, fees and funding agree to the cent.
    account = await engine.run(lambda uow: uow.accounts.get(live.id))
    assert account is not None
    venue = ExtendedOrders(stand_in.api_url, {"ETH-USD": "ETH-USD"})
    gaps = await live_gaps([link], venue.balance, {live.id: account.collateral})
    assert gaps == []


async def _subscribed(stand_in: ExtendedStandIn) -> bool:
    return bool(stand_in.subscribers.get(API_KEY))


async def _more(stand_in: ExtendedStandIn, connections: int) -> bool:
    return stand_in.connections > connections and bool(stand_in.subscribers.get(API_KEY))


async def _equals(read: Callable[[], Awaitable[Decimal]], wanted: Decimal) -> bool:
    return await read() == wanted
