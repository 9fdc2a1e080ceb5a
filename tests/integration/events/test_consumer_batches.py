"""A consumer's batch: handlers see each other's writes, a failing one's effects are undone
and the others' kept, and everything is tracked once (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure import streams
from astratrade.infrastructure.consumer import ConsumerSettings, StreamConsumer, lease_key
from astratrade.infrastructure.db import create_engine
from astratrade.infrastructure.tracking import tracking
from astratrade.infrastructure.unit_of_work import SqlUnitOfWork
from astratrade.infrastructure.writer import Writer, writer_for
from astratrade.shared.bus import MessageBus
from astratrade.shared.clock import SystemClock
from astratrade.shared.delivery import Delivery
from astratrade.shared.errors import Unavailable
from astratrade.shared.messages import Envelope

pytestmark = pytest.mark.redis

SOURCE, CONTEXT = "ledger", "tally"


class Silent:
    def committed(self, envelopes: list[Envelope]) -> None:
        """Handlers here publish nothing."""


def added(seq: int) -> Envelope:
    return Envelope(
        event_id=f"event-{seq}",
        type="Added",
        version=1,
        context=SOURCE,
        aggregate_id="tally-1",
        aggregate_version=seq,
        occurred_at=datetime.now(UTC),
        payload={"seq": seq},
    )


def tally_consumer(
    handler: Any,
    redis: Any,
    engine: AsyncEngine,
    read_db: AsyncEngine,
    writer: Writer,
    prefix: str,
    settings: ConsumerSettings = ConsumerSettings(max_attempts=2, backoff_seconds=0),
    gate: Any = None,
) -> StreamConsumer:
    """The tally's consumer group, with `handler` its one subscription."""
    bus = MessageBus()
    bus.subscribe("Added", handler, source=SOURCE, consumer=CONTEXT)
    return StreamConsumer(
        redis,
        bus,
        engine,
        read_db,
        writer,
        SystemClock(),
        context=CONTEXT,
        name="solo",
        prefix=prefix,
        settings=settings,
        gate=gate,
    )


@pytest.fixture
async def engine(migrated_engine: AsyncEngine) -> AsyncEngine:
    async with migrated_engine.begin() as conn:
        await conn.execute(text("CREATE TABLE tally (id TEXT PRIMARY KEY, total INTEGER)"))
        await conn.execute(text("CREATE TABLE tally_seen (seq INTEGER PRIMARY KEY)"))
        await conn.execute(text("INSERT INTO tally VALUES ('tally-1', 0)"))
    return migrated_engine


async def test_a_batch_applies_in_order_undoes_a_failing_handler_and_tracks_each_once(
    engine: AsyncEngine, database_url: str, redis_url: str, redis_prefix: str
) -> None:
    async def add(envelope: Envelope, delivery: Delivery) -> None:
        seq = envelope.payload["seq"]
        async with SqlUnitOfWork(engine, Silent(), SystemClock(), delivery=delivery) as uow:
            conn = await uow.connection()
            total = await conn.scalar(text("SELECT total FROM tally WHERE id = 'tally-1'"))
            # Each handler reads what the batch's earlier handlers wrote.
            await conn.execute(text("UPDATE tally SET total = :t"), {"t": total * 10 + seq})
            await conn.execute(text("INSERT INTO tally_seen VALUES (:s)"), {"s": seq})
            if seq == 3:
                raise ValueError("three is poison")
            await uow.commit()

    redis: Any = streams.connect(redis_url)
    read_db = create_engine(database_url, read_only=True)
    writer = writer_for(database_url, engine)
    consumer = tally_consumer(add, redis, engine, read_db, writer, redis_prefix)
    try:
        await consumer.ensure_groups()
        stream = streams.events_stream(redis_prefix, SOURCE)
        for seq in range(1, 6):
            await redis.xadd(stream, streams.encode(added(seq)))
        await redis.xadd(stream, streams.encode(added(2)))  # sent twice by the relay

        assert await consumer.consume_once() == 6

        async with engine.connect() as conn:
            total = await conn.scalar(text("SELECT total FROM tally"))
            seen = (await conn.scalars(text("SELECT seq FROM tally_seen ORDER BY seq"))).all()
            tracked = await conn.scalar(select(func.count()).select_from(tracking))
        assert total == 1245  # 1, 2, 4, 5 in order; 3 undone (both attempts), 2 once
        assert seen == [1, 2, 4, 5]
        assert tracked == 4
        assert consumer.duplicates == 1
        assert [letter.event_type for letter in await consumer.dead_letters.list()] == ["Added"]
        assert (await redis.xpending(stream, CONTEXT))["pending"] == 0
    finally:
        await redis.aclose()
        await read_db.dispose()
        await writer.close()


async def test_a_gated_group_works_only_while_open_and_keeps_what_is_unavailable_pending(
    engine: AsyncEngine, database_url: str, redis_url: str, redis_prefix: str
) -> None:
    """A trading shard's group: it reads nothing until this process holds the shard, an
    event refused as Unavailable (the shard moved meanwhile) stays pending, never dead,
    and closing the gate gives the group's lease up for the next holder."""
    state = {"open": False, "refuse": True}
    refused: list[int] = []

    async def add(envelope: Envelope, delivery: Delivery) -> None:
        if state["refuse"]:
            refused.append(envelope.payload["seq"])
            raise Unavailable("the shard is written elsewhere now")
        async with SqlUnitOfWork(engine, Silent(), SystemClock(), delivery=delivery) as uow:
            conn = await uow.connection()
            await conn.execute(
                text("INSERT INTO tally_seen VALUES (:s)"), {"s": envelope.payload["seq"]}
            )
            await uow.commit()

    redis: Any = streams.connect(redis_url)
    read_db = create_engine(database_url, read_only=True)
    writer = writer_for(database_url, engine)
    consumer = tally_consumer(
        add,
        redis,
        engine,
        read_db,
        writer,
        redis_prefix,
        ConsumerSettings(max_attempts=2, backoff_seconds=0, lease_ms=1000),
        gate=lambda: state["open"],
    )
    stream = streams.events_stream(redis_prefix, SOURCE)
    lease = lease_key(redis_prefix, CONTEXT)

    async def pending() -> int:
        return int((await redis.xpending(stream, CONTEXT))["pending"])

    async def seen() -> list[int]:
        async with engine.connect() as conn:
            return list((await conn.scalars(text("SELECT seq FROM tally_seen ORDER BY seq"))).all())

    stop = asyncio.Event()
    running = asyncio.create_task(consumer.run(stop))
    try:
        await consumer.ensure_groups()
        for seq in (1, 2):
            await redis.xadd(stream, streams.encode(added(seq)))
        await asyncio.sleep(0.5)
        assert await redis.get(lease) is None, "closed: the group's lease is not even taken"
        assert await pending() == 0
        assert consumer.consumed == 0

        state["open"] = True
        await until(lambda: len(refused) >= 6)  # tried again and again
        assert await pending() == 2, "refused as unavailable: still pending"
        assert await consumer.dead_letters.list() == []

        state["refuse"] = False
        await until_async(lambda: seen(), [1, 2])
        assert await pending() == 0

        state["open"] = False
        await until_async(lambda: redis.get(lease), None)
    finally:
        stop.set()
        await running
        await redis.aclose()
        await read_db.dispose()
        await writer.close()


async def until(condition: Any, within: float = 10) -> None:
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - a counter, no event to wait on
            await asyncio.sleep(0.05)


async def until_async(read: Any, expected: Any, within: float = 10) -> None:
    async with asyncio.timeout(within):
        while await read() != expected:  # noqa: ASYNC110 - state in Redis and the database
            await asyncio.sleep(0.05)
