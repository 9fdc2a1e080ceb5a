"""Copy trading's events reaching trading through Redis Streams, with two shards: a copy
funded, a copied order delivered three times placed once, and the profit share debited in
the copy's shard then credited in the leader's through trading's own stream (its own
ProfitShareDebited, read by its shard groups like any other event)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import select
from trading_platform import new_trader

from astratrade.bootstrap import bootstrap
from astratrade.config import Settings
from astratrade.infrastructure import event_store, streams
from astratrade.infrastructure.redis_backbone import RedisBackbone
from astratrade.platform import Platform
from astratrade.shared.messages import Envelope
from astratrade.trading.adapters import tables as t
from astratrade.trading.domain.shards import Shards
from astratrade.users.adapters.passwords import Argon2Hasher

pytestmark = pytest.mark.redis


@pytest.fixture
async def platform(database_url: str, redis_url: str, redis_prefix: str) -> AsyncIterator[Platform]:
    settings = Settings(
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        price_feed="manual",
        clock="manual",
        jwt_secret="x" * 32,
        consumer_lease_ms=500,
        trading_shards=2,
    )
    running = bootstrap(settings, hasher=Argon2Hasher(time_cost=1, memory_cost=8))
    await running.start()
    yield running
    await running.stop()


async def drain(platform: Platform) -> None:
    async with asyncio.timeout(20):
        await platform.backbone.drain()


async def publish(platform: Platform, envelope: Envelope, times: int = 1) -> None:
    """Put the event on copy trading's stream (more than once: a relay's redelivery)."""
    backbone = platform.backbone
    assert isinstance(backbone, RedisBackbone)
    stream = streams.events_stream(platform.settings.redis_prefix, "copytrading")
    for _ in range(times):
        await backbone.redis.xadd(stream, streams.encode(envelope))
    await drain(platform)


def event(platform: Platform, event_type: str, payload: dict[str, Any]) -> Envelope:
    return Envelope(
        event_id=str(uuid4()),
        type=event_type,
        version=1,
        context="copytrading",
        aggregate_id="copy",
        aggregate_version=1,
        occurred_at=platform.clock.now(),
        payload=payload,
    )


async def test_a_copy_through_redis_credits_the_leader_in_another_shard(
    platform: Platform,
) -> None:
    shards = Shards(2)
    leader, leader_account = await new_trader(platform, "leader")
    n = 0
    copier, source = await new_trader(platform, f"copier{n}")
    while shards.of(source) == shards.of(leader_account):
        n += 1
        copier, source = await new_trader(platform, f"copier{n}")
    copy_id = str(uuid4())
    copy_account = shards.new_id(lambda: str(uuid4()), shards.of(source))
    names = {
        "copy_id": copy_id,
        "copier_id": copier,
        "leader_id": leader,
        "copy_account_id": copy_account,
    }
    started = {
        **names,
        "source_account_id": source,
        "leader_account_id": leader_account,
        "allocation": "1000",
        "max_loss": "0.5",
        "profit_share": "0.1",
        "started_at": "2026-01-05T10:00:00+00:00",
    }
    await publish(platform, event(platform, "CopyStarted", started))
    fill = {
        **names,
        "leader_fill_id": "f",
        "market": "ETH-USD",
        "leader_size": "1",
        "leader_price": "3000",
        "action": "open",
        "side": "buy",
        "size": "0.1",
        "leverage": None,
        "reduce_only": False,
        "decision_id": "decision-1",
    }
    await publish(platform, event(platform, "LeaderFillCopied", fill), times=3)
    charged = {
        **names,
        "leader_account_id": leader_account,
        "amount": "25",
        "cumulative_net_pnl": "250",
        "high_water_mark": "0",
        "period": "weekly",
    }
    charge = event(platform, "ProfitShareCharged", charged)
    await publish(platform, charge)

    async with platform.read_db.connect() as conn:
        orders = (
            await conn.execute(select(t.orders.c.id).where(t.orders.c.account_id == copy_account))
        ).all()
        rows = await conn.execute(select(t.accounts.c.id, t.accounts.c.collateral))
        funds = {row.id: row.collateral for row in rows}
        credits = [
            e.payload
            for e in await event_store.history(conn, leader_account)
            if e.type == "CollateralDeposited" and e.payload["reason"] == "profit_share"
        ]
    assert len(orders) == 1
    assert funds[source] == 9000
    assert funds[leader_account] == 10025
    assert [c["transfer_id"] for c in credits] == [charge.event_id]
