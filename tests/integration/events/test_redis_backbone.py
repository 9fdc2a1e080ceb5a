"""Events through Redis Streams, against the real Redis and both databases."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from astratrade.bootstrap import bootstrap
from astratrade.config import Settings
from astratrade.infrastructure import event_store, streams
from astratrade.infrastructure.consumer import StreamConsumer
from astratrade.infrastructure.lease import Lease
from astratrade.infrastructure.redis_backbone import RedisBackbone
from astratrade.infrastructure.relay import OutboxRelay
from astratrade.infrastructure.tracking import tracking
from astratrade.platform import Platform
from astratrade.shared.delivery import Delivery
from astratrade.shared.messages import Envelope
from astratrade.trading.adapters import tables as trading_tables
from astratrade.users.adapters.passwords import Argon2Hasher
from astratrade.users.domain.commands import PromoteUser, RegisterUser

pytestmark = pytest.mark.redis
Factory = Callable[..., Platform]


@pytest.fixture
def make_platform(database_url: str, redis_url: str, redis_prefix: str) -> Factory:
    def make(**overrides: object) -> Platform:
        settings = Settings(
            database_url=database_url,
            redis_url=redis_url,
            redis_prefix=redis_prefix,
            price_feed="manual",
            clock="manual",
            jwt_secret="x" * 32,
            consumer_lease_ms=500,
            **overrides,
        )
        return bootstrap(settings, hasher=Argon2Hasher(time_cost=1, memory_cost=8))

    return make


@pytest.fixture
async def platform(make_platform: Factory) -> AsyncIterator[Platform]:
    running = make_platform()
    await running.start()
    yield running
    await running.stop()


def backbone(platform: Platform) -> RedisBackbone:
    assert isinstance(platform.backbone, RedisBackbone)
    return platform.backbone


def trading_consumer(platform: Platform) -> StreamConsumer:
    """The trading context's consumer (of users' sign-ups), run here or by a worker."""
    (consumer,) = [c for c in backbone(platform).all_consumers if c.context == "trading"]
    return consumer


async def drain(platform: Platform) -> None:
    async with asyncio.timeout(15):
        await platform.backbone.drain()


async def register(platform: Platform, name: str) -> str:
    user = await platform.bus.execute(
        RegisterUser(email=f"{name}@example.com", username=name, password="correct horse")
    )
    return str(user.user_id)


async def count(platform: Platform, table: object) -> int:
    async with platform.read_db.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


async def test_a_sign_up_travels_through_redis_into_trading(platform: Platform) -> None:
    await register(platform, "ada")
    await drain(platform)
    assert await count(platform, trading_tables.accounts) == 3  # house, insurance, ada's
    consumer = trading_consumer(platform)
    assert (consumer.context, consumer.consumed) == ("trading", 1)
    assert (
        await count(platform, tracking.select().where(tracking.c.consumer == "trading").subquery())
        == 1
    )
    users_stream = streams.events_stream(platform.settings.redis_prefix, "users")
    assert await backbone(platform).redis.xlen(users_stream) == 1
    labels = {"stream": users_stream, "consumer": "trading"}
    assert REGISTRY.get_sample_value("astratrade_events_consumed_total", labels) == 1
    assert (
        REGISTRY.get_sample_value("astratrade_events_published_total", {"stream": users_stream})
        == 1
    )
    assert await platform.backbone.ready()


async def test_the_relay_shows_the_backlog_it_finds(make_platform: Factory) -> None:
    """A batch that is not full is the whole backlog; behind a full one the outbox is
    counted, at most once a second."""
    quiet = make_platform(event_workers="external")
    await quiet.start()
    try:
        for n in range(4):
            await register(quiet, f"backlog{n}")
        relay = backbone(quiet).relay
        small = OutboxRelay(
            relay.redis,
            quiet.read_db,
            quiet.writer,
            quiet.clock,
            prefix=quiet.settings.redis_prefix,
            batch_size=3,
        )
        shown = []
        for _ in range(4):
            await small.relay_once()
            shown.append(REGISTRY.get_sample_value("astratrade_outbox_backlog"))
        # 3 system events and 4 sign-ups: counted (7), then not again within the second.
        assert shown == [7, 7, 1, 0]
    finally:
        await quiet.stop()


async def test_a_redelivered_event_has_no_second_effect(platform: Platform) -> None:
    user_id = await register(platform, "bob")
    await drain(platform)
    async with platform.read_db.connect() as conn:
        envelope = (await event_store.history(conn, user_id))[0]
    assert envelope.type == "UserRegistered"
    redis = backbone(platform).redis
    prefix = platform.settings.redis_prefix
    for _ in range(3):  # the relay sent it again after a crash, say
        await redis.xadd(streams.events_stream(prefix, "users"), streams.encode(envelope))
    await drain(platform)
    assert await count(platform, trading_tables.accounts) == 3
    assert trading_consumer(platform).duplicates == 3


async def test_the_relay_keeps_commit_order_and_resumes_from_the_outbox(
    make_platform: Factory,
) -> None:
    quiet = make_platform(event_workers="external")  # nothing relays: events wait in the outbox
    await quiet.start()
    try:
        names = [f"user{i}" for i in range(5)]
        for name in names:
            await register(quiet, name)
        async with quiet.read_db.connect() as conn:
            waiting = [e.type for e in await event_store.unpublished(conn)]
        # The venue's system accounts opened at start, then the five sign-ups.
        assert waiting == ["AccountOpened"] * 2 + ["CollateralDeposited"] + ["UserRegistered"] * 5
        relay = backbone(quiet).relay
        assert await relay.relay_once() == 8
        assert await relay.relay_once() == 0  # marked published: never sent twice
        redis = backbone(quiet).redis
        entries = await redis.xrange(streams.events_stream(quiet.settings.redis_prefix, "users"))
        assert [streams.decode(f).payload["username"] for _, f in entries] == names
    finally:
        await quiet.stop()


async def test_a_poison_event_is_dead_lettered_and_replayed_once_fixed(
    make_platform: Factory,
) -> None:
    platform = make_platform(consumer_max_attempts=2)
    fixed = False
    applied: list[str] = []

    async def on_promoted(envelope: Envelope, delivery: Delivery) -> None:
        if not fixed:
            raise ValueError("cannot handle promotions yet")
        applied.append(envelope.event_id)

    platform.bus.subscribe("UserPromoted", on_promoted, source="users", consumer="trading")
    await platform.start()
    try:
        await register(platform, "cy1")
        await platform.bus.execute(PromoteUser(username="cy1"))
        await register(platform, "cy2")  # after the poison event: the stream keeps flowing
        await drain(platform)
        assert await count(platform, trading_tables.accounts) == 4
        letters = await trading_consumer(platform).dead_letters.list()
        assert [(d.event_type, d.attempts) for d in letters] == [("UserPromoted", 2)]
        assert "cannot handle promotions yet" in letters[0].error

        fixed = True
        dead = trading_consumer(platform).dead_letters
        assert await dead.replay(letters[0].id) is not None
        await drain(platform)
        assert len(applied) == 1
        assert await dead.list() == []
        assert await dead.replay(letters[0].id) is None  # a letter replays once
    finally:
        await platform.stop()


async def test_a_consumer_taking_over_applies_what_a_dead_one_left_pending(
    make_platform: Factory,
) -> None:
    quiet = make_platform(event_workers="external")  # consumers run as separate workers
    await quiet.start()
    try:
        consumer = trading_consumer(quiet)
        await consumer.ensure_groups()
        await register(quiet, "dee")
        await backbone(quiet).relay.relay_once()
        # A worker of the trading group takes the message and dies before acknowledging it.
        redis = backbone(quiet).redis
        stream = streams.events_stream(quiet.settings.redis_prefix, "users")
        taken = await redis.xreadgroup("trading", "crashed-worker", {stream: ">"}, count=10)
        assert len(taken[0][1]) == 1
        await register(quiet, "dee2")
        await backbone(quiet).relay.relay_once()
        assert await consumer.consume_once() == 1  # the dead worker's message, alone, first
        assert await count(quiet, trading_tables.accounts) == 3
        # Then the new one (beside trading's own events of the first sign-up: its groups
        # read its stream too, for ProfitShareDebited).
        assert await consumer.consume_once() >= 1
        assert await count(quiet, trading_tables.accounts) == 4
        assert (await redis.xpending(stream, "trading"))["pending"] == 0
    finally:
        await quiet.stop()


async def test_one_consumer_of_a_context_holds_the_lease_until_it_stops_or_lapses(
    make_platform: Factory,
) -> None:
    quiet = make_platform(event_workers="external")
    await quiet.start()
    try:
        first = trading_consumer(quiet)
        redis = backbone(quiet).redis
        prefix = quiet.settings.redis_prefix
        key = f"{prefix}astratrade.{first.context}.lease"
        holder, standby = Lease(redis, key, 500, "one"), Lease(redis, key, 500, "two")
        assert await holder.acquire()
        assert (await redis.get(key)).startswith("one ")
        assert not await standby.acquire()
        await asyncio.sleep(0.8)  # renewed meanwhile: still held
        assert not await standby.acquire()
        await holder.release()
        assert await standby.acquire()
        # The holder dies without releasing: the lease lapses within its life.
        assert standby._renewing is not None
        standby._renewing.cancel()
        assert not await holder.acquire()
        await asyncio.sleep(0.6)
        assert await holder.acquire()
        await holder.release()
    finally:
        await quiet.stop()


async def test_after_redis_loses_its_streams_everything_arrives_once(platform: Platform) -> None:
    await register(platform, "eve1")
    await drain(platform)
    redis = backbone(platform).redis
    # What a Redis restart without persistence does to us: every key of ours is gone.
    keys = [key async for key in redis.scan_iter(match=f"{platform.settings.redis_prefix}*")]
    assert keys
    await redis.delete(*keys)
    await register(platform, "eve2")
    await drain(platform)
    assert await count(platform, trading_tables.accounts) == 4  # house, insurance, two traders
    consumer = trading_consumer(platform)
    assert consumer.consumed == 2  # eve1's sign-up came again and was skipped, not re-applied
    assert consumer.duplicates >= 1
