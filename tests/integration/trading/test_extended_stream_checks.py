"""The positions and balance on a live account's Extended stream, checked against the
account here, on the local stand-in: after a fill (its position and balance updates) and
at each (re)subscription's snapshots they agree, and nothing is reported; a transfer to
another sub-account (not mirrored) and a position moved with no trade reported are each
reported once, as a `LIVE GAP` log line and on the `astratrade_live_venue_gaps` gauge,
and again when they are gone ("agrees again"), the gauges back to zero. Nothing here is
corrected by them: positions and collateral still follow from the venue's trades only."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from extended_platform import connected_live_account, eventually, live_platform, stand_in_holding
from prometheus_client import REGISTRY

from astratrade.platform import Platform
from astratrade.trading.adapters.extended_accounts import stark_public_key
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.commands import PlaceOrder
from astratrade.trading.domain.orders import OrderType, Side
from astratrade.trading.engine import TradingEngine
from extended_exchange import ExtendedStandIn

PRIVATE = 0x2B1C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90
PUBLIC = stark_public_key(PRIVATE)
API_KEY = "stand-in-checks-key-01"
KEY = base64.urlsafe_b64encode(bytes(range(7, 39))).decode()
CHECKS = "astratrade.trading.adapters.extended_stream_checks"


@pytest.fixture
async def stand_in() -> AsyncIterator[ExtendedStandIn]:
    async with stand_in_holding(API_KEY, account_id=41, vault=700_041, public_key=PUBLIC) as venue:
        yield venue


@pytest.fixture
async def platform(stand_in: ExtendedStandIn, tmp_path: Path) -> AsyncIterator[Platform]:
    async with live_platform(stand_in, tmp_path, KEY) as running:
        yield running


def gauge(kind: str) -> float | None:
    return REGISTRY.get_sample_value("astratrade_live_venue_gaps", {"kind": kind})


def gap_usd() -> float | None:
    return REGISTRY.get_sample_value("astratrade_live_venue_gap_usd")


def gap_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == CHECKS]


async def test_stream_positions_and_balance_are_checked_and_gaps_reported(
    platform: Platform, stand_in: ExtendedStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=CHECKS)
    engine = platform.port(TradingEngine)
    owner, _practice, live, _link = await connected_live_account(
        platform,
        "mia",
        api_key=API_KEY,
        vault=700_041,
        venue_account_id=41,
        public_key=PUBLIC,
        private_key=PRIVATE,
    )

    async def account() -> Account:
        found = await engine.run(lambda uow: uow.accounts.get(live.id))
        assert found is not None
        return found

    async def collateral_is(wanted: Decimal) -> bool:
        return (await account()).collateral == wanted

    # The sub-account's 10,000 USDC comes in with the first re-sync; the snapshots that
    # follow it (no position, that balance) agree.
    await eventually(lambda: collateral_is(Decimal(10_000)))
    await eventually(lambda: _checked(gauge("balance")))
    assert (gauge("position"), gauge("balance"), gap_usd()) == (0, 0, 0)

    buy = PlaceOrder(
        owner_id=owner,
        account_id=live.id,
        market="ETH-USD",
        side=Side.BUY,
        type=OrderType.MARKET,
        size=Decimal("0.5"),
    )
    await platform.bus.execute(buy)

    async def eth(wanted: Decimal) -> bool:
        position = (await account()).positions.get("ETH-USD")
        return (position.size if position else Decimal(0)) == wanted

    await eventually(lambda: eth(Decimal("0.5")))
    [trade] = stand_in.book.accounts[API_KEY].trades
    await eventually(lambda: collateral_is(Decimal(10_000) - trade.fee))
    await asyncio.sleep(0.3)  # the fill's position and balance updates, checked
    assert gap_lines(caplog) == []
    assert (gauge("position"), gauge("balance")) == (0, 0)

    # USDC moved to another sub-account: the venue's balance falls, nothing is mirrored.
    await stand_in.transfer(API_KEY, Decimal("125.5"))
    await eventually(lambda: _equals(gauge("balance"), 1))
    assert gap_usd() == 125.5
    here = Decimal(10_000) - trade.fee
    assert gap_lines(caplog) == [
        f"LIVE GAP {live.id} balance: platform {here} extended {here - Decimal('125.5')} "
        "gap 125.500000"
    ]
    assert (await account()).collateral == here  # reported, not corrected

    # A position moved on the venue with no trade reported.
    await stand_in.shift_position(API_KEY, "ETH-USD", Decimal("-0.2"))
    await eventually(lambda: _equals(gauge("position"), 1))
    assert gap_lines(caplog)[-1] == (
        f"LIVE GAP {live.id} position ETH-USD: platform 0.5 extended 0.3 gap 0.2"
    )
    assert await eth(Decimal("0.5"))

    # Both undone on the venue: each said once more, the gauges back to zero.
    await stand_in.shift_position(API_KEY, "ETH-USD", Decimal("0.2"))
    await stand_in.transfer(API_KEY, Decimal("-125.5"))
    await eventually(lambda: _equals(gauge("balance"), 0))
    await eventually(lambda: _equals(gauge("position"), 0))
    assert gap_usd() == 0
    assert gap_lines(caplog)[-2:] == [
        f"live position of {live.id} in ETH-USD agrees with Extended again",
        f"live balance of {live.id} agrees with Extended again",
    ]
    assert len(gap_lines(caplog)) == 4  # nothing else, and each gap said once

    # A reconnect's snapshots agree as well: nothing more is said.
    connections = stand_in.connections
    await stand_in.drop()
    await eventually(lambda: _reconnected(stand_in, connections))
    await asyncio.sleep(0.3)
    assert len(gap_lines(caplog)) == 4


async def _checked(value: float | None) -> bool:
    return value is not None


async def _equals(value: float | None, wanted: float) -> bool:
    return value == wanted


async def _reconnected(stand_in: ExtendedStandIn, connections: int) -> bool:
    return stand_in.connections > connections and bool(stand_in.subscribers.get(API_KEY))
