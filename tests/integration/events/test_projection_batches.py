"""A projection is handed a batch whole: one single-writer transaction for all its events,
with their tracking rows; a redelivered batch changes nothing; a bad event fails alone
(logged in-process, dead-lettered from a stream). On SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    String,
    Table,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure import projections, streams
from astratrade.infrastructure.consumer import ConsumerSettings, StreamConsumer
from astratrade.infrastructure.db import create_engine
from astratrade.infrastructure.in_process_bus import BATCH_EVENTS, InProcessDispatcher
from astratrade.infrastructure.tracking import tracking
from astratrade.infrastructure.writer import SqliteWriter, Writer, writer_for
from astratrade.shared.bus import BatchHandler, MessageBus, ahead_of_read_models
from astratrade.shared.clock import SystemClock
from astratrade.shared.delivery import Delivery
from astratrade.shared.messages import Envelope

T = TypeVar("T")
SOURCE = "ledger"
POISON = 3
totals = Table(
    "tally_totals",
    MetaData(),
    Column("aggregate_id", String(36), primary_key=True),
    Column("digits", String(200), nullable=False),
)


class Tally:
    """Appends each event's digit to its aggregate's string of digits: any reordering, loss
    or double application shows in the result."""

    name = "tally.totals"
    source = SOURCE
    event_types = frozenset({"Added"})
    tables: tuple[Table, ...] = (totals,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        digit = int(envelope.payload["digit"])
        if digit == POISON:
            raise ValueError("three is poison")
        where = totals.c.aggregate_id == envelope.aggregate_id
        now = conn.scalar(select(totals.c.digits).where(where))
        if now is None:
            conn.execute(insert(totals), [{"aggregate_id": envelope.aggregate_id, "digits": ""}])
        conn.execute(update(totals).where(where).values(digits=(now or "") + str(digit)))


TALLY = Tally()


def added(seq: int, digit: int, aggregate: str = "a") -> Envelope:
    return Envelope(
        event_id=f"event-{seq}",
        type="Added",
        version=1,
        context=SOURCE,
        aggregate_id=aggregate,
        aggregate_version=seq,
        occurred_at=datetime.now(UTC),
        payload={"digit": digit},
    )


@dataclass
class CountingWriter:
    """The platform's writer, counting its transactions and the tracking lookups."""

    inner: Writer
    transactions: int = 0
    lookups: int = 0

    @property
    def exclusive(self) -> bool:
        return self.inner.exclusive

    async def run(self, work: Callable[[Connection], T]) -> T:
        self.transactions += 1
        return await self.inner.run(work)

    async def close(self) -> None:
        await self.inner.close()

    def count_lookups(self, statement: str) -> None:
        """A lookup tells which events are applied: a SELECT of tracking rows, or on SQLite
        the tracking rows' insert that returns the new ones (`tracking.record_new`)."""
        sql = statement.lstrip().upper()
        returning = sql.startswith("INSERT") and "RETURNING" in sql
        if (sql.startswith("SELECT") or returning) and "EVENT_TRACKING" in sql:
            self.lookups += 1


@pytest.fixture
async def engine(migrated_engine: AsyncEngine) -> AsyncEngine:
    async with migrated_engine.begin() as conn:
        await conn.run_sync(lambda sync: totals.create(sync))
    return migrated_engine


@pytest.fixture
async def writer(engine: AsyncEngine, database_url: str) -> AsyncIterator[CountingWriter]:
    inner = writer_for(database_url, engine)
    counting = CountingWriter(inner)
    writes = inner.engine if isinstance(inner, SqliteWriter) else engine.sync_engine

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        counting.count_lookups(statement)

    event.listen(writes, "before_cursor_execute", before)
    yield counting
    event.remove(writes, "before_cursor_execute", before)
    await counting.close()


async def digits(engine: AsyncEngine) -> dict[str, str]:
    async with engine.connect() as conn:
        return {row.aggregate_id: row.digits for row in await conn.execute(select(totals))}


async def tracked(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        count = select(func.count()).select_from(tracking)
        return int(await conn.scalar(count.where(tracking.c.consumer == TALLY.name)) or 0)


async def dispatched(
    engine: AsyncEngine, writer: CountingWriter, *batches: list[Envelope]
) -> list[str]:
    """Each batch through a dispatcher of its own (a restart re-delivers); what a plain
    handler beside the projection saw."""
    seen: list[str] = []

    async def note(envelope: Envelope, delivery: Delivery) -> None:
        seen.append(envelope.event_id)

    bus = MessageBus()
    projections.subscribe(bus, TALLY, writer, SystemClock())
    bus.subscribe("Added", note, source=SOURCE, consumer="notes")
    for batch in batches:
        dispatcher = InProcessDispatcher(bus, engine, writer, SystemClock())
        dispatcher.committed(batch)  # queued before the dispatcher runs: one batch
        await dispatcher.start()
        await dispatcher.drain()
        await dispatcher.stop()
    return seen


async def test_a_dispatched_batch_is_one_transaction_with_a_tracking_row_an_event(
    engine: AsyncEngine, writer: CountingWriter
) -> None:
    batch = [added(seq, seq % 3 + 4, f"agg-{seq % 2}") for seq in range(1, 9)]

    seen = await dispatched(engine, writer, batch)

    assert writer.transactions == 1 + 1  # the projection's batch, and the outbox marks
    assert writer.lookups == 1
    # 1 to 8 in order: digits 5, 6, 4, 5, ... alternating between the two aggregates
    assert await digits(engine) == {"agg-1": "5465", "agg-0": "6546"}
    assert await tracked(engine) == 8
    assert seen == [e.event_id for e in batch]  # other subscribers, in order, as before


async def test_a_dispatched_batch_holds_sqlites_single_writer_for_a_bounded_part_at_a_time(
    engine: AsyncEngine, writer: CountingWriter
) -> None:
    batch = [added(seq, seq % 10) for seq in range(1, 41) if seq % 10 != POISON]

    await dispatched(engine, writer, batch)

    # SQLite's writer: parts of EXCLUSIVE_WRITER_EVENTS (32); PostgreSQL's: the whole batch.
    assert writer.transactions - 1 == (2 if writer.exclusive else 1)
    assert await digits(engine) == {"a": "124567890" * 4}
    assert await tracked(engine) == 36


counts = Table(
    "tally_counts",
    MetaData(),
    Column("aggregate_id", String(36), primary_key=True),
    Column("events", String(10), nullable=False),
)


class Count:
    """A second read model of the same events: how many each aggregate had."""

    name = "tally.counts"
    source = SOURCE
    event_types = frozenset({"Added"})
    tables: tuple[Table, ...] = (counts,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        where = counts.c.aggregate_id == envelope.aggregate_id
        now = conn.scalar(select(counts.c.events).where(where))
        if now is None:
            conn.execute(insert(counts), [{"aggregate_id": envelope.aggregate_id, "events": "1"}])
        else:
            conn.execute(update(counts).where(where).values(events=str(int(now) + 1)))


async def two_read_models(
    engine: AsyncEngine, writer: CountingWriter, batch: list[Envelope]
) -> dict[str, str]:
    """The batch dispatched to Tally and Count; Count's read model."""
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: counts.create(sync))
    bus = MessageBus()
    projections.subscribe(bus, TALLY, writer, SystemClock())
    projections.subscribe(bus, Count(), writer, SystemClock())
    dispatcher = InProcessDispatcher(bus, engine, writer, SystemClock())
    dispatcher.committed(batch)
    await dispatcher.start()
    await dispatcher.drain()
    await dispatcher.stop()
    async with engine.connect() as conn:
        return {row.aggregate_id: row.events for row in await conn.execute(select(counts))}


async def test_the_read_models_of_a_dispatched_batch_share_one_transaction(
    engine: AsyncEngine, writer: CountingWriter
) -> None:
    batch = [added(seq, 5, f"agg-{seq % 2}") for seq in range(1, 11)]

    counted = await two_read_models(engine, writer, batch)

    # Both projections' shares (20 deliveries, under SQLite's 32 a step), and the marks.
    assert writer.transactions == 1 + 1
    assert counted == {"agg-0": "5", "agg-1": "5"}
    assert await digits(engine) == {"agg-0": "55555", "agg-1": "55555"}


async def test_a_read_model_failing_in_a_shared_transaction_costs_the_others_nothing(
    engine: AsyncEngine, writer: CountingWriter
) -> None:
    batch = [added(seq, digit) for seq, digit in enumerate((1, 2, POISON, 4), start=1)]

    counted = await two_read_models(engine, writer, batch)

    assert counted == {"a": "4"}  # every event, though Tally failed on one
    assert await digits(engine) == {"a": "124"}
    assert await tracked(engine) == 3


async def test_a_batch_dispatched_again_changes_nothing(
    engine: AsyncEngine, writer: CountingWriter
) -> None:
    batch = [added(seq, 1) for seq in range(1, 6)]

    await dispatched(engine, writer, batch, [*batch[2:], added(6, 2)])

    assert await digits(engine) == {"a": "111112"}
    assert await tracked(engine) == 6


async def test_a_bad_event_in_a_dispatched_batch_fails_alone_and_is_logged(
    engine: AsyncEngine, writer: CountingWriter, caplog: pytest.LogCaptureFixture
) -> None:
    batch = [added(seq, digit) for seq, digit in enumerate((1, 2, POISON, 4, 5), start=1)]

    with caplog.at_level(logging.INFO):
        seen = await dispatched(engine, writer, batch)

    assert await digits(engine) == {"a": "1245"}
    assert await tracked(engine) == 4
    failed = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in failed] == ["tally.totals.project failed on Added event-3"]
    assert len(seen) == 5


@pytest.mark.redis
async def test_a_stream_batch_is_one_transaction_and_a_bad_event_is_dead_lettered(
    engine: AsyncEngine,
    writer: CountingWriter,
    database_url: str,
    redis_url: str,
    redis_prefix: str,
) -> None:
    bus = MessageBus()
    projections.subscribe(bus, TALLY, writer, SystemClock())
    redis: Any = streams.connect(redis_url)
    read_db = create_engine(database_url, read_only=True)
    consumer = StreamConsumer(
        redis,
        bus,
        engine,
        read_db,
        writer,
        SystemClock(),
        context=TALLY.name,
        name="solo",
        prefix=redis_prefix,
        settings=ConsumerSettings(max_attempts=2, backoff_seconds=0),
    )
    stream = streams.events_stream(redis_prefix, SOURCE)

    async def send(*envelopes: Envelope) -> None:
        for envelope in envelopes:
            await redis.xadd(stream, streams.encode(envelope))

    try:
        await consumer.ensure_groups()
        await send(*[added(seq, 1) for seq in range(1, 6)], added(2, 1))  # 2 sent twice

        assert await consumer.consume_once() == 6
        assert (writer.transactions, writer.lookups) == (1, 1)
        assert await digits(engine) == {"a": "11111"}
        assert await tracked(engine) == 5
        assert consumer.duplicates == 1

        await send(added(4, 1), added(5, 1), added(6, 2), added(7, POISON), added(8, 4))

        assert await consumer.consume_once() == 5
        # The batch failed whole, then one by one: 6 and 8 applied, 7 tried twice and
        # dead-lettered, 4 and 5 applied already.
        assert await digits(engine) == {"a": "1111124"}
        assert await tracked(engine) == 7
        assert [letter.event_type for letter in await consumer.dead_letters.list()] == ["Added"]
        assert consumer.failed == 2
        assert (await redis.xpending(stream, TALLY.name))["pending"] == 0
    finally:
        await redis.aclose()
        await read_db.dispose()


async def test_a_batch_handler_that_fails_on_a_batch_handles_it_event_by_event(
    engine: AsyncEngine, writer: CountingWriter, caplog: pytest.LogCaptureFixture
) -> None:
    """Progression takes a batch's closes at once; a batch it cannot take whole goes event
    by event, in order, so that only the bad event is lost (and logged)."""
    whole: list[list[str]] = []
    one_by_one: list[str] = []

    async def one(envelope: Envelope, _delivery: Delivery) -> None:
        if envelope.payload["digit"] == POISON:
            raise ValueError("poison")
        one_by_one.append(envelope.event_id)

    async def handle_all(share: list[tuple[Envelope, Delivery]]) -> None:
        if any(e.payload["digit"] == POISON for e, _ in share):
            raise ValueError("poison in the batch")
        whole.append([e.event_id for e, _ in share])

    bus = MessageBus()
    bus.subscribe("Added", BatchHandler(one, handle_all), source=SOURCE, consumer="closes")
    good = [added(seq, 1) for seq in (1, 2)]
    bad = [added(seq, digit) for seq, digit in ((3, 1), (4, POISON), (5, 1))]
    with caplog.at_level(logging.INFO):
        for batch in (good, bad):
            dispatcher = InProcessDispatcher(bus, engine, writer, SystemClock())
            dispatcher.committed(batch)
            await dispatcher.start()
            await dispatcher.drain()
            await dispatcher.stop()

    assert whole == [["event-1", "event-2"]]
    assert one_by_one == ["event-3", "event-5"]
    failed = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert failed == ["closes.one failed on Added event-4"]


async def test_a_commits_events_reach_a_batch_handler_together_however_many(
    engine: AsyncEngine, writer: CountingWriter
) -> None:
    """Copy trading commits a leader fill's hundreds of decisions at once: trading must
    get them in one share, not the last few in a later batch behind the read models."""
    shares: list[int] = []

    async def one(_envelope: Envelope, _delivery: Delivery) -> None:
        raise AssertionError("a whole commit goes to handle_all")

    async def handle_all(share: list[tuple[Envelope, Delivery]]) -> None:
        shares.append(len(share))

    bus = MessageBus()
    bus.subscribe("Added", BatchHandler(one, handle_all), source=SOURCE, consumer="copies")
    dispatcher = InProcessDispatcher(bus, engine, writer, SystemClock())
    big = [added(seq, 1) for seq in range(BATCH_EVENTS + 1)]
    small = [[added(seq, 1)] for seq in range(BATCH_EVENTS + 1, BATCH_EVENTS + 4)]
    pair = [added(seq, 1) for seq in range(BATCH_EVENTS + 4, BATCH_EVENTS + 6)]
    for commit in (big, *small, pair):
        dispatcher.committed(commit)
    await dispatcher.start()
    await dispatcher.drain()
    await dispatcher.stop()

    # The big commit whole (over the limit), then commits together while under it.
    assert shares == [BATCH_EVENTS + 1, 5]


async def test_handlers_marked_ahead_run_before_the_batchs_read_models_the_others_after(
    engine: AsyncEngine, writer: CountingWriter
) -> None:
    """Copy trading decides on a leader's fill, and trading places the copies, before the
    fill's read models are applied (copiers wait on them); the other handlers still find
    the batch's read models applied."""
    seen: list[tuple[str, dict[str, str]]] = []

    def noting(name: str) -> Callable[[Envelope, Delivery], Any]:
        async def handler(_envelope: Envelope, _delivery: Delivery) -> None:
            seen.append((name, await digits(engine)))

        return handler

    async def all_at_once(share: list[tuple[Envelope, Delivery]]) -> None:
        seen.append((f"batch of {len(share)}", await digits(engine)))

    bus = MessageBus()
    bus.subscribe("Added", noting("after"), source=SOURCE, consumer="notes")
    projections.subscribe(bus, TALLY, writer, SystemClock())
    together = BatchHandler(noting("one"), all_at_once)
    bus.subscribe("Added", ahead_of_read_models(together), source=SOURCE, consumer="places")
    bus.subscribe("Added", ahead_of_read_models(noting("ahead")), source=SOURCE, consumer="decides")
    dispatcher = InProcessDispatcher(bus, engine, writer, SystemClock())
    dispatcher.committed([added(1, 5), added(2, 6)])
    await dispatcher.start()
    await dispatcher.drain()
    await dispatcher.stop()

    assert seen == [
        ("batch of 2", {}),
        ("ahead", {}),
        ("ahead", {}),
        ("after", {"a": "56"}),
        ("after", {"a": "56"}),
    ]


async def test_a_consumer_is_ahead_of_the_read_models_whole_or_not_at_all(
    engine: AsyncEngine, writer: CountingWriter
) -> None:
    """Half of a consumer's handlers ahead would handle its events out of order."""

    async def decide(_envelope: Envelope, _delivery: Delivery) -> None:
        return None

    async def note(_envelope: Envelope, _delivery: Delivery) -> None:
        return None

    bus = MessageBus()
    bus.subscribe("Added", ahead_of_read_models(decide), source=SOURCE, consumer="copies")
    bus.subscribe("Removed", note, source=SOURCE, consumer="copies")
    dispatcher = InProcessDispatcher(bus, engine, writer, SystemClock())
    with pytest.raises(ValueError, match="copies"):
        await dispatcher.start()


async def test_what_handlers_ahead_commit_meanwhile_reaches_them_before_the_read_models(
    engine: AsyncEngine, writer: CountingWriter
) -> None:
    """A leader's fill, copy trading's decisions on it, trading's copy orders: each commit
    made by a handler ahead reaches the handlers ahead at once, not after the read models
    of the commits before it; the read models then take them all, in commit order."""
    dispatcher: InProcessDispatcher
    seen: list[tuple[str, dict[str, str]]] = []

    async def decide(envelope: Envelope, _delivery: Delivery) -> None:
        seen.append((envelope.event_id, await digits(engine)))
        digit = int(envelope.payload["digit"])
        if digit < 7:  # decides once more on what it decided
            dispatcher.committed([added(10 + digit, digit + 1)])

    bus = MessageBus()
    projections.subscribe(bus, TALLY, writer, SystemClock())
    bus.subscribe("Added", ahead_of_read_models(decide), source=SOURCE, consumer="decides")
    dispatcher = InProcessDispatcher(bus, engine, writer, SystemClock())
    dispatcher.committed([added(1, 5)])
    await dispatcher.start()
    await dispatcher.drain()
    await dispatcher.stop()

    assert seen == [("event-1", {}), ("event-15", {}), ("event-16", {})]
    assert await digits(engine) == {"a": "567"}
    assert writer.transactions == 1 + 1  # the three commits' read models at once; the marks
