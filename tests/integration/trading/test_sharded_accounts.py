"""Trading with its accounts in two shards, both held by this process: each trader's
accounts open in the shard of their owner, fills settle against the house of the
account's shard, and the ledger still reconciles with every shard's house as one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from trading_platform import market_order, new_trader, reconcile, set_mark

from astratrade.bootstrap import bootstrap
from astratrade.config import Settings
from astratrade.trading.adapters import tables as t
from astratrade.trading.domain.shards import Shards, house_id, insurance_id
from astratrade.trading.engine import TradingEngine
from astratrade.users.adapters.passwords import Argon2Hasher


@pytest.fixture
async def sharded(database_url, clock):
    settings = Settings(
        database_url=database_url,
        price_feed="manual",
        clock="manual",
        jwt_secret="x" * 32,
        trading_shards=2,
    )
    platform = bootstrap(settings, clock=clock, hasher=Argon2Hasher(time_cost=1, memory_cost=8))
    await platform.start()
    yield platform
    await platform.stop()


async def traders_in_both_shards(
    platform: Any, shards: Shards, at_least: int
) -> list[tuple[str, str]]:
    """Traders signed up until both shards have some (ids are random: 8 may share one)."""
    traders: list[tuple[str, str]] = []
    while len(traders) < at_least or len({shards.of(a) for _, a in traders}) < shards.count:
        assert len(traders) < 64, "no trader's id fell in every shard"
        traders.append(await new_trader(platform, f"sharded{len(traders)}"))
    return traders


async def test_two_shards_keep_their_own_house_and_the_ledger_reconciles(sharded) -> None:
    shards = Shards(2)
    traders = await traders_in_both_shards(sharded, shards, at_least=8)
    for owner, account in traders:
        assert shards.of(account) == shards.owner_shard(owner)
    assert {shards.of(account) for _, account in traders} == {0, 1}  # both shards in use
    for owner, account in traders:
        await sharded.bus.execute(market_order(owner, account))
    await set_mark(sharded, "BTC-USD", "61000")
    await sharded.backbone.drain()

    async with sharded.read_db.connect() as conn:
        rows = await conn.execute(select(t.accounts.c.id, t.accounts.c.collateral))
        balances = {row.id: row.collateral for row in rows}
    assert sum(balances.values()) == 0  # money is neither made nor lost
    for shard in (0, 1):
        grants = sum(1 for _, a in traders if shards.of(a) == shard) * Decimal(10_000)
        assert balances[insurance_id(shard)] == Decimal(1_000_000)
        granted = grants + Decimal(1_000_000)  # its traders' grants and its fund's seed
        assert -granted < balances[house_id(shard)] < -granted + 100  # plus its fees
    report = await reconcile(sharded)
    assert report.findings == []


async def test_each_shard_pays_its_own_holders_funding_once(sharded, clock) -> None:
    shards = Shards(2)
    traders = [await new_trader(sharded, f"funded{n}") for n in range(6)]
    for owner, account in traders:
        await sharded.bus.execute(market_order(owner, account))
    engine = sharded.port(TradingEngine)
    await set_mark(sharded, "BTC-USD", "60060", index="60000")  # a premium of 0.1%
    clock.advance(60)
    await engine.on_time()  # one premium sample
    before = await _collateral(sharded)
    clock.advance(3600)
    await engine.on_time()
    await engine.on_time()  # nothing more is due
    after = await _collateral(sharded)
    paid = (Decimal("0.1") * Decimal(60060) * Decimal("0.001") / 8).quantize(Decimal("0.000001"))
    for _, account in traders:
        assert before[account] - after[account] == paid
    for shard in (0, 1):  # each shard's house took its own holders' payments
        holders = sum(1 for _, a in traders if shards.of(a) == shard)
        assert after[house_id(shard)] - before[house_id(shard)] == holders * paid
    async with sharded.read_db.connect() as conn:
        rows = list(await conn.execute(select(t.funding_payments)))
    btc = sorted((r.shard, r.accounts_paid) for r in rows if r.market == "BTC-USD")
    assert btc == [(s, sum(1 for _, a in traders if shards.of(a) == s)) for s in (0, 1)]


async def _collateral(platform) -> dict[str, Decimal]:
    async with platform.read_db.connect() as conn:
        rows = await conn.execute(select(t.accounts.c.id, t.accounts.c.collateral))
        return {row.id: row.collateral for row in rows}
