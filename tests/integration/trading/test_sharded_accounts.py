"""Trading with its accounts in two shards, both held by this process: each trader's
accounts open in the shard of their owner, fills settle against the house of the
account's shard, and the ledger still reconciles with every shard's house as one."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from trading_platform import market_order, new_trader, reconcile, set_mark

from astratrade.bootstrap import bootstrap
from astratrade.config import Settings
from astratrade.trading.adapters import tables as t
from astratrade.trading.domain.shards import Shards, house_id, insurance_id
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


async def test_two_shards_keep_their_own_house_and_the_ledger_reconciles(sharded) -> None:
    shards = Shards(2)
    traders = [await new_trader(sharded, f"sharded{n}") for n in range(8)]
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
